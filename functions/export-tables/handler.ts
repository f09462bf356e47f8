/** Scheduled task: export the ledger and orders tables to S3 (full, plus incremental since the last export) for finance. */
import { createHash } from 'node:crypto';
import {
  DescribeExportCommand,
  DynamoDBClient,
  ExportTableToPointInTimeCommand,
  ListExportsCommand,
} from '@aws-sdk/client-dynamodb';
import { requiredEnv, systemClock } from '../adapters/config';
import { logger } from '../adapters/logger';
import { sdkClientConfig } from '../adapters/sdk-config';
import { type PlannedExport, planExports } from './plan';

const dynamoDb = new DynamoDBClient(sdkClientConfig);
const tableArns = requiredEnv('EXPORT_TABLE_ARNS').split(',').filter(Boolean);
const bucket = requiredEnv('EXPORT_BUCKET');

/** How many recent exports to describe when looking for the last one that reached a point in time. */
const LOOK_BACK = 10;

/** The point in time the table's latest completed (or running) export reached, if any. */
async function lastCoveredUntil(tableArn: string): Promise<Date | undefined> {
  const arns: string[] = [];
  let token: string | undefined;
  do {
    const page = await dynamoDb.send(new ListExportsCommand({ TableArn: tableArn, NextToken: token }));
    for (const summary of page.ExportSummaries ?? []) {
      if (summary.ExportArn && summary.ExportStatus !== 'FAILED') arns.push(summary.ExportArn);
    }
    token = page.NextToken;
  } while (token);
  // Export ids start with the request's epoch milliseconds, so the ARN order is the time order.
  arns.sort().reverse();
  let latest: Date | undefined;
  for (const exportArn of arns.slice(0, LOOK_BACK)) {
    const { ExportDescription: d } = await dynamoDb.send(new DescribeExportCommand({ ExportArn: exportArn }));
    const reached =
      d?.ExportType === 'INCREMENTAL_EXPORT' ? d.IncrementalExportSpecification?.ExportToTime : d?.ExportTime;
    if (reached && (!latest || reached > latest)) latest = reached;
  }
  return latest;
}

/** One token per table, type and day: a retried schedule cannot start a second export of the same kind that day. */
function clientToken(tableArn: string, plan: PlannedExport): string {
  return createHash('sha256').update(`${tableArn}|${plan.s3Prefix}`).digest('hex').slice(0, 32);
}

export const handler = async (): Promise<{ started: { table: string; type: string; exportArn: string }[] }> => {
  const now = systemClock();
  const started: { table: string; type: string; exportArn: string }[] = [];
  for (const tableArn of tableArns) {
    const plans = planExports(now, await lastCoveredUntil(tableArn));
    for (const plan of plans) {
      if (plan.type === 'INCREMENTAL_EXPORT' && plan.clamped) {
        logger.warn('last export is older than 24 h; incremental export covers the last 24 h only', { tableArn });
      }
      const result = await dynamoDb
        .send(
          new ExportTableToPointInTimeCommand({
            TableArn: tableArn,
            S3Bucket: bucket,
            S3Prefix: plan.s3Prefix,
            S3SseAlgorithm: 'AES256',
            ExportFormat: 'DYNAMODB_JSON',
            ClientToken: clientToken(tableArn, plan),
            ...(plan.type === 'FULL_EXPORT'
              ? { ExportType: 'FULL_EXPORT', ExportTime: plan.exportTime }
              : {
                  ExportType: 'INCREMENTAL_EXPORT',
                  IncrementalExportSpecification: {
                    ExportFromTime: plan.from,
                    ExportToTime: plan.to,
                    ExportViewType: 'NEW_AND_OLD_IMAGES',
                  },
                }),
          }),
        )
        .catch((error: Error) => {
          // Same token with another ExportTime: this run's export was already started by an earlier attempt.
          if (error.name === 'ExportConflictException') return undefined;
          throw error;
        });
      if (!result) {
        logger.info('export already started today', { tableArn, type: plan.type });
        continue;
      }
      const exportArn = result.ExportDescription?.ExportArn ?? '';
      started.push({ table: tableArn, type: plan.type, exportArn });
      logger.info('export started', { tableArn, type: plan.type, exportArn, prefix: plan.s3Prefix });
    }
  }
  return { started };
};
