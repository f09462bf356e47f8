/**
 * `npm run bench:reconcile [-- --items 1000000 --dir .local/bench-export --rounds 3]`: reconcile a synthetic export and
 * read the same ledger files with DuckDB's read_json in the same run; report items/s and peak RSS of each (separate
 * processes). The two alternate for `--rounds` rounds, and the ratio reported is the median of the rounds' ratios: on
 * this shared machine one pair can differ by ±10 % from the next. Targets: reconcile at least DuckDB's rate, at most
 * 256 MB RSS. Not a test: the figures go to bench/RESULTS-reconcile.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openSource } from '../finance/export-source';
import { findExports } from '../finance/read-export';
import { median } from './stats';
import { writeSyntheticExports } from './synthetic-export';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '1000000' },
    dir: { type: 'string', default: '.local/bench-export' },
    fresh: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
  },
});
const root = resolve(values.dir);
const ledgerItems = Number(values.items);
const projectRoot = resolve(import.meta.dirname, '..');

if (values.fresh) rmSync(root, { recursive: true, force: true });
if (!existsSync(root)) {
  const started = Date.now();
  process.stderr.write(`generating ${ledgerItems.toLocaleString('en')} ledger items under ${root} …\n`);
  const written = await writeSyntheticExports({ rootDir: root, ledgerItems, itemsPerFile: 100_000, cancelEvery: 20 });
  process.stderr.write(
    `generated ${written.ledger.summary.itemCount} ledger + ${written.orders.summary.itemCount} orders items (${written.orderCount} orders) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
}
const exports = await findExports(openSource(root));
const ledger = exports.find((e) => e.tableName.includes('ledger'));
if (!ledger) throw new Error(`no ledger export under ${root}`);

/** Both children run as `npm run finance` does: bundled to plain JS first (scripts/run-bundled.mjs), not under tsx. */
function child(script: string, args: string[]) {
  const out = execFileSync('node', ['scripts/run-bundled.mjs', join('bench', script), ...args], {
    cwd: projectRoot,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(out.toString().trim().split('\n').pop() ?? '{}');
}

interface Child {
  seconds: number;
  maxRssMb: number;
  factories: Record<string, string>;
}
interface Ours extends Child {
  items: number;
  ledgerItems: number;
  discrepancies: number;
}

const rounds = Math.max(1, Number(values.rounds));
const loadBefore = loadavg()[0] ?? 0;
const runs: { ours: Ours; duck: Child; ratio: number }[] = [];
for (let round = 0; round < rounds; round++) {
  const ours: Ours = child('reconcile-child.ts', [root, join(root, '..', 'bench-report')]);
  const duck: Child = child('duckdb-child.ts', [join(root, ledger.dirKey)]);
  const ratio = ours.items / ours.seconds / (ledger.summary.itemCount / duck.seconds);
  runs.push({ ours, duck, ratio });
  process.stderr.write(
    `round ${round + 1}: reconcile ${ours.seconds.toFixed(2)} s (${ours.maxRssMb.toFixed(0)} MB), DuckDB ${duck.seconds.toFixed(2)} s, ratio ${ratio.toFixed(2)}\n`,
  );
}
const loadAfter = loadavg()[0] ?? 0;
// The round whose ratio is the median (the lower middle one for an even count, as bench/stats.ts takes it).
const medianRatio = median(runs.map((run) => run.ratio));
const { ours, duck, ratio } = runs.find((run) => run.ratio === medianRatio) ?? (runs[0] as (typeof runs)[number]);
const oursRate = ours.items / ours.seconds;
const oursLedgerRate = ours.ledgerItems / ours.seconds;
const duckRate = ledger.summary.itemCount / duck.seconds;
const agree = runs.every((run) => JSON.stringify(run.ours.factories) === JSON.stringify(run.duck.factories));
const maxRss = Math.max(...runs.map((run) => run.ours.maxRssMb));
const discrepancies = Math.max(...runs.map((run) => run.ours.discrepancies));

const lines = [
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
  `export: ${ledger.summary.itemCount} ledger items; reconcile also read the orders export (${ours.items - ours.ledgerItems} items)`,
  `rounds: ${runs.map((run) => `${run.ours.seconds.toFixed(2)}/${run.duck.seconds.toFixed(2)} s = ${run.ratio.toFixed(2)}`).join('; ')} (reconcile/DuckDB)`,
  `median round — reconcile: ${ours.seconds.toFixed(2)} s, ${Math.round(oursRate).toLocaleString('en')} items/s over all items read (${Math.round(oursLedgerRate).toLocaleString('en')} ledger items/s), ${discrepancies} discrepancies`,
  `median round — duckdb read_json (per-factory SUM over the ledger files): ${duck.seconds.toFixed(2)} s, ${Math.round(duckRate).toLocaleString('en')} items/s, peak RSS ${duck.maxRssMb.toFixed(0)} MB`,
  `reconcile peak RSS, highest of the rounds: ${maxRss.toFixed(0)} MB`,
  `per-factory totals agree: ${agree}`,
  `ratio (reconcile items/s ÷ DuckDB items/s, median of ${runs.length} rounds): ${ratio.toFixed(2)}; 1-min load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`,
  `targets: rate ≥ DuckDB's: ${ratio >= 1 ? 'met' : 'NOT met'}; RSS ≤ 256 MB: ${maxRss <= 256 ? 'met' : 'NOT met'}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
