/** Finance acceptance on the local stack: orders via the API → ledger → local export → reconcile (and DuckDB agrees). */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duckDbPayablesPerFactory } from '../../bench/duckdb-peer';
import { manifestChecksum, type WrittenExport } from '../../finance/export-layout';
import { exportLocalTables } from '../../finance/local-export';
import { type ReconcileResult, reconcile } from '../../finance/reconcile';
import { pricingRegion } from '../../functions/domain/pricing';
import { seedRuleSet } from '../../functions/domain/rules';
import { api, orderReaches, stack } from './support';

const projectRoot = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
let dir: string;
let exported: WrittenExport[];
let clean: ReconcileResult;
const orderIds: string[] = [];
/** The orders under a C or D term, whose price depends on the destination's region. */
const destinationPriced: { orderId: string; incoterm: 'CIF' | 'DAP'; destination: string }[] = [];

interface Catalogue {
  trademarks: { mark: string; protectedIn: string[]; expires: string }[];
}

const block = { type: 'block', lengthMm: 20, widthMm: 10, thicknessMm: 5 };

/**
 * An order offering exactly the quoted unified price, so the price check passes and the ledger books that price. A
 * quote given the destination prices a C or D term for its region; without one, for the dearest region (so the
 * offer is above the unified price the ledger books).
 */
async function submitPriced(
  lines: { grade: string; coating: string; quantityKg: number }[],
  incoterm: string,
  destination = 'DE',
  quoteDestination?: string,
) {
  const catalogue = (await api<Catalogue>('GET', '/catalogue')).body;
  const mark = catalogue.trademarks.find((t) => t.protectedIn.includes(destination) && t.expires > '2027-03-01');
  const quote = await api<{ lines: { unitPriceUsdPerKg: string }[] }>('POST', '/quotes', {
    lines: lines.map((l) => ({ ...l, shape: block })),
    incoterm,
    requestedShipDate: '2027-03-01',
    ...(quoteDestination ? { destinationCountry: quoteDestination } : {}),
  });
  expect(quote.status).toBe(200);
  const response = await api<{ orderId: string }>('POST', '/orders', {
    buyer: { company: 'Finance Round Trip AG', country: 'DE', contactName: 'Ada Example', email: 'buyer@example.com' },
    destinationCountry: destination,
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
  // A line bigger than any one factory's SH capacity, so it splits, a two-line order, a CIF order to Europe quoted
  // without destination, and a DAP order to Japan (East Asia, the cheapest region) quoted for its destination.
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
  const cif = await submitPriced([{ grade: 'N38M', coating: 'NiCuNi', quantityKg: 1200 }], 'CIF');
  const dap = await submitPriced([{ grade: 'N42', coating: 'Epoxy', quantityKg: 800 }], 'DAP', 'JP', 'JP');
  orderIds.push(cif, dap);
  destinationPriced.push(
    { orderId: cif, incoterm: 'CIF', destination: 'DE' },
    { orderId: dap, incoterm: 'DAP', destination: 'JP' },
  );
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

  it('prices the CIF and DAP orders for their destinations: without the destination the same books do not reconcile', async () => {
    // The data can tell: each term's price to its destination is below the price without one (the dearest region).
    for (const { incoterm, destination } of destinationPriced) {
      const to = pricingRegion(seedRuleSet.priceList, incoterm, destination)?.adderUsdPerKg;
      const none = pricingRegion(seedRuleSet.priceList, incoterm)?.adderUsdPerKg;
      expect(to?.lessThan(none ?? 0)).toBe(true);
    }
    // A copy of the exports whose orders items have lost destinationCountry, manifests kept truthful.
    const copy = join(dir, 'no-destination');
    cpSync(join(dir, 'exports'), copy, { recursive: true });
    const orders = exported[1] as WrittenExport;
    const ours = new Set(destinationPriced.map((o) => `ORDER#${o.orderId}`));
    let stripped = 0;
    const files = orders.files.map((file) => {
      const path = join(copy, file.dataFileS3Key);
      const lines = gunzipSync(readFileSync(path)).toString('utf8').trimEnd().split('\n');
      const edited = lines.map((line) => {
        const item = JSON.parse(line);
        if (item.Item.sk.S !== 'ORDER' || !ours.has(item.Item.pk.S)) return line;
        expect(item.Item.order.M.destinationCountry).toBeDefined();
        delete item.Item.order.M.destinationCountry;
        stripped += 1;
        return JSON.stringify(item);
      });
      const bytes = gzipSync(`${edited.join('\n')}\n`);
      writeFileSync(path, bytes);
      return { ...file, md5Checksum: createHash('md5').update(bytes).digest('base64') };
    });
    expect(stripped).toBe(destinationPriced.length);
    const exportDir = join(copy, relative(join(dir, 'exports'), orders.exportDir));
    const manifestText = files.map((f) => `${JSON.stringify(f)}\n`).join('');
    writeFileSync(join(exportDir, 'manifest-files.json'), manifestText);
    writeFileSync(join(exportDir, 'manifest-files.checksum'), manifestChecksum(manifestText));

    const blind = await reconcile({ source: copy, reportDir: join(dir, 'no-destination-report') });
    const receivables = blind.discrepancies.filter((d) => d.kind === 'receivable');
    expect(receivables.map((d) => d.orderId).sort()).toEqual(destinationPriced.map((o) => o.orderId).sort());
    // Priced for the dearest region, each expects more than the ledger booked for its destination.
    for (const d of receivables) expect(Number(d.expectedUsd)).toBeGreaterThan(Number(d.actualUsd));
  });

  it('agrees with DuckDB read_json on every factory payable, to the cent', async () => {
    const peer = await duckDbPayablesPerFactory(exported[0]?.exportDir ?? '');
    const ours = Object.fromEntries(clean.factories.map((f) => [f.factoryId, f.ledgerUsd]));
    expect(Object.keys(peer).length).toBeGreaterThan(1);
    expect(peer).toEqual(ours);
  });

  it('the CLI exits 0 on the clean export and 1 naming the transaction after one entry is tampered with', async () => {
    const cli = (args: string[]) =>
      run('node', ['scripts/run-bundled.mjs', 'finance/cli.ts', ...args], {
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
