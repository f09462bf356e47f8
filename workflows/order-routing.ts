/** The order-routing workflow: check an order, decide, allocate it to member factories and notify them, compensating on failure. */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { WorkflowLambda } from '../functions/lambdas';
import type { RoutedStatus } from '../functions/workflow-io';

export const stateMachineName = 'order-routing';

/**
 * Transient Lambda-side failures worth retrying. CDK's built-in retry (retryOnServiceExceptions) leaves out
 * TooManyRequestsException, which is exactly what a burst of orders produces, so every task gets this list instead.
 */
export const transientLambdaErrors = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
];

/**
 * What a task throws when DynamoDB, SES, EventBridge or Step Functions failed for now (throttling, 5xx, a timeout, a
 * dropped connection) after the SDK's own retries: functions/adapters/transient-errors.ts. Every task is idempotent,
 * so the workflow runs it again for up to about a minute before it compensates.
 */
export const dependencyUnavailableError = 'DependencyUnavailable';

/** The state names the compensation path is known by (the local stack and the tests refer to them). */
export const compensationStateName = 'ReleaseReservations';

interface InvokeOptions {
  readonly payload: Record<string, unknown>;
  readonly resultSelector?: Record<string, unknown>;
  /** Where the selected result goes in the state; DISCARD keeps the input unchanged. @default '$' (replace it) */
  readonly resultPath?: string;
  /** WAIT_FOR_TASK_TOKEN makes the task wait for SendTaskSuccess/Failure. @default REQUEST_RESPONSE */
  readonly integrationPattern?: sfn.IntegrationPattern;
  readonly taskTimeout?: sfn.Timeout;
}

/** The one way this workflow calls a Lambda: full invoke response (payloadResponseOnly off) and the transient retry. */
function invoke(scope: Construct, id: string, fn: IFunction, options: InvokeOptions): LambdaInvoke {
  const task = LambdaInvoke.jsonPath(scope, id, {
    lambdaFunction: fn,
    payload: sfn.TaskInput.fromObject(options.payload),
    resultSelector: options.resultSelector,
    resultPath: options.resultPath,
    retryOnServiceExceptions: false,
    ...(options.integrationPattern ? { integrationPattern: options.integrationPattern } : {}),
    ...(options.taskTimeout ? { taskTimeout: options.taskTimeout } : {}),
  });
  task.addRetry({
    errors: transientLambdaErrors,
    interval: Duration.seconds(1),
    backoffRate: 2,
    maxAttempts: 5,
    jitterStrategy: sfn.JitterType.FULL,
  });
  task.addRetry({
    errors: [dependencyUnavailableError],
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 6,
    maxDelay: Duration.seconds(20),
    jitterStrategy: sfn.JitterType.FULL,
  });
  return task;
}

const orderId = sfn.JsonPath.stringAt('$.orderId');

/**
 * How long a HELD order waits for the secretariat's review before it is cancelled. It must stay below the execution
 * timeout: an execution timeout cannot be caught, while this task timeout can.
 */
export const reviewTimeout = Duration.days(14);

/** The review decisions the reviewer API sends back with the task token (SendTaskSuccess output `{decision}`). */
export const reviewDecisions = { approved: 'APPROVED', rejected: 'REJECTED' } as const;

