/** One data file decoded both ways (zlib's binding on this thread, or a gunzip stream): the same records, the same errors. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticExports } from '../../../bench/synthetic-export';
import { type ExportTable, FileDecoder, type InflateMode } from '../../../finance/decode';
import { ExportInputError } from '../../../finance/item-json';
import { readRecords } from '../../../finance/item-scan';

let root: string;
const files: { table: ExportTable; gz: Buffer }[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'decode-'));
  const written = await writeSyntheticExports({ rootDir: root, ledgerItems: 3000, itemsPerFile: 3000, seed: 11 });
  for (const [table, found] of [
    ['ledger', written.ledger],
    ['orders', written.orders],
  ] as const) {
    for (const file of found.files) files.push({ table, gz: readFileSync(join(root, file.dataFileS3Key)) });
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Decodes `gz` fed in `chunkBytes` pieces; returns every record (strings decoded), the line count and the md5. */
async function decode(table: ExportTable, gz: Uint8Array, mode: InflateMode, chunkBytes: number) {
  const records: ReturnType<typeof readRecords> = [];
  const decoder: FileDecoder = new FileDecoder(
    table,
    'file.json.gz',
    (batch) => {
      records.push(...readRecords(batch));
      decoder.recycle(batch);
    },
    mode,
  );
  for (let at = 0; at < gz.length; at += chunkBytes) await decoder.write(gz.subarray(at, at + chunkBytes));
  return { records, ...(await decoder.end()) };
}

describe('FileDecoder: inflating through the binding or a stream', () => {
  it('gives the same records, line count and md5 either way, however the bytes are cut', async () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const { table, gz } of files) {
      const md5 = createHash('md5').update(gz).digest('base64');
      const stream = await decode(table, gz, 'stream', 64 * 1024);
      expect(stream.md5).toBe(md5);
      expect(stream.lines).toBeGreaterThan(500);
      expect(stream.records).toHaveLength(stream.lines);
      for (const chunkBytes of [997, 64 * 1024, gz.length]) {
        expect(await decode(table, gz, 'binding', chunkBytes)).toEqual(stream);
      }
      // One byte at a time, on the first 40 lines (a whole file would be slow).
      const head = gzipSync(`${gunzipSync(gz).toString('utf8').split('\n').slice(0, 40).join('\n')}\n`);
      const byteByByte = await decode(table, head, 'binding', 1);
      expect(byteByByte.lines).toBe(40);
      expect(byteByByte).toEqual(await decode(table, head, 'stream', 1));
    }
  });

  it('a line far longer than the output buffer is read whole', async () => {
    const long = `{"Item":{"pk":{"S":"NOTE#1"},"sk":{"S":"NOTE"},"text":{"S":"${'x'.repeat(1_300_000)}"}}}`;
    const gz = gzipSync(`${long}\n${long.replace('NOTE#1', 'NOTE#2')}\n`);
    for (const mode of ['binding', 'stream'] as const) {
      const { lines } = await decode('orders', gz, mode, 4096);
      expect(lines).toBe(2);
    }
  });

  it('a truncated or corrupt gzip is an input error naming the file, either way', async () => {
    const { table, gz } = files[0] as { table: ExportTable; gz: Buffer };
    const corrupt = Buffer.from(gz);
    corrupt.fill(0x55, 200, 400);
    for (const mode of ['binding', 'stream'] as const) {
      for (const bad of [gz.subarray(0, Math.floor(gz.length / 2)), corrupt]) {
        const error = await decode(table, bad, mode, 8192).catch((e: unknown) => e);
        expect(error, mode).toBeInstanceOf(ExportInputError);
        expect((error as ExportInputError).file).toBe('file.json.gz');
        expect((error as ExportInputError).message).toMatch(/unreadable gzip \(truncated or corrupt\)/);
      }
    }
  });
});
