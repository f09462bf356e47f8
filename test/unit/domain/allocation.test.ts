import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AllocationPlan,
  type CapacityCellKey,
  capacityCellsFor,
  capacityMonth,
  eligibleFactories,
  familyOf,
  planAllocation,
} from '../../../functions/domain/allocation';
import { UnknownGradeError } from '../../../functions/domain/errors';
import type { Order } from '../../../functions/domain/order';
import { type GradeFamily, gradeFamilies, seedRuleSet } from '../../../functions/domain/rules';
import { contractLine, contractOrder } from './fixtures';

const rules = seedRuleSet;
const nothingReserved = () => 0;
const reservedFrom =
  (reserved: Record<string, number>) =>
  ({ factoryId, family, month }: CapacityCellKey) =>
    reserved[`${factoryId}|${family}|${month}`] ?? 0;
const shOrder = (...quantities: number[]) =>
  contractOrder({ lines: quantities.map((quantityKg) => contractLine({ quantityKg })) });
const allocated = (plan: AllocationPlan) => {
  if (plan.outcome !== 'ALLOCATED') throw new Error(`expected ALLOCATED, got ${JSON.stringify(plan)}`);
  return plan.allocations.map((a) => [a.lineIndex, a.factoryId, a.quantityKg]);
};

describe('capacityMonth', () => {
  it('is the ship date month', () => {
    expect(capacityMonth('2027-03-01')).toBe('2027-03');
    expect(capacityMonth('2027-12-31')).toBe('2027-12');
    expect(() => capacityMonth('2027-03')).toThrow(RangeError);
  });
});

describe('eligibleFactories', () => {
  const ids = (family: GradeFamily, date: string) => eligibleFactories(rules, family, date).map((f) => f.factoryId);

  it('takes only producers certified for the family on the date and with capacity for it', () => {
    expect(ids('SH', '2027-03-01')).toEqual([
      'baotou-steppe',
      'ganzhou-gannan',
      'hangzhou-qiantang',
      'jilin-8272',
      'ningbo-beilun',
      'ningbo-yinzhou',
      'sanhuan',
    ]);
    // tianjin-haihe has SH capacity but no SH certification; the finance and research members make nothing.
    expect(ids('SH', '2027-03-01')).not.toContain('tianjin-haihe');
    expect(ids('N', '2027-03-01')).not.toContain('cntvic');
  });

  it('counts certification dates inclusively at both ends', () => {
    expect(ids('SH', '2026-12-31')).toContain('taiyuan-fenhe');
    expect(ids('SH', '2027-01-01')).not.toContain('taiyuan-fenhe');
    expect(ids('SH', '2026-06-30')).not.toContain('ningbo-beilun');
    expect(ids('SH', '2026-07-01')).toContain('ningbo-beilun');
    expect(ids('UH', '2026-06-30')).toContain('jilin-8272');
    expect(ids('UH', '2026-07-01')).not.toContain('jilin-8272');
  });
});

describe('capacityCellsFor', () => {
  it('lists every cell the order could draw on, once per factory and family', () => {
    const order = contractOrder({
      lines: [contractLine(), contractLine({ grade: 'N35SH' }), contractLine({ grade: 'N33AH', coating: 'Parylene' })],
    });
    const cells = capacityCellsFor(order, rules);
    expect(cells.filter((c) => c.family === 'SH')).toHaveLength(7);
    expect(cells.filter((c) => c.family === 'AH').map((c) => c.factoryId)).toEqual([
      'baotou-steppe',
      'ganzhou-gannan',
      'sanhuan',
    ]);
    expect(cells.every((c) => c.month === '2027-03')).toBe(true);
    expect(cells.find((c) => c.factoryId === 'sanhuan' && c.family === 'SH')?.capacityKg).toBe(20000);
  });

  it('skips lines with an unknown grade', () => {
    expect(capacityCellsFor(contractOrder({ lines: [contractLine({ grade: 'N99' })] }), rules)).toEqual([]);
  });
});

