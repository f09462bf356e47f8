/** AWS list prices (us-east-1, on-demand) used for cost per order. Not fetched: this machine has no network. */

export const priceSource =
  'AWS public price pages for us-east-1 as last read by the team in 2025 (DynamoDB on-demand after the Nov 2024 cut); re-check before quoting.';

export const prices = {
  stepFunctionsPerTransition: 0.025 / 1000,
  lambdaPerRequest: 0.2 / 1_000_000,
  /** arm64, per GB-second */
  lambdaPerGbSecond: 0.0000133334,
  dynamoPerWriteUnit: 0.625 / 1_000_000,
  dynamoPerReadUnit: 0.125 / 1_000_000,
  apiGatewayRestPerRequest: 3.5 / 1_000_000,
  sesPerEmail: 0.1 / 1000,
  eventBridgePerEvent: 1 / 1_000_000,
};

/** Assumed, not measured: the average billed duration and memory of one invocation. */
export const lambdaAssumption = { averageMs: 100, memoryGb: 0.5 };
