/** The file layout of a DynamoDB ExportTableToPointInTime (DYNAMODB_JSON): its manifests, and a writer producing it. */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import * as z from 'zod';

/** `manifest-summary.json`, as AWS documents it (S3DataExport.Output); `exportType` is absent in older exports. */
export const manifestSummarySchema = z.object({
  version: z.string(),
  exportArn: z.string(),
  startTime: z.string(),
  endTime: z.string(),
  tableArn: z.string(),
  tableId: z.string(),
  exportTime: z.string(),
  s3Bucket: z.string().nullable(),
  s3Prefix: z.string().nullable(),
  s3SseAlgorithm: z.string().nullable(),
  s3SseKmsKeyId: z.string().nullable(),
  manifestFilesS3Key: z.string(),
  billedSizeBytes: z.number().int().nonnegative(),
  itemCount: z.number().int().nonnegative(),
  outputFormat: z.enum(['DYNAMODB_JSON', 'ION']),
  exportType: z.enum(['FULL_EXPORT', 'INCREMENTAL_EXPORT']).optional(),
});
export type ManifestSummary = z.infer<typeof manifestSummarySchema>;

/** One line of `manifest-files.json`: md5Checksum is the base64 MD5 of the gzipped data file. */
export const manifestFileSchema = z.object({
  itemCount: z.number().int().nonnegative(),
  md5Checksum: z.string().regex(/^[A-Za-z0-9+/]{22}==$/, 'expected a base64 MD5'),
  etag: z.string().optional(),
  dataFileS3Key: z.string().min(1),
});
export type ManifestFile = z.infer<typeof manifestFileSchema>;

/**
 * The content of a manifest's `.checksum` file (`manifest-summary.checksum`, `manifest-files.checksum`, next to the
 * manifests): the MD5 of the manifest's bytes. AWS documents the files but not their encoding; we write hex and accept
 * hex or base64 when reading (see checksumMatches).
 */
export function manifestChecksum(manifest: string | Uint8Array): string {
  return createHash('md5').update(manifest).digest('hex');
}

/** Whether a `.checksum` file's text is the MD5 of `manifest`, in hex (any case) or base64; whitespace around is ignored. */
export function checksumMatches(checksumText: string, manifest: Uint8Array): boolean {
  const digest = createHash('md5').update(manifest).digest();
  const given = checksumText.trim();
  return given.toLowerCase() === digest.toString('hex') || given === digest.toString('base64');
}

/** The name AWS gives an export: milliseconds since the epoch, a dash, 8 hex digits. */
export function newExportId(at: Date): string {
  return `${String(at.getTime()).padStart(14, '0')}-${randomBytes(4).toString('hex')}`;
}

/** AWS names data files with 26 lowercase base32 characters. */
function dataFileName(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return [...randomBytes(26)].map((byte) => alphabet[byte % 32]).join('');
}

export interface ExportWriterOptions {
  /** The folder that plays the S3 bucket (with an optional prefix folder inside it). */
  rootDir: string;
  /** S3-style prefix under rootDir; '' writes `AWSDynamoDB/…` straight into rootDir. */
  prefix?: string;
  tableArn: string;
  exportTime: Date;
  /** AWS writes one file per partition; locally we rotate after this many items. */
  itemsPerFile?: number;
  /** gzip level: 6 matches zlib's default; the benchmark generator uses less to save time. */
  gzipLevel?: number;
}

export interface WrittenExport {
  exportId: string;
  /** Folder of the export: `<rootDir>/<prefix>/AWSDynamoDB/<exportId>`. */
  exportDir: string;
  summary: ManifestSummary;
  files: ManifestFile[];
}

/**
 * Writes items (already DynamoDB JSON attribute maps) into gzip files of `{"Item":{…}}` lines, then the two manifests,
 * exactly as ExportTableToPointInTime lays them out. The manifests are written last, so a crash leaves no export that
 * claims to be complete.
 */
export class ExportWriter {
  readonly exportId: string;
  readonly exportDir: string;
  private readonly keyPrefix: string;
  private readonly files: ManifestFile[] = [];
  private current?: { gzip: Gzip; done: Promise<void>; md5: ReturnType<typeof createHash>; key: string; count: number };
  private total = 0;
  private readonly startTime = new Date();

