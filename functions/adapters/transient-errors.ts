/**
 * Tells a dependency's passing trouble (throttling, 5xx, timeouts, dropped connections) from a real failure, using the
 * AWS SDK's own classification, so the workflow can retry the one and compensate the other.
 */
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';

/** The one error name the workflow's Retry knows for "a dependency failed for now; the same task may run again". */
export class DependencyUnavailableError extends Error {
  override name = 'DependencyUnavailable';
}

/**
 * SES took a message and its answer never came (timeout, dropped connection): it may have been sent. Not retried as a
 * send; the task's retry treats the e-mail as sent (functions/adapters/mailer.ts).
 */
export class MailOutcomeUnknownError extends Error {
  override name = 'MailOutcomeUnknown';
}

type SdkLikeError = Parameters<typeof isTransientError>[0];

/** DynamoDB reports a throttled or conflicting transaction as a cancellation whose reasons say so. */
function cancelledForNow(error: Error): boolean {
  if (error.name !== 'TransactionCanceledException') return false;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.some((r) => r.Code === 'ThrottlingError' || r.Code === 'TransactionConflict');
}

export function isTransientDependencyError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof DependencyUnavailableError || error instanceof MailOutcomeUnknownError) return true;
  const sdkError = error as unknown as SdkLikeError;
  return (
    isThrottlingError(sdkError) ||
    isTransientError(sdkError) ||
    isServerError(sdkError) ||
    error.name === 'TransactionConflictException' ||
    cancelledForNow(error)
  );
}

/**
 * Wraps a workflow task: a transient dependency error leaves as DependencyUnavailable (the original name and message
 * kept in the message), anything else unchanged. Tasks are idempotent, so running one again is safe.
 */
export function workflowTask<I, O>(task: (input: I) => Promise<O>): (input: I) => Promise<O> {
  return async (input) => {
    try {
      return await task(input);
    } catch (error) {
      if (isTransientDependencyError(error) && !(error instanceof DependencyUnavailableError)) {
        const cause = error as Error;
        throw new DependencyUnavailableError(`${cause.name}: ${cause.message}`, { cause });
      }
      throw error;
    }
  };
}
