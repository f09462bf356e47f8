/** A retained, encrypted, private, TLS-only bucket for S3/CloudFront access logs, which itself is not logged (it would loop). */
import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, type ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export interface AccessLogBucketProps {
  /** How long the logs are kept. */
  expiration: Duration;
  /** CloudFront's standard logs need ACLs (BUCKET_OWNER_PREFERRED); S3 delivery by bucket policy does not. */
  objectOwnership: ObjectOwnership;
  /** What the logs are of, for the cdk-nag acknowledgement. */
  logsOf: string;
}

export function accessLogBucket(scope: Construct, id: string, props: AccessLogBucketProps): Bucket {
  const bucket = new Bucket(scope, id, {
    encryption: BucketEncryption.S3_MANAGED,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: props.objectOwnership,
    lifecycleRules: [{ expiration: props.expiration }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: `This is the access-log bucket of ${props.logsOf}; logging its own writes into itself would loop.`,
  });
  return bucket;
}
