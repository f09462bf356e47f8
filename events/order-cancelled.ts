/** OrderCancelled: the order was cancelled and holds no reservation. */
import * as z from 'zod';
import { defineEvent } from './define-event';

export const OrderCancelled = defineEvent('OrderCancelled', 1, {
  reason: z.string().max(500),
});
