/** `finance export`: a full scan of DynamoDB Local written in ExportTableToPointInTime's layout (it has no exports of its own). */
import { type AttributeValue, DynamoDBClient, ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { ExportWriter, type WrittenExport } from './export-layout';

export interface LocalExportOptions {
  endpoint: string;
  region: string;
  tables: string[];
  outDir: string;
  itemsPerFile?: number;
  now?: Date;
}

/** DynamoDB JSON as the export writes it: binary values base64, everything else as the wire format has it. */
export function toDynamoJson(value: AttributeValue): Record<string, unknown> {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.M !== undefined) return { M: itemToDynamoJson(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toDynamoJson) };
  const { $unknown: _unknown, ...known } = value as AttributeValue & { $unknown?: unknown };
  return known as Record<string, unknown>;
}

export function itemToDynamoJson(item: Record<string, AttributeValue>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, toDynamoJson(value)]));
}

export async function exportLocalTables(options: LocalExportOptions): Promise<WrittenExport[]> {
  const client = new DynamoDBClient({
    endpoint: options.endpoint,
    region: options.region,
    // DynamoDB Local accepts any credentials; real ones are neither needed nor looked for.
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const exportTime = options.now ?? new Date();
  const written: WrittenExport[] = [];
  try {
    for (const table of options.tables) {
      const writer = new ExportWriter({
        rootDir: options.outDir,
        tableArn: `arn:aws:dynamodb:${options.region}:000000000000:table/${table}`,
        exportTime,
        ...(options.itemsPerFile ? { itemsPerFile: options.itemsPerFile } : {}),
      });
      let start: Record<string, AttributeValue> | undefined;
      do {
        // Strongly consistent, so an export taken right after a write includes it.
        const page: ScanCommandOutput = await client.send(
          new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }),
        );
        for (const item of page.Items ?? []) await writer.write(itemToDynamoJson(item));
        start = page.LastEvaluatedKey;
      } while (start);
      written.push(await writer.finish());
    }
  } finally {
    client.destroy();
  }
  return written;
}
