/** The channel's Lambda entry points: one name per handler file, shared by the CDK app and the local stack. */

export const lambdaEntries = {
  getCatalogue: 'functions/get-catalogue/handler.ts',
  postQuote: 'functions/post-quote/handler.ts',
  submitOrder: 'functions/submit-order/handler.ts',
  getOrder: 'functions/get-order/handler.ts',
  checkOrder: 'functions/check-order/handler.ts',
  allocateOrder: 'functions/allocate-order/handler.ts',
  notifyFactory: 'functions/notify-factory/handler.ts',
  recordOutcome: 'functions/record-outcome/handler.ts',
  releaseReservations: 'functions/release-reservations/handler.ts',
  awaitReview: 'functions/await-review/handler.ts',
  reviewOrder: 'functions/review-order/handler.ts',
  answerAllocation: 'functions/answer-allocation/handler.ts',
  expireAllocations: 'functions/expire-allocations/handler.ts',
  exportTables: 'functions/export-tables/handler.ts',
} as const;

export type LambdaName = keyof typeof lambdaEntries;

/** The public HTTP API. API Gateway in AWS and the local HTTP server are both built from this list. */
export const apiRoutes = [
  { method: 'GET', path: '/api/catalogue', lambda: 'getCatalogue' },
  { method: 'POST', path: '/api/quotes', lambda: 'postQuote' },
  { method: 'POST', path: '/api/orders', lambda: 'submitOrder' },
  { method: 'GET', path: '/api/orders/{orderId}', lambda: 'getOrder' },
  // The secretariat's review of a HELD order: IAM-authorised in AWS, and the handler checks a bearer secret too.
  { method: 'POST', path: '/api/orders/{orderId}/review', lambda: 'reviewOrder', authorization: 'iam' },
  // A factory's signed accept/decline link: GET shows a confirmation page, POST records the answer.
  { method: 'GET', path: '/api/allocations/{allocationId}/{action}', lambda: 'answerAllocation' },
  { method: 'POST', path: '/api/allocations/{allocationId}/{action}', lambda: 'answerAllocation' },
] as const satisfies readonly { method: 'GET' | 'POST'; path: string; lambda: LambdaName; authorization?: 'iam' }[];

/** The functions the order-routing workflow invokes as LambdaInvoke tasks. */
export const workflowLambdas = [
  'checkOrder',
  'allocateOrder',
  'notifyFactory',
  'recordOutcome',
  'releaseReservations',
  'awaitReview',
] as const satisfies readonly LambdaName[];

export type WorkflowLambda = (typeof workflowLambdas)[number];

/** Environment variables the handlers read at cold start (see functions/adapters/config.ts). */
export const envNames = {
  ordersTable: 'ORDERS_TABLE',
  idempotencyTable: 'IDEMPOTENCY_TABLE',
  ledgerTable: 'LEDGER_TABLE',
  exportTableArns: 'EXPORT_TABLE_ARNS',
  exportBucket: 'EXPORT_BUCKET',
  stateMachineArn: 'STATE_MACHINE_ARN',
  eventBusName: 'EVENT_BUS_NAME',
  mailFrom: 'MAIL_FROM',
  publicBaseUrl: 'PUBLIC_BASE_URL',
  reviewerToken: 'REVIEWER_TOKEN',
  linkSecret: 'LINK_SECRET',
} as const;

/** How often the expireAllocations sweep runs (minutes), in AWS and in the local stack alike. */
export const allocationSweepMinutes = 15;
