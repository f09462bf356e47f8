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
  planReallocation,
} from '../../../functions/domain/allocation';
import { UnknownGradeError } from '../../../functions/domain/errors';
import type { Order } from '../../../functions/domain/order';
import { type GradeFamily, gradeFamilies, seedRuleSet } from '../../../functions/domain/rules';
import { contractLine, contractOrder, editableRules } from './fixtures';

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

describe('planAllocation (allocation-2026.1: at most 4 factories per line, 100 kg minimum lot)', () => {
  it('splits a line by quota between the four least-used factories, at the transfer price, and says why', () => {
    const plan = planAllocation(shOrder(500), rules, nothingReserved);
    // All SH factories are unused; ties go to the larger quota: sanhuan 16, ningbo-yinzhou 13, jilin-8272 11,
    // then baotou-steppe and ganzhou-gannan at 10 (baotou by id). 500 kg × 16/50 = 160, 130, 110, 100.
    expect(allocated(plan)).toEqual([
      [0, 'baotou-steppe', 100],
      [0, 'jilin-8272', 110],
      [0, 'ningbo-yinzhou', 130],
      [0, 'sanhuan', 160],
    ]);
    const sanhuan = plan.outcome === 'ALLOCATED' ? plan.allocations.find((a) => a.factoryId === 'sanhuan') : undefined;
    expect(sanhuan).toMatchObject({
      factoryName: 'Chinese Academy of Sciences San Huan New Materials R&D Company',
      family: 'SH',
      month: '2027-03',
      capacityKg: 20000,
      // unified 39.11 × (1 − 8 %) = 35.9812
      transferUnitPriceUsdPerKg: '35.98',
    });
    expect(sanhuan?.reason).toContain('policy allocation-2026.1');
    expect(sanhuan?.reason).toContain('chosen by least capacity used in 2027-03 (0 % used, 20000 of 20000 kg free)');
    expect(sanhuan?.reason).toContain('quota 16 % of the chosen 50 % → 160 kg');
    expect(sanhuan?.reason).toContain('certified to GB/T 13560 (version 2017) for SH from 2024-01-01 until 2027-12-31');
  });

  it('names the standard and version of the certification that made each factory eligible', () => {
    const revised = editableRules((r) => {
      for (const member of r.members.members) {
        for (const certification of member.certifications) {
          if (member.id === 'sanhuan' && certification.family === 'SH') certification.version = '2025';
          if (member.id === 'jilin-8272' && certification.family === 'SH') delete certification.version;
        }
      }
    });
    const plan = planAllocation(shOrder(500), revised, nothingReserved);
    const reasonOf = (factoryId: string) =>
      plan.outcome === 'ALLOCATED' ? plan.allocations.find((a) => a.factoryId === factoryId)?.reason : undefined;
    expect(reasonOf('sanhuan')).toContain('certified to GB/T 13560 (version 2025) for SH');
    expect(reasonOf('ningbo-yinzhou')).toContain('certified to GB/T 13560 (version 2017) for SH');
    // A roster stored before versions were recorded (members-2026.1) says so rather than guessing.
    expect(reasonOf('jilin-8272')).toContain('certified to GB/T 13560 (version not recorded) for SH');
  });

  it('pays factories from the unified price for the order’s destination region', () => {
    const transferTo = (destinationCountry: string) => {
      const plan = planAllocation(
        contractOrder({ incoterm: 'DDP', destinationCountry, lines: [contractLine()] }),
        rules,
        nothingReserved,
      );
      return plan.outcome === 'ALLOCATED' ? plan.allocations.map((a) => a.transferUnitPriceUsdPerKg) : [];
    };
    // 39.10599 + DDP Europe (0.45 + 0.10 + 0.40 + 0.75) = 40.80599 → 40.81 × 0.92 = 37.5452
    expect(new Set(transferTo('DE'))).toEqual(new Set(['37.55']));
    // 39.10599 + DDP North America (0.60 + 0.10 + 0.45 + 1.10) = 41.35599 → 41.36 × 0.92 = 38.0512
    expect(new Set(transferTo('US'))).toEqual(new Set(['38.05']));
  });

  it('prefers factories that have used less of the month, so work spreads over the members', () => {
    const plan = planAllocation(shOrder(500), rules, reservedFrom({ 'sanhuan|SH|2027-03': 2000 }));
    // sanhuan has used 10 %: ganzhou-gannan (quota 10, unused) takes its place.
    expect(allocated(plan).map(([, factory]) => factory)).toEqual([
      'baotou-steppe',
      'ganzhou-gannan',
      'jilin-8272',
      'ningbo-yinzhou',
    ]);
  });

  it('fills water-style: a factory capped at its free capacity passes the rest to the others by quota', () => {
    // jilin-8272 has 200 kg free; 10000 kg × 11/50 would be 2200.
    const reserved = reservedFrom({ 'jilin-8272|SH|2027-03': 9800 });
    const plan = planAllocation(shOrder(10000), rules, reserved);
    // jilin is the most used now, so it is not chosen at all; the four least used share by quota (16+13+10+10).
    expect(allocated(plan)).toEqual([
      [0, 'baotou-steppe', 2041],
      [0, 'ganzhou-gannan', 2041],
      [0, 'ningbo-yinzhou', 2653],
      [0, 'sanhuan', 3265],
    ]);
    // With only four SH factories eligible and one of them nearly full, the cap binds and the others take the rest.
    const fewer = editableRules((r) => {
      for (const member of r.members.members) {
        if (!['sanhuan', 'jilin-8272', 'ningbo-yinzhou', 'baotou-steppe'].includes(member.id)) {
          member.certifications = member.certifications.filter((c) => c.family !== 'SH');
        }
      }
    });
    const capped = planAllocation(shOrder(10000), fewer, reserved);
    expect(allocated(capped)).toEqual([
      // 9800 kg left for quotas 10 : 13 : 16 → 2512.8, 3266.7, 4020.5; the two odd kg go to the largest fractions.
      [0, 'baotou-steppe', 2513],
      [0, 'jilin-8272', 200],
      [0, 'ningbo-yinzhou', 3267],
      [0, 'sanhuan', 4020],
    ]);
    expect(capped.outcome === 'ALLOCATED' && capped.allocations[1]?.reason).toContain(
      'capped at its free capacity (200 kg)',
    );
  });

  it('gives every factory at least the minimum lot, and a line below one lot to a single factory', () => {
    expect(allocated(planAllocation(shOrder(50), rules, nothingReserved))).toEqual([[0, 'sanhuan', 50]]);
    // 250 kg holds two lots: two factories, 16:13 would give 138 / 112.
    expect(allocated(planAllocation(shOrder(250), rules, nothingReserved))).toEqual([
      [0, 'ningbo-yinzhou', 112],
      [0, 'sanhuan', 138],
    ]);
    const plan = planAllocation(shOrder(420), rules, nothingReserved);
    expect(allocated(plan)).toEqual([
      [0, 'baotou-steppe', 100],
      [0, 'jilin-8272', 100],
      [0, 'ningbo-yinzhou', 100],
      [0, 'sanhuan', 120],
    ]);
    expect(plan.outcome === 'ALLOCATED' && plan.allocations[0]?.reason).toContain('raised to the minimum lot (100 kg)');
  });

  it('skips factories with less than a lot free', () => {
    const plan = planAllocation(shOrder(500), rules, reservedFrom({ 'baotou-steppe|SH|2027-03': 9950 }));
    expect(allocated(plan).map(([, factory]) => factory)).not.toContain('baotou-steppe');
  });

  it('breaks ties by the policy: by quota then id, or by id alone', () => {
    const byId = editableRules((r) => {
      r.allocationPolicy.tieBreak = 'factory-id';
    });
    expect(allocated(planAllocation(shOrder(500), byId, nothingReserved)).map(([, factory]) => factory)).toEqual([
      'baotou-steppe',
      'ganzhou-gannan',
      'hangzhou-qiantang',
      'jilin-8272',
    ]);
  });

  it('falls back to the factories with the most free capacity when the least used cannot hold the line', () => {
    // The least used by quota (sanhuan, ningbo-yinzhou, jilin-8272, baotou-steppe) hold 55000 kg; the four largest
    // (sanhuan 20000, ningbo-yinzhou 15000, ganzhou-gannan 12000, jilin-8272 10000 by quota over baotou) hold 57000.
    const plan = planAllocation(shOrder(56000), rules, nothingReserved);
    expect(allocated(plan).map(([, factory]) => factory)).toEqual([
      'ganzhou-gannan',
      'jilin-8272',
      'ningbo-yinzhou',
      'sanhuan',
    ]);
    expect(plan.outcome === 'ALLOCATED' && plan.allocations[0]?.reason).toContain('chosen by most free capacity');
  });

  it('counts capacity taken by earlier lines of the same order', () => {
    const plan = planAllocation(shOrder(57000, 500), rules, nothingReserved);
    // Line 1 fills the four largest (sanhuan, ningbo-yinzhou, ganzhou-gannan, jilin-8272) completely; line 2 can
    // only go to the other three certified in 2027-03.
    expect(
      allocated(plan)
        .filter(([line]) => line === 1)
        .map(([, factory]) => factory),
    ).toEqual(['baotou-steppe', 'hangzhou-qiantang', 'ningbo-beilun']);
  });

  it('is UNFILLED, naming every short line, when the line cannot fit in its factories', () => {
    // The four largest SH factories hold 57000 kg in 2027-03.
    expect(allocated(planAllocation(shOrder(57000), rules, nothingReserved))).toHaveLength(4);
    expect(planAllocation(shOrder(57001), rules, nothingReserved)).toEqual({
      outcome: 'UNFILLED',
      shortfalls: [{ lineIndex: 0, missingKg: 1 }],
    });
    // Line 1 takes 6400 / 5200 / 4400 / 4000 kg; then the four with most free hold 13600 + 12000 + 9800 + 8000.
    expect(planAllocation(shOrder(20000, 45000), rules, nothingReserved)).toEqual({
      outcome: 'UNFILLED',
      shortfalls: [{ lineIndex: 1, missingKg: 1600 }],
    });
  });

  it('treats over-reserved cells as full, never as negative capacity', () => {
    const plan = planAllocation(shOrder(500), rules, reservedFrom({ 'sanhuan|SH|2027-03': 99999 }));
    expect(allocated(plan).map(([, factory]) => factory)).not.toContain('sanhuan');
  });

  it('refuses to plan a grade the catalogue does not know', () => {
    expect(() =>
      planAllocation(contractOrder({ lines: [contractLine({ grade: 'N99' })] }), rules, nothingReserved),
    ).toThrow(UnknownGradeError);
  });
});

