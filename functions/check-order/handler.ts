/** Workflow task: run the unified checks on an order under the rules of its submission date, and record them. */
import { OrderReceived } from '../../events';
import { requiredEnv, systemClock } from '../adapters/config';
import { channelEvent, createEventPublisher } from '../adapters/event-publisher';
import { createOrderStore } from '../adapters/order-store';
import { createRulesStore } from '../adapters/rules-store';
import { OrderNotFoundError, orderRef } from '../adapters/task-input';
import { isoDate } from '../adapters/today';
import { workflowTask } from '../adapters/transient-errors';
import { decide, runChecks } from '../domain/checks';
import { ruleVersions } from '../domain/rules';
import type { CheckOrderOutput } from '../workflow-io';

const table = requiredEnv('ORDERS_TABLE');
const orders = createOrderStore(table);
const rules = createRulesStore(table);
const publish = createEventPublisher();

export const handler = workflowTask(async (input: unknown): Promise<CheckOrderOutput> => {
  const { orderId } = orderRef.parse(input);
  const record = await orders.getOrder(orderId);
  if (!record) throw new OrderNotFoundError(`order ${orderId} does not exist`);
  const now = systemClock().toISOString();

  if (record.status === 'RECEIVED') {
    // Published before the move, so a crash in between repeats the event rather than losing it.
    const totalKg = record.order.lines.reduce((sum, line) => sum + line.quantityKg, 0);
    await publish(
      channelEvent(OrderReceived, {
        orderId,
        occurredAt: now,
        destinationCountry: record.order.destinationCountry,
        lineCount: record.order.lines.length,
        totalKg,
      }),
    );
    await orders.moveOrder(orderId, 'CHECKING', now);
  } else if (record.status !== 'CHECKING') {
    throw new Error(`order ${orderId} is ${record.status}; checks run only on a new order`);
  }

  const ruleSet = await rules.ruleSetOn(isoDate(record.submittedAt));
  const checks = runChecks(record.order, ruleSet);
  const decision = decide(checks);
  await orders.updateOrder(orderId, now, { checks, rules: ruleVersions(ruleSet), decision });
  return { orderId, decision };
});
