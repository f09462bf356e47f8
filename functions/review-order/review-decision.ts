/** The reviewer API's body and how its decision resumes the workflow (shared by the API handler and AwaitReview). */
import * as z from 'zod';
import type { ReviewDecision } from '../adapters/order-store';
import type { ReviewTaskOutput } from '../workflow-io';

export const reviewRequestSchema = z
  .object({
    decision: z.enum(['approve', 'reject']),
    reason: z.string().trim().min(1).max(500),
    /** For an approval of a LICENCE_REQUIRED hold: the licence the reviewer checked. */
    licenceNumber: z.string().trim().min(1).max(64).optional(),
    reviewer: z.string().trim().min(1).max(120),
  })
  .strict();
export type ReviewRequest = z.infer<typeof reviewRequestSchema>;

export function reviewTaskOutput(decision: ReviewDecision): ReviewTaskOutput {
  return { decision: decision === 'approve' ? 'APPROVED' : 'REJECTED' };
}
