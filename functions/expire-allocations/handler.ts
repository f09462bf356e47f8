/**
 * Scheduled sweep (every 15 minutes): a factory that has not answered by its deadline is treated as declining, and
 * any decline whose reallocation did not finish (a crashed run) is finished. Each item is idempotent.
 */
import * as z from 'zod';
import { systemClock } from '../adapters/config';
import { logger } from '../adapters/logger';
import { workflowTask } from '../adapters/transient-errors';
import { answerUseCasesFromEnv } from '../answer-allocation/from-env';

const { orders, answers } = answerUseCasesFromEnv();

/** EventBridge's scheduled event carries its own `time`; the sweep takes "now" from it so a late run is exact. */
const scheduledEvent = z.object({ time: z.iso.datetime().optional() }).loose();

export interface ExpireAllocationsOutput {
  expired: number;
  reallocated: number;
  failed: number;
}

export const handler = workflowTask(async (input: unknown): Promise<ExpireAllocationsOutput> => {
  const parsed = scheduledEvent.safeParse(input ?? {});
  const now = parsed.success && parsed.data.time ? new Date(parsed.data.time) : systemClock();
  const result: ExpireAllocationsOutput = { expired: 0, reallocated: 0, failed: 0 };
  for (const marker of await orders.dueBy(now.toISOString())) {
    try {
      if (marker.kind === 'reallocate') {
        if ((await answers.reallocate(marker)) !== 'nothing-to-do') result.reallocated += 1;
        continue;
      }
      const allocation = (await orders.listAllocations(marker.orderId)).find(
        (a) => a.allocationId === marker.allocationId,
      );
      const outcome =
        allocation?.status === 'NOTIFIED'
          ? await answers.recordAnswer(allocation, { status: 'DECLINED', reason: 'timeout' }, false)
          : 'not-awaiting';
      // Answered, released or gone since the marker was written: the marker alone is left to tidy.
      if (outcome === 'not-awaiting') await orders.clearDue(marker);
      else result.expired += 1;
    } catch (error) {
      // One bad item must not stop the rest; it stays due and the next run tries again.
      result.failed += 1;
      logger.error('expiring an allocation failed', { marker, error });
    }
  }
  if (result.expired + result.reallocated + result.failed > 0) logger.info('allocation sweep', { ...result });
  return result;
});
