/** Reconcile on synthetic exports: a clean pair reconciles, tampering is named, and every kind of bad input stops it. */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SyntheticExports, writeSyntheticExports } from '../../../bench/synthetic-export';
import { manifestChecksum, type WrittenExport } from '../../../finance/export-layout';
import { ExportInputError, reconcile } from '../../../finance/reconcile';

let root: string;
let exports: SyntheticExports;

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'reconcile-'));
  exports = await writeSyntheticExports({
    rootDir: join(root, 'exports'),
    ledgerItems: 400,
    itemsPerFile: 60,
    cancelEvery: 4,
    seed: 7,
  });
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

const run = (workers?: number) =>
  reconcile({ source: join(root, 'exports'), reportDir: join(root, 'report'), ...(workers ? { workers } : {}) });

/** After an edit of a manifest, its `.checksum` written to match, so only the intended defect remains. */
function refreshChecksums(written: WrittenExport) {
  for (const name of ['manifest-files', 'manifest-summary']) {
    const manifest = readFileSync(join(written.exportDir, `${name}.json`));
    writeFileSync(join(written.exportDir, `${name}.checksum`), manifestChecksum(manifest));
  }
}

function dataPath(written: WrittenExport, fileIndex: number): string {
  const key = written.files[fileIndex]?.dataFileS3Key ?? '';
  return join(root, 'exports', key);
}

/** Rewrites one data file's lines and keeps both manifests truthful, so only the content itself is wrong. */
function rewrite(written: WrittenExport, fileIndex: number, edit: (lines: string[]) => string[]) {
  const path = dataPath(written, fileIndex);
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n').filter(Boolean);
  const edited = edit(lines);
  const bytes = gzipSync(`${edited.join('\n')}\n`);
  writeFileSync(path, bytes);
  const manifestPath = join(written.exportDir, 'manifest-files.json');
  const files = readFileSync(manifestPath, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  files[fileIndex].md5Checksum = createHash('md5').update(bytes).digest('base64');
  files[fileIndex].itemCount = edited.length;
  writeFileSync(manifestPath, files.map((f) => `${JSON.stringify(f)}\n`).join(''));
  const summaryPath = join(written.exportDir, 'manifest-summary.json');
  const summary = JSON.parse(readFileSync(summaryPath, 'utf8'));
  summary.itemCount = files.reduce((sum: number, f: { itemCount: number }) => sum + f.itemCount, 0);
  writeFileSync(summaryPath, JSON.stringify(summary));
  refreshChecksums(written);
  return path;
}

async function inputError(workers?: number): Promise<ExportInputError> {
  const error = await run(workers).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExportInputError);
  // No partial OK: a stopped reconcile leaves no report behind.
  expect(existsSync(join(root, 'report', 'report.html'))).toBe(false);
  return error as ExportInputError;
}

