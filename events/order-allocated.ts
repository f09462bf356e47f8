/** OrderAllocated: every kg of every line is reserved at member factories. */
import * as z from 'zod';
import { allocationRef, defineEvent } from './define-event';

export const OrderAllocated = defineEvent('OrderAllocated', 1, {
  allocations: z.array(allocationRef).min(1),
});
