/** The house Lambda construct: every channel function gets the same runtime, bundling, tracing and logs, and binds to resources through `bind*`. */
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct, IConstruct } from 'constructs';
import { envNames, type LambdaName, lambdaEntries } from '../../functions/lambdas';

/** lambdaEntries paths are relative to the repository root, wherever the CLI or a test runner was started from. */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The service name Powertools stamps on every log line and trace segment. */
export const serviceName = 'export-channel';

export interface ChannelFunctionProps {
  /** Which registry entry this function runs; the handler file comes from `lambdaEntries`. */
  readonly name: LambdaName;
  /** @default 512 — with the SDK bundled, less than this makes cold starts noticeably slower on arm64. */
  readonly memorySize?: number;
  /** @default 10 seconds — well inside API Gateway's 29 s integration limit. */
  readonly timeout?: Duration;
  readonly description?: string;
}

/** 'append' is for append-only tables (the ledger): new items and reads, no UpdateItem or DeleteItem. */
export type TableAccess = 'read' | 'readWrite' | 'append';

export class ChannelFunction extends NodejsFunction {
  /** The registry name, so tests and the ASL renderer can map a function back to its handler. */
  public readonly lambdaName: LambdaName;

  public constructor(scope: Construct, id: string, props: ChannelFunctionProps) {
    // The log group must exist before super() so it is created beside the function, not inside it.
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      // Operational logs only (the ledger lives in DynamoDB), so they go when the stateless stack goes.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role instead of the default one with AWSLambdaBasicExecutionRole, which may write to every log group in
    // the account: this one may only write to the function's own log group.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Export channel: ${props.name}`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      entry: `${repoRoot}${lambdaEntries[props.name]}`,
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: `${repoRoot}package-lock.json`,
      description: props.description ?? `Export channel: ${props.name}`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: serviceName,
        // Stack traces in the logs point at the .ts sources instead of the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        // Prefer the ESM builds of dependencies so esbuild can tree-shake them.
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        // The map only needs line mappings; embedding the sources would roughly double the zip.
        sourcesContent: false,
        // Powertools and error names read constructor names; minification would otherwise mangle them.
        keepNames: true,
        // Bundle the SDK rather than use the runtime's copy, so AWS runs the exact version the tests ran.
        externalModules: [],
        // Some bundled CommonJS dependencies call require(); an ESM bundle has none unless we create it.
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        // esbuild's metafile (inputs and their bytes) is as large as the bundle itself, so it is moved out of the
        // deployed zip to <cloud assembly>/bundle-meta/<name>.meta.json, where bundle-size checks can read it.
        metafile: true,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir, outputDir) => [
            `mkdir -p "${outputDir}/../bundle-meta" && mv "${outputDir}/index.meta.json" "${outputDir}/../bundle-meta/${props.name}.meta.json"`,
          ],
        },
      },
    });
    this.lambdaName = props.name;
    acknowledgeHouseFindings(this, role);
  }

  /** Grants read, read/write or append-only access on the table's items and tells the handler its name. */
  public bindTable(table: ITable, access: TableAccess, envName: string): this {
    if (access === 'readWrite') {
      table.grantReadWriteData(this);
    } else if (access === 'append') {
      // PutItem (conditional, so existing items cannot be overwritten) inside TransactWriteItems, plus reads.
      table.grant(this, 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:Query');
    } else {
      table.grantReadData(this);
    }
    this.addEnvironment(envName, table.tableName);
    return this;
  }

  /**
   * Lets the handler export the tables to the bucket and nothing more: start exports of exactly these tables, read
   * their exports' status, and write export objects (DynamoDB writes them with the caller's permissions).
   */
  public bindTableExports(tables: ITable[], bucket: IBucket): this {
    const role = this.role;
    if (role === undefined) throw new Error(`${this.lambdaName} has no role to grant exports to`);
    const tableArns = tables.map((t) => t.tableArn);
    this.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:ExportTableToPointInTime'], resources: tableArns }));
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:DescribeExport'],
        resources: tableArns.map((arn) => `${arn}/export/*`),
      }),
    );
    for (const table of tables) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagArnText(this, table, table.tableArn)}/export/*]`,
        reason:
          "DescribeExport is granted on this one table's exports: DynamoDB names each export ARN itself " +
          '(<table ARN>/export/<generated id>) when the export starts, so no ARN narrower than the prefix exists.',
      });
    }
    // ListExports has no resource-level permissions; it reveals export ARNs only, never data. The gate's list of
    // resource-less actions (test/cdk/template-checks.ts) names it, so nothing else can ride on "*".
    this.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:ListExports'], resources: ['*'] }));
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:PutObjectAcl'],
        resources: [bucket.arnForObjects('*')],
      }),
    );
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArnText(this, bucket, bucket.bucketArn)}/*]`,
      reason:
        'DynamoDB writes each export under a key it generates (<prefix>/AWSDynamoDB/<export id>/...) with the ' +
        "caller's permissions, so the grant must cover keys unknown in advance; the bucket holds exports only " +
        '(its access logs go to a bucket of their own), and only writes are granted, no reads or deletes.',
    });
    this.addEnvironment(envNames.exportTableArns, tableArns.join(','));
    this.addEnvironment(envNames.exportBucket, bucket.bucketName);
    return this;
  }

  /** Lets the handler start executions of the state machine (and only start them). */
  public bindStateMachineStart(stateMachine: IStateMachine): this {
    stateMachine.grantStartExecution(this);
    this.addEnvironment(envNames.stateMachineArn, stateMachine.stateMachineArn);
    return this;
  }

  /**
   * Lets the handler resume (SendTaskSuccess/Failure/Heartbeat) executions of the state machine waiting on a token.
   * Takes the ARN rather than the construct: a function the state machine itself invokes would otherwise make a
   * dependency cycle (machine → function → policy → machine), so callers build the ARN from the fixed name.
   */
  public bindTaskResponse(stateMachineArn: string): this {
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
        resources: [stateMachineArn],
      }),
    );
    return this;
  }

  /**
   * Hands the handler a secret's value in an environment variable, resolved by CloudFormation at deploy time (a
   * dynamic reference; the template holds only the reference). The value is then readable by anyone allowed
   * lambda:GetFunctionConfiguration, which is why it guards only a route that IAM already guards. Reading it at cold
   * start with the Secrets Manager client would avoid that; the project does not carry that client yet.
   */
  public bindSecretValue(secret: ISecret, envName: string): this {
    this.addEnvironment(envName, secret.secretValue.unsafeUnwrap());
    return this;
  }

  /** Lets the handler publish to the bus. */
  public bindEventBus(bus: IEventBus): this {
    bus.grantPutEventsTo(this);
    this.addEnvironment(envNames.eventBusName, bus.eventBusName);
    return this;
  }

  /** Lets the handler send mail through the verified identity, from the given address. */
  public bindMailer(identity: IEmailIdentity, fromAddress: string): this {
    identity.grantSendEmail(this);
    this.addEnvironment(envNames.mailFrom, fromAddress);
    return this;
  }

  /**
   * Hands the handler the secret that signs factory links. CloudFormation resolves the dynamic reference at deploy,
   * so the value is never in the template or cdk.out (it is visible in the function's configuration to those allowed
   * to read it); the handlers keep reading one environment variable, in AWS as locally.
   */
  public bindLinkSecret(secret: ISecret): this {
    this.addEnvironment(envNames.linkSecret, secret.secretValue.unsafeUnwrap());
    return this;
  }

  /** Tells the handler where the public API lives, for links in e-mails and Location headers. */
  public bindPublicBaseUrl(url: string): this {
    this.addEnvironment(envNames.publicBaseUrl, url);
    return this;
  }
}

