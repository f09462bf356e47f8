/** Workflow task (one Map iteration): e-mail a factory its allocation, at most once, and publish AllocationNotified. */

import * as z from 'zod';
import { AllocationNotified } from '../../events';
import { requiredEnv, systemClock } from '../adapters/config';
import { channelEvent, createEventPublisher } from '../adapters/event-publisher';
import { createMailer } from '../adapters/mailer';
import { createOrderStore } from '../adapters/order-store';
import { createRulesStore } from '../adapters/rules-store';
import { OrderNotFoundError } from '../adapters/task-input';
import { isoDate } from '../adapters/today';
import { factoryContact } from '../domain/members';
import type { NotifyFactoryOutput } from '../workflow-io';
import { allocationEmail } from './allocation-email';

const table = requiredEnv('ORDERS_TABLE');
const orders = createOrderStore(table);
const rules = createRulesStore(table);
const sendMail = createMailer();
const publish = createEventPublisher();

const inputSchema = z.object({ orderId: z.string().min(1).max(64), allocationId: z.string().min(1).max(64) });

export const handler = async (input: unknown): Promise<NotifyFactoryOutput> => {
  const { orderId, allocationId } = inputSchema.parse(input);
  const [record, allocations] = await Promise.all([orders.getOrder(orderId), orders.listAllocations(orderId)]);
  const allocation = allocations.find((a) => a.allocationId === allocationId);
  if (!record || !allocation) throw new OrderNotFoundError(`allocation ${orderId}/${allocationId} does not exist`);
  if (allocation.status !== 'RESERVED') return { allocationId, messageId: allocation.messageId ?? null };

  const now = systemClock().toISOString();
  // The claim makes a redelivered task skip the send: a factory never gets the same allocation twice.
  if (!(await orders.claimNotification(orderId, allocationId, now))) return { allocationId, messageId: null };

  const ruleSet = await rules.ruleSetOn(isoDate(record.submittedAt));
  const line = record.order.lines[allocation.lineIndex];
  if (!line) throw new Error(`order ${orderId} has no line ${allocation.lineIndex}`);
  const mail = allocationEmail({
    orderId,
    allocationId,
    factoryName: allocation.factoryName,
    line,
    lineIndex: allocation.lineIndex,
    quantityKg: allocation.quantityKg,
    requestedShipDate: record.order.requestedShipDate,
    trademark: record.order.trademark,
    incoterm: record.order.incoterm,
    destinationCountry: record.order.destinationCountry,
    transferUnitPriceUsdPerKg: allocation.transferUnitPriceUsdPerKg,
  });
  let messageId: string | null;
  try {
    messageId = await sendMail({ to: factoryContact(ruleSet, allocation.factoryId), ...mail });
  } catch (error) {
    await orders.releaseNotificationClaim(orderId, allocationId);
    throw error;
  }
  await orders.markNotified(orderId, allocationId, systemClock().toISOString(), messageId);
  await publish(
    channelEvent(AllocationNotified, {
      orderId,
      occurredAt: now,
      allocationId,
      factoryId: allocation.factoryId,
      lineIndex: allocation.lineIndex,
      quantityKg: allocation.quantityKg,
    }),
  );
  return { allocationId, messageId };
};
