/** `npm run finance -- export|reconcile …`: the finance units' tools over DynamoDB exports. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ExportInputError, reconcile } from './reconcile';

const usage = `Usage:
  npm run finance -- export [--out dir] [--endpoint url] [--tables channel-ledger,channel-orders]
      Scans DynamoDB Local and writes each table in ExportTableToPointInTime's layout under <out>/AWSDynamoDB/<id>/.
  npm run finance -- reconcile <dir | s3://bucket/prefix> [--report dir] [--ledger-export id] [--orders-export id]
      Verifies the latest ledger and orders exports found there and writes reconcile.csv, factories.csv and
      report.html. Exit 0: books reconcile; 1: discrepancies (listed); 2: bad input (file and line named).`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'export') {
    const { values } = parseArgs({
      args: rest,
      options: {
        out: { type: 'string', default: '.local/exports' },
        endpoint: { type: 'string', default: process.env.AWS_ENDPOINT_URL_DYNAMODB ?? 'http://127.0.0.1:8000' },
        tables: { type: 'string', default: 'channel-ledger,channel-orders' },
        'items-per-file': { type: 'string' },
      },
    });
    // Imported here: the DynamoDB client is memory a reconcile does not need.
    const { exportLocalTables } = await import('./local-export');
    const written = await exportLocalTables({
      endpoint: values.endpoint,
      region: process.env.AWS_REGION ?? 'us-east-1',
      tables: values.tables.split(',').filter(Boolean),
      outDir: resolve(values.out),
      ...(values['items-per-file'] ? { itemsPerFile: Number(values['items-per-file']) } : {}),
    });
    for (const e of written) {
      process.stdout.write(`${e.summary.tableArn}: ${e.summary.itemCount} items → ${e.exportDir}\n`);
    }
    return 0;
  }
  if (command === 'reconcile') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        report: { type: 'string', default: 'reconcile-report' },
        'ledger-export': { type: 'string' },
        'orders-export': { type: 'string' },
        quiet: { type: 'boolean', default: false },
      },
    });
    const source = positionals[0];
    if (!source) {
      process.stderr.write(`${usage}\n`);
      return 2;
    }
    try {
      const result = await reconcile({
        source,
        reportDir: resolve(values.report),
        ...(values['ledger-export'] ? { ledgerExportId: values['ledger-export'] } : {}),
        ...(values['orders-export'] ? { ordersExportId: values['orders-export'] } : {}),
        progress: values.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
      });
      process.stdout.write(`${result.summaryLine}\nreport: ${result.reportFiles.join(', ')}\n`);
      return result.discrepancyCount === 0 ? 0 : 1;
    } catch (error) {
      if (error instanceof ExportInputError) {
        process.stderr.write(`reconcile FAILED, bad input: ${error.message}\n`);
        return 2;
      }
      throw error;
    }
  }
  process.stderr.write(`${usage}\n`);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
