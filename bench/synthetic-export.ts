/** A synthetic pair of exports (ledger + orders) that reconcile exactly, built with the real domain builders; for bench and tests. */

import { ExportWriter, marshallItem, type WrittenExport } from '../finance/export-layout';
import { transactionItems } from '../functions/adapters/ledger-store';
import { planAllocation } from '../functions/domain/allocation';
import { allocationTransaction, reversalOf } from '../functions/domain/ledger';
import type { Incoterm, Order } from '../functions/domain/order';
import { ruleVersions, seedRuleSet } from '../functions/domain/rules';
import { seededRandom } from '../infra/local/seeded-random';

export interface SyntheticOptions {
  rootDir: string;
  /** Stop once the ledger export holds at least this many items. */
  ledgerItems: number;
  itemsPerFile?: number;
  gzipLevel?: number;
  /** Every n-th order is cancelled: its posting reversed and its allocations released. */
  cancelEvery?: number;
  seed?: number;
  /** Orders go to these countries in turn (default DE only): C and D terms are priced by the destination's region. */
  destinations?: string[];
  /** Each order's term is drawn from these (default FOB or CIF, half each). */
  incoterms?: Incoterm[];
}

export interface SyntheticExports {
  ledger: WrittenExport;
  orders: WrittenExport;
  orderCount: number;
}

const grades = ['N35', 'N42', 'N38M', 'N40H', 'N42SH', 'N38UH', 'N35EH'];
const coatings = ['NiCuNi', 'Zn', 'Epoxy', 'Ni'];

export async function writeSyntheticExports(options: SyntheticOptions): Promise<SyntheticExports> {
  const rules = seedRuleSet;
  const versions = ruleVersions(rules);
  const next = seededRandom(options.seed ?? 1989);
  const destinations = options.destinations ?? ['DE'];
  const incoterms = options.incoterms ?? ['FOB', 'CIF'];
  const exportTime = new Date();
  const common = {
    rootDir: options.rootDir,
    exportTime,
    ...(options.itemsPerFile ? { itemsPerFile: options.itemsPerFile } : {}),
    ...(options.gzipLevel !== undefined ? { gzipLevel: options.gzipLevel } : {}),
  };
  const ledger = new ExportWriter({
    ...common,
    tableArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/channel-ledger',
  });
  const orders = new ExportWriter({
    ...common,
    tableArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/channel-orders',
  });

  for (const kind of ['catalogue', 'priceList'] as const) {
    const document = rules[kind];
    await orders.write(
      marshallItem({
        pk: `RULES#${kind}`,
        sk: `V#${document.version}`,
        type: 'rules',
        kind,
        version: document.version,
        effectiveFrom: document.effectiveFrom,
        document,
      }),
    );
  }

  const base: Omit<Order, 'lines'> = {
    buyer: { company: 'Synthetic Motors', country: 'DE', contactName: 'Bench', email: 'bench@example.com' },
    destinationCountry: 'DE',
    endUse: { description: 'EV traction motors', military: false },
    trademark: 'UNIMAG 1989',
    incoterm: 'FOB',
    requestedShipDate: '2027-03-01',
  };
  let ledgerItems = 0;
  let orderCount = 0;
  const at = exportTime.toISOString();
  while (ledgerItems < options.ledgerItems) {
    orderCount += 1;
    const orderId = `SYN${String(orderCount).padStart(9, '0')}`;
    const lineCount = 1 + Math.floor(next() * 3);
    const order: Order = {
      ...base,
      destinationCountry: destinations[orderCount % destinations.length] ?? 'DE',
      incoterm: incoterms[Math.floor(next() * incoterms.length)] ?? 'FOB',
      lines: Array.from({ length: lineCount }, () => ({
        grade: grades[Math.floor(next() * grades.length)] ?? 'N35',
        shape: { type: 'block' as const, lengthMm: 20, widthMm: 10, thicknessMm: 5 },
        coating: coatings[Math.floor(next() * coatings.length)] ?? 'NiCuNi',
        quantityKg: 100 + Math.floor(next() * 4900),
        offeredUnitPriceUsdPerKg: '999.00',
      })),
    };
    // Random load on the factories, so lines split across different factories from order to order.
    const load = Math.floor(next() * 40_000);
    const plan = planAllocation(
      order,
      rules,
      (cell) => (cell.factoryId.charCodeAt(cell.factoryId.length - 1) * load) % 30_000,
    );
    if (plan.outcome !== 'ALLOCATED') continue;
    const cancelled = options.cancelEvery !== undefined && orderCount % options.cancelEvery === 0;
    const allocations = plan.allocations.map((a, i) => ({ ...a, allocationId: `${orderId}-A${i}` }));
    const posting = allocationTransaction(orderId, order, allocations, rules, at);
    const transactions = cancelled ? [posting, reversalOf(posting, at, 'order cancelled')] : [posting];

    await orders.write(
      marshallItem({
        pk: `ORDER#${orderId}`,
        sk: 'ORDER',
        type: 'order',
        orderId,
        status: cancelled ? 'CANCELLED' : 'ALLOCATED',
        submittedAt: at,
        updatedAt: at,
        order,
        rules: versions,
        history: [{ at, status: 'RECEIVED' }],
      }),
    );
    for (const a of allocations) {
      await orders.write(
        marshallItem({
          pk: `ORDER#${orderId}`,
          sk: `ALLOC#${a.allocationId}`,
          type: 'allocation',
          ...a,
          orderId,
          status: cancelled ? 'RELEASED' : 'NOTIFIED',
          reservedAt: at,
        }),
      );
    }
    for (const tx of transactions) {
      for (const item of transactionItems(tx)) {
        await ledger.write(marshallItem(item));
        ledgerItems += 1;
      }
    }
  }
  return { ledger: await ledger.finish(), orders: await orders.finish(), orderCount };
}
