/** Workflow task: move the order to the status its route reached, post the ledger when ALLOCATED, and publish the event. */
import * as z from 'zod';
import { OrderAllocated, OrderCancelled, OrderHeld, OrderRejected, OrderUnfilled } from '../../events';
import { requiredEnv, systemClock } from '../adapters/config';
import { channelEvent, createEventPublisher, type PendingEvent } from '../adapters/event-publisher';
import { createLedgerStore } from '../adapters/ledger-store';
import { createMailer, sendClaimedMail } from '../adapters/mailer';
import { createOrderStore, type OrderRecord } from '../adapters/order-store';
import { createRulesStore } from '../adapters/rules-store';
import { OrderNotFoundError } from '../adapters/task-input';
import { isoDate } from '../adapters/today';
import { workflowTask } from '../adapters/transient-errors';
import { orderStatusUrl } from '../answer-allocation/allocation-answers';
import { orderAllocatedEmail } from '../buyer-email';
import { allocationTransaction } from '../domain/ledger';
import type { RecordOutcomeOutput } from '../workflow-io';

const orders = createOrderStore(requiredEnv('ORDERS_TABLE'));
const rules = createRulesStore(requiredEnv('ORDERS_TABLE'));
const ledger = createLedgerStore(requiredEnv('LEDGER_TABLE'));
const publish = createEventPublisher();
const sendMail = createMailer();
const publicBaseUrl = requiredEnv('PUBLIC_BASE_URL');

const inputSchema = z.object({
  orderId: z.string().min(1).max(64),
  status: z.enum(['REJECTED', 'HELD', 'UNFILLED', 'ALLOCATED', 'CANCELLED']),
});

function codesWith(record: OrderRecord, outcome: 'fail' | 'hold'): string[] {
  return (record.checks ?? []).filter((c) => c.outcome === outcome).map((c) => c.code);
}

export const handler = workflowTask(async (input: unknown): Promise<RecordOutcomeOutput> => {
  const { orderId, status } = inputSchema.parse(input);
  const record = await orders.getOrder(orderId);
  if (!record) throw new OrderNotFoundError(`order ${orderId} does not exist`);
  const now = systemClock().toISOString();

  let event: PendingEvent;
  switch (status) {
    case 'REJECTED': {
      // A reviewer's rejection of a HELD order has no failed check: the hold codes are what was rejected.
      const failed = codesWith(record, 'fail');
      event = channelEvent(OrderRejected, {
        orderId,
        occurredAt: now,
        codes: failed.length > 0 ? failed : codesWith(record, 'hold'),
      });
      break;
    }
    case 'CANCELLED':
      // The only route to CANCELLED today: nobody reviewed the HELD order before the review timed out.
      event = channelEvent(OrderCancelled, {
        orderId,
        occurredAt: now,
        reason: `the ${record.status} order was not reviewed in time`,
      });
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
  const note = status === 'REJECTED' && record.review ? `rejected on review: ${record.review.reason}` : undefined;
  await orders.moveOrder(orderId, status, now, {}, note);
  // At least once: a retried task publishes again; consumers key on orderId + detail-type.
  await publish(event);
  // The buyer's "allocated" e-mail is claimed once, so a retried task does not send it twice.
  const claim = status === 'ALLOCATED' ? await orders.claimBuyerMail(orderId, 'allocated', now) : undefined;
  if (claim) {
    const live = (await orders.listAllocations(orderId)).filter((a) => a.status !== 'RELEASED');
    await sendClaimedMail(
      sendMail,
      { to: record.order.buyer.email, ...orderAllocatedEmail(record, live, orderStatusUrl(publicBaseUrl, orderId)) },
      () => orders.releaseBuyerMailClaim(orderId, 'allocated', claim),
    );
  }
  return { orderId, status };
});