describe('planReallocation', () => {
  it('places a declined share by the same policy without the factories that declined', () => {
    const plan = planReallocation(shOrder(500), rules, nothingReserved, {
      lineIndex: 0,
      quantityKg: 160,
      excludedFactoryIds: new Set(['sanhuan']),
      onLineFactoryIds: new Set(['sanhuan', 'ningbo-yinzhou', 'jilin-8272', 'baotou-steppe']),
    });
    // Three factories stay on the line, so one slot is free; 160 kg holds one lot: the least-used, highest quota.
    expect(allocated(plan)).toEqual([[0, 'ningbo-yinzhou', 160]]);
    expect(plan.outcome === 'ALLOCATED' && plan.allocations[0]?.reason).toMatch(
      /^reallocated after a decline \(sanhuan excluded\)/,
    );
  });

  it('uses no new slot when the line already has its maximum of factories', () => {
    const plan = planReallocation(shOrder(1000), rules, reservedFrom({ 'ningbo-yinzhou|SH|2027-03': 14900 }), {
      lineIndex: 0,
      quantityKg: 400,
      excludedFactoryIds: new Set(['sanhuan']),
      onLineFactoryIds: new Set(['sanhuan', 'ningbo-yinzhou', 'jilin-8272', 'baotou-steppe', 'ganzhou-gannan']),
    });
    const factories = allocated(plan).map(([, factory]) => factory);
    expect(
      factories.every((f) => ['ningbo-yinzhou', 'jilin-8272', 'baotou-steppe', 'ganzhou-gannan'].includes(f as string)),
    ).toBe(true);
  });

  it('is UNFILLED when every factory left declined', () => {
    const everyone = new Set(eligibleFactories(rules, 'SH', '2027-03-01').map((f) => f.factoryId));
    expect(
      planReallocation(shOrder(500), rules, nothingReserved, {
        lineIndex: 0,
        quantityKg: 100,
        excludedFactoryIds: everyone,
        onLineFactoryIds: new Set(),
      }),
    ).toEqual({ outcome: 'UNFILLED', shortfalls: [{ lineIndex: 0, missingKg: 100 }] });
  });
});

