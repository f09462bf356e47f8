/** DuckDB's read_json over the same ledger files in its own process (own peak RSS); prints a JSON line. */
import { duckDbPayablesPerFactory } from './duckdb-peer';

const [exportDir] = process.argv.slice(2);
if (!exportDir) throw new Error('usage: duckdb-child <ledger export dir>');
const started = process.hrtime.bigint();
const factories = await duckDbPayablesPerFactory(exportDir);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(`${JSON.stringify({ seconds, factories, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
