/** Assertions on the stateful and stateless stacks: protections, the house Lambda settings, the API routes and grants. */
import { existsSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes, envNames, type LambdaName, lambdaEntries } from '../../functions/lambdas';
import { viewerIpHeader } from '../../infra/constructs/web-hosting';
import { securityHeaders } from '../../infra/local/http-server';
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
    const functions = stateless.findResources('AWS::Lambda::Function');
    const house = Object.values(app.functionLogicalIds);
    expect(house).toHaveLength(Object.keys(lambdaEntries).length);
    // The only other function is CDK's BucketDeployment handler, which copies web/ to the site bucket at deploy time.
    expect(Object.keys(functions).filter((id) => !house.includes(id))).toEqual([
      expect.stringMatching(/^CustomCDKBucketDeployment/),
    ]);
    for (const id of house) {
      expect(functions[id]?.Properties, id).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
        Environment: {
          Variables: expect.objectContaining({
            NODE_OPTIONS: '--enable-source-maps',
            POWERTOOLS_SERVICE_NAME: 'export-channel',
          }),
        },
      });
    }
    stateless.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: Match.anyValue() });
  });

  const linkAnswerer = [
    envNames.ordersTable,
    envNames.eventBusName,
    envNames.mailFrom,
    envNames.publicBaseUrl,
    envNames.linkSecret,
    envNames.ledgerTable,
  ];
  // What each handler reads at cold start; a missing variable is a crash in AWS, an extra one a needless grant.
  const expectedEnv: Record<LambdaName, string[]> = {
    getCatalogue: [envNames.ordersTable],
    postQuote: [envNames.ordersTable],
    submitOrder: [envNames.ordersTable, envNames.idempotencyTable, envNames.stateMachineArn, envNames.eventBusName],
    getOrder: [envNames.ordersTable],
    checkOrder: [envNames.ordersTable, envNames.eventBusName],
    allocateOrder: [envNames.ordersTable],
    notifyFactory: [
      envNames.ordersTable,
      envNames.mailFrom,
      envNames.publicBaseUrl,
      envNames.eventBusName,
      envNames.linkSecret,
    ],
    recordOutcome: [
      envNames.ordersTable,
      envNames.eventBusName,
      envNames.mailFrom,
      envNames.publicBaseUrl,
      envNames.ledgerTable,
    ],
    releaseReservations: [envNames.ordersTable, envNames.ledgerTable],
    awaitReview: [envNames.ordersTable],
    reviewOrder: [envNames.ordersTable, envNames.reviewerToken],
    answerAllocation: linkAnswerer,
    expireAllocations: linkAnswerer,
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
    // Only the review path may resume a waiting route; nothing else may spend a task token.
    expect(policyOf('reviewOrder')).toContain('states:SendTaskSuccess');
    expect(policyOf('awaitReview')).toContain('states:SendTaskSuccess');
    expect(policyOf('submitOrder')).not.toContain('states:SendTaskSuccess');
  });

  it('gives reviewOrder its bearer secret as a deploy-time reference, never a literal', () => {
    const logicalId = app.functionLogicalIds.reviewOrder;
    const fn = stateless.toJSON().Resources[logicalId] as Resource;
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(variables[envNames.reviewerToken])).toContain('{{resolve:secretsmanager:');
  });
});

