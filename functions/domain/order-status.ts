/** The order lifecycle of CONTRACT.md: which statuses exist, which end a route, and which moves are allowed. */

export const orderStatuses = [
  'RECEIVED',
  'CHECKING',
  'HELD',
  'REJECTED',
  'ALLOCATED',
  'UNFILLED',
  'CONFIRMED',
  'CANCELLED',
] as const;

export type OrderStatus = (typeof orderStatuses)[number];

/** Statuses after which nothing more happens to the order (ALLOCATED still becomes CONFIRMED). */
export const terminalStatuses: readonly OrderStatus[] = ['REJECTED', 'UNFILLED', 'CONFIRMED', 'CANCELLED'];

/** Statuses at which the route has stopped and waits on nobody but factories or reviewers. */
export const routedStatuses: readonly OrderStatus[] = [
  'REJECTED',
  'UNFILLED',
  'ALLOCATED',
  'CONFIRMED',
  'CANCELLED',
  'HELD',
];

const allowedMoves: Record<OrderStatus, readonly OrderStatus[]> = {
  RECEIVED: ['CHECKING', 'CANCELLED'],
  CHECKING: ['HELD', 'REJECTED', 'ALLOCATED', 'UNFILLED', 'CANCELLED'],
  HELD: ['CHECKING', 'REJECTED', 'CANCELLED'],
  // UNFILLED from ALLOCATED: a declined share that no other factory can take releases the whole order (README).
  ALLOCATED: ['CONFIRMED', 'UNFILLED', 'CANCELLED'],
  REJECTED: [],
  UNFILLED: [],
  CONFIRMED: [],
  CANCELLED: [],
};

/** The statuses an order may be in for a move to `to` to be legal. */
export function statusesBefore(to: OrderStatus): OrderStatus[] {
  return orderStatuses.filter((from) => allowedMoves[from].includes(to));
}

export function isTerminal(status: OrderStatus): boolean {
  return terminalStatuses.includes(status);
}