describe('allocation properties', () => {
  // A fresh seed each run, printed so a failure can be replayed with FC_SEED=<seed>.
  const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : Date.now() ^ (Math.random() * 0x7fffffff);
  console.info(`allocation properties: fast-check seed ${seed}`);
  const settings = { seed, numRuns: 200 };

  const producers = rules.members.members.filter((m) => Object.keys(m.monthlyCapacityKg).length > 0);
  const shipDates = ['2026-03-15', '2026-06-30', '2026-07-01', '2026-12-31', '2027-01-01', '2027-03-01'];
  const lineArb = fc.record({
    grade: fc.constantFrom(...rules.catalogue.grades.map((g) => g.grade)),
    quantityKg: fc.oneof(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 100, max: 40000 })),
  });
  const orderArb = fc.record({
    lines: fc.array(lineArb, { minLength: 1, maxLength: 6 }),
    requestedShipDate: fc.constantFrom(...shipDates),
  });
  const reservedArb = fc.array(fc.oneof(fc.constant(0), fc.nat({ max: 70000 })), {
    minLength: producers.length * gradeFamilies.length,
    maxLength: producers.length * gradeFamilies.length,
  });
  const policyArb = fc.record({
    maxFactoriesPerLine: fc.integer({ min: 1, max: 8 }),
    minimumLotKg: fc.integer({ min: 1, max: 2000 }),
    tieBreak: fc.constantFrom('higher-quota-then-factory-id' as const, 'factory-id' as const),
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
  const withPolicy = (policy: { maxFactoriesPerLine: number; minimumLotKg: number; tieBreak: never }) =>
    editableRules((r) => Object.assign(r.allocationPolicy, policy));

  it('never exceeds free capacity, uses only eligible factories, respects split and lot, fills exactly or is UNFILLED', () => {
    fc.assert(
      fc.property(orderArb, reservedArb, policyArb, (generated, amounts, policy) => {
        const ruleSet = withPolicy(policy as never);
        const order = build(generated);
        const reserved = reservedLookup(amounts);
        const plan = planAllocation(order, ruleSet, reserved);
        const month = capacityMonth(order.requestedShipDate);
        const freeOf = (factoryId: string, family: GradeFamily) => {
          const factory = eligibleFactories(ruleSet, family, order.requestedShipDate).find(
            (f) => f.factoryId === factoryId,
          );
          return factory ? Math.max(0, factory.monthlyCapacityKg - reserved({ factoryId, family, month })) : 0;
        };

        if (plan.outcome === 'UNFILLED') {
          expect(plan.shortfalls.length).toBeGreaterThan(0);
          for (const shortfall of plan.shortfalls) {
            const line = order.lines[shortfall.lineIndex];
            expect(shortfall.missingKg).toBeGreaterThan(0);
            expect(shortfall.missingKg).toBeLessThanOrEqual(line?.quantityKg ?? 0);
            // Honest shortfall: even the best factories within the split limit, before any other line, cannot hold it.
            const family = familyOf(line?.grade ?? '', ruleSet) as GradeFamily;
            const lot = Math.min(policy.minimumLotKg, line?.quantityKg ?? 0);
            const best = eligibleFactories(ruleSet, family, order.requestedShipDate)
              .map((f) => freeOf(f.factoryId, family))
              .filter((free) => free >= lot)
              .sort((x, y) => y - x)
              .slice(0, policy.maxFactoriesPerLine)
              .reduce((sum, free) => sum + free, 0);
            if (order.lines.length === 1) expect(best).toBeLessThan(line?.quantityKg ?? 0);
          }
          return;
        }
        const usedByCell = new Map<string, number>();
        order.lines.forEach((line, lineIndex) => {
          const mine = plan.allocations.filter((a) => a.lineIndex === lineIndex);
          expect(mine.reduce((sum, a) => sum + a.quantityKg, 0)).toBe(line.quantityKg);
          expect(new Set(mine.map((a) => a.factoryId)).size).toBe(mine.length);
          expect(mine.length).toBeLessThanOrEqual(policy.maxFactoriesPerLine);
          for (const allocation of mine) {
            expect(allocation.quantityKg).toBeGreaterThanOrEqual(Math.min(policy.minimumLotKg, line.quantityKg));
          }
        });
        for (const allocation of plan.allocations) {
          expect(Number.isInteger(allocation.quantityKg) && allocation.quantityKg > 0).toBe(true);
          const eligible = eligibleFactories(ruleSet, allocation.family, order.requestedShipDate).map(
            (f) => f.factoryId,
          );
          expect(eligible).toContain(allocation.factoryId);
          expect(allocation.reason.length).toBeGreaterThan(0);
          const key = `${allocation.factoryId}|${allocation.family}`;
          usedByCell.set(key, (usedByCell.get(key) ?? 0) + allocation.quantityKg);
        }
        for (const [key, used] of usedByCell) {
          const [factoryId, family] = key.split('|') as [string, GradeFamily];
          expect(used).toBeLessThanOrEqual(freeOf(factoryId, family));
        }
      }),
      settings,
    );
  });

  it('gives the same plan for the same input', () => {
    fc.assert(
      fc.property(orderArb, reservedArb, policyArb, (generated, amounts, policy) => {
        const first = planAllocation(build(generated), withPolicy(policy as never), reservedLookup(amounts));
        const second = planAllocation(build(generated), withPolicy(policy as never), reservedLookup([...amounts]));
        expect(second).toEqual(first);
      }),
      settings,
    );
  });

  it('never gives a declined share back to a factory that declined it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20000 }),
        fc.subarray(eligibleFactories(rules, 'SH', '2027-03-01').map((f) => f.factoryId)),
        (quantityKg, declined) => {
          const plan = planReallocation(shOrder(quantityKg), rules, nothingReserved, {
            lineIndex: 0,
            quantityKg,
            excludedFactoryIds: new Set(declined),
            onLineFactoryIds: new Set(declined),
          });
          if (plan.outcome === 'ALLOCATED') {
            expect(plan.allocations.some((a) => declined.includes(a.factoryId))).toBe(false);
            expect(plan.allocations.reduce((sum, a) => sum + a.quantityKg, 0)).toBe(quantityKg);
          }
        },
      ),
      settings,
    );
  });
});
