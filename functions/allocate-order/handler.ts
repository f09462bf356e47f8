/** Workflow task: reserve every kg of the order at member factories in one transaction, or report it unfilled. */
import { setTimeout as delay } from 'node:timers/promises';
import { requiredEnv, systemClock } from '../adapters/config';
import { createOrderStore, newAllocation, OrderStoreConflict } from '../adapters/order-store';
import { createRulesStore } from '../adapters/rules-store';
import { OrderNotFoundError, orderRef } from '../adapters/task-input';
import { isoDate } from '../adapters/today';
import { DependencyUnavailableError, workflowTask } from '../adapters/transient-errors';
import { capacityCellsFor, planAllocation } from '../domain/allocation';
import type { AllocateOrderOutput } from '../workflow-io';

const table = requiredEnv('ORDERS_TABLE');
const orders = createOrderStore(table);
const rules = createRulesStore(table);

/** Concurrent orders may take the capacity a plan counted on; re-plan on fresh figures this many times. */
const MAX_PLANS = 8;

export class CapacityContentionError extends Error {
  override name = 'CapacityContentionError';
}

/** True when the allocations hold every kilogram of every line: what one reservation transaction writes. */
function coversEveryLine(lines: { quantityKg: number }[], allocations: { lineIndex: number; quantityKg: number }[]) {
  return lines.every(
    (line, index) =>
      allocations.filter((a) => a.lineIndex === index).reduce((sum, a) => sum + a.quantityKg, 0) === line.quantityKg,
  );
}

export const handler = workflowTask(async (input: unknown): Promise<AllocateOrderOutput> => {
  const { orderId } = orderRef.parse(input);
  const record = await orders.getOrder(orderId);
  if (!record) throw new OrderNotFoundError(`order ${orderId} does not exist`);

  // What a twin delivery of this task reserved first, reported as a retry would report its own.
  const alreadyHeld = async (): Promise<AllocateOrderOutput | undefined> => {
    const held = (await orders.listAllocations(orderId)).filter((a) => a.status !== 'RELEASED');
    return held.length > 0
      ? { orderId, outcome: 'ALLOCATED', allocationIds: held.map((a) => a.allocationId) }
      : undefined;
  };
  // A retried task finds its own reservations (one transaction wrote all of them) and reports them.
  const live = (await orders.listAllocations(orderId)).filter((a) => a.status !== 'RELEASED');
  if (live.length > 0) {
    if (coversEveryLine(record.order.lines, live)) {
      return { orderId, outcome: 'ALLOCATED', allocationIds: live.map((a) => a.allocationId) };
    }
    // Part of a plan: a compensation cut short, or (rarely) a query that saw a twin's transaction half-way. Never
    // report it as the order's; try again, and if it stays partial the route compensates, which releases the rest.
    throw new DependencyUnavailableError(`order ${orderId} holds part of a plan; not reporting it as allocated`);
  }
  // The stamp without allocations: a compensation released them and was cut before clearing it. The stamp was read
  // before the allocations, so a reservation in flight would have shown its allocations too: it is stale.
  if ((record as { reservationsAt?: string }).reservationsAt) await orders.forgetReservation(orderId);
  if (record.status === 'UNFILLED') return { orderId, outcome: 'UNFILLED', allocationIds: [] };

  const ruleSet = await rules.ruleSetOn(isoDate(record.submittedAt));
  const cells = capacityCellsFor(record.order, ruleSet);
  for (let attempt = 1; attempt <= MAX_PLANS; attempt += 1) {
    const reserved = await orders.reservedKg(cells);
    const plan = planAllocation(record.order, ruleSet, (cell) => reserved.get(orders.capacityPk(cell)) ?? 0);
    const now = systemClock().toISOString();
    if (plan.outcome === 'UNFILLED') {
      await orders.updateOrder(orderId, now, { shortfalls: plan.shortfalls });
      return { orderId, outcome: 'UNFILLED', allocationIds: [] };
    }
    const allocations = plan.allocations.map((a) => newAllocation(orderId, a));
    try {
      if ((await orders.reserve(orderId, allocations, now)) === 'reserved') {
        return { orderId, outcome: 'ALLOCATED', allocationIds: allocations.map((a) => a.allocationId) };
      }
    } catch (error) {
      // A duplicate delivery of this task reserved first: report its reservations, exactly as a retry would.
      if (error instanceof OrderStoreConflict) {
        const reservedByTwin = await alreadyHeld();
        if (reservedByTwin) return reservedByTwin;
      }
      throw error;
    }
    // Full jitter, so orders that collided on a cell do not collide again on the next plan.
    await delay(Math.random() * Math.min(1000, 25 * 2 ** attempt));
  }
  throw new CapacityContentionError(`order ${orderId}: capacity kept changing over ${MAX_PLANS} plans`);
});
