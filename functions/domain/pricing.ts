/** The unified price list applied: one unit price per line, used alike by quotes, the price check and transfer prices. */
import { findCoating, findGrade } from './catalogue';
import { type DomainProblem, UnknownCoatingError, UnknownGradeError, UnquotableRequestError } from './errors';
import { addPercent, type Decimal, formatUsd, Money, roundToCents, subtractPercent, sumUsd, usd } from './money';
import type { Incoterm, PricedLine, QuoteRequest } from './order';
import type { DestinationPricing, Grade, PriceList, RuleSet } from './rules';

export interface Quote {
  priceListVersion: string;
  lines: { unitPriceUsdPerKg: string; amountUsd: string }[];
  totalUsd: string;
}

/** Rungs between the grade's nominal energy and the reference (N35 → N38 is +1, N33 → N35 is −1). */
export function energySteps(grade: Grade, priceList: PriceList): number {
  const ladder = priceList.energyLadderMGOe;
  return ladder.indexOf(grade.bhMaxNominalMGOe) - ladder.indexOf(priceList.referenceEnergyMGOe);
}

/** The largest discount whose tier the quantity reaches; below the first tier no discount applies. */
export function volumeDiscountPercent(quantityKg: number, priceList: PriceList): string {
  let discount = '0';
  for (const tier of priceList.volumeTiers) {
    if (quantityKg >= tier.minKg) discount = tier.discountPercent;
  }
  return discount;
}

/** How a C or D term's region was found: the destination's own, the default for an unmapped country, or none given. */
export type RegionBasis = 'destination' | 'default-region' | 'dearest-region';

export interface PricingRegion {
  id: string;
  name: string;
  basis: RegionBasis;
  /** The term's regional costs, summed, per kg. */
  adderUsdPerKg: Decimal;
}

function regionalAdder(pricing: DestinationPricing, incoterm: Incoterm, regionId: string): Decimal {
  const region = pricing.regions[regionId];
  if (!region) throw new RangeError(`price list has no region "${regionId}"`);
  return sumUsd((pricing.termComponents[incoterm] ?? []).map((component) => usd(region.usdPerKg[component])));
}

/**
 * The region whose carriage, insurance and import costs a line under `incoterm` carries, or undefined when nothing
 * depends on the destination (EXW/FCA/FOB, or a price list without regional pricing). A country the list does not map
 * is priced in its default region. Without a destination (a quote may omit it) the term is priced for its dearest
 * region, ties to the lower region id, so the quoted price is never below the price check's for any destination.
 */
export function pricingRegion(
  priceList: PriceList,
  incoterm: Incoterm,
  destinationCountry?: string,
): PricingRegion | undefined {
  const pricing = priceList.destinationPricing;
  if (!pricing || (pricing.termComponents[incoterm] ?? []).length === 0) return undefined;
  const found = (id: string, basis: RegionBasis): PricingRegion => ({
    id,
    name: pricing.regions[id]?.name ?? id,
    basis,
    adderUsdPerKg: regionalAdder(pricing, incoterm, id),
  });
  if (destinationCountry !== undefined) {
    const mapped = pricing.countryRegions[destinationCountry];
    return mapped ? found(mapped, 'destination') : found(pricing.defaultRegion, 'default-region');
  }
  const ids = Object.keys(pricing.regions).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const priced = ids.map((id) => found(id, 'dearest-region'));
  return priced.reduce((dearest, region) =>
    region.adderUsdPerKg.greaterThan(dearest.adderUsdPerKg) ? region : dearest,
  );
}

/** For messages: "CIF to DE (Europe)", "CIF to CN (default region Rest of world)", "CIF without destination (…)". */
export function pricingBasisLabel(priceList: PriceList, incoterm: Incoterm, destinationCountry?: string): string {
  const region = pricingRegion(priceList, incoterm, destinationCountry);
  if (!region) return incoterm;
  if (region.basis === 'destination') return `${incoterm} to ${destinationCountry} (${region.name})`;
  if (region.basis === 'default-region') return `${incoterm} to ${destinationCountry} (default region ${region.name})`;
  return `${incoterm} without destination (dearest region ${region.name})`;
}

