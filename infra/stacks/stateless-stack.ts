/** Everything that can be redeployed freely: the Lambda functions, the REST API and the order-routing workflow. */
import {
  ArnFormat,
  type CfnElement,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  TimeZone,
  Validations,
} from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IEventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { ScheduleExpression, Schedule as SchedulerSchedule } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke as ScheduledLambda } from 'aws-cdk-lib/aws-scheduler-targets';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  allocationSweepMinutes,
  apiRoutes,
  envNames,
  type LambdaName,
  lambdaEntries,
  workflowLambdas,
} from '../../functions/lambdas';
import { OrderRouting, stateMachineName } from '../../workflows/order-routing';
import { ApiFirewall } from '../constructs/api-firewall';
import { ChannelFunction } from '../constructs/channel-function';
import { viewerIpHeader, WebHosting } from '../constructs/web-hosting';

export interface StatelessStackProps extends StackProps {
  readonly ordersTable: ITable;
  readonly idempotencyTable: ITable;
  readonly ledgerTable: ITable;
  readonly exportBucket: IBucket;
  readonly eventBus: IEventBus;
  readonly mailIdentity: IEmailIdentity;
  readonly mailFromAddress: string;
  readonly linkSecret: ISecret;
}

/** The deployment stage; part of every public URL, so it is fixed rather than derived. */
export const apiStageName = 'prod';

/**
 * Routes anyone may call without credentials, each with the reason that is acceptable. cdk-nag (AwsSolutions-APIG4,
 * -COG4) fails the CDK tests for any other route until it gets an authorizer or an entry here.
 */
const anonymousRoutes: Record<string, string> = {
  'GET /api/catalogue': 'The catalogue (grades, coatings, shapes, Incoterms) is public product information.',
  'POST /api/quotes': 'Overseas buyers get unified prices before ordering, without an account (CONTRACT.md).',
  'POST /api/orders':
    'Overseas buyers order without an account (CONTRACT.md); every order is checked by the workflow before any ' +
    'factory is involved, and the Idempotency-Key, the 64 KiB body limit, stage throttling and the WAF rate rules ' +
    'bound abuse.',
  'GET /api/orders/{orderId}':
    'The status page is reached by the order id (a ULID with 80 random bits) the buyer received; it shows no ' +
    'transfer prices.',
  'GET /api/allocations/{allocationId}/{action}':
    'A factory opens its e-mailed link without an account; the HMAC-SHA256 token in the link is the credential, and ' +
    'GET only renders a confirmation page, so a mail scanner following it changes nothing.',
  'POST /api/allocations/{allocationId}/{action}':
    'A factory answers through its e-mailed link without an account; the handler accepts only an unexpired, ' +
    'single-use HMAC-SHA256 token signed for that allocation and action, and refuses anything else with 4xx.',
};

export class StatelessStack extends Stack {
  /** One function per lambdaEntries name, so tests and tools can find any handler's function by its registry name. */
  public readonly functions: Record<LambdaName, ChannelFunction>;
  public readonly api: RestApi;
  public readonly orderRouting: OrderRouting;
  public readonly web: WebHosting;

