/** The peer check: DuckDB's read_json over a ledger export's gzip files, summing net payables per factory independently of our reader. */
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/** Only the attributes the sum needs; headers (no account) drop out in the WHERE. */
const itemColumns =
  "{Item: 'STRUCT(account STRUCT(S VARCHAR), side STRUCT(S VARCHAR), amountUsd STRUCT(S VARCHAR), factoryId STRUCT(S VARCHAR))'}";

export function payablesPerFactorySql(exportDir: string): string {
  const glob = join(exportDir, 'data', '*.json.gz').replaceAll("'", "''");
  return `SELECT Item.factoryId.S AS factory_id,
       CAST(SUM(CASE WHEN Item.side.S = 'CREDIT' THEN CAST(Item.amountUsd.S AS DECIMAL(18,2))
                     ELSE -CAST(Item.amountUsd.S AS DECIMAL(18,2)) END) AS VARCHAR) AS net_usd,
       COUNT(*) AS entries
FROM read_json('${glob}', format = 'newline_delimited', compression = 'gzip', columns = ${itemColumns})
WHERE Item.account.S = 'factory-payable'
GROUP BY 1 ORDER BY 1`;
}

/** Net payable per factory as exact decimal strings, e.g. { 'M-05': '10794.00' }. */
export async function duckDbPayablesPerFactory(exportDir: string): Promise<Record<string, string>> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(payablesPerFactorySql(exportDir));
    const rows = reader.getRowObjectsJson() as { factory_id: string; net_usd: string }[];
    return Object.fromEntries(rows.map((row) => [row.factory_id, row.net_usd]));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Every line of the export read by DuckDB (for the benchmark's items/s): a count over all columns it detects. */
export async function duckDbCountAll(exportDir: string, threads?: number): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:', threads ? { threads: String(threads) } : {});
  const connection = await instance.connect();
  try {
    const glob = join(exportDir, 'data', '*.json.gz').replaceAll("'", "''");
    const reader = await connection.runAndReadAll(
      `SELECT COUNT(*) AS n FROM read_json('${glob}', format = 'newline_delimited', compression = 'gzip', columns = ${itemColumns})`,
    );
    return Number((reader.getRowObjectsJson()[0] as { n: string | number }).n);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
