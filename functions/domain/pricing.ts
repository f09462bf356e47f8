/** The unified price list applied: one unit price per line, used alike by quotes, the price check and transfer prices. */
import { findCoating, findGrade } from './catalogue';
import { type DomainProblem, UnknownCoatingError, UnknownGradeError, UnquotableRequestError } from './errors';
import { addPercent, type Decimal, formatUsd, Money, roundToCents, subtractPercent, sumUsd, usd } from './money';
import type { Incoterm, PricedLine, QuoteRequest } from './order';
import type { Grade, PriceList, RuleSet } from './rules';

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

/**
 * The unified price per kg of one line, rounded once to cents (ROUND_HALF_UP) so that no intermediate rounding can
 * make two routes to the same line disagree. The destination is accepted for a future destination-dependent price
 * list; the seed list ignores it on purpose, because the contract's quote body has no destination and a quote must
 * equal the price check's price.
 */
export function unifiedUnitPrice(
  line: PricedLine,
  incoterm: Incoterm,
  rules: RuleSet,
  _destinationCountry?: string,
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
