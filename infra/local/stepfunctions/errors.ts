/** The errors this endpoint returns over the wire, and the errors it raises inside a running state machine. */

/** A client error in the AWS JSON 1.0 shape: HTTP 400 with `{"__type": code, "message": ...}`. */
export class SfnApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/**
 * An error raised inside an execution. aws-local-stepfunctions matches Retry/Catch on `name` and reports
 * `message` as the Cause; it reads `isRetryable`/`isCatchable` when present, which is how States.Runtime
 * stays uncatchable as in AWS.
 */
export class StatesError extends Error {
  constructor(
    name: string,
    cause: string,
    private readonly recoverable = true,
  ) {
    super(cause);
    this.name = name;
  }
  get isRetryable(): boolean {
    return this.recoverable;
  }
  get isCatchable(): boolean {
    return this.recoverable;
  }
}

/** States.Runtime: neither retried nor caught, exactly like the service. */
export function statesRuntime(message: string): StatesError {
  return new StatesError('States.Runtime', message, false);
}
