/** Key design of the channel's tables, shared by the CDK stateful stack and the local stack so both stay alike. */

export const ordersTableDesign = {
  partitionKey: 'pk',
  sortKey: 'sk',
} as const;

/** The ledger: append-only, keyed by order so one Query finds what an order posted (functions/adapters/ledger-store.ts). */
export const ledgerTableDesign = {
  partitionKey: 'pk',
  sortKey: 'sk',
} as const;

export const idempotencyTableDesign = {
  partitionKey: 'id',
  timeToLiveAttribute: 'expiration',
} as const;