/** Builds the routing graph. Execution input is `RoutingInput` ({orderId}); payloads follow functions/workflow-io.ts. */
export function buildOrderRoutingDefinition(scope: Construct, fns: Record<WorkflowLambda, IFunction>): sfn.IChainable {
  // --- Compensation: any failure releases what the order holds, then fails the execution with the original error.
  const routingFailed = sfn.Fail.jsonPath(scope, 'RoutingFailed', {
    errorPath: '$.error.Error',
    causePath: '$.error.Cause',
  });
  const releaseReservations = invoke(scope, compensationStateName, fns.releaseReservations, {
    payload: { orderId, error: sfn.JsonPath.objectAt('$.error') },
    resultPath: sfn.JsonPath.DISCARD,
  }).next(routingFailed);

  /** Every forward step catches everything, keeping the state (orderId) and putting the error beside it. */
  const compensated = <T extends sfn.TaskStateBase | sfn.Map>(state: T): T => {
    state.addCatch(releaseReservations, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
    return state;
  };

  // --- Outcomes: each route ends by recording the status it reached (recordOutcome also publishes the event).
  const routed = sfn.Succeed.jsonPath(scope, 'Routed');
  const recordOutcome = (id: string, status: RoutedStatus): sfn.IChainable =>
    compensated(
      invoke(scope, id, fns.recordOutcome, {
        payload: { orderId, status },
        resultSelector: { 'status.$': '$.Payload.status' },
        resultPath: '$.outcome',
      }),
    ).next(routed);

  /** RecordHeld publishes OrderHeld and moves the order to HELD; the route then waits for the review. */
  const recordHeld = (next: sfn.IChainable): sfn.IChainable =>
    compensated(
      invoke(scope, 'RecordHeld', fns.recordOutcome, {
        payload: { orderId, status: 'HELD' },
        resultSelector: { 'status.$': '$.Payload.status' },
        resultPath: '$.outcome',
      }),
    ).next(next);

  // --- Check: trademark, grade/spec, price and compliance, decided in one Lambda against one set of rule versions.
  const checkOrder = compensated(
    invoke(scope, 'CheckOrder', fns.checkOrder, {
      payload: { orderId },
      resultSelector: { 'decision.$': '$.Payload.decision' },
      resultPath: '$.check',
    }),
  );

  // --- Allocate: reserve every kg at certified factories, all or nothing.
  const allocateOrder = compensated(
    invoke(scope, 'AllocateOrder', fns.allocateOrder, {
      payload: { orderId },
      resultSelector: {
        'outcome.$': '$.Payload.outcome',
        'allocationIds.$': '$.Payload.allocationIds',
      },
      resultPath: '$.allocation',
    }),
  );

  // --- Notify: one e-mail per allocation; bounded so a large order cannot exhaust SES or Lambda concurrency.
  const notifyFactory = invoke(scope, 'NotifyFactory', fns.notifyFactory, {
    payload: {
      orderId: sfn.JsonPath.stringAt('$.orderId'),
      allocationId: sfn.JsonPath.stringAt('$.allocationId'),
    },
    resultSelector: {
      'allocationId.$': '$.Payload.allocationId',
      'messageId.$': '$.Payload.messageId',
    },
  });
  const notifyFactories = compensated(
    sfn.Map.jsonPath(scope, 'NotifyFactories', {
      itemsPath: '$.allocation.allocationIds',
      itemSelector: {
        orderId: sfn.JsonPath.stringAt('$.orderId'),
        allocationId: sfn.JsonPath.stringAt('$$.Map.Item.Value'),
      },
      maxConcurrency: 10,
      // The message ids live on the allocation records; the state keeps only what later steps need.
      resultPath: sfn.JsonPath.DISCARD,
    }),
  );
  notifyFactories.itemProcessor(notifyFactory);

  // --- Routing
  const filled = sfn.Choice.jsonPath(scope, 'Filled?')
    .when(sfn.Condition.stringEquals('$.allocation.outcome', 'UNFILLED'), recordOutcome('RecordUnfilled', 'UNFILLED'))
    .otherwise(notifyFactories.next(recordOutcome('RecordAllocated', 'ALLOCATED')));

  allocateOrder.next(filled);
  const recordRejected = recordOutcome('RecordRejected', 'REJECTED');

  // --- Review: a HELD order waits here, its task token stored on the order, until a reviewer decides through the
  // API (functions/review-order), which resumes this same execution with SendTaskSuccess({decision}). Approval has
  // already moved the order back to CHECKING, so allocation's guards hold as for any passing order.
  const reviewOutcome = sfn.Choice.jsonPath(scope, 'Reviewed?')
    .when(sfn.Condition.stringEquals('$.review.decision', reviewDecisions.approved), allocateOrder)
    .when(sfn.Condition.stringEquals('$.review.decision', reviewDecisions.rejected), recordRejected)
    .otherwise(
      sfn.Fail.jsonPath(scope, 'UnknownReviewDecision', {
        error: 'UnknownReviewDecision',
        cause: 'the review resumed the route with a decision other than APPROVED or REJECTED',
      }),
    );
  const awaitReview = invoke(scope, 'AwaitReview', fns.awaitReview, {
    payload: { orderId, taskToken: sfn.JsonPath.taskToken },
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    taskTimeout: sfn.Timeout.duration(reviewTimeout),
    resultSelector: { 'decision.$': '$.decision' },
    resultPath: '$.review',
  });
  // Nobody reviewed it in time: the order is cancelled (it holds no reservation yet) instead of staying HELD forever.
  awaitReview.addCatch(recordOutcome('RecordReviewExpired', 'CANCELLED'), {
    errors: [sfn.Errors.TIMEOUT],
    resultPath: '$.error',
  });
  compensated(awaitReview).next(reviewOutcome);

  const decide = sfn.Choice.jsonPath(scope, 'Decide')
    .when(sfn.Condition.stringEquals('$.check.decision', 'REJECT'), recordRejected)
    .when(sfn.Condition.stringEquals('$.check.decision', 'HOLD'), recordHeld(awaitReview))
    .otherwise(allocateOrder);

  return checkOrder.next(decide);
}

export interface OrderRoutingProps {
  readonly fns: Record<WorkflowLambda, IFunction>;
}

/** The `order-routing` Standard state machine with its execution log. */
export class OrderRouting extends Construct {
  public readonly stateMachine: sfn.StateMachine;

  public constructor(scope: Construct, id: string, props: OrderRoutingProps) {
    super(scope, id);

    const logGroup = new LogGroup(this, 'Logs', {
      // Step Functions requires the /aws/vendedlogs/ prefix to avoid the resource-policy size limit on busy accounts.
      logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: 'Checks an export order, decides, allocates it to member factories and notifies them.',
      definitionBody: sfn.DefinitionBody.fromChainable(buildOrderRoutingDefinition(this, props.fns)),
      // HELD orders wait in the execution for a reviewer's task token, so the run must outlive the review timeout
      // by a margin for the steps after it. An execution timeout is not catchable, so it must never be the thing
      // that ends a normal run (reservations would stay held).
      timeout: reviewTimeout.plus(Duration.days(1)),
      tracingEnabled: true,
      // The state carries only ids and decisions (no buyer data), so full execution data is safe to log.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
  }
}
