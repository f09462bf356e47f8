/** The rules tool (`npm run rules`) against DynamoDB Local: load refuses bad documents by field path, show, diff. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import priceListJson from '../../functions/domain/reference/price-list.json' with { type: 'json' };
import type { RulesCommandIo } from '../../scripts/rules-command';
import { stack } from './support';

let run: (argv: string[]) => Promise<{ code: number; out: string[]; err: string[] }>;
const dir = mkdtempSync(join(tmpdir(), 'rules-cli-'));
const seedVersion = priceListJson.version;
// Far in the future, so the documents loaded here never decide an order other tests submit today.
const future = '2099-01-01';

function file(name: string, document: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(document));
  return path;
}

beforeAll(async () => {
  // The same environment the CLI entry point sets, pointed at this suite's DynamoDB Local, before the SDK loads.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: stack().dynamodb,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  const { createRulesStore } = await import('../../functions/adapters/rules-store');
  const { runRulesCommand } = await import('../../scripts/rules-command');
  const store = createRulesStore(stack().ordersTable);
  run = async (argv) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: RulesCommandIo = { store, out: (l) => out.push(l), err: (l) => err.push(l), today: '2026-06-01' };
    return { code: await runRulesCommand(argv, io), out, err };
  };
});

const shownVersion = (out: string[]) => /: (\S+) \(from/.exec(out[0] ?? '')?.[1];

describe('npm run rules', () => {
  it('refuses an invalid document, naming the bad field, and leaves the version in force unchanged', async () => {
    const bad = structuredClone(priceListJson) as Record<string, unknown> & typeof priceListJson;
    bad.version = 'prices-bad-1';
    bad.effectiveFrom = '2026-01-02';
    bad.volumeTiers[1] = { minKg: 500, discountPercent: 'five' };
    const result = await run(['load', file('bad.json', bad)]);
    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toContain('/volumeTiers/1/discountPercent');
    expect(result.err[0]).toContain('nothing was stored');

    const shown = await run(['show', 'priceList', '--on', '2026-06-01']);
    expect(shown.code).toBe(0);
    expect(shownVersion(shown.out)).toBe(seedVersion);
  });

  it('refuses a document valid alone but inconsistent with the rules in force with it', async () => {
    const { Zn: _zn, ...otherAdders } = priceListJson.coatingAdderPercent;
    const incomplete = {
      ...priceListJson,
      version: 'prices-no-zn',
      effectiveFrom: future,
      coatingAdderPercent: otherAdders,
    };
    const result = await run(['load', file('no-zn.json', incomplete)]);
    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toContain('no price adder for coating Zn');
    expect((await run(['diff', 'priceList', seedVersion, 'prices-no-zn'])).code).toBe(1);
  });

  it('loads a new version that supersedes from its effective date, shows by date and diffs readably', async () => {
    const next = { ...structuredClone(priceListJson), version: 'prices-2099.1', effectiveFrom: future };
    next.basePrice = { ...next.basePrice, usdPerKg: '22.50' };
    next.volumeTiers = [...next.volumeTiers, { minKg: 50000, discountPercent: '25' }];
    const loaded = await run(['load', file('next.json', next)]);
    expect(loaded.err).toEqual([]);
    expect(loaded.code).toBe(0);

    expect(shownVersion((await run(['show', 'priceList', '--on', '2098-12-31'])).out)).toBe(seedVersion);
    expect(shownVersion((await run(['show', 'priceList', '--on', future])).out)).toBe('prices-2099.1');

    const diff = await run(['diff', 'priceList', seedVersion, 'prices-2099.1']);
    expect(diff.code).toBe(0);
    expect(diff.out).toEqual(
      expect.arrayContaining([
        `~ /version: "${seedVersion}" → "prices-2099.1"`,
        '~ /basePrice/usdPerKg: "21.00" → "22.50"',
        '+ /volumeTiers[50000]: {"minKg":50000,"discountPercent":"25"}',
      ]),
    );

    // Loading the same file again changes nothing; the same version with other content is refused.
    expect((await run(['load', file('next.json', next)])).code).toBe(0);
    const altered = await run(['load', file('altered.json', { ...next, currency: 'USD', energyStepPercent: '8' })]);
    expect(altered.code).toBe(1);
    expect(altered.err[0]).toContain('versions are immutable');
  });

  it('answers a usage error for an unknown kind or command', async () => {
    expect((await run(['show', 'prices'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
  });
});
