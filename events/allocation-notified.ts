/** AllocationNotified: a member factory was e-mailed its allocation. */
import { allocationRef, defineEvent } from './define-event';

export const AllocationNotified = defineEvent('AllocationNotified', 1, allocationRef.shape);
