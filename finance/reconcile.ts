/** `finance reconcile`: proves a ledger export complete and balanced, and its receivables and payables equal to the orders'. */
import { rmSync } from 'node:fs';
import { ledgerAccounts } from '../functions/domain/ledger';
import { formatUsd } from '../functions/domain/money';
import { pricingRegion, transferUnitPrice, unifiedUnitPrice, volumeDiscountPercent } from '../functions/domain/pricing';
import { catalogueDocumentSchema, priceListSchema, type RuleSet } from '../functions/domain/rules';
import { type ExportSource, openSource } from './export-source';
import {
  dataFileKey,
  ExportInputError,
  type FoundExport,
  findExports,
  readManifestFiles,
  streamItems,
} from './read-export';
import { writeReport } from './report';

export { ExportInputError };

/**
 * Which allocations a factory is owed for: allocations still standing (RESERVED, NOTIFIED or ACCEPTED — not DECLINED,
 * not RELEASED) of orders whose status is ALLOCATED or CONFIRMED, each at its quantityKg × transferUnitPriceUsdPerKg.
 * Every other order must net to zero in the ledger (its postings reversed, or never made).
 */
export const payableAllocationStatuses = ['RESERVED', 'NOTIFIED', 'ACCEPTED'] as const;
export const bookedOrderStatuses = ['ALLOCATED', 'CONFIRMED'] as const;

/** The report keeps this many discrepancies in memory and on paper; the count beyond it is still exact. */
const MAX_LISTED = 10_000;

export type DiscrepancyKind =
  | 'unbalanced'
  | 'header-mismatch'
  | 'missing-entry'
  | 'orphan-entry'
  | 'orphan-transaction'
  | 'orphan-reversal'
  | 'malformed-entry'
  | 'receivable'
  | 'payable-order'
  | 'payable-factory'
  | 'transfer-price'
  | 'unpriceable-order';

export interface Discrepancy {
  kind: DiscrepancyKind;
  subject: string;
  orderId?: string;
  factoryId?: string;
  transactionId?: string;
  where?: string;
  expectedUsd?: string;
  actualUsd?: string;
  message: string;
}

export interface FactoryTotal {
  factoryId: string;
  /** Net payable in the ledger: credits less debits on factory-payable. */
  ledgerUsd: string;
  /** Σ standing allocations of booked orders × transfer price, from the orders export. */
  expectedUsd: string;
  differenceUsd: string;
}

export interface ReconcileOptions {
  source: string | ExportSource;
  reportDir: string;
  ledgerExportId?: string;
  ordersExportId?: string;
  progress?: ((line: string) => void) | undefined;
}

export interface ReconcileResult {
  ledgerExport: FoundExport;
  ordersExport: FoundExport;
  itemsRead: number;
  transactions: number;
  ordersChecked: number;
  discrepancyCount: number;
  discrepancies: Discrepancy[];
  factories: FactoryTotal[];
  summaryLine: string;
  reportFiles: string[];
}

// ── state kept per order and per transaction: small, fixed-size records, so memory grows with their number only ──

interface AllocationFact {
  allocationId: string;
  factoryId: string;
  lineIndex: number;
  quantityKg: number;
  cents: bigint;
  transferUnitPriceUsdPerKg: string;
  status: string;
}

interface OrderState {
  orderId: string;
  seen: boolean;
  status?: string;
  lines?: { grade: string; coating: string; quantityKg: number }[];
  incoterm?: string;
  /** C and D terms are priced by the destination's region (price list destinationPricing). */
  destinationCountry?: string;
  catalogueVersion?: string;
  priceListVersion?: string;
  allocations?: AllocationFact[];
  ledgerReceivable: bigint;
  ledgerPayable: bigint;
  postings: number;
}

interface TxState {
  order: OrderState;
  header: boolean;
  kind?: string;
  entryCount: number;
  /** Bitmap of entry indexes seen, 4 × 30 bits (entries per transaction ≤ 99). */
  seen: [number, number, number, number];
  entries: number;
  maxIndex: number;
  debit: bigint;
  credit: bigint;
  headerDebit?: bigint;
  headerCredit?: bigint;
  reverses?: string;
  file: number;
  line: number;
}

