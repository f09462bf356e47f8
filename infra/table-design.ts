/** Key design of the channel's tables, shared by the CDK stateful stack and the local stack so both stay alike. */

export const ordersTableDesign = {
  partitionKey: 'pk',
  sortKey: 'sk',
} as const;

export const idempotencyTableDesign = {
  partitionKey: 'id',
  timeToLiveAttribute: 'expiration',
} as const;
