/** Workflow task: move the order to the status its route reached, post the ledger when ALLOCATED, and publish the event. */
import { z } from 'zod';
import { OrderAllocated, OrderHeld, OrderRejected, OrderUnfilled } from '../../events';
import { requiredEnv, systemClock } from '../adapters/config';
import { channelEvent, createEventPublisher, type PendingEvent } from '../adapters/event-publisher';
import { createLedgerStore } from '../adapters/ledger-store';
import { createOrderStore, type OrderRecord } from '../adapters/order-store';
import { createRulesStore } from '../adapters/rules-store';
import { OrderNotFoundError } from '../adapters/task-input';
import { isoDate } from '../adapters/today';
import { allocationTransaction } from '../domain/ledger';
import type { RecordOutcomeOutput } from '../workflow-io';

const orders = createOrderStore(requiredEnv('ORDERS_TABLE'));
const rules = createRulesStore(requiredEnv('ORDERS_TABLE'));
const ledger = createLedgerStore(requiredEnv('LEDGER_TABLE'));
const publish = createEventPublisher();

const inputSchema = z.object({
  orderId: z.string().min(1).max(64),
  status: z.enum(['REJECTED', 'HELD', 'UNFILLED', 'ALLOCATED']),
});

function codesWith(record: OrderRecord, outcome: 'fail' | 'hold'): string[] {
  return (record.checks ?? []).filter((c) => c.outcome === outcome).map((c) => c.code);
}

export const handler = async (input: unknown): Promise<RecordOutcomeOutput> => {
  const { orderId, status } = inputSchema.parse(input);
  const record = await orders.getOrder(orderId);
  if (!record) throw new OrderNotFoundError(`order ${orderId} does not exist`);
  const now = systemClock().toISOString();

  let event: PendingEvent;
  switch (status) {
    case 'REJECTED':
      event = channelEvent(OrderRejected, { orderId, occurredAt: now, codes: codesWith(record, 'fail') });
      break;
    case 'HELD':
      event = channelEvent(OrderHeld, { orderId, occurredAt: now, codes: codesWith(record, 'hold') });
      break;
    case 'UNFILLED': {
      const shortfalls = (record as OrderRecord & { shortfalls?: { lineIndex: number; missingKg: number }[] })
        .shortfalls;
      event = channelEvent(OrderUnfilled, { orderId, occurredAt: now, shortfalls: shortfalls ?? [] });
      break;
    }
    case 'ALLOCATED': {
      const allocations = (await orders.listAllocations(orderId)).filter((a) => a.status !== 'RELEASED');
      // Posted before the status moves: if the move then fails, the compensation finds the posting and reverses it;
      // the other way round a failure could leave an ALLOCATED order that finance never sees.
      if (record.status !== 'ALLOCATED' && record.status !== 'CONFIRMED') {
        const ruleSet = await rules.ruleSetOn(isoDate(record.submittedAt));
        const live = allocations.filter((a) => a.status !== 'DECLINED');
        await ledger.postTransaction(allocationTransaction(orderId, record.order, live, ruleSet, now));
      }
      event = channelEvent(OrderAllocated, {
        orderId,
        occurredAt: now,
        allocations: allocations.map(({ allocationId, factoryId, lineIndex, quantityKg }) => ({
          allocationId,
          factoryId,
          lineIndex,
          quantityKg,
        })),
      });
      break;
    }
  }
  await orders.moveOrder(orderId, status, now);
  // At least once: a retried task publishes again; consumers key on orderId + detail-type.
  await publish(event);
  return { orderId, status };
};
