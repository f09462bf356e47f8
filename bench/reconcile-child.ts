/** One reconcile in its own process, so its peak RSS is its own; prints a JSON line for bench/reconcile.ts. */
import { reconcile } from '../finance/reconcile';

const [source, reportDir] = process.argv.slice(2);
if (!source || !reportDir) throw new Error('usage: reconcile-child <source> <reportDir>');
const started = process.hrtime.bigint();
const result = await reconcile({ source, reportDir, progress: (line) => process.stderr.write(`${line}\n`) });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(
  `${JSON.stringify({
    items: result.itemsRead,
    ledgerItems: result.ledgerExport.summary.itemCount,
    seconds,
    discrepancies: result.discrepancyCount,
    factories: Object.fromEntries(result.factories.map((f) => [f.factoryId, f.ledgerUsd])),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
