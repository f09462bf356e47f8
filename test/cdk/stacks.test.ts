/** Assertions on the stateful and stateless stacks: protections, the house Lambda settings, the API routes and grants. */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes, envNames, type LambdaName, lambdaEntries } from '../../functions/lambdas';
import { type SynthesizedApp, synthesizeApp } from './synth-app';

let app: SynthesizedApp;
let stateful: Template;
let stateless: Template;

beforeAll(() => {
  // The one deploy-like synth (bundling every handler, strict CloudFormation validation) of the test run.
  app = synthesizeApp({ full: true });
  stateful = app.statefulTemplate;
  stateless = app.statelessTemplate;
});

type Resource = { Type: string; Properties: Record<string, unknown>; [key: string]: unknown };

describe('stateful stack', () => {
  it('keeps the orders, ledger and idempotency tables on-demand, encrypted, recoverable and undeletable', () => {
    stateful.resourceCountIs('AWS::DynamoDB::Table', 3);
    stateful.allResourcesProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: { SSEEnabled: true },
    });
    stateful.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('keys the orders table by pk/sk and expires idempotency records by TTL', () => {
    stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    });
    stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
  });

  it('creates the export-channel bus and the SES identity from cdk.json', () => {
    stateful.hasResourceProperties('AWS::Events::EventBus', { Name: 'export-channel' });
    stateful.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'export-channel.example.com' });
  });
});

describe('stateless stack: functions', () => {
  it('has exactly one function per registry entry, all on the house settings', () => {
    stateless.resourceCountIs('AWS::Lambda::Function', Object.keys(lambdaEntries).length);
    stateless.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: { Ref: Match.anyValue() } },
      Environment: {
        Variables: Match.objectLike({
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_SERVICE_NAME: 'export-channel',
        }),
      },
    });
    stateless.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: Match.anyValue() });
  });

  // What each handler reads at cold start; a missing variable is a crash in AWS, an extra one a needless grant.
  const expectedEnv: Record<LambdaName, string[]> = {
    getCatalogue: [envNames.ordersTable],
    postQuote: [envNames.ordersTable],
    submitOrder: [envNames.ordersTable, envNames.idempotencyTable, envNames.stateMachineArn, envNames.eventBusName],
    getOrder: [envNames.ordersTable],
    checkOrder: [envNames.ordersTable, envNames.eventBusName],
    allocateOrder: [envNames.ordersTable],
    notifyFactory: [envNames.ordersTable, envNames.mailFrom, envNames.publicBaseUrl, envNames.eventBusName],
    recordOutcome: [envNames.ordersTable, envNames.eventBusName, envNames.ledgerTable],
    releaseReservations: [envNames.ordersTable, envNames.ledgerTable],
    exportTables: [envNames.exportTableArns, envNames.exportBucket],
  };

  it.each(Object.entries(expectedEnv))('binds %s to exactly its resources', (name, envVars) => {
    const logicalId = app.functionLogicalIds[name as LambdaName];
    const fn = stateless.toJSON().Resources[logicalId] as Resource;
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(variables).sort()).toEqual(['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', ...envVars].sort());
  });

  it('grants read-only functions no writes and submitOrder the right to start routing', () => {
    const policies = Object.values(stateless.findResources('AWS::IAM::Policy')) as Resource[];
    const policyOf = (name: LambdaName): string => {
      const roleLogicalId = (stateless.toJSON().Resources[app.functionLogicalIds[name]] as Resource).Properties
        .Role as { 'Fn::GetAtt': [string, string] };
      const policy = policies.find((p) =>
        JSON.stringify(p.Properties.Roles).includes(`"${roleLogicalId['Fn::GetAtt'][0]}"`),
      );
      return JSON.stringify(policy?.Properties.PolicyDocument);
    };
    for (const reader of ['getCatalogue', 'postQuote', 'getOrder'] as const) {
      expect(policyOf(reader)).toContain('dynamodb:GetItem');
      expect(policyOf(reader)).not.toContain('dynamodb:PutItem');
    }
    expect(policyOf('submitOrder')).toContain('states:StartExecution');
    // Nothing may edit or delete a ledger posting: its writers get conditional puts and reads only.
    for (const writer of ['recordOutcome', 'releaseReservations'] as const) {
      const statements = (
        JSON.parse(policyOf(writer)) as { Statement: { Action: string[] | string; Resource: unknown }[] }
      ).Statement;
      const onLedger = statements.filter((s) => JSON.stringify(s.Resource).includes('LedgerTable'));
      expect(onLedger.length).toBeGreaterThan(0);
      for (const statement of onLedger) {
        const actions = [statement.Action].flat();
        expect(actions).toContain('dynamodb:PutItem');
        expect(actions).not.toContain('dynamodb:UpdateItem');
        expect(actions).not.toContain('dynamodb:DeleteItem');
      }
    }
    expect(policyOf('notifyFactory')).toContain('ses:SendEmail');
  });
});

