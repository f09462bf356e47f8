/** Allocation of an order's kilograms to certified member factories' monthly capacity: fair share by quota, per the allocation policy. */
import { familyOf, requireGrade } from './catalogue';
import { isProducer } from './members';
import { formatUsd } from './money';
import type { Order } from './order';
import { transferUnitPrice, unifiedUnitPrice } from './pricing';
import type { AllocationPolicy, Certification, GradeFamily, RuleSet } from './rules';

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
  /** The agreed quota share in ten-thousandths of a percent, so weights stay exact integers. */
  quotaWeight: number;
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
      eligible.push({
        factoryId: member.id,
        factoryName: member.name,
        family,
        monthlyCapacityKg,
        certification,
        quotaWeight: Math.round(Number(member.quotaSharePercent) * 10_000),
      });
    }
  }
  return eligible.sort((a, b) => compareIds(a.factoryId, b.factoryId));
}

/** "GB/T 13560 (version 2017)": the decision names the standard and the version the factory is certified to. */
export function certificationLabel(certification: Certification): string {
  return `${certification.standard} (version ${certification.version ?? 'not recorded'})`;
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

interface Candidate {
  factory: EligibleFactory;
  reservedKg: number;
  freeKg: number;
}

/** The policy's tie-break as a comparator; it always ends on the factory id so no two factories ever tie. */
function tieBreak(policy: AllocationPolicy) {
  return (a: Candidate, b: Candidate) =>
    (policy.tieBreak === 'higher-quota-then-factory-id' ? b.factory.quotaWeight - a.factory.quotaWeight : 0) ||
    compareIds(a.factory.factoryId, b.factory.factoryId);
}

/** Least share of the month's capacity already used first (exact: cross-multiplied integers), then the tie-break. */
function leastUsedFirst(policy: AllocationPolicy) {
  const ties = tieBreak(policy);
  return (a: Candidate, b: Candidate) =>
    a.reservedKg * b.factory.monthlyCapacityKg - b.reservedKg * a.factory.monthlyCapacityKg || ties(a, b);
}

function mostFreeFirst(policy: AllocationPolicy) {
  const ties = tieBreak(policy);
  return (a: Candidate, b: Candidate) => b.freeKg - a.freeKg || ties(a, b);
}

/** What one line (or the declined part of one) asks of the allocator. */
export interface LineRequest {
  lineIndex: number;
  family: GradeFamily;
  quantityKg: number;
  /** Factories that declined this line (or let it lapse): never asked again for it. */
  excludedFactoryIds?: ReadonlySet<string>;
  /** Factories already holding part of this line: they may take more without using another of the line's slots. */
  onLineFactoryIds?: ReadonlySet<string>;
}

export interface LineShare {
  factory: EligibleFactory;
  quantityKg: number;
  reason: string;
}

export interface LinePlan {
  shares: LineShare[];
  missingKg: number;
}

/** Picks factories in `ranked` order within the line's slots: at most `count`, a factory already on the line costs none. */
function choose(ranked: Candidate[], count: number, slotsForNewFactories: number, onLine: ReadonlySet<string>) {
  const chosen: Candidate[] = [];
  let newFactories = 0;
  for (const candidate of ranked) {
    if (chosen.length === count) break;
    const isNew = !onLine.has(candidate.factory.factoryId);
    if (isNew && newFactories === slotsForNewFactories) continue;
    if (isNew) newFactories += 1;
    chosen.push(candidate);
  }
  return chosen;
}

const totalFree = (candidates: Candidate[]) => candidates.reduce((sum, c) => sum + c.freeKg, 0);

/**
 * Splits `quantityKg` over the chosen factories by quota weight, water-style: x = clamp(λ·weight, lot, free) with
 * Σx = quantityKg. λ is found by bisection; the kilograms are then settled in integers (largest remainder, ties by
 * the policy) and repaired to the bounds, so the result is exact whatever the floating-point error.
 */
function waterFill(
  chosen: Candidate[],
  quantityKg: number,
  lotKg: number,
  order: (a: Candidate, b: Candidate) => number,
) {
  const weights = chosen.map((c) => c.factory.quotaWeight);
  // Members without a quota still share equally rather than not at all.
  const weightOf = weights.every((w) => w === 0) ? () => 1 : (i: number) => weights[i] ?? 0;
  const fill = (lambda: number) => chosen.map((c, i) => Math.min(c.freeKg, Math.max(lotKg, lambda * weightOf(i))));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  let high = 1;
  while (sum(fill(high)) < quantityKg) high *= 2;
  let low = 0;
  for (let step = 0; step < 200 && high - low > 1e-12 * high; step += 1) {
    const middle = (low + high) / 2;
    if (sum(fill(middle)) < quantityKg) low = middle;
    else high = middle;
  }
  const ideal = fill(high);
  const kg = ideal.map((x, i) => Math.min(chosen[i]?.freeKg ?? 0, Math.max(lotKg, Math.floor(x))));
  // Largest fractional part first, then the policy's order: who gets the odd kilograms is never left to chance.
  const byFraction = chosen
    .map((c, i) => ({ c, i, fraction: (ideal[i] ?? 0) - Math.floor(ideal[i] ?? 0) }))
    .sort((a, b) => b.fraction - a.fraction || order(a.c, b.c))
    .map((entry) => entry.i);
  let difference = quantityKg - sum(kg);
  while (difference !== 0) {
    let moved = false;
    for (const i of difference > 0 ? byFraction : [...byFraction].reverse()) {
      if (difference === 0) break;
      const current = kg[i] ?? 0;
      if (difference > 0 && current < (chosen[i]?.freeKg ?? 0)) {
        kg[i] = current + 1;
        difference -= 1;
        moved = true;
      } else if (difference < 0 && current > lotKg) {
        kg[i] = current - 1;
        difference += 1;
        moved = true;
      }
    }
    if (!moved) throw new Error('water fill cannot settle: the chosen factories cannot hold the line');
  }
  return { kg, ideal };
}

/**
 * One line by the allocation policy (documented in functions/domain/reference/allocation-policy.json):
 * eligible = certified for the family on the ship date, not excluded, with at least one lot free; chosen = the
 * least-used factories within the line's slots (or, if they cannot hold the line, the ones with the most free kg);
 * split = quota-weighted water fill between the minimum lot and each factory's free capacity.
 */
export function planLine(
  rules: RuleSet,
  shipDate: string,
  request: LineRequest,
  reservedKg: (cell: CapacityCellKey) => number,
): LinePlan {
  const policy = rules.allocationPolicy;
  const month = capacityMonth(shipDate);
  const { quantityKg, family } = request;
  const excluded = request.excludedFactoryIds ?? new Set<string>();
  const onLine = request.onLineFactoryIds ?? new Set<string>();
  const lotKg = Math.min(policy.minimumLotKg, quantityKg);

  const candidates: Candidate[] = eligibleFactories(rules, family, shipDate)
    .filter((factory) => !excluded.has(factory.factoryId))
    .map((factory) => {
      const reserved = Math.max(0, reservedKg({ factoryId: factory.factoryId, family, month }));
      return { factory, reservedKg: reserved, freeKg: Math.max(0, factory.monthlyCapacityKg - reserved) };
    })
    .filter((candidate) => candidate.freeKg >= lotKg);

  const onLineStaying = [...onLine].filter((id) => !excluded.has(id)).length;
  const slotsForNewFactories = Math.max(0, policy.maxFactoriesPerLine - onLineStaying);
  // Every chosen factory makes at least a lot, so a line of n lots has room for at most n factories.
  const count = Math.max(1, Math.min(policy.maxFactoriesPerLine, Math.floor(quantityKg / lotKg)));

  let basis = 'least capacity used';
  let chosen = choose([...candidates].sort(leastUsedFirst(policy)), count, slotsForNewFactories, onLine);
  if (totalFree(chosen) < quantityKg) {
    basis = 'most free capacity';
    chosen = choose([...candidates].sort(mostFreeFirst(policy)), count, slotsForNewFactories, onLine);
  }
  const free = totalFree(chosen);
  if (chosen.length === 0 || free < quantityKg) return { shares: [], missingKg: quantityKg - free };

  const order = tieBreak(policy);
  const { kg, ideal } = waterFill(chosen, quantityKg, lotKg, order);
  const chosenWeight = chosen.reduce((total, c) => total + c.factory.quotaWeight, 0);
  const shares = chosen
    .map((candidate, i) => {
      const quantity = kg[i] ?? 0;
      const idealKg = ideal[i] ?? 0;
      const { factory } = candidate;
      const bound =
        quantity >= candidate.freeKg && idealKg >= candidate.freeKg
          ? `; capped at its free capacity (${candidate.freeKg} kg)`
          : quantity === lotKg && idealKg <= lotKg
            ? `; raised to the minimum lot (${lotKg} kg)`
            : '';
      const used = Math.round((candidate.reservedKg / factory.monthlyCapacityKg) * 100);
      const reason =
        `policy ${policy.version}: one of ${chosen.length} factories for line ${request.lineIndex + 1} ` +
        `(${quantityKg} kg ${family}), chosen by ${basis} in ${month} (${used} % used, ${candidate.freeKg} of ${factory.monthlyCapacityKg} kg free); ` +
        `quota ${factory.quotaWeight / 10_000} % of the chosen ${chosenWeight / 10_000} % → ${quantity} kg${bound}; ` +
        `certified to ${certificationLabel(factory.certification)} for ${family} from ${factory.certification.validFrom} until ${factory.certification.validTo}`;
      return { factory, quantityKg: quantity, reason };
    })
    .filter((share) => share.quantityKg > 0)
    .sort((a, b) => compareIds(a.factory.factoryId, b.factory.factoryId));
  return { shares, missingKg: 0 };
}

/**
 * Lines in index order, each split by planLine; capacity taken by earlier lines of the same order counts. All or
 * nothing: any line short makes the plan UNFILLED, listing every short line. An unknown grade throws: the grade
 * check must have rejected such an order before allocation.
 */
export function planAllocation(
  order: Order,
  rules: RuleSet,
  reservedKg: (cell: CapacityCellKey) => number,
): AllocationPlan {
  const month = capacityMonth(order.requestedShipDate);
  const takenByThisOrder = new Map<string, number>();
  const reservedIncludingThisOrder = (cell: CapacityCellKey) =>
    reservedKg(cell) + (takenByThisOrder.get(cellKey(cell)) ?? 0);
  const allocations: PlannedAllocation[] = [];
  const shortfalls: Shortfall[] = [];

  order.lines.forEach((line, lineIndex) => {
    const { family } = requireGrade(rules, line.grade);
    const plan = planLine(
      rules,
      order.requestedShipDate,
      { lineIndex, family, quantityKg: line.quantityKg },
      reservedIncludingThisOrder,
    );
    if (plan.missingKg > 0) {
      shortfalls.push({ lineIndex, missingKg: plan.missingKg });
      return;
    }
    const transferPrice = lineTransferPrice(order, lineIndex, rules);
    for (const share of plan.shares) {
      const key = cellKey({ factoryId: share.factory.factoryId, family, month });
      takenByThisOrder.set(key, (takenByThisOrder.get(key) ?? 0) + share.quantityKg);
      allocations.push(toPlanned(share, lineIndex, month, transferPrice));
    }
  });

  return shortfalls.length > 0 ? { outcome: 'UNFILLED', shortfalls } : { outcome: 'ALLOCATED', allocations };
}

/** The unified price of the line less the channel's share: what the factory is paid per kg. */
export function lineTransferPrice(order: Order, lineIndex: number, rules: RuleSet): string {
  const line = order.lines[lineIndex];
  if (!line) throw new RangeError(`the order has no line ${lineIndex}`);
  return formatUsd(transferUnitPrice(unifiedUnitPrice(line, order.incoterm, rules, order.destinationCountry), rules));
}

function toPlanned(share: LineShare, lineIndex: number, month: string, transferPrice: string): PlannedAllocation {
  return {
    lineIndex,
    factoryId: share.factory.factoryId,
    factoryName: share.factory.factoryName,
    family: share.factory.family,
    month,
    quantityKg: share.quantityKg,
    capacityKg: share.factory.monthlyCapacityKg,
    transferUnitPriceUsdPerKg: transferPrice,
    reason: share.reason,
  };
}

export interface ReallocationRequest {
  lineIndex: number;
  quantityKg: number;
  excludedFactoryIds: ReadonlySet<string>;
  onLineFactoryIds: ReadonlySet<string>;
}

/** A declined (or lapsed) share of one line, placed again by the same policy without the factories that declined. */
export function planReallocation(
  order: Order,
  rules: RuleSet,
  reservedKg: (cell: CapacityCellKey) => number,
  request: ReallocationRequest,
): AllocationPlan {
  const line = order.lines[request.lineIndex];
  if (!line) throw new RangeError(`the order has no line ${request.lineIndex}`);
  const { family } = requireGrade(rules, line.grade);
  const month = capacityMonth(order.requestedShipDate);
  const plan = planLine(rules, order.requestedShipDate, { ...request, family }, reservedKg);
  if (plan.missingKg > 0) {
    return { outcome: 'UNFILLED', shortfalls: [{ lineIndex: request.lineIndex, missingKg: plan.missingKg }] };
  }
  const transferPrice = lineTransferPrice(order, request.lineIndex, rules);
  return {
    outcome: 'ALLOCATED',
    allocations: plan.shares.map((share) => ({
      ...toPlanned(share, request.lineIndex, month, transferPrice),
      reason: `reallocated after a decline (${[...request.excludedFactoryIds].sort(compareIds).join(', ')} excluded); ${share.reason}`,
    })),
  };
}
