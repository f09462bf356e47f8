/** Reconcile from `s3://bucket/prefix`: the S3 reading adapter (listing pages, GetObject streams, missing keys) over a mocked S3 client. */
import { createReadStream, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SyntheticExports, writeSyntheticExports } from '../../bench/synthetic-export';
import { ExportInputError, reconcile } from '../../finance/reconcile';

const s3 = mockClient(S3Client);
const bucket = 'channel-exports';
const prefix = 'full/2027-03-02';
let root: string;
let exports: SyntheticExports;
/** Object keys (relative to the bucket) → the local file standing in for the object. */
let objects: Map<string, string>;

beforeEach(async () => {
  s3.reset();
  root = mkdtempSync(join(tmpdir(), 'reconcile-s3-'));
  exports = await writeSyntheticExports({
    rootDir: root,
    ledgerItems: 300,
    itemsPerFile: 70,
    cancelEvery: 5,
    seed: 11,
  });
  objects = new Map(
    readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const path = join(entry.parentPath, entry.name);
        return [`${prefix}/${relative(root, path).split(sep).join('/')}`, path];
      }),
  );
  // Three keys a page, so the adapter has to follow continuation tokens.
  s3.on(ListObjectsV2Command).callsFake((input: { Bucket: string; Prefix?: string; ContinuationToken?: string }) => {
    expect(input.Bucket).toBe(bucket);
    const keys = [...objects.keys()].filter((key) => key.startsWith(input.Prefix ?? '')).sort();
    const start = Number(input.ContinuationToken ?? 0);
    const page = keys.slice(start, start + 3);
    const more = start + 3 < keys.length;
    return {
      Contents: page.map((Key) => ({ Key })),
      IsTruncated: more,
      ...(more ? { NextContinuationToken: String(start + 3) } : {}),
    };
  });
  s3.on(GetObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
    const path = objects.get(input.Key);
    if (input.Bucket !== bucket || !path || !existsSync(path)) {
      throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
    }
    return { Body: createReadStream(path) };
  });
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

const run = () => reconcile({ source: `s3://${bucket}/${prefix}/`, reportDir: join(root, 'report') });

describe('reconcile from an S3 prefix', () => {
  it('lists every page, reads manifests and data through GetObject, and reconciles with 0 discrepancies', async () => {
    const result = await run();
    expect(result.discrepancies).toEqual([]);
    expect(result.itemsRead).toBe(exports.ledger.summary.itemCount + exports.orders.summary.itemCount);
    expect(result.ledgerExport.dirKey).toBe(`AWSDynamoDB/${exports.ledger.exportId}`);
    expect(s3.commandCalls(ListObjectsV2Command).length).toBe(Math.ceil(objects.size / 3));
    for (const call of s3.commandCalls(ListObjectsV2Command)) expect(call.args[0].input.Prefix).toBe(`${prefix}/`);
    const read = s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key);
    for (const file of [...exports.ledger.files, ...exports.orders.files]) {
      expect(read).toContain(`${prefix}/${file.dataFileS3Key}`);
    }
    expect(read).toContain(`${prefix}/AWSDynamoDB/${exports.ledger.exportId}/manifest-files.checksum`);
  });

  it('names the S3 object of a data file that the listing has but GetObject does not', async () => {
    const missing = `${prefix}/${exports.ledger.files[1]?.dataFileS3Key}`;
    rmSync(objects.get(missing) ?? '');
    const error = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ExportInputError);
    const inputError = error as ExportInputError;
    expect(inputError.file).toBe(`s3://${bucket}/${prefix}/AWSDynamoDB/${exports.ledger.exportId}/manifest-files.json`);
    expect(inputError.line).toBe(2);
    expect(inputError.message).toContain(`s3://${bucket}/${missing} is missing`);
    expect(existsSync(join(root, 'report', 'report.html'))).toBe(false);
  });
});