const centsPattern = /^(\d{1,13})\.(\d{2})$/;
function toCents(amount: unknown): bigint | undefined {
  if (typeof amount !== 'string') return undefined;
  const match = centsPattern.exec(amount);
  return match ? BigInt(`${match[1]}${match[2]}`) : undefined;
}
function centsToUsd(cents: bigint): string {
  const negative = cents < 0n;
  const abs = (negative ? -cents : cents).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${abs.slice(0, -2)}.${abs.slice(-2)}`;
}

export async function reconcile(options: ReconcileOptions): Promise<ReconcileResult> {
  const source = typeof options.source === 'string' ? openSource(options.source) : options.source;
  const exports = await findExports(source);
  const ledgerExport = pick(exports, 'ledger', options.ledgerExportId, source);
  const ordersExport = pick(exports, 'orders', options.ordersExportId, source);

  const discrepancies: Discrepancy[] = [];
  let discrepancyCount = 0;
  const flag = (d: Discrepancy) => {
    discrepancyCount += 1;
    if (discrepancies.length < MAX_LISTED) discrepancies.push(d);
  };

  const orders = new Map<string, OrderState>();
  const orderState = (orderId: string): OrderState => {
    let state = orders.get(orderId);
    if (!state) {
      state = { orderId, seen: false, ledgerReceivable: 0n, ledgerPayable: 0n, postings: 0 };
      orders.set(orderId, state);
    }
    return state;
  };
  const rules = { catalogue: new Map<string, unknown>(), priceList: new Map<string, unknown>() };
  const otherKeys = new Set<string>();
  const txs = new Map<string, TxState>();
  const ledgerByFactory = new Map<string, bigint>();

  const ordersFiles = await readManifestFiles(source, ordersExport);
  const ledgerFiles = await readManifestFiles(source, ledgerExport);
  const fileNames = {
    orders: ordersFiles.map((f) => source.nameOf(dataFileKey(ordersExport, f))),
    ledger: ledgerFiles.map((f) => source.nameOf(dataFileKey(ledgerExport, f))),
  };
  const where = (exportName: 'ledger' | 'orders', file: number, line: number) =>
    `${fileNames[exportName][file] ?? '?'}:${line}`;
  const duplicate = (exportName: 'ledger' | 'orders', file: number, line: number, key: string) =>
    new ExportInputError(fileNames[exportName][file] ?? '?', line, `duplicated item ${key}`);

  const totalItems = ledgerExport.summary.itemCount + ordersExport.summary.itemCount;
  const progress = progressReporter(options.progress, totalItems);

  // ── pass over the orders export: orders, their allocations and the rule documents that priced them
  await streamItems(
    source,
    ordersExport,
    ordersFiles,
    (item, file, line) => {
      const pk = item.pk;
      const sk = item.sk;
      if (typeof pk !== 'string' || typeof sk !== 'string') {
        throw new ExportInputError(fileNames.orders[file] ?? '?', line, 'item without string pk/sk');
      }
      if (pk.startsWith('ORDER#') && sk === 'ORDER') {
        const state = orderState(pk.slice(6));
        if (state.seen) throw duplicate('orders', file, line, `${pk} ${sk}`);
        state.seen = true;
        state.status = String(item.status);
        if ((bookedOrderStatuses as readonly string[]).includes(state.status)) {
          const order = item.order as { lines?: unknown[]; incoterm?: string; destinationCountry?: string } | undefined;
          state.lines = (order?.lines ?? []).map((l) => {
            const line = l as { grade: string; coating: string; quantityKg: number };
            return { grade: line.grade, coating: line.coating, quantityKg: Number(line.quantityKg) };
          });
          state.incoterm = order?.incoterm;
          state.destinationCountry = order?.destinationCountry;
          const versions = item.rules as { catalogue?: string; priceList?: string } | undefined;
          state.catalogueVersion = versions?.catalogue;
          state.priceListVersion = versions?.priceList;
        }
      } else if (pk.startsWith('ORDER#') && sk.startsWith('ALLOC#')) {
        const state = orderState(pk.slice(6));
        state.allocations ??= [];
        const allocationId = sk.slice(6);
        if (state.allocations.some((a) => a.allocationId === allocationId)) {
          throw duplicate('orders', file, line, `${pk} ${sk}`);
        }
        const price = String(item.transferUnitPriceUsdPerKg);
        const unitCents = toCents(/^\d+\.\d{2}$/.test(price) ? price : `${price}.00`);
        const quantityKg = Number(item.quantityKg);
        state.allocations.push({
          allocationId,
          factoryId: String(item.factoryId),
          lineIndex: Number(item.lineIndex),
          quantityKg,
          cents: unitCents === undefined || !Number.isInteger(quantityKg) ? -1n : unitCents * BigInt(quantityKg),
          transferUnitPriceUsdPerKg: price,
          status: String(item.status),
        });
      } else if (pk === 'RULES#catalogue' || pk === 'RULES#priceList') {
        const kind = pk === 'RULES#catalogue' ? 'catalogue' : 'priceList';
        const version = String(item.version);
        if (rules[kind].has(version)) throw duplicate('orders', file, line, `${pk} ${sk}`);
        rules[kind].set(version, item.document);
      } else {
        const key = `${pk}\u0000${sk}`;
        if (otherKeys.has(key)) throw duplicate('orders', file, line, `${pk} ${sk}`);
        otherKeys.add(key);
      }
    },
    (n) => progress('orders', n),
  );

  // ── pass over the ledger export: headers and entries, folded into their transaction as they come
  const ledgerItems = await streamItems(
    source,
    ledgerExport,
    ledgerFiles,
    (item, file, line) => {
      const pk = item.pk;
      const sk = item.sk;
      if (typeof pk !== 'string' || typeof sk !== 'string' || !pk.startsWith('ORDER#') || !sk.startsWith('TX#')) {
        throw new ExportInputError(fileNames.ledger[file] ?? '?', line, 'not a ledger item (pk ORDER#…, sk TX#…)');
      }
      const transactionId = String(item.transactionId);
      let tx = txs.get(transactionId);
      if (!tx) {
        tx = {
          order: orderState(pk.slice(6)),
          header: false,
          entryCount: -1,
          seen: [0, 0, 0, 0],
          entries: 0,
          maxIndex: -1,
          debit: 0n,
          credit: 0n,
          file,
          line,
        };
        txs.set(transactionId, tx);
      }
      if (item.type === 'transaction') {
        if (tx.header) throw duplicate('ledger', file, line, `${pk} ${sk}`);
        tx.header = true;
        tx.file = file;
        tx.line = line;
        tx.kind = String(item.kind);
        tx.entryCount = Number(item.entryCount);
        tx.headerDebit = toCents(item.debitUsd);
        tx.headerCredit = toCents(item.creditUsd);
        if (typeof item.reversesTransactionId === 'string') tx.reverses = item.reversesTransactionId;
        return;
      }
      const index = Number(item.entryIndex);
      if (
        !Number.isInteger(index) ||
        index < 0 ||
        index > 119 ||
        !sk.endsWith(`#E#${String(index).padStart(3, '0')}`)
      ) {
        flag({
          kind: 'malformed-entry',
          subject: `${pk} ${sk}`,
          transactionId,
          where: where('ledger', file, line),
          message: `entryIndex ${String(item.entryIndex)} does not match the key`,
        });
        return;
      }
      const word = Math.floor(index / 30) as 0 | 1 | 2 | 3;
      const bit = 1 << (index % 30);
      if (tx.seen[word] & bit) throw duplicate('ledger', file, line, `${pk} ${sk}`);
      tx.seen[word] |= bit;
      tx.entries += 1;
      tx.maxIndex = Math.max(tx.maxIndex, index);
      const cents = toCents(item.amountUsd);
      const side = item.side;
      const account = item.account;
      if (cents === undefined || (side !== 'DEBIT' && side !== 'CREDIT') || item.orderId !== tx.order.orderId) {
        flag({
          kind: 'malformed-entry',
          subject: `${pk} ${sk}`,
          orderId: tx.order.orderId,
          transactionId,
          where: where('ledger', file, line),
          message: `entry needs a 2-decimal amountUsd, side DEBIT|CREDIT and its order's id (got ${String(item.amountUsd)}, ${String(side)}, ${String(item.orderId)})`,
        });
        return;
      }
      if (side === 'DEBIT') tx.debit += cents;
      else tx.credit += cents;
      if (account === ledgerAccounts.receivable) {
        tx.order.ledgerReceivable += side === 'DEBIT' ? cents : -cents;
      } else if (account === ledgerAccounts.payable && typeof item.factoryId === 'string') {
        const signed = side === 'CREDIT' ? cents : -cents;
        tx.order.ledgerPayable += signed;
        ledgerByFactory.set(item.factoryId, (ledgerByFactory.get(item.factoryId) ?? 0n) + signed);
      } else if (account !== ledgerAccounts.margin) {
        flag({
          kind: 'malformed-entry',
          subject: `${pk} ${sk}`,
          orderId: tx.order.orderId,
          transactionId,
          where: where('ledger', file, line),
          message: `unknown account ${String(account)}${account === ledgerAccounts.payable ? ' or payable without factoryId' : ''}`,
        });
      }
    },
    (n) => progress('ledger', ordersExport.summary.itemCount + n),
  );
  progress('done', totalItems, true);

  // ── transactions: complete, balanced, headers agree, reversals point at something
  for (const [transactionId, tx] of txs) {
    const at = where('ledger', tx.file, tx.line);
    const orderId = tx.order.orderId;
    if (!tx.header) {
      flag({
        kind: 'orphan-entry',
        subject: transactionId,
        orderId,
        transactionId,
        where: at,
        message: `${tx.entries} entries without a transaction header`,
      });
      continue;
    }
    tx.order.postings += 1;
    if (tx.entries !== tx.entryCount || tx.maxIndex >= tx.entryCount) {
      flag({
        kind: tx.entries < tx.entryCount ? 'missing-entry' : 'orphan-entry',
        subject: transactionId,
        orderId,
        transactionId,
        where: at,
        message: `header lists ${tx.entryCount} entries, the export holds ${tx.entries} (highest index ${tx.maxIndex})`,
      });
    }
    if (tx.debit !== tx.credit) {
      flag({
        kind: 'unbalanced',
        subject: transactionId,
        orderId,
        transactionId,
        where: at,
        expectedUsd: centsToUsd(tx.debit),
        actualUsd: centsToUsd(tx.credit),
        message: `debits ${centsToUsd(tx.debit)} ≠ credits ${centsToUsd(tx.credit)}`,
      });
    }
    if (tx.headerDebit !== tx.debit || tx.headerCredit !== tx.credit) {
      flag({
        kind: 'header-mismatch',
        subject: transactionId,
        orderId,
        transactionId,
        where: at,
        message: `header totals ${centsToUsd(tx.headerDebit ?? 0n)}/${centsToUsd(tx.headerCredit ?? 0n)} ≠ entries ${centsToUsd(tx.debit)}/${centsToUsd(tx.credit)}`,
      });
    }
    if (tx.reverses !== undefined && !txs.get(tx.reverses)?.header) {
      flag({
        kind: 'orphan-reversal',
        subject: transactionId,
        orderId,
        transactionId,
        where: at,
        message: `reverses ${tx.reverses}, which is not in the export`,
      });
    }
  }

  // ── orders: receivable at the unified price, payables at the transfer price, or nothing at all
  const priceCache = new Map<string, { unit: bigint; transfer: string } | string>();
  const expectedByFactory = new Map<string, bigint>();
  let ordersChecked = 0;
  for (const state of orders.values()) {
    const { orderId } = state;
    if (!state.seen) {
      if (state.postings > 0 || state.ledgerReceivable !== 0n || state.ledgerPayable !== 0n) {
        flag({
          kind: 'orphan-transaction',
          subject: orderId,
          orderId,
          message: `the ledger holds ${state.postings} transaction(s) for an order the orders export does not have`,
        });
      }
      continue;
    }
    ordersChecked += 1;
    const booked = (bookedOrderStatuses as readonly string[]).includes(state.status ?? '');
    let expectedReceivable = 0n;
    let expectedPayable = 0n;
    if (booked) {
      const ruleSet = ruleSetFor(rules, state.catalogueVersion, state.priceListVersion);
      if (typeof ruleSet === 'string') {
        flag({ kind: 'unpriceable-order', subject: orderId, orderId, message: ruleSet });
        continue;
      }
      let unpriceable: string | undefined;
      for (const [lineIndex, line] of (state.lines ?? []).entries()) {
        const price = linePrice(priceCache, ruleSet, state, line);
        if (typeof price === 'string') {
          unpriceable = `line ${lineIndex}: ${price}`;
          break;
        }
        expectedReceivable += price.unit * BigInt(line.quantityKg);
        for (const a of state.allocations ?? []) {
          if (a.lineIndex === lineIndex && a.transferUnitPriceUsdPerKg !== price.transfer) {
            flag({
              kind: 'transfer-price',
              subject: a.allocationId,
              orderId,
              factoryId: a.factoryId,
              expectedUsd: price.transfer,
              actualUsd: a.transferUnitPriceUsdPerKg,
              message: `allocation ${a.allocationId} carries transfer price ${a.transferUnitPriceUsdPerKg}, the rules give ${price.transfer}`,
            });
          }
        }
      }
      if (unpriceable) {
        flag({ kind: 'unpriceable-order', subject: orderId, orderId, message: unpriceable });
        continue;
      }
      for (const a of state.allocations ?? []) {
        if (!(payableAllocationStatuses as readonly string[]).includes(a.status)) continue;
        expectedPayable += a.cents;
        expectedByFactory.set(a.factoryId, (expectedByFactory.get(a.factoryId) ?? 0n) + a.cents);
      }
    }
    if (state.ledgerReceivable !== expectedReceivable) {
      flag({
        kind: 'receivable',
        subject: orderId,
        orderId,
        expectedUsd: centsToUsd(expectedReceivable),
        actualUsd: centsToUsd(state.ledgerReceivable),
        message: booked
          ? `${state.status} order: receivable ${centsToUsd(state.ledgerReceivable)}, its lines at the unified price make ${centsToUsd(expectedReceivable)}`
          : `${state.status} order still has a net receivable of ${centsToUsd(state.ledgerReceivable)}`,
      });
    }
    if (state.ledgerPayable !== expectedPayable) {
      flag({
        kind: 'payable-order',
        subject: orderId,
        orderId,
        expectedUsd: centsToUsd(expectedPayable),
        actualUsd: centsToUsd(state.ledgerPayable),
        message: `${state.status} order: payables ${centsToUsd(state.ledgerPayable)}, standing allocations × transfer price make ${centsToUsd(expectedPayable)}`,
      });
    }
  }

  // ── factories: what the ledger owes each one against what its standing allocations are worth
  const factoryIds = [...new Set([...ledgerByFactory.keys(), ...expectedByFactory.keys()])].sort();
  const factories: FactoryTotal[] = factoryIds.map((factoryId) => {
    const ledger = ledgerByFactory.get(factoryId) ?? 0n;
    const expected = expectedByFactory.get(factoryId) ?? 0n;
    if (ledger !== expected) {
      flag({
        kind: 'payable-factory',
        subject: factoryId,
        factoryId,
        expectedUsd: centsToUsd(expected),
        actualUsd: centsToUsd(ledger),
        message: `ledger owes ${factoryId} ${centsToUsd(ledger)}, its standing allocations make ${centsToUsd(expected)}`,
      });
    }
    return {
      factoryId,
      ledgerUsd: centsToUsd(ledger),
      expectedUsd: centsToUsd(expected),
      differenceUsd: centsToUsd(ledger - expected),
    };
  });

  const summaryLine =
    discrepancyCount === 0
      ? `OK: ${ledgerItems} ledger items in ${txs.size} transactions over ${ordersChecked} orders reconcile; 0 discrepancies`
      : `NOT RECONCILED: ${discrepancyCount} discrepancies in ${ledgerItems} ledger items (${txs.size} transactions, ${ordersChecked} orders)`;
  const result: Omit<ReconcileResult, 'reportFiles'> = {
    ledgerExport,
    ordersExport,
    itemsRead: totalItems,
    transactions: txs.size,
    ordersChecked,
    discrepancyCount,
    discrepancies,
    factories,
    summaryLine,
  };
  rmSync(options.reportDir, { recursive: true, force: true });
  const reportFiles = writeReport(options.reportDir, { ...result, listedLimit: MAX_LISTED });
  return { ...result, reportFiles };
}