describe('factory answers', () => {
  it('keeps the link secret in the stateful stack, generated and retained', () => {
    stateful.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ GenerateSecretString: Match.objectLike({ PasswordLength: 64 }) }),
    });
  });

  it('passes the link secret as a deploy-time Secrets Manager reference, never a literal', () => {
    for (const name of ['notifyFactory', 'answerAllocation', 'expireAllocations'] as const) {
      const fn = stateless.toJSON().Resources[app.functionLogicalIds[name]] as Resource;
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(JSON.stringify(variables[envNames.linkSecret])).toContain('{{resolve:secretsmanager:');
    }
  });

  it('runs the allocation sweep every 15 minutes', () => {
    stateless.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [app.functionLogicalIds.expireAllocations, 'Arn'] } })],
    });
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
    expect(served).toEqual(
      expect.arrayContaining(apiRoutes.map(({ method, path, lambda }) => ({ method, path, lambda }))),
    );
  });

  it('IAM-authorises the reviewer route and leaves the buyer routes open', () => {
    const methods = Object.values(stateless.findResources('AWS::ApiGateway::Method')) as Resource[];
    const iam = methods.filter((method) => method.Properties.AuthorizationType === 'AWS_IAM');
    expect(iam).toHaveLength(apiRoutes.filter((route) => 'authorization' in route).length);
    expect(iam.map((method) => method.Properties.HttpMethod)).toEqual(['POST']);
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

describe('stateless stack: web hosting', () => {
  interface Behaviour {
    PathPattern?: string;
    TargetOriginId: string;
    ViewerProtocolPolicy: string;
    AllowedMethods?: string[];
    CachePolicyId?: string;
    OriginRequestPolicyId?: string;
    ResponseHeadersPolicyId?: { Ref: string };
    FunctionAssociations?: { EventType: string; FunctionARN: { 'Fn::GetAtt': [string, string] } }[];
  }
  interface Origin {
    Id: string;
    DomainName: unknown;
    OriginPath?: string;
    OriginAccessControlId?: unknown;
    CustomOriginConfig?: { OriginProtocolPolicy: string };
  }
  interface DistributionConfig {
    DefaultRootObject: string;
    DefaultCacheBehavior: Behaviour;
    CacheBehaviors: Behaviour[];
    Origins: Origin[];
    Logging?: { Bucket: unknown };
  }

  const resources = (): Record<string, Resource> => stateless.toJSON().Resources as Record<string, Resource>;
  const config = (): DistributionConfig => {
    const distributions = Object.values(stateless.findResources('AWS::CloudFront::Distribution')) as Resource[];
    expect(distributions).toHaveLength(1);
    return distributions[0]?.Properties.DistributionConfig as DistributionConfig;
  };
  const originOf = (behaviour: Behaviour): Origin => {
    const origin = config().Origins.find((o) => o.Id === behaviour.TargetOriginId);
    if (origin === undefined) throw new Error(`no origin ${behaviour.TargetOriginId}`);
    return origin;
  };
  /** CloudFront's path patterns: `*` is any run of characters (slashes included), `?` one character. */
  const matches = (pattern: string, path: string): boolean =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    ).test(path);
  /** The behaviour CloudFront picks: the first cache behaviour whose pattern matches, else the default. */
  const behaviourFor = (path: string): Behaviour =>
    config().CacheBehaviors.find((b) => matches(b.PathPattern ?? '', path)) ?? config().DefaultCacheBehavior;
  /** Runs a CloudFront Function's code from the template on a viewer-request event, as the edge would. */
  const runEdgeFunction = (
    behaviour: Behaviour,
    event: object,
  ): { uri: string; headers: Record<string, { value: string }> } => {
    const [association] = behaviour.FunctionAssociations ?? [];
    expect(association?.EventType).toBe('viewer-request');
    const fn = resources()[association?.FunctionARN['Fn::GetAtt'][0] ?? ''];
    expect(fn?.Properties.FunctionConfig).toMatchObject({ Runtime: 'cloudfront-js-2.0' });
    return runInNewContext(`${String(fn?.Properties.FunctionCode)}\nhandler(event);`, { event }) as {
      uri: string;
      headers: Record<string, { value: string }>;
    };
  };
  const siteBucketId = (): string => {
    const domain = originOf(config().DefaultCacheBehavior).DomainName as { 'Fn::GetAtt': [string, string] };
    return domain['Fn::GetAtt'][0];
  };

  it('keeps web/ in a private, encrypted, versioned, SSL-only bucket, read by CloudFront through OAC only', () => {
    const bucket = resources()[siteBucketId()];
    expect(bucket?.Type).toBe('AWS::S3::Bucket');
    expect(bucket?.Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [expect.anything()] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: expect.anything(),
    });
    const policy = Object.values(stateless.findResources('AWS::S3::BucketPolicy')).find(
      (p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: siteBucketId() }),
    );
    const statements = JSON.stringify(policy?.Properties.PolicyDocument);
    expect(statements).toContain('"aws:SecureTransport":"false"');
    expect(statements).toMatch(/"Principal":\{"Service":"cloudfront.amazonaws.com"\}/);
    expect(statements).toContain('AWS:SourceArn');
    expect(originOf(config().DefaultCacheBehavior).OriginAccessControlId).toBeDefined();
    stateless.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' }),
    });
    stateless.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: siteBucketId() },
      Prune: true,
    });
  });

  it.each(apiRoutes.map((route) => [route.method, route.path]))(
    'routes %s https://<cloudfront>%s to that method of the API',
    (method, path) => {
      const viewerPath = path.replace(/\{\w+\}/g, '01HZX5V7Q9ABCDEFGHJKMNPQRS');
      const behaviour = behaviourFor(viewerPath);
      const origin = originOf(behaviour);
      expect(behaviour).toMatchObject({
        ViewerProtocolPolicy: 'https-only',
        CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
        OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // Managed-AllViewerExceptHostHeader
      });
      expect(behaviour.AllowedMethods).toContain(method);
      expect(origin.CustomOriginConfig?.OriginProtocolPolicy).toBe('https-only');

      // The origin is this API's execute-api host, and its path is the stage...
      const [restApiId] = Object.keys(stateless.findResources('AWS::ApiGateway::RestApi'));
      expect(JSON.stringify(origin.DomainName)).toContain(`{"Ref":"${restApiId}"}`);
      const [stage] = Object.values(stateless.findResources('AWS::ApiGateway::Stage'));
      expect(origin.OriginPath).toBe(`/${String(stage?.Properties.StageName)}`);

      // ...so API Gateway sees /{stage}{viewerPath}, strips the stage, and must find the method at viewerPath.
      const apiResources = stateless.findResources('AWS::ApiGateway::Resource') as Record<string, Resource>;
      const segmentsOf = (resourceId: string): string[] => {
        const resource = apiResources[resourceId];
        if (resource === undefined) return [];
        const parent = (resource.Properties.ParentId as { Ref?: string }).Ref;
        return [...(parent === undefined ? [] : segmentsOf(parent)), String(resource.Properties.PathPart)];
      };
      const viewerSegments = viewerPath.split('/').slice(1);
      const reached = Object.values(stateless.findResources('AWS::ApiGateway::Method')).filter((m) => {
        const segments = segmentsOf((m.Properties.ResourceId as { Ref: string }).Ref);
        return (
          m.Properties.HttpMethod === method &&
          segments.length === viewerSegments.length &&
          segments.every((part, i) => part === viewerSegments[i] || /^\{\w+\}$/.test(part))
        );
      });
      expect(reached).toHaveLength(1);
    },
  );

  it('serves / as index.html and /orders/{id} as order.html from the bucket', () => {
    expect(config().DefaultRootObject).toBe('index.html');
    expect(existsSync(new URL('../../web/index.html', import.meta.url))).toBe(true);
    expect(existsSync(new URL('../../web/order.html', import.meta.url))).toBe(true);
    expect(originOf(behaviourFor('/assets/order-form.js')).OriginAccessControlId).toBeDefined();

    const statusPage = behaviourFor('/orders/01HZX5V7Q9ABCDEFGHJKMNPQRS');
    expect(statusPage.TargetOriginId).toBe(config().DefaultCacheBehavior.TargetOriginId);
    const rewrite = (uri: string): string => runEdgeFunction(statusPage, { request: { uri, headers: {} } }).uri;
    expect(rewrite('/orders/01HZX5V7Q9ABCDEFGHJKMNPQRS')).toBe('/order.html');
    expect(rewrite('/orders/a/b')).toBe('/orders/a/b');
    expect(rewrite('/orders/')).toBe('/orders/');
  });

  it('stamps the viewer IP the WAF keys on, overwriting any value the client sent', () => {
    const request = runEdgeFunction(behaviourFor('/api/orders'), {
      viewer: { ip: '203.0.113.7' },
      request: { uri: '/api/orders', headers: { [viewerIpHeader.toLowerCase()]: { value: '198.51.100.1' } } },
    });
    expect(request.headers[viewerIpHeader.toLowerCase()]).toEqual({ value: '203.0.113.7' });
    stateless.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({
          Statement: {
            RateBasedStatement: Match.objectLike({
              AggregateKeyType: 'FORWARDED_IP',
              ForwardedIPConfig: { HeaderName: viewerIpHeader, FallbackBehavior: 'NO_MATCH' },
            }),
          },
        }),
      ]),
    });
  });

  it("sends the local server's security headers, plus HSTS, on every response", () => {
    const behaviours = [config().DefaultCacheBehavior, ...config().CacheBehaviors];
    const policyIds = new Set(behaviours.map((b) => b.ResponseHeadersPolicyId?.Ref));
    expect(policyIds.size).toBe(1);
    const policy = resources()[[...policyIds][0] ?? ''];
    const headersConfig = (policy?.Properties.ResponseHeadersPolicyConfig ?? {}) as {
      SecurityHeadersConfig: Record<string, Record<string, unknown>>;
      CustomHeadersConfig?: { Items: { Header: string; Value: string; Override: boolean }[] };
    };
    const security = headersConfig.SecurityHeadersConfig;
    const sent = (name: string): unknown => {
      switch (name.toLowerCase()) {
        case 'content-security-policy':
          return security.ContentSecurityPolicy?.ContentSecurityPolicy;
        case 'x-content-type-options':
          return security.ContentTypeOptions?.Override === true ? 'nosniff' : undefined;
        case 'x-frame-options':
          return security.FrameOptions?.FrameOption;
        case 'referrer-policy':
          return security.ReferrerPolicy?.ReferrerPolicy;
        default:
          return headersConfig.CustomHeadersConfig?.Items.find((item) => item.Header === name && item.Override)?.Value;
      }
    };
    for (const [name, value] of Object.entries(securityHeaders)) expect(sent(name), name).toBe(value);
    expect(security.StrictTransportSecurity).toMatchObject({ Override: true, AccessControlMaxAgeSec: 31_536_000 });
  });

  it('never serves plain HTTP, and logs every request', () => {
    for (const behaviour of [config().DefaultCacheBehavior, ...config().CacheBehaviors]) {
      expect(['https-only', 'redirect-to-https']).toContain(behaviour.ViewerProtocolPolicy);
    }
    const logBucket = (config().Logging?.Bucket as { 'Fn::GetAtt'?: [string, string] } | undefined)?.[
      'Fn::GetAtt'
    ]?.[0];
    expect(resources()[logBucket ?? '']?.Type).toBe('AWS::S3::Bucket');
  });

  it('gives e-mails the CloudFront origin as PUBLIC_BASE_URL and outputs the site URL', () => {
    const [distributionId] = Object.keys(stateless.findResources('AWS::CloudFront::Distribution'));
    const siteUrl = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] };
    const notifyFactory = resources()[app.functionLogicalIds.notifyFactory];
    const variables = (notifyFactory?.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables;
    expect(variables?.[envNames.publicBaseUrl]).toEqual(siteUrl);
    stateless.hasOutput('SiteUrl', { Value: siteUrl });
  });
});

