/** The channel's double-entry ledger: pure builders of balanced transactions for allocations, reallocations and reversals. */
import { createHash } from 'node:crypto';
import { type Decimal, formatUsd, Money, sumUsd, usd } from './money';
import type { Order } from './order';
import { lineAmount, unifiedUnitPrice } from './pricing';
import type { RuleSet } from './rules';

/** The three accounts an order touches. Names are stored in the ledger and read by finance: never rename. */
export const ledgerAccounts = {
  /** What the buyer owes the channel: the order's lines at the unified price. */
  receivable: 'buyer-receivable',
  /** What the channel owes one member factory: its allocated kg at the transfer price. */
  payable: 'factory-payable',
  /** What the channel keeps: the receivable less the payables. */
  margin: 'channel-margin',
} as const;
export type LedgerAccount = (typeof ledgerAccounts)[keyof typeof ledgerAccounts];

export type EntrySide = 'DEBIT' | 'CREDIT';
export type TransactionKind = 'ALLOCATION' | 'REALLOCATION' | 'REVERSAL';

export interface LedgerEntry {
  /** 0-based position in its transaction; with transactionId it is the entry's identity. */
  entryIndex: number;
  account: LedgerAccount;
  side: EntrySide;
  /** Always positive, exactly 2 decimals; the side carries the sign. */
  amountUsd: string;
  orderId: string;
  /** Set on factory payables. */
  factoryId?: string;
  /** Set on receivables: which order line this is. */
  lineIndex?: number;
  quantityKg?: number;
  unitPriceUsdPerKg?: string;
  /** Set on payables: the allocations the amount pays for. */
  allocationIds?: string[];
}

export interface LedgerTransaction {
  /** Deterministic, so a retried task posts the same transaction and the ledger store refuses the second copy. */
  transactionId: string;
  kind: TransactionKind;
  orderId: string;
  postedAt: string;
  /** The price list the receivable was priced with (ALLOCATION). */
  priceListVersion?: string;
  reversesTransactionId?: string;
  reason?: string;
  entries: LedgerEntry[];
}

/** What the ledger needs of an allocation; the order store's records carry these fields. */
export interface LedgerAllocation {
  allocationId: string;
  factoryId: string;
  lineIndex: number;
  quantityKg: number;
  transferUnitPriceUsdPerKg: string;
}

/** A transaction is written with one TransactWriteItems call: its header plus entries must stay within 100 actions. */
export const MAX_ENTRIES_PER_TRANSACTION = 99;

export class UnbalancedTransactionError extends Error {
  override name = 'UnbalancedTransactionError';
}

export class LedgerInputError extends Error {
  override name = 'LedgerInputError';
}

/**
 * The posting made when an order becomes ALLOCATED: DEBIT the buyer's receivable per line at the unified price,
 * CREDIT each factory's payable at the transfer price (one entry per factory, listing its allocations), and the
 * remainder to the channel margin, so the transaction balances by construction. The id is derived from the allocation
 * ids: a retry posts the same id, while a redriven order with new allocations posts a new one.
 */
export function allocationTransaction(
  orderId: string,
  order: Pick<Order, 'lines' | 'incoterm' | 'destinationCountry'>,
  allocations: readonly LedgerAllocation[],
  rules: RuleSet,
  postedAt: string,
): LedgerTransaction {
  if (allocations.length === 0) throw new LedgerInputError(`order ${orderId}: nothing allocated, nothing to post`);
  order.lines.forEach((line, lineIndex) => {
    const allocatedKg = allocations.filter((a) => a.lineIndex === lineIndex).reduce((kg, a) => kg + a.quantityKg, 0);
    if (allocatedKg !== line.quantityKg) {
      throw new LedgerInputError(
        `order ${orderId} line ${lineIndex}: ${allocatedKg} kg allocated, ${line.quantityKg} kg ordered`,
      );
    }
  });
  const stray = allocations.find((a) => a.lineIndex < 0 || a.lineIndex >= order.lines.length);
  if (stray) throw new LedgerInputError(`allocation ${stray.allocationId} names line ${stray.lineIndex}`);

  const entries: Omit<LedgerEntry, 'entryIndex'>[] = order.lines.map((line, lineIndex) => {
    const unitPrice = unifiedUnitPrice(line, order.incoterm, rules, order.destinationCountry);
    return {
      account: ledgerAccounts.receivable,
      side: 'DEBIT',
      amountUsd: formatUsd(lineAmount(unitPrice, line.quantityKg)),
      orderId,
      lineIndex,
      quantityKg: line.quantityKg,
      unitPriceUsdPerKg: formatUsd(unitPrice),
    };
  });
  entries.push(...payableEntries(orderId, allocations, 'CREDIT'));
  entries.push(...marginEntry(orderId, entries));
  return finish({
    transactionId: `ALLOC-${orderId}-${digest(allocations.map((a) => a.allocationId).sort())}`,
    kind: 'ALLOCATION',
    orderId,
    postedAt,
    priceListVersion: rules.priceList.version,
    entries,
  });
}

/**
 * A factory declined (or timed out on) one allocation and its kg went to `replacements`: DEBIT the declined factory's
 * payable, CREDIT the new factories' payables, and the difference to the margin. The receivable is untouched: the
 * buyer still owes the same.
 */