function pick(exports: FoundExport[], table: 'ledger' | 'orders', id: string | undefined, source: ExportSource) {
  if (id !== undefined) {
    const chosen = exports.find((e) => e.exportId === id);
    if (!chosen) throw new ExportInputError(source.description, undefined, `no export ${id} here`);
    return chosen;
  }
  // The latest full export of the table; incremental exports hold changes, not the books.
  const candidates = exports
    .filter(
      (e) => e.tableName.toLowerCase().includes(table) && (e.summary.exportType ?? 'FULL_EXPORT') === 'FULL_EXPORT',
    )
    .sort((a, b) => b.summary.exportTime.localeCompare(a.summary.exportTime));
  const chosen = candidates[0];
  if (!chosen) {
    throw new ExportInputError(
      source.description,
      undefined,
      `no full export of a ${table} table found (found: ${exports.map((e) => `${e.tableName}/${e.exportId}`).join(', ') || 'none'})`,
    );
  }
  return chosen;
}

const ruleSets = new WeakMap<object, Map<string, RuleSet>>();

/** The two documents pricing reads, parsed once per (catalogue, price list) version pair. */
function ruleSetFor(
  rules: { catalogue: Map<string, unknown>; priceList: Map<string, unknown> },
  catalogueVersion: string | undefined,
  priceListVersion: string | undefined,
): RuleSet | string {
  const parsed = ruleSets.get(rules) ?? new Map<string, RuleSet>();
  ruleSets.set(rules, parsed);
  const key = `${catalogueVersion}|${priceListVersion}`;
  const cached = parsed.get(key);
  if (cached) return cached;
  const catalogue = catalogueVersion === undefined ? undefined : rules.catalogue.get(catalogueVersion);
  const priceList = priceListVersion === undefined ? undefined : rules.priceList.get(priceListVersion);
  if (!catalogue || !priceList) {
    return `the orders export lacks the rules it was priced with (catalogue ${catalogueVersion}, price list ${priceListVersion})`;
  }
  const ruleSet = {
    catalogue: catalogueDocumentSchema.parse(catalogue),
    priceList: priceListSchema.parse(priceList),
  } as unknown as RuleSet;
  parsed.set(key, ruleSet);
  return ruleSet;
}