  public constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);

    // --- Functions: one per registry entry, named after it (getCatalogue -> GetCatalogue).
    this.functions = Object.fromEntries(
      (Object.keys(lambdaEntries) as LambdaName[]).map((name) => [
        name,
        new ChannelFunction(this, pascalCase(name), { name }),
      ]),
    ) as Record<LambdaName, ChannelFunction>;
    const fns = this.functions;

    // --- Workflow
    this.orderRouting = new OrderRouting(this, 'OrderRouting', { fns });

    // --- API: regional, because CloudFront will front it for the form; same-origin, so no CORS.
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new RestApi(this, 'Api', {
      restApiName: 'export-channel',
      description: 'Unified export channel: catalogue, quotes and orders.',
      endpointTypes: [EndpointType.REGIONAL],
      // Access logging needs the account-level API Gateway CloudWatch role.
      cloudWatchRole: true,
      deployOptions: {
        stageName: apiStageName,
        // Stage-wide ceiling; clients over it get the 429 the contract promises, before any Lambda runs.
        throttlingRateLimit: 50,
        throttlingBurstLimit: 100,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        tracingEnabled: true,
        metricsEnabled: true,
        // Execution logs would copy request bodies (buyer contacts) into CloudWatch; errors only.
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
      },
    });
    for (const route of apiRoutes) {
      const method = this.api.root.resourceForPath(route.path).addMethod(
        route.method,
        // Proxy integration: the handler sees the whole request and owns status codes and problem+json bodies.
        // No test-invoke permission: the console's test button is not worth a second Lambda permission per route.
        new LambdaIntegration(fns[route.lambda], { proxy: true, allowTestInvoke: false }),
        // Reviewer routes are SigV4-signed by the secretariat's IAM principals (execute-api:Invoke granted to them).
        'authorization' in route && route.authorization === 'iam' ? { authorizationType: AuthorizationType.IAM } : {},
      );
      const anonymous = anonymousRoutes[`${route.method} ${route.path}`];
      if (anonymous !== undefined) {
        Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason: anonymous });
        Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason: anonymous });
      }
      if ('authorization' in route && route.authorization === 'iam') {
        Validations.of(method).acknowledge({
          id: 'AwsSolutions-COG4',
          reason:
            "Authorised with IAM (SigV4): the callers are the secretariat's few reviewers with IAM identities; a " +
            'Cognito user pool would add a second identity store for the same people.',
        });
      }
    }
    // API Gateway would create the stage's execution-log group itself, with no retention; own it first instead.
    const executionLogs = new LogGroup(this, 'ApiExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${apiStageName}`,
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api.deploymentStage.node.addDependency(executionLogs);
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        "Each handler validates its request with the domain's zod schema and answers 422 problem+json with JSON " +
        'pointers (CONTRACT.md); an API Gateway validator would answer first, with a body outside the contract.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        "The account-level role API Gateway needs to write the stage's access logs; AWS documents this managed " +
        'policy for exactly that role, and no function or person assumes it.',
    });

    // --- Edge: the pages from S3 and /api/* from this API under one CloudFront origin, and a WAF on the stage.
    this.web = new WebHosting(this, 'Web', { api: this.api, apiStageName });
    new ApiFirewall(this, 'ApiFirewall', { stage: this.api.deploymentStage, viewerIpHeader });

    // The CloudFront URL serves the pages and /api/*, as http://localhost:3000 does locally. No cycle: the
    // distribution depends only on the RestApi resource (not its stage), the buckets and the edge functions.
    const publicBaseUrl = this.web.siteUrl;

    // --- Grants: each function gets exactly the resources its handler reads from the environment.
    const { ordersTable, idempotencyTable, eventBus } = props;
    fns.getCatalogue.bindTable(ordersTable, 'read', envNames.ordersTable);
    fns.postQuote.bindTable(ordersTable, 'read', envNames.ordersTable);
    fns.submitOrder
      .bindTable(ordersTable, 'readWrite', envNames.ordersTable)
      .bindTable(idempotencyTable, 'readWrite', envNames.idempotencyTable)
      .bindStateMachineStart(this.orderRouting.stateMachine)
      .bindEventBus(eventBus);
    fns.getOrder.bindTable(ordersTable, 'read', envNames.ordersTable);
    for (const name of workflowLambdas) {
      fns[name].bindTable(ordersTable, 'readWrite', envNames.ordersTable);
    }
    // The ledger is append-only: its writers may put and read, never update or delete. Factory answers move payables
    // (reallocation) or reverse them (an order given up), so the answer handlers write it too.
    for (const name of ['recordOutcome', 'releaseReservations', 'answerAllocation', 'expireAllocations'] as const) {
      fns[name].bindTable(props.ledgerTable, 'append', envNames.ledgerTable);
    }
    fns.notifyFactory.bindMailer(props.mailIdentity, props.mailFromAddress).bindPublicBaseUrl(publicBaseUrl);
    // Publishers of the contract's events: checkOrder (check results), notifyFactory (AllocationNotified) and
    // recordOutcome (the Order* status events). Their handlers read EVENT_BUS_NAME at cold start.
    for (const name of ['checkOrder', 'notifyFactory', 'recordOutcome'] as const) {
      fns[name].bindEventBus(eventBus);
    }
    acknowledgeStateMachineRole(this, this.orderRouting, Object.values(fns));

    // --- Review of HELD orders: the route waits on a task token that awaitReview parks and reviewOrder spends.
    // The bearer secret is the handler's second wall behind IAM; rotate it by updating the secret and redeploying.
    const reviewerToken = new Secret(this, 'ReviewerToken', {
      description: 'Bearer secret the review-order handler requires in addition to IAM authorisation.',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    Validations.of(reviewerToken).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The function reads the value at deploy time, so an automatic rotation would not reach it; operators rotate ' +
        'it by updating the secret and redeploying, as the README says. IAM remains the first wall.',
    });
    const routingArn = this.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    fns.awaitReview.bindTaskResponse(routingArn);
    fns.reviewOrder
      .bindTable(ordersTable, 'readWrite', envNames.ordersTable)
      .bindTaskResponse(routingArn)
      .bindSecretValue(reviewerToken, envNames.reviewerToken);

    // --- Factory answers: signed links (API) and the sweep that treats silence past the deadline as a decline.
    // Both may reallocate, so both reserve, e-mail, sign new links and publish, like notifyFactory.
    for (const name of ['answerAllocation', 'expireAllocations'] as const) {
      fns[name]
        .bindTable(ordersTable, 'readWrite', envNames.ordersTable)
        .bindEventBus(eventBus)
        .bindMailer(props.mailIdentity, props.mailFromAddress)
        .bindPublicBaseUrl(publicBaseUrl)
        .bindLinkSecret(props.linkSecret);
    }
    fns.notifyFactory.bindLinkSecret(props.linkSecret);
    // recordOutcome e-mails the buyer when the order is allocated.
    fns.recordOutcome.bindMailer(props.mailIdentity, props.mailFromAddress).bindPublicBaseUrl(publicBaseUrl);
    // A sweep that failed every retry parks its event here, for the on-call to read and redrive.
    const sweepFailures = scheduledJobFailures(this, 'AllocationSweepFailures', 'the allocation sweep');
    fns.expireAllocations.configureAsyncInvoke({ onFailure: new SqsDestination(sweepFailures), retryAttempts: 2 });
    new Rule(this, 'AllocationSweep', {
      description: 'Export channel: expire unanswered factory allocations and finish interrupted reallocations.',
      schedule: Schedule.rate(Duration.minutes(allocationSweepMinutes)),
      targets: [new LambdaFunction(fns.expireAllocations, { retryAttempts: 2, deadLetterQueue: sweepFailures })],
    });

    // --- Finance exports: daily at 02:00 UTC, the ledger and the orders it is reconciled against.
    fns.exportTables.bindTableExports([props.ledgerTable, ordersTable], props.exportBucket);
    // A queue of its own, so a message there means "finance has no export for that day", not a late sweep. It takes
    // both a schedule that could not invoke the function and an invocation that failed every retry.
    const exportFailures = scheduledJobFailures(this, 'DailyExportFailures', 'the daily finance export');
    fns.exportTables.configureAsyncInvoke({ onFailure: new SqsDestination(exportFailures), retryAttempts: 2 });
    // Our own role rather than the target's shared singleton, so its one wildcard can be explained where it is made.
    const exportSchedulerRole = new Role(this, 'DailyExportSchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'Export channel: lets the DailyExport schedule invoke exportTables',
    });
    new SchedulerSchedule(this, 'DailyExport', {
      description: 'Exports the ledger and orders tables to S3 for finance (full + incremental).',
      schedule: ScheduleExpression.cron({ minute: '0', hour: '2', timeZone: TimeZone.ETC_UTC }),
      target: new ScheduledLambda(fns.exportTables, {
        role: exportSchedulerRole,
        retryAttempts: 3,
        maxEventAge: Duration.hours(2),
        deadLetterQueue: exportFailures,
      }),
    });
    const exportTablesId = this.resolve(this.getLogicalId(fns.exportTables.node.defaultChild as CfnElement)) as string;
    Validations.of(exportSchedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${exportTablesId}.Arn>:*]`,
      reason:
        '"exportTables:*" is the function\'s versions and aliases, which the scheduler LambdaInvoke target grants ' +
        'beside the function itself so a qualified ARN can be invoked; it reaches no other function.',
    });

    // --- Outputs
    new CfnOutput(this, 'SiteUrl', { value: this.web.siteUrl, description: 'The order form; /api/* is the API.' });
    new CfnOutput(this, 'ApiUrl', { value: this.api.url });
    new CfnOutput(this, 'StateMachineArn', { value: this.orderRouting.stateMachine.stateMachineArn });
    new CfnOutput(this, 'OrdersTableName', { value: ordersTable.tableName });
    new CfnOutput(this, 'ReviewerTokenSecretArn', { value: reviewerToken.secretArn });
  }
}

/** The workflow role's wildcards, explained: CDK's LambdaInvoke task and Step Functions' logging/tracing grant them. */
function acknowledgeStateMachineRole(stack: Stack, routing: OrderRouting, functions: ChannelFunction[]): void {
  const role = routing.stateMachine.role;
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Only the CloudWatch Logs delivery actions (logs:*LogDelivery*, logs:DescribeResourcePolicies/LogGroups, ' +
      'logs:PutResourcePolicy) and X-Ray writes are granted on "*": these actions have no resource-level ' +
      'permissions. test/cdk/gates.test.ts fails if any other action is granted on "*".',
  });
  // One finding per invoked function; acknowledging every channel function keeps new workflow tasks covered.
  for (const fn of functions) {
    const logicalId = stack.resolve(stack.getLogicalId(fn.node.defaultChild as CfnElement)) as string;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
      reason:
        `"${fn.lambdaName}:*" is the function's versions and aliases, which CDK's LambdaInvoke grants beside the ` +
        'function itself so a qualified ARN can be invoked; it reaches no other function.',
    });
  }
}

function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * The dead-letter queue of one scheduled job: where a run that failed every retry waits for the on-call to read and
 * redrive it. Nothing consumes it automatically, so it keeps messages for SQS's maximum, 14 days.
 */
function scheduledJobFailures(stack: Stack, id: string, job: string): Queue {
  const queue = new Queue(stack, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  for (const rule of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
    Validations.of(queue).acknowledge({
      id: rule,
      reason: `This queue is itself the dead-letter queue of ${job}; nothing consumes it automatically.`,
    });
  }
  return queue;
}
