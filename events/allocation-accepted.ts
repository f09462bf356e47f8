/** AllocationAccepted: a member factory accepted its allocation. */
import { allocationRef, defineEvent } from './define-event';

export const AllocationAccepted = defineEvent('AllocationAccepted', 1, allocationRef.shape);
