/** Workflow task (.waitForTaskToken): park a HELD order's task token on the order until a reviewer decides. */
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import * as z from 'zod';
import { requiredEnv, systemClock } from '../adapters/config';
import { createOrderStore } from '../adapters/order-store';
import { stepFunctions } from '../adapters/step-functions';
import { OrderNotFoundError } from '../adapters/task-input';
import { workflowTask } from '../adapters/transient-errors';
import { reviewTaskOutput } from '../review-order/review-decision';

const orders = createOrderStore(requiredEnv('ORDERS_TABLE'));

const inputSchema = z.object({
  orderId: z.string().min(1).max(64),
  taskToken: z.string().min(1).max(2048),
});

/**
 * The route waits for SendTaskSuccess, not for this return. If the order was reviewed already (this is a retried
 * task, whose new token the reviewer never saw), the recorded decision resumes the route at once.
 */
export const handler = workflowTask(async (input: unknown): Promise<{ orderId: string; waiting: boolean }> => {
  const { orderId, taskToken } = inputSchema.parse(input);
  const record = await orders.getOrder(orderId);
  if (!record) throw new OrderNotFoundError(`order ${orderId} does not exist`);
  if (record.review) {
    await stepFunctions.send(
      new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(reviewTaskOutput(record.review.decision)) }),
    );
    return { orderId, waiting: false };
  }
  await orders.storeReviewToken(orderId, taskToken, systemClock().toISOString());
  return { orderId, waiting: true };
});
