/**
 * What every AWS SDK client of the channel shares: a bounded wait per request, so a hung connection becomes a
 * retryable TimeoutError instead of a task that waits until Lambda kills it. The SDK's own retries (AWS_MAX_ATTEMPTS,
 * default 3) then try again, and the workflow retries the task after that.
 */
const positiveMs = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};

export const sdkClientConfig = {
  requestHandler: {
    /** DynamoDB, SES and Step Functions answer in milliseconds; seconds without an answer is a fault. */
    requestTimeout: positiveMs('SDK_REQUEST_TIMEOUT_MS', 5_000),
    connectionTimeout: positiveMs('SDK_CONNECTION_TIMEOUT_MS', 3_000),
    // Without this the SDK only logs a warning and keeps waiting.
    throwOnRequestTimeout: true,
  },
};
