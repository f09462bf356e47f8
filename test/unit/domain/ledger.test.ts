/** The ledger builders: balanced by construction, exact cents, deterministic ids, reversals mirror their original. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planAllocation } from '../../../functions/domain/allocation';
import {
  allocationTransaction,
  assertBalanced,
  type LedgerAllocation,
  LedgerInputError,
  ledgerAccounts,
  reallocationTransaction,
  reversalOf,
  transactionTotals,
  UnbalancedTransactionError,
  unreversed,
} from '../../../functions/domain/ledger';
import { formatUsd, usd } from '../../../functions/domain/money';
import { transferUnitPrice, unifiedUnitPrice } from '../../../functions/domain/pricing';
import { seedRuleSet } from '../../../functions/domain/rules';
import { contractLine, contractOrder } from './fixtures';

const rules = seedRuleSet;
const at = '2027-01-10T08:00:00.000Z';

function allocationsFor(order: ReturnType<typeof contractOrder>): LedgerAllocation[] {
  const plan = planAllocation(order, rules, () => 0);
  if (plan.outcome !== 'ALLOCATED') throw new Error('seed capacity should fill the test order');
  return plan.allocations.map((a, i) => ({ ...a, allocationId: `A${String(i).padStart(3, '0')}` }));
}

describe('allocationTransaction', () => {
  it('bills a C/D-term order at the unified price for its destination region', () => {
    const order = contractOrder({ incoterm: 'CIF', destinationCountry: 'JP' });
    const tx = allocationTransaction('ORD-CIF', order, allocationsFor(order), rules, at);
    // 39.10599 + CIF East Asia (0.25 + 0.06) = 39.41599 → 39.42; 500 kg
    expect(tx.entries[0]).toMatchObject({ unitPriceUsdPerKg: '39.42', amountUsd: '19710.00' });
  });

  it('debits the buyer per line at the unified price, credits each factory at the transfer price, margin the rest', () => {
    const order = contractOrder();
    const allocations: LedgerAllocation[] = [
      { allocationId: 'A1', factoryId: 'F-B', lineIndex: 0, quantityKg: 300, transferUnitPriceUsdPerKg: '35.98' },
      { allocationId: 'A2', factoryId: 'F-A', lineIndex: 0, quantityKg: 200, transferUnitPriceUsdPerKg: '35.98' },
    ];
    const tx = allocationTransaction('ORD1', order, allocations, rules, at);

    const unit = unifiedUnitPrice(order.lines[0] ?? contractLine(), order.incoterm, rules);
    expect(formatUsd(unit)).toBe('39.11');
    expect(tx.entries).toEqual([
      {
        entryIndex: 0,
        account: ledgerAccounts.receivable,
        side: 'DEBIT',
        amountUsd: '19555.00', // 500 kg × 39.11
        orderId: 'ORD1',
        lineIndex: 0,
        quantityKg: 500,
        unitPriceUsdPerKg: '39.11',
      },
      {
        entryIndex: 1,
        account: ledgerAccounts.payable,
        side: 'CREDIT',
        amountUsd: '7196.00', // 200 × 35.98
        orderId: 'ORD1',
        factoryId: 'F-A',
        quantityKg: 200,
        allocationIds: ['A2'],
      },
      {
        entryIndex: 2,
        account: ledgerAccounts.payable,
        side: 'CREDIT',
        amountUsd: '10794.00', // 300 × 35.98
        orderId: 'ORD1',
        factoryId: 'F-B',
        quantityKg: 300,
        allocationIds: ['A1'],
      },
      { entryIndex: 3, account: ledgerAccounts.margin, side: 'CREDIT', amountUsd: '1565.00', orderId: 'ORD1' },
    ]);
    expect(tx.kind).toBe('ALLOCATION');
    expect(tx.priceListVersion).toBe(rules.priceList.version);
  });

  it('gives the same id for the same allocations in any order, and a new id for new allocations', () => {
    const order = contractOrder();
    const allocations = allocationsFor(order);
    const first = allocationTransaction('ORD1', order, allocations, rules, at);
    const again = allocationTransaction('ORD1', order, [...allocations].reverse(), rules, '2027-01-11T00:00:00.000Z');
    expect(again.transactionId).toBe(first.transactionId);
    expect(again.entries).toEqual(first.entries);
    const redriven = allocations.map((a) => ({ ...a, allocationId: `${a.allocationId}-redrive` }));
    expect(allocationTransaction('ORD1', order, redriven, rules, at).transactionId).not.toBe(first.transactionId);
  });

  it('refuses allocations that do not cover the order exactly', () => {
    const order = contractOrder();
    const short = [
      { allocationId: 'A1', factoryId: 'F-A', lineIndex: 0, quantityKg: 499, transferUnitPriceUsdPerKg: '35.98' },
    ];
    expect(() => allocationTransaction('ORD1', order, short, rules, at)).toThrow(LedgerInputError);
    expect(() => allocationTransaction('ORD1', order, [], rules, at)).toThrow(LedgerInputError);
  });

  it('balances to the cent for any order the allocator fills (property)', () => {
    const lineArb = fc.record({
      grade: fc.constantFrom('N35', 'N42SH', 'N38UH', 'N40H', 'N45M'),
      coating: fc.constantFrom('NiCuNi', 'Zn', 'Epoxy'),
      quantityKg: fc.integer({ min: 100, max: 3000 }),
    });
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 5 }), (lines) => {
        const order = contractOrder({ lines: lines.map((line) => contractLine(line)) });
        const plan = planAllocation(order, rules, () => 0);
        if (plan.outcome !== 'ALLOCATED') return;
        const allocations = plan.allocations.map((a, i) => ({ ...a, allocationId: `A${i}` }));
        const tx = allocationTransaction('ORD', order, allocations, rules, at);
        const { debit, credit } = transactionTotals(tx);
        expect(debit.equals(credit)).toBe(true);
        // The receivable is the quote; the payables are kg × transfer price exactly.
        const expectedReceivable = order.lines.reduce(
          (sum, line) => sum.plus(unifiedUnitPrice(line, order.incoterm, rules).times(line.quantityKg)),
          usd('0'),
        );
        expect(formatUsd(debit)).toBe(formatUsd(expectedReceivable));
        const payables = tx.entries.filter((e) => e.account === ledgerAccounts.payable);
        const expectedPayables = allocations.reduce(
          (sum, a) =>
            sum.plus(
              transferUnitPrice(
                unifiedUnitPrice(order.lines[a.lineIndex] ?? contractLine(), 'FOB', rules),
                rules,
              ).times(a.quantityKg),
            ),
          usd('0'),
        );
        expect(formatUsd(payables.reduce((s, e) => s.plus(usd(e.amountUsd)), usd('0')))).toBe(
          formatUsd(expectedPayables),
        );
        for (const entry of tx.entries) expect(entry.amountUsd).toMatch(/^\d+\.\d{2}$/);
      }),
    );
  });
});

describe('reversalOf', () => {
  it('mirrors every entry, links the original and nets every account to zero', () => {
    const order = contractOrder();
    const original = allocationTransaction('ORD1', order, allocationsFor(order), rules, at);
    const reversal = reversalOf(original, '2027-01-12T00:00:00.000Z', 'order cancelled');
    expect(reversal.transactionId).toBe(`REV-${original.transactionId}`);
    expect(reversal.reversesTransactionId).toBe(original.transactionId);
    expect(reversal.entries.map((e) => e.side)).toEqual(
      original.entries.map((e) => (e.side === 'DEBIT' ? 'CREDIT' : 'DEBIT')),
    );
    expect(reversal.entries.map((e) => e.amountUsd)).toEqual(original.entries.map((e) => e.amountUsd));
    expect(unreversed([original, reversal])).toEqual([]);
    expect(unreversed([original])).toEqual([original]);
    expect(() => reversalOf(reversal, at, 'again')).toThrow(LedgerInputError);
  });
});

describe('reallocationTransaction', () => {
  it('moves a declined payable to the replacements and leaves the receivable alone', () => {
    const declined = {
      allocationId: 'A1',
      factoryId: 'F-A',
      lineIndex: 0,
      quantityKg: 300,
      transferUnitPriceUsdPerKg: '35.98',
    };
    const replacements = [
      { allocationId: 'A9', factoryId: 'F-C', lineIndex: 0, quantityKg: 100, transferUnitPriceUsdPerKg: '35.98' },
      { allocationId: 'A8', factoryId: 'F-D', lineIndex: 0, quantityKg: 200, transferUnitPriceUsdPerKg: '35.98' },
    ];
    const tx = reallocationTransaction('ORD1', declined, replacements, at);
    expect(tx.transactionId).toBe('REALLOC-ORD1-A1');
    expect(tx.entries.map((e) => [e.account, e.side, e.factoryId, e.amountUsd])).toEqual([
      [ledgerAccounts.payable, 'DEBIT', 'F-A', '10794.00'],
      [ledgerAccounts.payable, 'CREDIT', 'F-C', '3598.00'],
      [ledgerAccounts.payable, 'CREDIT', 'F-D', '7196.00'],
    ]);
    expect(() => reallocationTransaction('ORD1', declined, replacements.slice(1), at)).toThrow(LedgerInputError);
  });
});

describe('assertBalanced', () => {
  it('names an unbalanced transaction', () => {
    const order = contractOrder();
    const tx = allocationTransaction('ORD1', order, allocationsFor(order), rules, at);
    const tampered = { ...tx, entries: tx.entries.map((e, i) => (i === 0 ? { ...e, amountUsd: '1.00' } : e)) };
    expect(() => assertBalanced(tampered)).toThrow(UnbalancedTransactionError);
    expect(() => assertBalanced(tampered)).toThrow(tx.transactionId);
  });
});
