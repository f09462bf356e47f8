/** Workflow compensation: release what a failed route reserved, reverse what it posted, note the failure; twice changes nothing. */
import * as z from 'zod';
import { requiredEnv, systemClock } from '../adapters/config';
import { createLedgerStore } from '../adapters/ledger-store';
import { logger } from '../adapters/logger';
import { createOrderStore } from '../adapters/order-store';
import { workflowTask } from '../adapters/transient-errors';
import type { ReleaseReservationsOutput } from '../workflow-io';

const orders = createOrderStore(requiredEnv('ORDERS_TABLE'));
const ledger = createLedgerStore(requiredEnv('LEDGER_TABLE'));

const inputSchema = z.object({
  orderId: z.string().min(1).max(64),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});

export const handler = workflowTask(async (input: unknown): Promise<ReleaseReservationsOutput> => {
  const { orderId, error } = inputSchema.parse(input);
  const record = await orders.getOrder(orderId);
  if (!record) return { orderId, released: 0 };
  const now = systemClock().toISOString();
  // An order already ALLOCATED or CONFIRMED keeps its reservations: the failure came after the fact was recorded.
  const keepsReservations = record.status === 'ALLOCATED' || record.status === 'CONFIRMED';
  const released = keepsReservations ? 0 : await orders.releaseAll(orderId, now);
  if (!keepsReservations) {
    await orders.forgetReservation(orderId);
    // RecordAllocated posts before it moves the order; a failure in between leaves a posting to undo.
    await ledger.reverseAll(orderId, now, 'route failed; reservations released');
  }
  const routingError = {
    error: (error?.Error ?? 'Unknown').slice(0, 200),
    cause: (error?.Cause ?? '').slice(0, 2000),
    at: now,
  };
  await orders.updateOrder(orderId, now, { routingError });
  logger.warn('order route failed; reservations released', { orderId, released, routingError });
  return { orderId, released };
});
