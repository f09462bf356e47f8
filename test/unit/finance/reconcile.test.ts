/** Reconcile on synthetic exports: a clean pair reconciles, tampering is named, and every kind of bad input stops it. */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SyntheticExports, writeSyntheticExports } from '../../../bench/synthetic-export';
import { manifestChecksum, type WrittenExport } from '../../../finance/export-layout';
import { BatchWriter, scanOrdersLine } from '../../../finance/item-scan';
import { ExportInputError, reconcile } from '../../../finance/reconcile';
import { pricingRegion } from '../../../functions/domain/pricing';
import { seedRuleSet } from '../../../functions/domain/rules';

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
    // Regions priced differently for C and D terms (BR is unmapped: the default region).
    destinations: ['DE', 'US', 'JP', 'IN', 'BR'],
    incoterms: ['FOB', 'CIF', 'DAP', 'DDP'],
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
  const bytes = gzipSync(edited.length === 0 ? '' : `${edited.join('\n')}\n`);
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

describe('reconcile: books sized from the manifests', () => {
  it('grows past the sizing bound: a ledger whose orders are all missing from an empty orders export', async () => {
    // Sized for 0 orders from the orders manifest, every order then comes from the ledger alone.
    for (let fileIndex = 0; fileIndex < exports.orders.files.length; fileIndex++) {
      rewrite(exports.orders, fileIndex, () => []);
    }
    const ledgerOrders = new Set<string>();
    exports.ledger.files.forEach((_, fileIndex) => {
      for (const line of gunzipSync(readFileSync(dataPath(exports.ledger, fileIndex)))
        .toString('utf8')
        .split('\n')) {
        if (line) ledgerOrders.add(JSON.parse(line).Item.orderId.S);
      }
    });
    expect(ledgerOrders.size).toBeGreaterThan(16);
    for (const workers of [undefined, 1]) {
      const result = await run(workers);
      const orphans = result.discrepancies.filter((d) => d.kind === 'orphan-transaction').map((d) => d.orderId);
      expect(new Set(orphans)).toEqual(ledgerOrders);
      expect(orphans).toHaveLength(ledgerOrders.size);
    }
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

interface OrderLine {
  Item: {
    pk: { S: string };
    sk: { S: string };
    status: { S: string };
    order: { M: { incoterm: { S: string }; destinationCountry?: { S: string } } };
  };
}

const ordersLines = (written: WrittenExport, fileIndex: number) =>
  gunzipSync(readFileSync(dataPath(written, fileIndex)))
    .toString('utf8')
    .split('\n')
    .filter(Boolean);

function bookedOrders(): { file: number; line: number; item: OrderLine }[] {
  return exports.orders.files.flatMap((_, file) =>
    ordersLines(exports.orders, file).flatMap((text, line) => {
      const item = JSON.parse(text) as OrderLine;
      return item.Item.sk.S === 'ORDER' && item.Item.status.S === 'ALLOCATED' ? [{ file, line, item }] : [];
    }),
  );
}

/** The first allocated order under `incoterm` to `country`, rewritten by `edit` (the manifests kept truthful). */
function editOrder(incoterm: string, country: string, edit: (item: OrderLine) => string): string {
  const found = bookedOrders().find(
    ({ item }) => item.Item.order.M.incoterm.S === incoterm && item.Item.order.M.destinationCountry?.S === country,
  );
  if (!found) throw new Error(`the synthetic export has no allocated ${incoterm} order to ${country}`);
  rewrite(exports.orders, found.file, (lines) => lines.map((line, i) => (i === found.line ? edit(found.item) : line)));
  return found.item.Item.pk.S.slice('ORDER#'.length);
}

const scannedFast = (line: string) => {
  const bytes = Buffer.from(line);
  return scanOrdersLine(bytes, 0, bytes.length, 1, new BatchWriter());
};

describe("reconcile: C and D terms priced for the order's destination", () => {
  it('the synthetic orders put C and D terms into several regions, each priced apart from no destination', () => {
    const regions = new Set<string>();
    for (const { item } of bookedOrders()) {
      const { incoterm, destinationCountry } = item.Item.order.M;
      const region = pricingRegion(seedRuleSet.priceList, incoterm.S as never, destinationCountry?.S);
      if (region) regions.add(region.id);
    }
    expect([...regions].sort()).toEqual([
      'east-asia',
      'europe',
      'north-america',
      'rest-of-world',
      'south-southeast-asia',
    ]);
    // The dearest region differs from the cheapest: a reconcile ignoring the destination would misprice.
    const japan = pricingRegion(seedRuleSet.priceList, 'DAP', 'JP')?.adderUsdPerKg;
    const none = pricingRegion(seedRuleSet.priceList, 'DAP')?.adderUsdPerKg;
    expect(japan?.lessThan(none ?? 0)).toBe(true);
  });

  it.each([
    ['on the calling thread', 0],
    ['on worker threads', 2],
  ])('names an order whose destination was moved to another region (%s)', async (_, workers) => {
    let edited = '';
    const orderId = editOrder('CIF', 'DE', (item) => {
      item.Item.order.M.destinationCountry = { S: 'JP' };
      edited = JSON.stringify(item);
      return edited;
    });
    expect(scannedFast(edited)).toBe(true); // canonical: read by the byte-level scanner
    const result = await run(workers);
    const kinds = new Set(result.discrepancies.filter((d) => d.orderId === orderId).map((d) => d.kind));
    expect(kinds).toEqual(new Set(['receivable', 'transfer-price']));
    // Priced for East Asia now, below the Europe price the ledger booked.
    const receivable = result.discrepancies.find((d) => d.kind === 'receivable' && d.orderId === orderId);
    expect(Number(receivable?.expectedUsd)).toBeLessThan(Number(receivable?.actualUsd));
  });

  it.each([
    ['its own destination, it reconciles', 'US', []],
    ['a destination moved to another region, it is named', 'IN', ['receivable', 'transfer-price']],
  ])('read by the generic reader (a line off the canonical form) with %s', async (_, country, expected) => {
    let edited = '';
    const orderId = editOrder('DAP', 'US', (item) => {
      item.Item.order.M.destinationCountry = { S: country };
      edited = JSON.stringify(item).replace('{"Item":', '{ "Item": ');
      return edited;
    });
    expect(scannedFast(edited)).toBe(false);
    const result = await run();
    expect(result.discrepancies.filter((d) => d.orderId !== orderId)).toEqual([]);
    const kinds = new Set(result.discrepancies.map((d) => d.kind));
    expect(kinds).toEqual(new Set(expected));
  });

  it.each([
    ['on the calling thread', 0],
    ['on worker threads', 2],
  ])('prices an order without a destination for the dearest region (%s)', async (_, workers) => {
    const orderId = editOrder('DDP', 'JP', (item) => {
      delete item.Item.order.M.destinationCountry;
      return JSON.stringify(item);
    });
    const result = await run(workers);
    const receivable = result.discrepancies.find((d) => d.kind === 'receivable' && d.orderId === orderId);
    expect(Number(receivable?.expectedUsd)).toBeGreaterThan(Number(receivable?.actualUsd));
    expect(result.discrepancies.every((d) => d.orderId === orderId)).toBe(true);
  });
});