/**
 * The unified price per kg of one line, rounded once to cents (ROUND_HALF_UP) so that no intermediate rounding can
 * make two routes to the same line disagree. Quotes, the price check, transfer prices, the ledger and reconcile all
 * call this with the order's destination, so they agree; see `pricingRegion` for a quote without one.
 */
export function unifiedUnitPrice(
  line: PricedLine,
  incoterm: Incoterm,
  rules: RuleSet,
  destinationCountry?: string,
): Decimal {
  const grade = findGrade(rules, line.grade);
  if (!grade) throw new UnknownGradeError(line.grade);
  if (!findCoating(rules, line.coating)) throw new UnknownCoatingError(line.coating);
  const { priceList } = rules;
  const coatingAdder = priceList.coatingAdderPercent[line.coating];
  if (coatingAdder === undefined) throw new UnknownCoatingError(line.coating);

  const energyAdder = usd(priceList.energyStepPercent).times(energySteps(grade, priceList));
  let price = usd(priceList.basePrice.usdPerKg);
  price = addPercent(price, energyAdder);
  price = addPercent(price, priceList.familyAdderPercent[grade.family]);
  price = addPercent(price, coatingAdder);
  price = subtractPercent(price, volumeDiscountPercent(line.quantityKg, priceList));
  price = price.plus(usd(priceList.incotermAdderUsdPerKg[incoterm]));
  const region = pricingRegion(priceList, incoterm, destinationCountry);
  if (region) price = price.plus(region.adderUsdPerKg);
  return roundToCents(price);
}

/** What a member factory is paid per kg: the unified price less the channel's margin, rounded to cents. */
export function transferUnitPrice(unifiedUnitPriceUsdPerKg: Decimal, rules: RuleSet): Decimal {
  return roundToCents(subtractPercent(unifiedUnitPriceUsdPerKg, rules.priceList.channelMarginPercent));
}

/** A line's amount is exact: a cent-rounded unit price times whole kilograms needs no further rounding. */
export function lineAmount(unitPriceUsdPerKg: Decimal, quantityKg: number): Decimal {
  return new Money(unitPriceUsdPerKg).times(quantityKg);
}

/**
 * Why a request cannot be quoted, as JSON pointers into it; empty when every line can be priced. Unknown grades and
 * coatings cannot be priced at all; a line below the minimum order could be, but could never be ordered.
 */
export function quoteProblems(request: Pick<QuoteRequest, 'lines'>, rules: RuleSet): DomainProblem[] {
  const problems: DomainProblem[] = [];
  const { minimumOrderKg } = rules.priceList;
  request.lines.forEach((line, index) => {
    if (!findGrade(rules, line.grade)) {
      problems.push({ path: `/lines/${index}/grade`, message: `unknown grade "${line.grade}"` });
    }
    if (!findCoating(rules, line.coating) || rules.priceList.coatingAdderPercent[line.coating] === undefined) {
      problems.push({ path: `/lines/${index}/coating`, message: `unknown coating "${line.coating}"` });
    }
    if (line.quantityKg < minimumOrderKg) {
      problems.push({
        path: `/lines/${index}/quantityKg`,
        message: `${line.quantityKg} kg is below the minimum order of ${minimumOrderKg} kg per line`,
      });
    }
  });
  return problems;
}

/** The contract's quote: the same `unifiedUnitPrice` the price check uses, amounts and an exact total. */
export function quote(request: QuoteRequest, rules: RuleSet): Quote {
  const problems = quoteProblems(request, rules);
  if (problems.length > 0) throw new UnquotableRequestError(problems);
  const priced = request.lines.map((line) => {
    const unitPrice = unifiedUnitPrice(line, request.incoterm, rules, request.destinationCountry);
    return { unitPrice, amount: lineAmount(unitPrice, line.quantityKg) };
  });
  return {
    priceListVersion: rules.priceList.version,
    lines: priced.map(({ unitPrice, amount }) => ({
      unitPriceUsdPerKg: formatUsd(unitPrice),
      amountUsd: formatUsd(amount),
    })),
    totalUsd: formatUsd(sumUsd(priced.map(({ amount }) => amount))),
  };
}
