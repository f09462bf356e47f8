/** AllocationDeclined: a member factory declined, or did not answer in time; the quantity goes elsewhere. */
import * as z from 'zod';
import { allocationRef, defineEvent } from './define-event';

export const AllocationDeclined = defineEvent('AllocationDeclined', 1, {
  ...allocationRef.shape,
  reason: z.enum(['declined', 'timeout']),
});