describe('planAllocation', () => {
  it('puts a line at the factory with the most free capacity, at the transfer price', () => {
    const plan = planAllocation(shOrder(500), rules, nothingReserved);
    expect(plan).toEqual({
      outcome: 'ALLOCATED',
      allocations: [
        {
          lineIndex: 0,
          factoryId: 'sanhuan',
          factoryName: 'Chinese Academy of Sciences San Huan New Materials R&D Company',
          family: 'SH',
          month: '2027-03',
          quantityKg: 500,
          capacityKg: 20000,
          // unified 39.11 × (1 − 8 %) = 35.9812
          transferUnitPriceUsdPerKg: '35.98',
          reason: expect.stringContaining('most free SH capacity in 2027-03 (20000 of 20000 kg free)'),
        },
      ],
    });
  });

  it('counts what other orders reserved', () => {
    const plan = planAllocation(shOrder(500), rules, reservedFrom({ 'sanhuan|SH|2027-03': 19800 }));
    expect(allocated(plan)).toEqual([[0, 'ningbo-yinzhou', 500]]);
  });

  it('splits a line when the best factory is short, and says so', () => {
    const plan = planAllocation(shOrder(30000), rules, nothingReserved);
    expect(allocated(plan)).toEqual([
      [0, 'sanhuan', 20000],
      [0, 'ningbo-yinzhou', 10000],
    ]);
    expect(plan.outcome === 'ALLOCATED' && plan.allocations[0]?.reason).toContain('split across 2 factories');
  });

  it('breaks ties in free capacity by factory id', () => {
    const full = {
      'sanhuan|SH|2027-03': 20000,
      'ningbo-yinzhou|SH|2027-03': 15000,
      'ganzhou-gannan|SH|2027-03': 12000,
    };
    // baotou-steppe and jilin-8272 both have 10000 kg free.
    expect(allocated(planAllocation(shOrder(5000), rules, reservedFrom(full)))).toEqual([[0, 'baotou-steppe', 5000]]);
  });

  it('counts capacity taken by earlier lines of the same order', () => {
    expect(allocated(planAllocation(shOrder(15000, 15000), rules, nothingReserved))).toEqual([
      [0, 'sanhuan', 15000],
      [1, 'ningbo-yinzhou', 15000],
    ]);
  });

  it('is UNFILLED, naming every short line, when capacity runs out', () => {
    // Eligible SH capacity in 2027-03: 20000 + 10000 + 15000 + 8000 + 10000 + 12000 + 4000 = 79000 kg.
    expect(allocated(planAllocation(shOrder(79000), rules, nothingReserved)).length).toBe(7);
    expect(planAllocation(shOrder(79001), rules, nothingReserved)).toEqual({
      outcome: 'UNFILLED',
      shortfalls: [{ lineIndex: 0, missingKg: 1 }],
    });
    expect(planAllocation(shOrder(70000, 10000), rules, nothingReserved)).toEqual({
      outcome: 'UNFILLED',
      shortfalls: [{ lineIndex: 1, missingKg: 1000 }],
    });
  });

  it('treats over-reserved cells as full, never as negative capacity', () => {
    const plan = planAllocation(shOrder(500), rules, reservedFrom({ 'sanhuan|SH|2027-03': 99999 }));
    expect(allocated(plan)).toEqual([[0, 'ningbo-yinzhou', 500]]);
  });

  it('refuses to plan a grade the catalogue does not know', () => {
    expect(() =>
      planAllocation(contractOrder({ lines: [contractLine({ grade: 'N99' })] }), rules, nothingReserved),
    ).toThrow(UnknownGradeError);
  });
});

