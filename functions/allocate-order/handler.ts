/** Workflow task: reserve every kg of the order at member factories in one transaction, or report it unfilled. */
import { setTimeout as delay } from 'node:timers/promises';
import { requiredEnv, systemClock } from '../adapters/config';
import { createOrderStore, newAllocation, OrderStoreConflict } from '../adapters/order-store';
import { createRulesStore } from '../adapters/rules-store';
import { OrderNotFoundError, orderRef } from '../adapters/task-input';
import { isoDate } from '../adapters/today';
import { workflowTask } from '../adapters/transient-errors';
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

export const handler = workflowTask(async (input: unknown): Promise<AllocateOrderOutput> => {
  const { orderId } = orderRef.parse(input);
  const record = await orders.getOrder(orderId);
  if (!record) throw new OrderNotFoundError(`order ${orderId} does not exist`);

  // A retried task finds its own reservations and reports them instead of reserving twice.
  const alreadyHeld = async (): Promise<AllocateOrderOutput | undefined> => {
    const held = (await orders.listAllocations(orderId)).filter((a) => a.status !== 'RELEASED');
    return held.length > 0
      ? { orderId, outcome: 'ALLOCATED', allocationIds: held.map((a) => a.allocationId) }
      : undefined;
  };
  const held = await alreadyHeld();
  if (held) return held;
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
