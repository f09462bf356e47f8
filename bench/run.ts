/** `npm run bench [-- --quick]`: every performance figure of the channel, measured side by side, written to bench/RESULTS.md. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../infra/local/stack';
import { measureBundles } from './bundles';
import { apiLatency, instrumentDynamoDb, orderCost, rawWriteRate, routeLatency, throughput } from './channel';
import { npmTestSeconds, startToReadyMs } from './devloop';
import { lambdaAssumption, priceSource, prices } from './prices';
import { round } from './stats';

const quick = process.argv.includes('--quick');
const scale = quick ? 1 : 4;
const resultsFile = join(import.meta.dirname, 'RESULTS.md');

interface Row {
  figure: string;
  value: string;
  target: string;
  met: boolean | null;
}
const rows: Row[] = [];
const notes: string[] = [];
const row = (figure: string, value: string, target: string, met: boolean | null) => {
  rows.push({ figure, value, target, met });
  console.log(`${figure}: ${value} (target ${target}) ${met === null ? '' : met ? 'met' : 'MISSED'}`);
};

function benchOrder(unitPrice: string) {
  return (i: number) => ({
    buyer: { company: `Bench Buyer ${i}`, country: 'DE', contactName: 'Bench', email: 'bench@example.com' },
    destinationCountry: 'DE',
    endUse: { description: 'benchmark', military: false },
    trademark: 'UNIMAG 1989',
    incoterm: 'FOB',
    // Spread over twelve ship months so capacity is not what the figures measure.
    requestedShipDate: `2027-${String((i % 12) + 1).padStart(2, '0')}-15`,
    lines: [
      {
        grade: 'N35',
        shape: { type: 'block', lengthMm: 20, widthMm: 10, thicknessMm: 5 },
        coating: 'NiCuNi',
        quantityKg: 100,
        offeredUnitPriceUsdPerKg: unitPrice,
      },
    ],
  });
}

async function main() {
  const startedAt = new Date();
  const stack = await startLocalStack({ ports: { http: 0, dynamodb: 0, stepFunctions: 0, ses: 0, eventBridge: 0 } });
  try {
    const counter = await instrumentDynamoDb();
    const api = stack.urls.api.replace('localhost', '127.0.0.1');
    const quoteResponse = await fetch(`${api}/quotes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        incoterm: 'FOB',
        requestedShipDate: '2027-01-15',
        lines: [
          {
            grade: 'N35',
            shape: { type: 'block', lengthMm: 20, widthMm: 10, thicknessMm: 5 },
            coating: 'NiCuNi',
            quantityKg: 100,
          },
        ],
      }),
    });
    const unitPrice = ((await quoteResponse.json()) as { lines: { unitPriceUsdPerKg: string }[] }).lines[0]
      ?.unitPriceUsdPerKg;
    if (!unitPrice) throw new Error('no quote for the bench order');
    const order = benchOrder(unitPrice);

    // Warm the handlers and the JVM once so no figure pays for a cold start.
    await routeLatency(stack, order, 4, 2);

    // 5. Cost per order (first, on a quiet stack, one order at a time).
    const cost = await orderCost(stack, counter, order, 5 * scale);
    const eventsBefore = stack.events().length;
    await orderCost(stack, counter, order, 2);
    const eventsPerOrder = (stack.events().length - eventsBefore) / 2;

    // 1. Throughput against DynamoDB Local's raw write rate, in the same run.
    const writesPerOrder = cost.writesPerOrder;
    for (const concurrency of [1, 8, 16, 32]) {
      const orders = Math.max(8, concurrency * 2) * scale;
      const t = await throughput(stack, order, orders, concurrency);
      const raw = await rawWriteRate(stack, stack.env.ORDERS_TABLE ?? 'channel-orders', 400 * scale, concurrency);
      const ratio = t.ordersPerSecond / (raw.writesPerSecond / writesPerOrder);
      row(
        `Throughput at concurrency ${concurrency}`,
        `${t.ordersPerSecond} orders/s (${orders} orders); DynamoDB Local ${raw.writesPerSecond} writes/s; ratio ${round(ratio)}`,
        concurrency === 16 ? 'ratio ≥ 0.7' : '—',
        concurrency === 16 ? ratio >= 0.7 : null,
      );
    }
    row('DynamoDB writes per order', `${writesPerOrder}`, '—', null);

    // 2. API latency at a fixed arrival rate.
    const latency = await apiLatency(stack, order, 20, quick ? 5 : 20);
    row(
      'POST /api/orders → 202 at 20 req/s',
      `p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms (${latency.requests} requests)`,
      'p99 ≤ 50 ms',
      latency.p99Ms <= 50,
    );
    await stack.idle();

    // 3. Route latency.
    const route = await routeLatency(stack, order, 16 * scale, 8);
    row(
      'Submit → route end at concurrency 8',
      `p50 ${route.p50Ms} ms, p99 ${route.p99Ms} ms (${route.orders} orders)`,
      'p50 ≤ 300 ms, p99 ≤ 1 s',
      route.p50Ms <= 300 && route.p99Ms <= 1000,
    );

    // 5. (cont.) cost figures.
    const invocationsPerOrder = 1 + 5 + (cost.emailsPerOrder || 1);
    const costPer1000 =
      1000 *
      (cost.transitionsPerOrder * prices.stepFunctionsPerTransition +
        invocationsPerOrder * prices.lambdaPerRequest +
        invocationsPerOrder *
          (lambdaAssumption.averageMs / 1000) *
          lambdaAssumption.memoryGb *
          prices.lambdaPerGbSecond +
        cost.writeUnitsPerOrder * prices.dynamoPerWriteUnit +
        cost.readUnitsPerOrder * prices.dynamoPerReadUnit +
        prices.apiGatewayRestPerRequest +
        cost.emailsPerOrder * prices.sesPerEmail +
        eventsPerOrder * prices.eventBridgePerEvent);
    row('State transitions per allocated order', `${cost.transitionsPerOrder}`, '≤ 14', cost.transitionsPerOrder <= 14);
    row(
      'DynamoDB units per order',
      `${cost.writeUnitsPerOrder} write, ${cost.readUnitsPerOrder} read (${cost.writesPerOrder} write requests)`,
      '≤ 12 write units',
      cost.writeUnitsPerOrder <= 12,
    );
    row('E-mails and events per order', `${cost.emailsPerOrder} e-mails, ${eventsPerOrder} events`, '—', null);
    row('Cost per 1,000 orders', `$${costPer1000.toFixed(3)}`, '≤ $0.45', costPer1000 <= 0.45);
    notes.push(
      `Cost: ${priceSource} Lambda duration is assumed (${lambdaAssumption.averageMs} ms at ${lambdaAssumption.memoryGb * 1024} MB per invocation, ${invocationsPerOrder} invocations per order); everything else is counted from the run.`,
    );
  } finally {
    await stack.stop();
  }

  // 4. Lambda weight (no stack needed).
  const bundles = await measureBundles(quick ? 3 : 7);
  const largest = [...bundles.figures].sort((a, b) => b.bytes - a.bytes);
  for (const figure of largest) {
    row(
      `Bundle ${figure.name}`,
      `${round(figure.bytes / 1024, 1)} KB; init ${figure.initMs} ms = ${round(figure.initMs / bundles.bareInitMs)}× bare; largest: ${figure.top.map((t) => `${t.input} ${round(t.bytes / 1024)} KB`).join(', ')}`,
      '≤ 300 KB; init ≤ 2× bare',
      figure.bytes <= 300 * 1024 && figure.initMs <= 2 * bundles.bareInitMs,
    );
  }
  notes.push(
    `Bare handler (same bundling) initialises in ${bundles.bareInitMs} ms (median, interleaved with the others).`,
  );

  // 7. Developer loop.
  const ready = await startToReadyMs();
  row('`npm start` to ready (fresh data folder)', `${ready} ms`, '≤ 5 s', ready <= 5000);
  if (!quick) {
    const testSeconds = await npmTestSeconds();
    row('`npm test` wall time', `${testSeconds} s`, '≤ 4 min', testSeconds <= 240);
  } else {
    notes.push('`npm test` wall time is measured only in the full run (`npm run bench`).');
  }

  const reconcile = join(import.meta.dirname, 'RESULTS-reconcile.md');
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${round(totalmem() / 2 ** 30, 1)} GiB, Node ${process.versions.node}`;
  const text = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${startedAt.toISOString()} (${quick ? 'quick' : 'full'} run).`,
    `Machine: ${machine}. The machine is shared and noisy: compare the ratios measured in the same run; absolute figures are context.`,
    '',
    '| Figure | Measured | Target | Met |',
    '|---|---|---|---|',
    ...rows.map(
      (r) => `| ${r.figure} | ${r.value} | ${r.target} | ${r.met === null ? '—' : r.met ? 'yes' : '**no**'} |`,
    ),
    '',
    ...notes.map((n) => `- ${n}`),
    '',
    existsSync(reconcile) ? `Reconcile: see [RESULTS-reconcile.md](RESULTS-reconcile.md).\n` : '',
    '## Where the time goes where a target is missed',
    '',
    readExistingAnalysis(),
  ].join('\n');
  writeFileSync(resultsFile, text);
  console.log(`wrote ${resultsFile}`);
}

/** The analysis section is written by people from profiles; a run keeps it. */
function readExistingAnalysis(): string {
  if (!existsSync(resultsFile)) return '(no analysis yet)\n';
  const text = readFileSync(resultsFile, 'utf8');
  const marker = '## Where the time goes where a target is missed';
  const at = text.indexOf(marker);
  return at < 0 ? '(no analysis yet)\n' : text.slice(at + marker.length).trimStart();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