/** Unit and transfer price per distinct (rules, grade, coating, incoterm, region, volume tier): decimal.js once, then cents. */
function linePrice(
  cache: Map<string, { unit: bigint; transfer: string } | string>,
  rules: RuleSet,
  state: OrderState,
  line: { grade: string; coating: string; quantityKg: number },
): { unit: bigint; transfer: string } | string {
  const tier = volumeDiscountPercent(line.quantityKg, rules.priceList);
  const region = pricingRegion(rules.priceList, state.incoterm as never, state.destinationCountry)?.id ?? '';
  const key = `${state.catalogueVersion}|${state.priceListVersion}|${line.grade}|${line.coating}|${state.incoterm}|${region}|${tier}`;
  let price = cache.get(key);
  if (price === undefined) {
    try {
      const unit = unifiedUnitPrice(line, state.incoterm as never, rules, state.destinationCountry);
      price = { unit: toCents(formatUsd(unit)) ?? 0n, transfer: formatUsd(transferUnitPrice(unit, rules)) };
    } catch (error) {
      price = (error as Error).message;
    }
    cache.set(key, price);
  }
  return price;
}

function progressReporter(report: ((line: string) => void) | undefined, total: number) {
  const started = Date.now();
  let last = 0;
  return (phase: string, done: number, final = false) => {
    if (!report) return;
    const now = Date.now();
    if (!final && now - last < 1000) return;
    last = now;
    const seconds = Math.max((now - started) / 1000, 0.001);
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    report(
      `reconcile: ${phase} ${done.toLocaleString('en')} / ${total.toLocaleString('en')} items (${percent}%), ${Math.round(done / seconds).toLocaleString('en')} items/s`,
    );
  };
}
