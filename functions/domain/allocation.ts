/** Allocation of an order's kilograms to certified member factories' monthly capacity (first version, no fair share). */
import { familyOf, requireGrade } from './catalogue';
import { isProducer } from './members';
import { formatUsd } from './money';
import type { Order } from './order';
import { transferUnitPrice, unifiedUnitPrice } from './pricing';
import type { Certification, GradeFamily, RuleSet } from './rules';

export { familyOf };

/** One factory's capacity for one family in one month: the unit that reservations are counted against. */
export interface CapacityCellKey {
  factoryId: string;
  family: GradeFamily;
  month: string;
}

export interface CapacityCell extends CapacityCellKey {
  capacityKg: number;
}

export interface EligibleFactory {
  factoryId: string;
  factoryName: string;
  family: GradeFamily;
  monthlyCapacityKg: number;
  certification: Certification;
}

export interface PlannedAllocation {
  lineIndex: number;
  factoryId: string;
  factoryName: string;
  family: GradeFamily;
  month: string;
  quantityKg: number;
  capacityKg: number;
  transferUnitPriceUsdPerKg: string;
  reason: string;
}

export interface Shortfall {
  lineIndex: number;
  missingKg: number;
}

export type AllocationPlan =
  | { outcome: 'ALLOCATED'; allocations: PlannedAllocation[] }
  | { outcome: 'UNFILLED'; shortfalls: Shortfall[] };

/** The ship date decides the capacity period: goods leave in the month they were made for. */
export function capacityMonth(shipDate: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(shipDate)) throw new RangeError(`not a YYYY-MM-DD date: "${shipDate}"`);
  return shipDate.slice(0, 7);
}

/** Producer members certified for the family on the ship date (validFrom ≤ date ≤ validTo) with capacity for it. */
export function eligibleFactories(rules: RuleSet, family: GradeFamily, shipDate: string): EligibleFactory[] {
  const eligible: EligibleFactory[] = [];
  for (const member of rules.members.members) {
    if (!isProducer(member)) continue;
    const monthlyCapacityKg = member.monthlyCapacityKg[family] ?? 0;
    const certification = member.certifications.find(
      (c) => c.family === family && c.validFrom <= shipDate && shipDate <= c.validTo,
    );
    if (certification && monthlyCapacityKg > 0) {
      eligible.push({ factoryId: member.id, factoryName: member.name, family, monthlyCapacityKg, certification });
    }
  }
  return eligible.sort((a, b) => compareIds(a.factoryId, b.factoryId));
}

/** Every cell the order could draw on, so an adapter can read all their reserved totals before planning. */
export function capacityCellsFor(order: Order, rules: RuleSet): CapacityCell[] {
  const month = capacityMonth(order.requestedShipDate);
  const families = new Set<GradeFamily>();
  for (const line of order.lines) {
    const family = familyOf(line.grade, rules);
    if (family) families.add(family);
  }
  return [...families].flatMap((family) =>
    eligibleFactories(rules, family, order.requestedShipDate).map((factory) => ({
      factoryId: factory.factoryId,
      family,
      month,
      capacityKg: factory.monthlyCapacityKg,
    })),
  );
}

const cellKey = (cell: CapacityCellKey) => `${cell.factoryId}|${cell.family}|${cell.month}`;
/** Code-unit order, not locale order, so the plan is the same on every machine. */
const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Lines in index order, each filled from the factories with the most free capacity first (ties by factory id), and
 * split across factories when one is short. Capacity taken by earlier lines of the same order counts. All or nothing:
 * any line short makes the plan UNFILLED, listing every short line. An unknown grade throws: the grade check must
 * have rejected such an order before allocation.
 */
export function planAllocation(
  order: Order,
  rules: RuleSet,
  reservedKg: (cell: CapacityCellKey) => number,
): AllocationPlan {
  const month = capacityMonth(order.requestedShipDate);
  const takenByThisOrder = new Map<string, number>();
  const allocations: PlannedAllocation[] = [];
  const shortfalls: Shortfall[] = [];

  order.lines.forEach((line, lineIndex) => {
    const { family } = requireGrade(rules, line.grade);
    const transferPrice = formatUsd(
      transferUnitPrice(unifiedUnitPrice(line, order.incoterm, rules, order.destinationCountry), rules),
    );
    const candidates = eligibleFactories(rules, family, order.requestedShipDate)
      .map((factory) => {
        const key = cellKey({ factoryId: factory.factoryId, family, month });
        const reserved = Math.max(0, reservedKg({ factoryId: factory.factoryId, family, month }));
        const freeKg = Math.max(0, factory.monthlyCapacityKg - reserved - (takenByThisOrder.get(key) ?? 0));
        return { factory, key, freeKg };
      })
      .filter((candidate) => candidate.freeKg > 0)
      .sort((a, b) => b.freeKg - a.freeKg || compareIds(a.factory.factoryId, b.factory.factoryId));

    let remainingKg = line.quantityKg;
    const lineAllocations: PlannedAllocation[] = [];
    for (const { factory, key, freeKg } of candidates) {
      if (remainingKg === 0) break;
      const quantityKg = Math.min(freeKg, remainingKg);
      remainingKg -= quantityKg;
      takenByThisOrder.set(key, (takenByThisOrder.get(key) ?? 0) + quantityKg);
      lineAllocations.push({
        lineIndex,
        factoryId: factory.factoryId,
        factoryName: factory.factoryName,
        family,
        month,
        quantityKg,
        capacityKg: factory.monthlyCapacityKg,
        transferUnitPriceUsdPerKg: transferPrice,
        reason: `certified ${factory.certification.standard} for ${family} until ${factory.certification.validTo}; most free ${family} capacity in ${month} (${freeKg} of ${factory.monthlyCapacityKg} kg free)`,
      });
    }
    if (remainingKg > 0) shortfalls.push({ lineIndex, missingKg: remainingKg });
    if (lineAllocations.length > 1) {
      for (const allocation of lineAllocations) {
        allocation.reason += `; line split across ${lineAllocations.length} factories`;
      }
    }
    allocations.push(...lineAllocations);
  });

  return shortfalls.length > 0 ? { outcome: 'UNFILLED', shortfalls } : { outcome: 'ALLOCATED', allocations };
}
