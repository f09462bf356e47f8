/** What Lambda's Invoke API hands Step Functions, reproduced for a locally run handler: results and errors. */
import { randomUUID } from 'node:crypto';
import { StatesError } from './errors.js';

/** The response object a `lambda:invoke` Task receives as its result (before ResultSelector). */
export function invokeResponse(payload: unknown): Record<string, unknown> {
  const requestId = randomUUID();
  const body = JSON.stringify(payload ?? null);
  const date = new Date().toUTCString();
  const headers: Record<string, string> = {
    Connection: 'keep-alive',
    'Content-Length': String(Buffer.byteLength(body)),
    'Content-Type': 'application/json',
    Date: date,
    'X-Amz-Executed-Version': '$LATEST',
    'x-amzn-Remapped-Content-Length': '0',
    'x-amzn-RequestId': requestId,
    'X-Amzn-Trace-Id': `Root=1-${Date.now().toString(16).slice(-8)}-${randomUUID().replaceAll('-', '').slice(0, 24)};Sampled=0`,
  };
  return {
    ExecutedVersion: '$LATEST',
    Payload: JSON.parse(body),
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      HttpHeaders: headers,
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: 200,
  };
}

/** The JSON a Node.js Lambda runtime reports for a thrown value (errorType is the error's name). */
export function lambdaErrorPayload(thrown: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (thrown instanceof Error) {
    return { errorType: thrown.name, errorMessage: thrown.message, trace: (thrown.stack ?? '').split('\n') };
  }
  return { errorType: typeof thrown, errorMessage: String(thrown), trace: [] };
}

/**
 * The Task error a thrown handler error becomes: Error = errorType, Cause = the runtime's JSON.
 * Names under `Lambda.` stand for Lambda service errors (throttling, missing function), which AWS reports with a
 * plain-text Cause, so a caller can throw `Lambda.TooManyRequestsException` to exercise Retry.
 */
export function taskErrorFromHandler(thrown: unknown): StatesError {
  const payload = lambdaErrorPayload(thrown);
  if (payload.errorType.startsWith('Lambda.')) return new StatesError(payload.errorType, payload.errorMessage);
  return new StatesError(payload.errorType, JSON.stringify(payload));
}
