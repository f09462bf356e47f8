/** Everything that holds data or identity and must outlive redeploys: the tables, the event bus and the SES identity. */
import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption, type TableProps } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { accessLogBucket } from '../constructs/access-log-bucket';
import { ledgerTableDesign } from '../table-design';

/** The bus name is part of the public contract (CONTRACT.md, "Events"). */
export const eventBusName = 'export-channel';

/** Losing either table loses orders or lets a retried submit create a second order, so both get every protection. */
const protectedTable: Partial<TableProps> = {
  billingMode: BillingMode.PAY_PER_REQUEST,
  encryption: TableEncryption.AWS_MANAGED,
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  deletionProtection: true,
  removalPolicy: RemovalPolicy.RETAIN,
};

export class StatefulStack extends Stack {
  /** Orders, checks, allocations, capacity and the rule documents, in one single-table design (pk/sk). */
  public readonly ordersTable: Table;
  /** The append-only double-entry ledger (functions/adapters/ledger-store.ts); finance reconciles its exports. */
  public readonly ledgerTable: Table;
  /** Powertools idempotency records for POST /api/orders; rows expire through TTL. */
  public readonly idempotencyTable: Table;
  public readonly eventBus: EventBus;
  /** Where DynamoDB writes the daily ledger and orders exports that finance reconciles. */
  public readonly exportBucket: Bucket;
  public readonly mailIdentity: EmailIdentity;
  /** The From address factory e-mails are sent with; it must belong to `mailIdentity`'s domain. */
  public readonly mailFromAddress: string;
  /** Signs the factories' accept/decline links; it outlives redeploys so links already e-mailed keep working. */
  public readonly linkSecret: Secret;

  public constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    // S3 server access logs delivered through a bucket policy, not the deprecated LogDeliveryWrite ACL (cdk.json
    // predates the flag; set here, before any child exists, so it applies to this stack's buckets only).
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    const identityDomain = requiredContext(this, 'sesIdentityDomain');
    this.mailFromAddress = requiredContext(this, 'sesFromAddress');
    if (!this.mailFromAddress.endsWith(`@${identityDomain}`)) {
      // SES refuses to send from an address outside the verified domain; fail at synth, not at the first order.
      throw new Error(`sesFromAddress ${this.mailFromAddress} is not in sesIdentityDomain ${identityDomain}`);
    }

    this.ordersTable = new Table(this, 'OrdersTable', {
      ...protectedTable,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
    });

    // Its own table so its exports hold the books and nothing else, and so functions that only read orders
    // cannot touch it. The same protections as the orders: losing a posting is losing money.
    this.ledgerTable = new Table(this, 'LedgerTable', {
      ...protectedTable,
      partitionKey: { name: ledgerTableDesign.partitionKey, type: AttributeType.STRING },
      sortKey: { name: ledgerTableDesign.sortKey, type: AttributeType.STRING },
    });

    this.idempotencyTable = new Table(this, 'IdempotencyTable', {
      ...protectedTable,
      partitionKey: { name: 'id', type: AttributeType.STRING },
      // The attribute Powertools idempotency writes its expiry to.
      timeToLiveAttribute: 'expiration',
    });

    this.eventBus = new EventBus(this, 'EventBus', { eventBusName });

    this.linkSecret = new Secret(this, 'LinkSecret', {
      description: 'Export channel: HMAC key of the factory accept/decline links.',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.linkSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the HMAC key would invalidate every accept/decline link already e-mailed (they live up to the ' +
        'answer deadline); rotation is a planned operation: update the secret after the open links expire.',
    });

    // Who read or wrote the books, request by request: the audit trail of the export bucket. Kept 400 days, so an
    // audit after year-end still finds the whole year; retained like the bucket it describes. Delivered through the
    // bucket policy (the flag above), hence ACLs disabled.
    const exportAccessLogs = accessLogBucket(this, 'ExportAccessLogs', {
      expiration: Duration.days(400),
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      logsOf: 'the export bucket',
    });

    // The books leave DynamoDB only into this bucket: encrypted, versioned (an overwritten export stays recoverable),
    // private, TLS only, access-logged, and kept when the stack goes.
    this.exportBucket = new Bucket(this, 'ExportBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: exportAccessLogs,
      serverAccessLogsPrefix: 's3-exports/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.mailIdentity = new EmailIdentity(this, 'MailIdentity', { identity: Identity.domain(identityDomain) });
  }
}

/** Reads a cdk.json context value, failing at synth rather than deploying an empty setting. */
function requiredContext(scope: Construct, key: string): string {
  const value: unknown = scope.node.tryGetContext(key);
  if (typeof value !== 'string' || value === '') {
    throw new Error(`cdk.json context "${key}" must be a non-empty string`);
  }
  return value;
}