  constructor(private readonly options: ExportWriterOptions) {
    this.exportId = newExportId(options.exportTime);
    const prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.keyPrefix = `${prefix ? `${prefix}/` : ''}AWSDynamoDB/${this.exportId}`;
    this.exportDir = join(options.rootDir, this.keyPrefix);
    mkdirSync(join(this.exportDir, 'data'), { recursive: true });
    // AWS writes an empty `_started` first to prove the bucket is writable.
    writeFileSync(join(this.exportDir, '_started'), '');
  }

  async write(item: Record<string, unknown>): Promise<void> {
    const file = this.current ?? this.open();
    file.count += 1;
    this.total += 1;
    if (!file.gzip.write(`${JSON.stringify({ Item: item })}\n`)) {
      await new Promise<void>((resolve) => file.gzip.once('drain', resolve));
    }
    if (file.count >= (this.options.itemsPerFile ?? 100_000)) await this.close();
  }

  async finish(): Promise<WrittenExport> {
    // An empty table still gets one (empty) data file, as AWS does for an empty partition.
    if (!this.current && this.files.length === 0) this.open();
    await this.close();
    const summary: ManifestSummary = {
      version: '2020-06-30',
      exportArn: `${this.options.tableArn}/export/${this.exportId}`,
      startTime: this.startTime.toISOString(),
      endTime: new Date().toISOString(),
      tableArn: this.options.tableArn,
      tableId: tableIdFor(this.options.tableArn),
      exportTime: this.options.exportTime.toISOString(),
      s3Bucket: null,
      s3Prefix: this.options.prefix || null,
      s3SseAlgorithm: 'AES256',
      s3SseKmsKeyId: null,
      manifestFilesS3Key: `${this.keyPrefix}/manifest-files.json`,
      billedSizeBytes: 0,
      itemCount: this.total,
      outputFormat: 'DYNAMODB_JSON',
      exportType: 'FULL_EXPORT',
    };
    // Each manifest with its `.checksum` (as AWS writes them), the summary last: it is what marks an export complete.
    const filesText = this.files.map((f) => `${JSON.stringify(f)}\n`).join('');
    writeFileSync(join(this.exportDir, 'manifest-files.json'), filesText);
    writeFileSync(join(this.exportDir, 'manifest-files.checksum'), manifestChecksum(filesText));
    const summaryText = JSON.stringify(summary);
    writeFileSync(join(this.exportDir, 'manifest-summary.checksum'), manifestChecksum(summaryText));
    writeFileSync(join(this.exportDir, 'manifest-summary.json'), summaryText);
    return { exportId: this.exportId, exportDir: this.exportDir, summary, files: [...this.files] };
  }

  private open() {
    const name = `${dataFileName()}.json.gz`;
    const md5 = createHash('md5');
    const gzip = createGzip({ level: this.options.gzipLevel ?? 6 });
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        md5.update(chunk);
        callback(null, chunk);
      },
    });
    const done = pipeline(gzip, hashing, createWriteStream(join(this.exportDir, 'data', name)));
    this.current = { gzip, done, md5, key: `${this.keyPrefix}/data/${name}`, count: 0 };
    return this.current;
  }

  private async close() {
    const file = this.current;
    if (!file) return;
    this.current = undefined;
    file.gzip.end();
    await file.done;
    const md5 = file.md5.digest();
    this.files.push({
      itemCount: file.count,
      md5Checksum: md5.toString('base64'),
      etag: md5.toString('hex'),
      dataFileS3Key: file.key,
    });
  }
}

/** A stable UUID-shaped id per table ARN, standing in for the id AWS gives a table. */
function tableIdFor(tableArn: string): string {
  const hex = createHash('sha256').update(tableArn).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Plain values to DynamoDB JSON, as the DocumentClient would store them (numbers N, arrays L, objects M). */
export function marshallValue(value: unknown): Record<string, unknown> {
  if (value === null) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(marshallValue) };
  if (typeof value === 'object') return { M: marshallItem(value as Record<string, unknown>) };
  throw new TypeError(`cannot store ${typeof value} in DynamoDB JSON`);
}

export function marshallItem(item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) if (value !== undefined) out[name] = marshallValue(value);
  return out;
}

/** The table name inside an ARN: `arn:aws:dynamodb:<region>:<account>:table/<name>`. */
export function tableNameOf(tableArn: string): string {
  return tableArn.split(':table/')[1]?.split('/')[0] ?? tableArn;
}