describe('finance exports', () => {
  it('keeps exports in an encrypted, versioned, private, TLS-only, access-logged bucket that outlives the stack', () => {
    // The export bucket and its access-log bucket; nothing else stateful is a bucket.
    stateful.resourceCountIs('AWS::S3::Bucket', 2);
    const buckets = stateful.findResources('AWS::S3::Bucket');
    const exportId = Object.keys(buckets).find((id) => id.startsWith('ExportBucket'));
    const logsId = Object.keys(buckets).find((id) => id.startsWith('ExportAccessLogs'));
    expect(exportId).toBeDefined();
    expect(logsId).toBeDefined();
    expect(buckets[exportId ?? '']).toMatchObject({
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
        LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 's3-exports/' },
      },
    });
    // The log bucket: retained, expiring, ACLs off (delivery through its policy, from the export bucket only).
    expect(buckets[logsId ?? '']).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: { Rules: [{ ExpirationInDays: 400, Status: 'Enabled' }] },
      },
    });
    stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logsId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: Match.objectLike({ ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [exportId, 'Arn'] } } }),
          }),
        ]),
      },
    });
    for (const bucketId of [exportId, logsId]) {
      stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('runs exportTables daily from EventBridge Scheduler with a role that may only invoke it and park failures', () => {
    const queues = stateless.findResources('AWS::SQS::Queue');
    const failuresId = Object.keys(queues).find((id) => id.startsWith('DailyExportFailures'));
    expect(failuresId).toBeDefined();
    stateless.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [app.functionLogicalIds.exportTables, 'Arn'] },
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 3 }),
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [failuresId, 'Arn'] } },
      }),
    });
    // The scheduler invokes asynchronously: a run that fails Lambda's retries lands in the same queue.
    stateless.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: app.functionLogicalIds.exportTables },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failuresId, 'Arn'] } } },
    });
    const schedule = Object.values(stateless.findResources('AWS::Scheduler::Schedule'))[0] as Resource;
    const roleId = ((schedule.Properties.Target as { RoleArn: { 'Fn::GetAtt': [string] } }).RoleArn['Fn::GetAtt'] ??
      [])[0];
    const rolePolicies = Object.values(stateless.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify((p as Resource).Properties.Roles).includes(`"${roleId}"`),
    ) as Resource[];
    const statements = rolePolicies.flatMap(
      (p) =>
        (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement,
    );
    expect(statements.flatMap((s) => [s.Action].flat()).sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
    const sendTo = statements.find((s) => s.Action === 'sqs:SendMessage')?.Resource;
    expect(sendTo).toEqual({ 'Fn::GetAtt': [failuresId, 'Arn'] });
    const invokes = JSON.stringify(statements.find((s) => s.Action === 'lambda:InvokeFunction')?.Resource);
    expect(
      invokes.match(/"Fn::GetAtt":\["([^"]+)"/g)?.every((m) => m.includes(app.functionLogicalIds.exportTables)),
    ).toBe(true);
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