describe('reconcile: a clean export', () => {
  it('reconciles with 0 discrepancies and writes CSV and a script-free HTML report with a per-factory chart', async () => {
    const result = await run();
    expect(result.discrepancies).toEqual([]);
    expect(result.discrepancyCount).toBe(0);
    expect(result.itemsRead).toBe(exports.ledger.summary.itemCount + exports.orders.summary.itemCount);
    expect(result.factories.length).toBeGreaterThan(1);
    expect(result.factories.every((f) => f.differenceUsd === '0.00' && f.ledgerUsd !== '0.00')).toBe(true);
    const html = readFileSync(join(root, 'report', 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script/i);
    expect(readFileSync(join(root, 'report', 'factories.csv'), 'utf8')).toContain(result.factories[0]?.factoryId);
  });

  it('decoded on worker threads, gives the same result as on the calling thread', async () => {
    const here = await run();
    const onWorkers = await run(2);
    expect(onWorkers.discrepancyCount).toBe(0);
    expect(onWorkers.factories).toEqual(here.factories);
    expect(onWorkers.transactions).toBe(here.transactions);
    expect(onWorkers.ordersChecked).toBe(here.ordersChecked);
  });

  it('writes manifest-summary.checksum and manifest-files.checksum next to the manifests, as AWS does', () => {
    for (const written of [exports.ledger, exports.orders]) {
      for (const name of ['manifest-files', 'manifest-summary']) {
        const manifest = readFileSync(join(written.exportDir, `${name}.json`));
        const checksum = readFileSync(join(written.exportDir, `${name}.checksum`), 'utf8');
        expect(checksum).toBe(createHash('md5').update(manifest).digest('hex'));
      }
    }
  });

  it('reconciles an export that has no .checksum files (they are checked when present)', async () => {
    for (const written of [exports.ledger, exports.orders]) {
      rmSync(join(written.exportDir, 'manifest-files.checksum'));
      rmSync(join(written.exportDir, 'manifest-summary.checksum'));
    }
    expect((await run()).discrepancyCount).toBe(0);
  });
});

describe('reconcile: tampering', () => {
  it('names the transaction and order whose entry amount was changed', async () => {
    let tampered = '';
    rewrite(exports.ledger, 0, (lines) =>
      lines.map((line) => {
        if (tampered || !line.includes('"factory-payable"')) return line;
        const item = JSON.parse(line);
        tampered = item.Item.transactionId.S;
        item.Item.amountUsd.S = (Number(item.Item.amountUsd.S) + 1).toFixed(2);
        return JSON.stringify(item);
      }),
    );
    const result = await run();
    expect(result.discrepancyCount).toBeGreaterThan(0);
    const kinds = result.discrepancies.map((d) => [d.kind, d.transactionId ?? d.orderId ?? d.factoryId]);
    expect(kinds).toContainEqual(['unbalanced', tampered]);
    expect(kinds).toContainEqual(['header-mismatch', tampered]);
    expect(result.discrepancies.some((d) => d.kind === 'payable-factory')).toBe(true);
    expect(readFileSync(join(root, 'report', 'reconcile.csv'), 'utf8')).toContain(tampered);
  });

  it('finds an entry removed from the export (with manifests made to match)', async () => {
    let removed = '';
    rewrite(exports.ledger, 1, (lines) =>
      lines.filter((line) => {
        if (removed || !line.includes('"buyer-receivable"')) return true;
        removed = JSON.parse(line).Item.transactionId.S;
        return false;
      }),
    );
    const result = await run();
    expect(result.discrepancies.map((d) => [d.kind, d.transactionId])).toContainEqual(['missing-entry', removed]);
  });
});

describe('reconcile: bad input stops with file and line', () => {
  it('a wrong md5', async () => {
    const manifestPath = join(exports.ledger.exportDir, 'manifest-files.json');
    const lines = readFileSync(manifestPath, 'utf8').split('\n').filter(Boolean);
    const first = JSON.parse(lines[0] ?? '{}');
    first.md5Checksum = createHash('md5').update('something else').digest('base64');
    lines[0] = JSON.stringify(first);
    writeFileSync(manifestPath, `${lines.join('\n')}\n`);
    refreshChecksums(exports.ledger);
    const error = await inputError();
    expect(error.file).toBe(dataPath(exports.ledger, 0));
    expect(error.message).toMatch(/md5 .* does not match/);
  });

  it('a truncated gzip', async () => {
    const path = dataPath(exports.orders, 1);
    truncateSync(path, Math.floor(readFileSync(path).length / 2));
    const error = await inputError();
    expect(error.file).toBe(path);
    expect(error.line).toBeGreaterThan(0);
    expect(error.message).toMatch(/truncated or corrupt/);
  });

  it('a missing data file', async () => {
    const path = dataPath(exports.ledger, 2);
    rmSync(path);
    const error = await inputError();
    expect(error.file).toBe(join(exports.ledger.exportDir, 'manifest-files.json'));
    expect(error.line).toBe(3);
    expect(error.message).toContain(path);
  });

  it('a duplicated item', async () => {
    const path = rewrite(exports.ledger, 0, (lines) => [...lines.slice(0, 5), lines[2] ?? '', ...lines.slice(5)]);
    const error = await inputError();
    expect(error.file).toBe(path);
    expect(error.line).toBe(6);
    expect(error.message).toMatch(/duplicated item ORDER#SYN\d+ TX#/);
  });

  it('a line that is not DynamoDB JSON', async () => {
    const path = rewrite(exports.orders, 0, (lines) => [
      ...lines.slice(0, 3),
      '{"Item":{"pk":"ORDER#X","sk":{"S":"ORDER"}}}',
      ...lines.slice(3),
    ]);
    const error = await inputError();
    expect(error.file).toBe(path);
    expect(error.line).toBe(4);
    expect(error.message).toMatch(/attribute "pk" is not a DynamoDB JSON value/);
  });

  it('a manifest total that disagrees with its files', async () => {
    const summaryPath = join(exports.ledger.exportDir, 'manifest-summary.json');
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8'));
    summary.itemCount += 1;
    writeFileSync(summaryPath, JSON.stringify(summary));
    refreshChecksums(exports.ledger);
    const error = await inputError();
    expect(error.message).toMatch(/manifest-summary.json says/);
  });

  it('a manifest-files.json that does not match its .checksum', async () => {
    const manifestPath = join(exports.orders.exportDir, 'manifest-files.json');
    // Reordering the lines keeps every promise about the data true; only the checksum can tell.
    const lines = readFileSync(manifestPath, 'utf8').split('\n').filter(Boolean).reverse();
    writeFileSync(manifestPath, `${lines.join('\n')}\n`);
    const error = await inputError();
    expect(error.file).toBe(manifestPath);
    expect(error.message).toMatch(/MD5 [0-9a-f]{32} does not match .*manifest-files\.checksum/);
  });

  it('a manifest-summary.json that does not match its .checksum', async () => {
    const summaryPath = join(exports.ledger.exportDir, 'manifest-summary.json');
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8'));
    writeFileSync(summaryPath, JSON.stringify({ ...summary, endTime: new Date(0).toISOString() }));
    const error = await inputError();
    expect(error.file).toBe(summaryPath);
    expect(error.message).toMatch(/does not match .*manifest-summary\.checksum/);
  });
});

describe('reconcile on worker threads: bad input still stops with file and line', () => {
  it('a duplicated item', async () => {
    const path = rewrite(exports.ledger, 1, (lines) => [...lines.slice(0, 7), lines[4] ?? '', ...lines.slice(7)]);
    const error = await inputError(2);
    expect(error.file).toBe(path);
    expect(error.line).toBe(8);
    expect(error.message).toMatch(/duplicated item ORDER#SYN\d+ TX#/);
  });

  it('a truncated gzip', async () => {
    const path = dataPath(exports.ledger, 3);
    truncateSync(path, Math.floor(readFileSync(path).length / 2));
    const error = await inputError(2);
    expect(error.file).toBe(path);
    expect(error.line).toBeGreaterThan(0);
    expect(error.message).toMatch(/truncated or corrupt/);
  });

  it('a line that is not DynamoDB JSON', async () => {
    const path = rewrite(exports.ledger, 0, (lines) => [
      ...lines.slice(0, 2),
      '{"Item":{"pk":{"S":1}}}',
      ...lines.slice(2),
    ]);
    const error = await inputError(2);
    expect(error.file).toBe(path);
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/attribute "pk" is not a DynamoDB JSON value/);
  });

  it('a wrong md5', async () => {
    // The same lines, compressed differently: every line reads fine, only the bytes' md5 differs.
    const path = dataPath(exports.orders, 0);
    writeFileSync(path, gzipSync(gunzipSync(readFileSync(path)), { level: 1 }));
    const error = await inputError(2);
    expect(error.file).toBe(dataPath(exports.orders, 0));
    expect(error.message).toMatch(/md5 .* does not match/);
  });
});
