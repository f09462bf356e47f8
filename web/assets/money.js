/** USD amounts as the contract sends them: decimal strings, compared and formatted via BigInt cents, never floats. */

const USD_PATTERN = /^(\d+)(?:\.(\d{1,2}))?$/;

/** "71.2" → 7120n; null for anything that is not a plain non-negative decimal with at most 2 decimals. */
export function toCents(value) {
  if (typeof value !== 'string') return null;
  const match = USD_PATTERN.exec(value);
  if (!match) return null;
  const [, whole, fraction = ''] = match;
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
}

/** True when `offered` is strictly below `unified`; false when either is not a decimal string (nothing to flag). */
export function isBelow(offered, unified) {
  const a = toCents(offered);
  const b = toCents(unified);
  return a !== null && b !== null && a < b;
}

/** "35600" or "35600.00" → "35,600.00"; returns the input unchanged if it is not a decimal string. */
export function formatUsd(value) {
  const cents = toCents(value);
  if (cents === null) return String(value);
  const whole = (cents / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = (cents % 100n).toString().padStart(2, '0');
  return `${whole}.${fraction}`;
}

/** The exact sum of decimal strings, as a 2-decimal string. */
export function sumUsd(values) {
  const cents = values.reduce((total, value) => total + (toCents(value) ?? 0n), 0n);
  return `${(cents / 100n).toString()}.${(cents % 100n).toString().padStart(2, '0')}`;
}
