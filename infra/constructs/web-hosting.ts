/** The buyer's pages in AWS: web/ in a private bucket behind CloudFront, with `/api/*` routed to the REST API on the same origin. */
import { fileURLToPath } from 'node:url';
import { type CfnElement, DefaultStackSynthesizer, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IRestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  ResponseHeadersPolicy,
  type ResponseSecurityHeadersBehavior,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { securityHeaders } from '../local/http-server';
import { accessLogBucket } from './access-log-bucket';

const webRoot = fileURLToPath(new URL('../../web/', import.meta.url));

/** The header the edge stamps with the viewer's address, so the regional WAF can rate-limit per buyer, not per edge. */
export const viewerIpHeader = 'X-Viewer-Ip';

/** `/orders/{id}` is the status page (as infra/local/http-server.ts serves it); the id is read by the page's script. */
const statusPageRewrite = `function handler(event) {
  var request = event.request;
  if (/^\\/orders\\/[^/]+$/.test(request.uri)) request.uri = '/order.html';
  return request;
}`;

/** Overwrites whatever the client sent, so the header always holds the address CloudFront saw. */
const stampViewerIp = `function handler(event) {
  var request = event.request;
  request.headers['${viewerIpHeader.toLowerCase()}'] = { value: event.viewer.ip };
  return request;
}`;

export interface WebHostingProps {
  readonly api: IRestApi;
  /** The API's stage; it becomes the origin path, so `/api/orders` at the edge is `/{stage}/api/orders` at the API. */
  readonly apiStageName: string;
}

export class WebHosting extends Construct {
  public readonly distribution: Distribution;
  public readonly siteBucket: Bucket;
  /** `https://<distribution domain>`: the pages and the API under one origin. */
  public readonly siteUrl: string;

  public constructor(scope: Construct, id: string, props: WebHostingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // S3 server access logs delivered through a bucket policy, not the deprecated LogDeliveryWrite ACL (cdk.json
    // predates the flag; set here, before any child exists, so it applies to this construct's buckets only).
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    // Access logs of the bucket and the distribution. CloudFront's standard logs are delivered with ACLs, hence
    // BUCKET_OWNER_PREFERRED rather than ACLs disabled. Retained: they are the audit trail of who loaded what.
    const logBucket = accessLogBucket(this, 'AccessLogs', {
      expiration: Duration.days(90),
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      logsOf: 'the site bucket and the distribution',
    });

    // The pages. Everything in it is rebuilt from web/ on each deploy; versioned so a bad deploy can be rolled back
    // object by object. Retained because CloudFormation cannot delete a non-empty bucket.
    this.siteBucket = new Bucket(this, 'Site', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: logBucket,
      serverAccessLogsPrefix: 's3-site/',
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Export channel: the same CSP and security headers as the local server, on every response.',
      ...cloudFrontHeaders(securityHeaders),
    });

    const s3Origin = S3BucketOrigin.withOriginAccessControl(this.siteBucket);
    // Built from the API id, not api.url: api.url refers to the stage, which depends on every API function; the
    // distribution's domain goes into a function's environment (PUBLIC_BASE_URL), which would close a cycle.
    const apiOrigin = new HttpOrigin(`${props.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}`, {
      originPath: `/${props.apiStageName}`,
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [OriginSslPolicy.TLS_V1_2],
    });

    const pageBehaviour = {
      origin: s3Origin,
      // A typed http:// address still reaches the form; content itself is only ever served over HTTPS.
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: headers,
      compress: true,
    };
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Export channel: buyer pages and /api/*',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: pageBehaviour,
      additionalBehaviors: {
        '/api/*': {
          origin: apiOrigin,
          // Never redirect an API call: a POST redirected to https would already have sent its body in clear.
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          // Everything the handlers may read (Idempotency-Key, Content-Type, query strings) except Host, which
          // API Gateway needs to be its own execute-api name.
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: headers,
          functionAssociations: [
            {
              eventType: FunctionEventType.VIEWER_REQUEST,
              function: new EdgeFunction(this, 'StampViewerIp', {
                comment: 'Export channel: pass the viewer IP to the API WAF',
                code: FunctionCode.fromInline(stampViewerIp),
                runtime: FunctionRuntime.JS_2_0,
              }),
            },
          ],
        },
        '/orders/*': {
          ...pageBehaviour,
          functionAssociations: [
            {
              eventType: FunctionEventType.VIEWER_REQUEST,
              function: new EdgeFunction(this, 'StatusPageRewrite', {
                comment: 'Export channel: /orders/{id} serves order.html',
                code: FunctionCode.fromInline(statusPageRewrite),
                runtime: FunctionRuntime.JS_2_0,
              }),
            },
          ],
        },
      },
    });
    this.siteUrl = `https://${this.distribution.distributionDomainName}`;
    acknowledgeDistributionFindings(this.distribution);

    const deployLogs = new LogGroup(this, 'DeploymentLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const deployment = new BucketDeployment(this, 'Deployment', {
      sources: [Source.asset(webRoot, { exclude: ['README.md'] })],
      destinationBucket: this.siteBucket,
      // The file names carry no content hash, so browsers revalidate (ETag → 304) rather than keep an old script
      // beside a new page; the edge then caches for the policy's 1 s minimum, which also makes invalidations moot.
      cacheControl: [CacheControl.noCache()],
      memoryLimit: 512,
      logGroup: deployLogs,
    });
    acknowledgeDeploymentFindings(deployment, this.siteBucket);
  }
}

/**
 * Maps the local server's header set onto a CloudFront policy: the headers CloudFront models go into its security
 * headers config (it refuses them as custom headers), the rest become custom headers. An unknown value fails the
 * synth, so the two never drift apart silently.
 */
export function cloudFrontHeaders(headers: Record<string, string>): {
  securityHeadersBehavior: ResponseSecurityHeadersBehavior;
  customHeadersBehavior: { customHeaders: { header: string; value: string; override: boolean }[] };
} {
  const security: {
    -readonly [K in keyof ResponseSecurityHeadersBehavior]: ResponseSecurityHeadersBehavior[K];
  } = {
    // HTTPS only at the edge, so browsers should never try plain HTTP again (the local server is HTTP, hence not there).
    strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
  };
  const customHeaders: { header: string; value: string; override: boolean }[] = [];
  for (const [name, value] of Object.entries(headers)) {
    switch (name.toLowerCase()) {
      case 'content-security-policy':
        security.contentSecurityPolicy = { contentSecurityPolicy: value, override: true };
        break;
      case 'x-content-type-options':
        if (value !== 'nosniff')
          throw new Error(`CloudFront can only send X-Content-Type-Options: nosniff, not ${value}`);
        security.contentTypeOptions = { override: true };
        break;
      case 'x-frame-options':
        security.frameOptions = { frameOption: enumValue(HeadersFrameOption, name, value), override: true };
        break;
      case 'referrer-policy':
        security.referrerPolicy = { referrerPolicy: enumValue(HeadersReferrerPolicy, name, value), override: true };
        break;
      case 'strict-transport-security':
      case 'x-xss-protection':
        throw new Error(`${name} needs an explicit mapping to CloudFront's security headers config`);
      default:
        customHeaders.push({ header: name, value, override: true });
    }
  }
  return { securityHeadersBehavior: security, customHeadersBehavior: { customHeaders } };
}

function enumValue<E extends Record<string, string>>(values: E, name: string, value: string): E[keyof E] {
  const match = Object.values(values).find((candidate) => candidate.toLowerCase() === value.toLowerCase());
  if (match === undefined) throw new Error(`CloudFront has no ${name} value ${value}`);
  return match as E[keyof E];
}

function acknowledgeDistributionFindings(distribution: Distribution): void {
  Validations.of(distribution).acknowledge({
    id: 'AwsSolutions-CFR1',
    reason:
      'Buyers order from any country; which destinations may receive magnets is decided by the export-compliance ' +
      'check on each order, not by blocking viewers at the CDN.',
  });
  Validations.of(distribution).acknowledge({
    id: 'AwsSolutions-CFR2',
    reason:
      'A CLOUDFRONT-scope WebACL must live in us-east-1, and this app is region-agnostic (deployed to the CLI ' +
      'region). The regional WebACL on the API stage rate-limits /api/* per viewer IP (the edge stamps it into ' +
      `${viewerIpHeader}); the other paths serve static, cached pages.`,
  });
  Validations.of(distribution).acknowledge({
    id: 'AwsSolutions-CFR4',
    reason:
      'No custom domain yet, so the distribution uses the default *.cloudfront.net certificate, for which ' +
      'CloudFront fixes the minimum viewer protocol itself. With a custom domain, give it an ACM certificate ' +
      '(us-east-1) and SecurityPolicyProtocol.TLS_V1_2_2021.',
  });
}

function acknowledgeDeploymentFindings(deployment: BucketDeployment, siteBucket: Bucket): void {
  // The BucketDeployment's handler is a singleton function owned by aws-cdk-lib, outside this construct's subtree.
  const handler = deployment.handlerRole.node.scope;
  if (handler === undefined) throw new Error('BucketDeployment handler role has no scope');
  const stack = Stack.of(siteBucket);
  const siteBucketId = stack.resolve(stack.getLogicalId(siteBucket.node.defaultChild as CfnElement)) as string;
  const assetBucket = `arn:<AWS::Partition>:s3:::cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-<AWS::AccountId>-<AWS::Region>`;
  const cdkOwned = "The handler is aws-cdk-lib's BucketDeployment custom resource, which runs only during deploys;";
  const copyGrant =
    `${cdkOwned} CDK grants it these S3 action groups to read web/ from the CDK asset bucket and to copy it into, ` +
    "and prune stale files from, the site bucket's objects; no other bucket is reachable.";
  for (const [id, reason] of [
    [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      `${cdkOwned} CDK gives it this managed policy (its own log writes) and offers no way to replace it.`,
    ],
    ...['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'].map(
      (action) => [`AwsSolutions-IAM5[Action::${action}]`, copyGrant] as const,
    ),
    [`AwsSolutions-IAM5[Resource::${assetBucket}/*]`, copyGrant],
    [`AwsSolutions-IAM5[Resource::<${siteBucketId}.Arn>/*]`, copyGrant],
    ['AwsSolutions-L1', `${cdkOwned} its runtime is chosen and updated by aws-cdk-lib.`],
    ['Serverless-LambdaLatestVersion', `${cdkOwned} its runtime is chosen and updated by aws-cdk-lib.`],
    ['Serverless-LambdaTracing', `${cdkOwned} tracing a file copy at deploy time would tell operators nothing.`],
    [
      'Serverless-LambdaDLQ',
      `${cdkOwned} CloudFormation invokes it and waits for its answer; a failure fails and rolls back the deploy, ` +
        'and a queued CloudFormation request could never be answered later.',
    ],
  ] as const) {
    Validations.of(handler).acknowledge({ id, reason });
  }
}
