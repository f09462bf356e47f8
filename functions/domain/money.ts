/** Exact USD arithmetic: decimal strings at the edges, decimal.js inside, no float ever touching money. */
import Decimal from 'decimal.js';

/**
 * A private Decimal constructor (an operation runs under its left operand's constructor, so helpers wrap inputs in it), so that another module changing decimal.js's global settings cannot change our
 * rounding. 40 significant digits hold any product of a price (≤ 10 digits) and a quantity (≤ 7 digits) exactly.
 */
export const Money = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

const decimalStringPattern = /^-?\d+(\.\d+)?$/;

/** Parses a decimal string (or passes a Decimal through); refuses floats' exotic forms such as "1e3", "NaN" or "". */
export function usd(value: string | Decimal): Decimal {
  if (typeof value !== 'string') {
    if (!value.isFinite()) throw new RangeError(`not a finite amount: ${value.toString()}`);
    return new Money(value);
  }
  if (!decimalStringPattern.test(value)) throw new RangeError(`not a decimal string: "${value}"`);
  return new Money(value);
}

/** Rounds to whole cents, half away from zero (ROUND_HALF_UP), as the price list requires. */
export function roundToCents(amount: Decimal): Decimal {
  return new Money(amount).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/** The contract's money form: a decimal string with exactly 2 decimals, e.g. "71.20". */
export function formatUsd(amount: Decimal): string {
  return roundToCents(amount).toFixed(2, Decimal.ROUND_HALF_UP);
}

/** "12.5" (percent) → 0.125. */
export function percentToFraction(percent: string | Decimal): Decimal {
  return usd(percent).dividedBy(100);
}

/** amount × (1 + percent/100); a negative percent lowers the amount. */
export function addPercent(amount: Decimal, percent: string | Decimal): Decimal {
  return new Money(amount).times(new Money(1).plus(percentToFraction(percent)));
}

/** amount × (1 − percent/100). */
export function subtractPercent(amount: Decimal, percent: string | Decimal): Decimal {
  return new Money(amount).times(new Money(1).minus(percentToFraction(percent)));
}

/** The exact sum; an empty list sums to zero. */
export function sumUsd(amounts: readonly Decimal[]): Decimal {
  return amounts.reduce<Decimal>((total, amount) => total.plus(amount), new Money(0));
}

export { Decimal };