export function reallocationTransaction(
  orderId: string,
  declined: LedgerAllocation,
  replacements: readonly LedgerAllocation[],
  postedAt: string,
  reason = 'allocation declined',
): LedgerTransaction {
  const replacedKg = replacements.reduce((kg, a) => kg + a.quantityKg, 0);
  if (replacedKg !== declined.quantityKg || replacements.some((a) => a.lineIndex !== declined.lineIndex)) {
    throw new LedgerInputError(
      `allocation ${declined.allocationId}: replacements must cover its ${declined.quantityKg} kg of line ${declined.lineIndex}`,
    );
  }
  const entries = [...payableEntries(orderId, [declined], 'DEBIT'), ...payableEntries(orderId, replacements, 'CREDIT')];
  entries.push(...marginEntry(orderId, entries));
  return finish({
    transactionId: `REALLOC-${orderId}-${declined.allocationId}`,
    kind: 'REALLOCATION',
    orderId,
    postedAt,
    reason,
    entries,
  });
}

/** The correction of a posted transaction: every entry mirrored to the other side. Nothing is ever edited. */
export function reversalOf(original: LedgerTransaction, postedAt: string, reason: string): LedgerTransaction {
  if (original.kind === 'REVERSAL') {
    throw new LedgerInputError(`${original.transactionId} is a reversal; post the original again instead`);
  }
  return finish({
    transactionId: `REV-${original.transactionId}`,
    kind: 'REVERSAL',
    orderId: original.orderId,
    postedAt,
    reversesTransactionId: original.transactionId,
    reason,
    entries: original.entries.map(({ entryIndex: _index, ...entry }) => ({
      ...entry,
      side: entry.side === 'DEBIT' ? 'CREDIT' : 'DEBIT',
    })),
  });
}

/** Alias for the decline/cancel paths: an order's allocation posting is undone by its reversal. */
export const allocationReversal = reversalOf;

/** Debit and credit totals; a transaction balances when they are equal. */
export function transactionTotals(tx: Pick<LedgerTransaction, 'entries'>): { debit: Decimal; credit: Decimal } {
  const of = (side: EntrySide) => sumUsd(tx.entries.filter((e) => e.side === side).map((e) => usd(e.amountUsd)));
  return { debit: of('DEBIT'), credit: of('CREDIT') };
}

export function assertBalanced(tx: LedgerTransaction): void {
  const { debit, credit } = transactionTotals(tx);
  if (!debit.equals(credit)) {
    throw new UnbalancedTransactionError(
      `${tx.transactionId}: debits ${formatUsd(debit)} ≠ credits ${formatUsd(credit)}`,
    );
  }
}

/** Transactions that were posted and not reversed by another in the list (e.g. what a compensation must undo). */
export function unreversed(transactions: readonly LedgerTransaction[]): LedgerTransaction[] {
  const reversed = new Set(transactions.map((t) => t.reversesTransactionId).filter((id) => id !== undefined));
  return transactions.filter((t) => t.kind !== 'REVERSAL' && !reversed.has(t.transactionId));
}

// ── helpers ─────────────────────────────────────────────────────────────────

function payableEntries(
  orderId: string,
  allocations: readonly LedgerAllocation[],
  side: EntrySide,
): Omit<LedgerEntry, 'entryIndex'>[] {
  const byFactory = new Map<string, { amount: Decimal; kg: number; ids: string[] }>();
  for (const a of allocations) {
    if (!Number.isInteger(a.quantityKg) || a.quantityKg <= 0) {
      throw new LedgerInputError(`allocation ${a.allocationId}: ${a.quantityKg} kg is not a positive whole number`);
    }
    const entry = byFactory.get(a.factoryId) ?? { amount: new Money(0), kg: 0, ids: [] };
    entry.amount = entry.amount.plus(lineAmount(usd(a.transferUnitPriceUsdPerKg), a.quantityKg));
    entry.kg += a.quantityKg;
    entry.ids.push(a.allocationId);
    byFactory.set(a.factoryId, entry);
  }
  // Code-unit order, so the same allocations always give the same entries on every machine.
  return [...byFactory.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([factoryId, { amount, kg, ids }]) => ({
      account: ledgerAccounts.payable,
      side,
      amountUsd: formatUsd(amount),
      orderId,
      factoryId,
      quantityKg: kg,
      allocationIds: ids.sort(),
    }));
}

/** The balancing entry: whatever the other entries leave over goes to (or comes out of) the channel margin. */
function marginEntry(orderId: string, entries: readonly Omit<LedgerEntry, 'entryIndex'>[]) {
  const { debit, credit } = transactionTotals({ entries: entries as LedgerEntry[] });
  const difference = debit.minus(credit);
  if (difference.isZero()) return [];
  return [
    {
      account: ledgerAccounts.margin,
      side: difference.isPositive() ? ('CREDIT' as const) : ('DEBIT' as const),
      amountUsd: formatUsd(difference.abs()),
      orderId,
    },
  ];
}

function finish(tx: Omit<LedgerTransaction, 'entries'> & { entries: Omit<LedgerEntry, 'entryIndex'>[] }) {
  if (tx.entries.length > MAX_ENTRIES_PER_TRANSACTION) {
    throw new LedgerInputError(`${tx.transactionId}: ${tx.entries.length} entries exceed one DynamoDB transaction`);
  }
  const built: LedgerTransaction = { ...tx, entries: tx.entries.map((e, entryIndex) => ({ entryIndex, ...e })) };
  assertBalanced(built);
  return built;
}

function digest(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}
