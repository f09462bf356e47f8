/** Finance acceptance on the local stack: orders via the API → ledger → local export → reconcile (and DuckDB agrees). */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duckDbPayablesPerFactory } from '../../bench/duckdb-peer';
import { manifestChecksum, type WrittenExport } from '../../finance/export-layout';
import { exportLocalTables } from '../../finance/local-export';
import { type ReconcileResult, reconcile } from '../../finance/reconcile';
import { api, orderReaches, stack } from './support';

const projectRoot = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
let dir: string;
let exported: WrittenExport[];
let clean: ReconcileResult;
const orderIds: string[] = [];

interface Catalogue {
  trademarks: { mark: string; protectedIn: string[]; expires: string }[];
}

const block = { type: 'block', lengthMm: 20, widthMm: 10, thicknessMm: 5 };

/** An order offering exactly the quoted unified price, so the price check passes and the ledger books that price. */
async function submitPriced(lines: { grade: string; coating: string; quantityKg: number }[], incoterm: string) {
  const catalogue = (await api<Catalogue>('GET', '/catalogue')).body;
  const mark = catalogue.trademarks.find((t) => t.protectedIn.includes('DE') && t.expires > '2027-03-01');
  const quote = await api<{ lines: { unitPriceUsdPerKg: string }[] }>('POST', '/quotes', {
    lines: lines.map((l) => ({ ...l, shape: block })),
    incoterm,
    requestedShipDate: '2027-03-01',
  });
  expect(quote.status).toBe(200);
  const response = await api<{ orderId: string }>('POST', '/orders', {
    buyer: { company: 'Finance Round Trip AG', country: 'DE', contactName: 'Ada Example', email: 'buyer@example.com' },
    destinationCountry: 'DE',
    endUse: { description: 'EV traction motors', military: false },
    trademark: mark?.mark,
    incoterm,
    requestedShipDate: '2027-03-01',
    licence: { number: 'LIC-2027-0001', validUntil: '2027-12-31' },
    lines: lines.map((l, i) => ({
      ...l,
      shape: block,
      offeredUnitPriceUsdPerKg: quote.body.lines[i]?.unitPriceUsdPerKg,
    })),
  });
  expect(response.status).toBe(202);
  return response.body.orderId;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'finance-'));
  // A line bigger than any one factory's SH capacity, so it splits, a two-line order, and a CIF order.
  orderIds.push(await submitPriced([{ grade: 'N42SH', coating: 'NiCuNi', quantityKg: 25000 }], 'FOB'));
  orderIds.push(
    await submitPriced(
      [
        { grade: 'N35', coating: 'Zn', quantityKg: 700 },
        { grade: 'N40H', coating: 'Epoxy', quantityKg: 2500 },
      ],
      'FOB',
    ),
  );
  orderIds.push(await submitPriced([{ grade: 'N38M', coating: 'NiCuNi', quantityKg: 1200 }], 'CIF'));
  for (const orderId of orderIds) await orderReaches(orderId, 'ALLOCATED');

  exported = await exportLocalTables({
    endpoint: stack().dynamodb,
    region: 'us-east-1',
    tables: ['channel-ledger', 'channel-orders'],
    outDir: join(dir, 'exports'),
    itemsPerFile: 25,
  });
  clean = await reconcile({ source: join(dir, 'exports'), reportDir: join(dir, 'report') });
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('finance round trip on the local stack', () => {
  it('writes both exports in the ExportTableToPointInTime layout', () => {
    const [ledger, orders] = exported;
    expect(ledger?.summary).toMatchObject({ outputFormat: 'DYNAMODB_JSON', exportType: 'FULL_EXPORT' });
    expect(ledger?.summary.tableArn).toMatch(/:table\/channel-ledger$/);
    expect(orders?.summary.tableArn).toMatch(/:table\/channel-orders$/);
    expect(ledger?.summary.manifestFilesS3Key).toBe(`AWSDynamoDB/${ledger?.exportId}/manifest-files.json`);
    for (const name of ['manifest-files', 'manifest-summary']) {
      const manifest = readFileSync(join(ledger?.exportDir ?? '', `${name}.json`));
      expect(readFileSync(join(ledger?.exportDir ?? '', `${name}.checksum`), 'utf8')).toBe(manifestChecksum(manifest));
    }
    const lines = readFileSync(join(ledger?.exportDir ?? '', 'manifest-files.json'), 'utf8')
      .trim()
      .split('\n');
    for (const line of lines) {
      const entry = JSON.parse(line);
      expect(Object.keys(entry).sort()).toEqual(['dataFileS3Key', 'etag', 'itemCount', 'md5Checksum']);
      expect(entry.dataFileS3Key).toMatch(
        new RegExp(`^AWSDynamoDB/${ledger?.exportId}/data/[a-z2-7]{26}\\.json\\.gz$`),
      );
    }
  });

  it('reconciles every order the stack has seen with 0 discrepancies, including the ones just allocated', () => {
    expect(clean.discrepancies).toEqual([]);
    expect(clean.discrepancyCount).toBe(0);
    expect(clean.ordersChecked).toBeGreaterThanOrEqual(orderIds.length);
    expect(clean.factories.length).toBeGreaterThan(1);
    // Each of our orders posted exactly one ALLOCATION transaction.
    const ledgerText = exported[0]?.files
      .map((f) => gunzipSync(readFileSync(join(dir, 'exports', f.dataFileS3Key))).toString('utf8'))
      .join('');
    for (const orderId of orderIds) {
      expect(ledgerText?.match(new RegExp(`"sk":\\{"S":"TX#ALLOC-${orderId}-[0-9a-f]{16}"\\}`, 'g'))).toHaveLength(1);
    }
  });

  it('agrees with DuckDB read_json on every factory payable, to the cent', async () => {
    const peer = await duckDbPayablesPerFactory(exported[0]?.exportDir ?? '');
    const ours = Object.fromEntries(clean.factories.map((f) => [f.factoryId, f.ledgerUsd]));
    expect(Object.keys(peer).length).toBeGreaterThan(1);
    expect(peer).toEqual(ours);
  });

  it('the CLI exits 0 on the clean export and 1 naming the transaction after one entry is tampered with', async () => {
    const cli = (args: string[]) =>
      run('node', ['--import', 'tsx', 'finance/cli.ts', ...args], {
        cwd: projectRoot,
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const ok = await cli(['reconcile', join(dir, 'exports'), '--report', join(dir, 'cli-report')]);
    expect(ok.stdout).toMatch(/^OK: .* 0 discrepancies/m);
    expect(ok.code).toBe(0);

    // Raise one receivable by a cent and keep the manifests consistent, as a careful forger would.
    const ledger = exported[0] as WrittenExport;
    let tampered = '';
    const files = ledger.files.map((file) => {
      const path = join(dir, 'exports', file.dataFileS3Key);
      const lines = gunzipSync(readFileSync(path)).toString('utf8').trimEnd().split('\n');
      const edited = lines.map((line) => {
        if (tampered || !line.includes('"buyer-receivable"') || !line.includes(orderIds[0] ?? '?')) return line;
        const item = JSON.parse(line);
        tampered = item.Item.transactionId.S;
        const [units, cents] = String(item.Item.amountUsd.S).split('.');
        item.Item.amountUsd.S = `${units}.${String(Number(cents) + 1).padStart(2, '0')}`;
        return JSON.stringify(item);
      });
      const bytes = gzipSync(`${edited.join('\n')}\n`);
      writeFileSync(path, bytes);
      return { ...file, md5Checksum: createHash('md5').update(bytes).digest('base64') };
    });
    const manifestText = files.map((f) => `${JSON.stringify(f)}\n`).join('');
    writeFileSync(join(ledger.exportDir, 'manifest-files.json'), manifestText);
    writeFileSync(join(ledger.exportDir, 'manifest-files.checksum'), manifestChecksum(manifestText));
    expect(tampered).not.toBe('');

    const bad = await cli(['reconcile', join(dir, 'exports'), '--report', join(dir, 'cli-report')]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/NOT RECONCILED/);
    const csv = readFileSync(join(dir, 'cli-report', 'reconcile.csv'), 'utf8');
    expect(csv).toContain(`unbalanced,${tampered}`);
    expect(csv).toMatch(new RegExp(`receivable,${orderIds[0]}`));
    expect(readFileSync(join(dir, 'cli-report', 'report.html'), 'utf8')).toContain(tampered);
  });
});
