/** OrderRejected: a unified check failed; the codes say which. */
import * as z from 'zod';
import { defineEvent } from './define-event';

export const OrderRejected = defineEvent('OrderRejected', 1, {
  codes: z.array(z.string()).min(1),
});