/** cdk-nag findings every channel function shares, each acknowledged with the reason it does not apply. */
function acknowledgeHouseFindings(fn: ChannelFunction, role: Role): void {
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Only actions without resource-level permissions are granted on "*": X-Ray tracing (xray:PutTraceSegments, ' +
      'xray:PutTelemetryRecords) on every function, and dynamodb:ListExports where bindTableExports grants it. ' +
      'test/cdk/gates.test.ts fails if any other action is granted on "*".',
  });
  const runtimeReason =
    'nodejs22.x is pinned on purpose (supported by Lambda until 2027): it matches the esbuild target and the Node ' +
    'major the handlers are tested under. Moving to a newer runtime is a deliberate upgrade with a full test run, ' +
    'not something a synth should do silently.';
  Validations.of(fn).acknowledge({ id: 'AwsSolutions-L1', reason: runtimeReason });
  Validations.of(fn).acknowledge({ id: 'Serverless-LambdaLatestVersion', reason: runtimeReason });
  Validations.of(fn).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason:
      'A dead-letter target only receives failed asynchronous invocations. Channel functions are invoked ' +
      'synchronously (API Gateway proxy, Step Functions RequestResponse tasks with retry and compensation), so the ' +
      'caller sees every failure. test/cdk/gates.test.ts fails if any function gains an asynchronous invoker ' +
      '(EventBridge rule or schedule, SNS, S3, event source mapping) without a DLQ or failure destination.',
  });
}

/**
 * How cdk-nag prints an ARN attribute of `producer` inside a finding id of `consumer`'s stack: `<LogicalId.Arn>` in
 * the same stack, the export's name across stacks. exportValue returns the very export the cross-stack reference
 * creates (CDK dedupes it by id), so asking for its name adds nothing to the templates.
 */
function nagArnText(consumer: IConstruct, producer: IConstruct, arn: string): string {
  if (!Token.isUnresolved(arn)) return arn;
  const home = Stack.of(producer);
  const reference = home === Stack.of(consumer) ? arn : home.exportValue(arn);
  const resolved: unknown = home.resolve(reference);
  if (typeof resolved === 'object' && resolved !== null) {
    const { 'Fn::GetAtt': getAtt, 'Fn::ImportValue': importName } = resolved as Record<string, unknown>;
    if (Array.isArray(getAtt) && getAtt.length === 2) return `<${getAtt[0]}.${getAtt[1]}>`;
    if (typeof importName === 'string') return importName;
  }
  throw new Error(`cannot name ${arn} the way cdk-nag does: ${JSON.stringify(resolved)}`);
}
