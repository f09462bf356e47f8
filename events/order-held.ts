/** OrderHeld: the order waits for a reviewer of the secretariat (e.g. an export licence is missing). */
import * as z from 'zod';
import { defineEvent } from './define-event';

export const OrderHeld = defineEvent('OrderHeld', 1, {
  codes: z.array(z.string()).min(1),
});
