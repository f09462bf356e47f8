/** The reconcile report: discrepancies and per-factory totals as CSV, and one self-contained HTML page (inline SVG, no script). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Discrepancy, FactoryTotal, ReconcileResult } from './reconcile';

type ReportInput = Omit<ReconcileResult, 'reportFiles'> & { listedLimit: number };

const discrepancyColumns = [
  'kind',
  'subject',
  'orderId',
  'factoryId',
  'transactionId',
  'where',
  'expectedUsd',
  'actualUsd',
  'message',
] as const satisfies readonly (keyof Discrepancy)[];

export function writeReport(dir: string, result: ReportInput): string[] {
  mkdirSync(dir, { recursive: true });
  const files = {
    discrepancies: join(dir, 'reconcile.csv'),
    factories: join(dir, 'factories.csv'),
    html: join(dir, 'report.html'),
  };
  writeFileSync(
    files.discrepancies,
    csv(
      discrepancyColumns,
      result.discrepancies.map((d) => discrepancyColumns.map((c) => String(d[c] ?? ''))),
    ),
  );
  writeFileSync(
    files.factories,
    csv(
      ['factoryId', 'ledgerUsd', 'expectedUsd', 'differenceUsd'],
      result.factories.map((f) => [f.factoryId, f.ledgerUsd, f.expectedUsd, f.differenceUsd]),
    ),
  );
  writeFileSync(files.html, html(result));
  return Object.values(files);
}

/** RFC 4180: quote every field that holds a comma, quote or line break; a leading =+-@ is defused for spreadsheets. */
function csv(header: readonly string[], rows: string[][]): string {
  const field = (value: string) => {
    const safe = /^[=+@]/.test(value) ? `'${value}` : value;
    return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  };
  return [header, ...rows]
    .map((row) => row.map(field).join(','))
    .join('\r\n')
    .concat('\r\n');
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Grouped bars per factory: the ledger's payable beside what the allocations make; a mismatch is drawn in red. */
function factoryChart(factories: FactoryTotal[]): string {
  if (factories.length === 0) return '<p>No factory payables in this export.</p>';
  const rowHeight = 34;
  const labelWidth = 190;
  const barWidth = 520;
  const width = labelWidth + barWidth + 150;
  const height = factories.length * rowHeight + 30;
  // Bar lengths only; every amount shown is the exact decimal string.
  const max = Math.max(
    ...factories.flatMap((f) => [Math.abs(Number(f.ledgerUsd)), Math.abs(Number(f.expectedUsd))]),
    1,
  );
  const bars = factories
    .map((f, i) => {
      const y = 20 + i * rowHeight;
      const ledger = (Math.abs(Number(f.ledgerUsd)) / max) * barWidth;
      const expected = (Math.abs(Number(f.expectedUsd)) / max) * barWidth;
      const off = f.differenceUsd !== '0.00';
      return `<g>
  <text x="${labelWidth - 8}" y="${y + 14}" text-anchor="end">${escapeHtml(f.factoryId)}</text>
  <rect x="${labelWidth}" y="${y}" width="${ledger.toFixed(1)}" height="12" fill="${off ? '#b3261e' : '#1f5fa8'}"><title>ledger ${escapeHtml(f.ledgerUsd)} USD</title></rect>
  <rect x="${labelWidth}" y="${y + 14}" width="${expected.toFixed(1)}" height="12" fill="#8aa9cf"><title>allocations ${escapeHtml(f.expectedUsd)} USD</title></rect>
  <text x="${labelWidth + Math.max(ledger, expected) + 6}" y="${y + 18}">${escapeHtml(f.ledgerUsd)}${off ? ` (Δ ${escapeHtml(f.differenceUsd)})` : ''}</text>
</g>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-title" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">
<title id="chart-title">Payable per factory: ledger (dark) against allocations × transfer price (light), USD</title>
${bars}
</svg>`;
}

function html(result: ReportInput): string {
  const ok = result.discrepancyCount === 0;
  const rows = result.discrepancies
    .map((d) => `<tr>${discrepancyColumns.map((c) => `<td>${escapeHtml(String(d[c] ?? ''))}</td>`).join('')}</tr>`)
    .join('\n');
  const factoryRows = result.factories
    .map(
      (f) =>
        `<tr${f.differenceUsd !== '0.00' ? ' class="off"' : ''}><td>${escapeHtml(f.factoryId)}</td><td class="n">${f.ledgerUsd}</td><td class="n">${f.expectedUsd}</td><td class="n">${f.differenceUsd}</td></tr>`,
    )
    .join('\n');
  const more =
    result.discrepancyCount > result.discrepancies.length
      ? `<p>Showing the first ${result.discrepancies.length} of ${result.discrepancyCount} discrepancies.</p>`
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Ledger reconciliation: ${ok ? 'reconciled' : `${result.discrepancyCount} discrepancies`}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1b1b; }
.status { padding: .6rem 1rem; border-radius: 4px; font-weight: 600; }
.ok { background: #e3f1e6; color: #14532d; } .bad { background: #fbe3e1; color: #7f1d1d; }
table { border-collapse: collapse; margin: 1rem 0; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } tr.off td { background: #fbe3e1; }
svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>Ledger reconciliation</h1>
<p class="status ${ok ? 'ok' : 'bad'}">${escapeHtml(result.summaryLine)}</p>
<ul>
<li>Ledger export ${escapeHtml(result.ledgerExport.exportId)} of ${escapeHtml(result.ledgerExport.tableName)}, taken ${escapeHtml(result.ledgerExport.summary.exportTime)}</li>
<li>Orders export ${escapeHtml(result.ordersExport.exportId)} of ${escapeHtml(result.ordersExport.tableName)}, taken ${escapeHtml(result.ordersExport.summary.exportTime)}</li>
<li>${result.itemsRead} items read, ${result.transactions} transactions, ${result.ordersChecked} orders checked</li>
</ul>
<h2>Payable per factory</h2>
${factoryChart(result.factories)}
<table>
<thead><tr><th>Factory</th><th>Ledger (USD)</th><th>Allocations × transfer price (USD)</th><th>Difference</th></tr></thead>
<tbody>
${factoryRows}
</tbody>
</table>
<h2>Discrepancies (${result.discrepancyCount})</h2>
${more}
${
  ok
    ? '<p>None.</p>'
    : `<table>
<thead><tr>${discrepancyColumns.map((c) => `<th>${c}</th>`).join('')}</tr></thead>
<tbody>
${rows}
</tbody>
</table>`
}
</body>
</html>
`;
}