describe('allocation properties', () => {
  const producers = rules.members.members.filter((m) => Object.keys(m.monthlyCapacityKg).length > 0);
  const shipDates = ['2026-03-15', '2026-06-30', '2026-07-01', '2026-12-31', '2027-01-01', '2027-03-01'];
  const lineArb = fc.record({
    grade: fc.constantFrom(...rules.catalogue.grades.map((g) => g.grade)),
    quantityKg: fc.integer({ min: 100, max: 40000 }),
  });
  const orderArb = fc.record({
    lines: fc.array(lineArb, { minLength: 1, maxLength: 6 }),
    requestedShipDate: fc.constantFrom(...shipDates),
  });
  const reservedArb = fc.array(fc.nat({ max: 70000 }), {
    minLength: producers.length * gradeFamilies.length,
    maxLength: producers.length * gradeFamilies.length,
  });

  const build = (generated: { lines: { grade: string; quantityKg: number }[]; requestedShipDate: string }): Order =>
    contractOrder({
      requestedShipDate: generated.requestedShipDate,
      lines: generated.lines.map((line) => contractLine(line)),
    });
  const reservedLookup = (amounts: number[]) => (cell: CapacityCellKey) => {
    const producer = producers.findIndex((m) => m.id === cell.factoryId);
    return amounts[producer * gradeFamilies.length + gradeFamilies.indexOf(cell.family)] ?? 0;
  };

  it('never exceeds free capacity, uses only eligible factories, and fills every line exactly or is UNFILLED', () => {
    fc.assert(
      fc.property(orderArb, reservedArb, (generated, amounts) => {
        const order = build(generated);
        const reserved = reservedLookup(amounts);
        const plan = planAllocation(order, rules, reserved);

        const freeByFamily = new Map<string, number>();
        const freeByCell = new Map<string, number>();
        for (const family of gradeFamilies) {
          for (const factory of eligibleFactories(rules, family, order.requestedShipDate)) {
            const cell = { factoryId: factory.factoryId, family, month: capacityMonth(order.requestedShipDate) };
            const free = Math.max(0, factory.monthlyCapacityKg - reserved(cell));
            freeByCell.set(`${factory.factoryId}|${family}`, free);
            freeByFamily.set(family, (freeByFamily.get(family) ?? 0) + free);
          }
        }
        const demandByFamily = new Map<string, number>();
        for (const line of order.lines) {
          const family = familyOf(line.grade, rules) ?? '?';
          demandByFamily.set(family, (demandByFamily.get(family) ?? 0) + line.quantityKg);
        }
        const someFamilyShort = [...demandByFamily].some(
          ([family, demand]) => demand > (freeByFamily.get(family) ?? 0),
        );

        if (plan.outcome === 'UNFILLED') {
          expect(someFamilyShort).toBe(true);
          expect(plan.shortfalls.length).toBeGreaterThan(0);
          for (const shortfall of plan.shortfalls) {
            expect(shortfall.missingKg).toBeGreaterThan(0);
            expect(shortfall.missingKg).toBeLessThanOrEqual(order.lines[shortfall.lineIndex]?.quantityKg ?? 0);
          }
          return;
        }
        expect(someFamilyShort).toBe(false);
        const usedByCell = new Map<string, number>();
        order.lines.forEach((line, lineIndex) => {
          const mine = plan.allocations.filter((a) => a.lineIndex === lineIndex);
          expect(mine.reduce((sum, a) => sum + a.quantityKg, 0)).toBe(line.quantityKg);
        });
        for (const allocation of plan.allocations) {
          expect(Number.isInteger(allocation.quantityKg) && allocation.quantityKg > 0).toBe(true);
          const eligible = eligibleFactories(rules, allocation.family, order.requestedShipDate).map((f) => f.factoryId);
          expect(eligible).toContain(allocation.factoryId);
          const key = `${allocation.factoryId}|${allocation.family}`;
          usedByCell.set(key, (usedByCell.get(key) ?? 0) + allocation.quantityKg);
        }
        for (const [key, used] of usedByCell) expect(used).toBeLessThanOrEqual(freeByCell.get(key) ?? 0);
      }),
    );
  });

  it('gives the same plan for the same input', () => {
    fc.assert(
      fc.property(orderArb, reservedArb, (generated, amounts) => {
        const first = planAllocation(build(generated), rules, reservedLookup(amounts));
        const second = planAllocation(build(generated), rules, reservedLookup([...amounts]));
        expect(second).toEqual(first);
      }),
    );
  });
});
