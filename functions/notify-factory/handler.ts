/** Workflow task (one Map iteration): e-mail a factory its allocation, at most once, and publish AllocationNotified. */
import * as z from 'zod';
import { requiredEnv, systemClock } from '../adapters/config';
import { createEventPublisher } from '../adapters/event-publisher';
import { createMailer } from '../adapters/mailer';
import { createOrderStore } from '../adapters/order-store';
import { createRulesStore } from '../adapters/rules-store';
import { createLinkSigner } from '../adapters/signed-links';
import { workflowTask } from '../adapters/transient-errors';
import type { NotifyFactoryOutput } from '../workflow-io';
import { createAllocationNotifier } from './notify-allocation';

const table = requiredEnv('ORDERS_TABLE');
const notifyAllocation = createAllocationNotifier({
  orders: createOrderStore(table),
  rules: createRulesStore(table),
  sendMail: createMailer(),
  publish: createEventPublisher(),
  links: createLinkSigner(),
  publicBaseUrl: requiredEnv('PUBLIC_BASE_URL'),
  clock: systemClock,
});

const inputSchema = z.object({ orderId: z.string().min(1).max(64), allocationId: z.string().min(1).max(64) });

export const handler = workflowTask(async (input: unknown): Promise<NotifyFactoryOutput> => {
  const { orderId, allocationId } = inputSchema.parse(input);
  return notifyAllocation(orderId, allocationId);
});