describe('stateless stack: API', () => {
  it('serves exactly the registry routes through Lambda proxy integrations', () => {
    const resources = stateless.findResources('AWS::ApiGateway::Resource') as Record<string, Resource>;
    const pathOf = (resourceId: string): string => {
      const resource = resources[resourceId];
      if (resource === undefined) return '';
      const parent = resource.Properties.ParentId as { Ref?: string };
      return `${parent.Ref === undefined ? '' : pathOf(parent.Ref)}/${String(resource.Properties.PathPart)}`;
    };
    const methods = Object.values(stateless.findResources('AWS::ApiGateway::Method')) as Resource[];
    const served = methods.map((method) => {
      const integration = method.Properties.Integration as { Type: string; Uri: unknown };
      expect(integration.Type).toBe('AWS_PROXY');
      const target = Object.entries(app.functionLogicalIds).find(([, id]) =>
        JSON.stringify(integration.Uri).includes(`"${id}"`),
      );
      return {
        method: method.Properties.HttpMethod,
        path: pathOf((method.Properties.ResourceId as { Ref: string }).Ref),
        lambda: target?.[0],
      };
    });
    expect(served).toHaveLength(apiRoutes.length);
    expect(served).toEqual(expect.arrayContaining(apiRoutes.map((route) => ({ ...route }))));
  });

  it('throttles the stage and writes access logs', () => {
    stateless.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      MethodSettings: Match.arrayWith([
        Match.objectLike({ ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() }),
      ]),
    });
  });
});

describe('stateless stack: workflow and outputs', () => {
  it('runs order-routing as a traced, fully logged Standard state machine', () => {
    stateless.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    stateless.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'order-routing',
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
  });

  it('publishes the API URL, state machine ARN and orders table name', () => {
    for (const output of ['ApiUrl', 'StateMachineArn', 'OrdersTableName']) {
      stateless.hasOutput(output, { Value: Match.anyValue() });
    }
  });
});

describe('finance exports', () => {
  it('keeps exports in an encrypted, versioned, private, TLS-only bucket that outlives the stack', () => {
    stateful.resourceCountIs('AWS::S3::Bucket', 1);
    stateful.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      },
    });
    stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('runs exportTables daily from EventBridge Scheduler with a role that may only invoke it', () => {
    stateless.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [app.functionLogicalIds.exportTables, 'Arn'] },
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 3 }),
      }),
    });
    const schedule = Object.values(stateless.findResources('AWS::Scheduler::Schedule'))[0] as Resource;
    const roleId = ((schedule.Properties.Target as { RoleArn: { 'Fn::GetAtt': [string] } }).RoleArn['Fn::GetAtt'] ??
      [])[0];
    const rolePolicies = Object.values(stateless.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify((p as Resource).Properties.Roles).includes(`"${roleId}"`),
    ) as Resource[];
    const actions = rolePolicies.flatMap((p) =>
      (p.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement.flatMap((s) => [
        s.Action,
      ]),
    );
    expect(actions.flat()).toEqual(['lambda:InvokeFunction']);
  });

  it('lets exportTables export exactly the ledger and orders tables into the bucket, and nothing else', () => {
    const fn = stateless.toJSON().Resources[app.functionLogicalIds.exportTables] as Resource;
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    const policy = Object.values(stateless.findResources('AWS::IAM::Policy')).find((p) =>
      JSON.stringify((p as Resource).Properties.Roles).includes(`"${roleId}"`),
    ) as Resource;
    const statements = (
      policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }
    ).Statement;
    const byAction = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));
    const exportStatement = JSON.stringify(byAction('dynamodb:ExportTableToPointInTime'));
    expect(exportStatement).toContain('LedgerTable');
    expect(exportStatement).toContain('OrdersTable');
    expect(exportStatement).not.toContain('IdempotencyTable');
    expect(JSON.stringify(byAction('dynamodb:DescribeExport'))).toContain('/export/*');
    expect(JSON.stringify(byAction('s3:PutObject'))).toContain('ExportBucket');
    const allActions = statements.flatMap((s) => [s.Action].flat());
    for (const forbidden of [
      'dynamodb:GetItem',
      'dynamodb:Scan',
      'dynamodb:PutItem',
      's3:GetObject',
      's3:DeleteObject',
    ]) {
      expect(allActions).not.toContain(forbidden);
    }
    expect(byAction('dynamodb:ListExports').map((s) => s.Resource)).toEqual(['*']);
  });
});
