/** Everything that can be redeployed freely: the Lambda functions, the REST API and the order-routing workflow. */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, TimeZone } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke as ScheduledLambda } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { apiRoutes, envNames, type LambdaName, lambdaEntries, workflowLambdas } from '../../functions/lambdas';
import { OrderRouting } from '../../workflows/order-routing';
import { ChannelFunction } from '../constructs/channel-function';

export interface StatelessStackProps extends StackProps {
  readonly ordersTable: ITable;
  readonly idempotencyTable: ITable;
  readonly ledgerTable: ITable;
  readonly exportBucket: IBucket;
  readonly eventBus: IEventBus;
  readonly mailIdentity: IEmailIdentity;
  readonly mailFromAddress: string;
}

/** The deployment stage; part of every public URL, so it is fixed rather than derived. */
export const apiStageName = 'prod';

export class StatelessStack extends Stack {
  /** One function per lambdaEntries name, so tests and tools can find any handler's function by its registry name. */
  public readonly functions: Record<LambdaName, ChannelFunction>;
  public readonly api: RestApi;
  public readonly orderRouting: OrderRouting;

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
      this.api.root.resourceForPath(route.path).addMethod(
        route.method,
        // Proxy integration: the handler sees the whole request and owns status codes and problem+json bodies.
        // No test-invoke permission: the console's test button is not worth a second Lambda permission per route.
        new LambdaIntegration(fns[route.lambda], { proxy: true, allowTestInvoke: false }),
      );
    }

    // Built from the API id and the fixed stage rather than api.url: api.url refers to the Stage, which depends on
    // every method and so on every API function; using it in an API function's environment would be a cycle.
    const publicBaseUrl = `https://${this.api.restApiId}.execute-api.${this.region}.${this.urlSuffix}/${apiStageName}`;

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
    // The ledger is append-only: its writers may put and read, never update or delete.
    for (const name of ['recordOutcome', 'releaseReservations'] as const) {
      fns[name].bindTable(props.ledgerTable, 'append', envNames.ledgerTable);
    }
    fns.notifyFactory.bindMailer(props.mailIdentity, props.mailFromAddress).bindPublicBaseUrl(publicBaseUrl);
    // Publishers of the contract's events: checkOrder (check results), notifyFactory (AllocationNotified) and
    // recordOutcome (the Order* status events). Their handlers read EVENT_BUS_NAME at cold start.
    for (const name of ['checkOrder', 'notifyFactory', 'recordOutcome'] as const) {
      fns[name].bindEventBus(eventBus);
    }

    // --- Finance exports: daily at 02:00 UTC, the ledger and the orders it is reconciled against.
    fns.exportTables.bindTableExports([props.ledgerTable, ordersTable], props.exportBucket);
    new Schedule(this, 'DailyExport', {
      description: 'Exports the ledger and orders tables to S3 for finance (full + incremental).',
      schedule: ScheduleExpression.cron({ minute: '0', hour: '2', timeZone: TimeZone.ETC_UTC }),
      target: new ScheduledLambda(fns.exportTables, { retryAttempts: 3, maxEventAge: Duration.hours(2) }),
    });

    // --- Outputs
    new CfnOutput(this, 'ApiUrl', { value: this.api.url });
    new CfnOutput(this, 'StateMachineArn', { value: this.orderRouting.stateMachine.stateMachineArn });
    new CfnOutput(this, 'OrdersTableName', { value: ordersTable.tableName });
  }
}

function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
