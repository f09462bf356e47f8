import { describe, expect, it } from 'vitest';
import {
  addPercent,
  Decimal,
  formatUsd,
  percentToFraction,
  roundToCents,
  subtractPercent,
  sumUsd,
  usd,
} from '../../../functions/domain/money';

describe('money', () => {
  it('adds decimal strings exactly where floats would not', () => {
    expect(formatUsd(sumUsd([usd('0.10'), usd('0.20')]))).toBe('0.30');
    expect(sumUsd([usd('0.1'), usd('0.2')]).equals(usd('0.3'))).toBe(true);
  });

  it.each(['1e3', 'NaN', 'Infinity', '', ' 1.00', '1,00', '0x10'])('refuses "%s" as an amount', (text) => {
    expect(() => usd(text)).toThrow(RangeError);
  });

  it('refuses a non-finite Decimal', () => {
    expect(() => usd(new Decimal(Number.NaN))).toThrow(RangeError);
  });

  it.each([
    ['1.005', '1.01'],
    ['1.004', '1.00'],
    ['2.675', '2.68'],
    ['9.785', '9.79'],
    ['-1.005', '-1.01'],
    ['3', '3.00'],
  ])('rounds %s half up to %s', (raw, cents) => {
    expect(formatUsd(usd(raw))).toBe(cents);
    expect(roundToCents(usd(raw)).toFixed(2)).toBe(cents);
  });

  it('ignores decimal.js global rounding settings', () => {
    const saved = Decimal.rounding;
    Decimal.set({ rounding: Decimal.ROUND_HALF_EVEN });
    try {
      expect(formatUsd(new Decimal('9.785'))).toBe('9.79');
    } finally {
      Decimal.set({ rounding: saved });
    }
  });

  it('applies percentages exactly', () => {
    expect(percentToFraction('12.5').toString()).toBe('0.125');
    expect(addPercent(usd('21.00'), '7').toString()).toBe('22.47');
    expect(addPercent(usd('21.00'), '-14').toString()).toBe('18.06');
    expect(subtractPercent(usd('22.68'), '5').toString()).toBe('21.546');
  });

  it('keeps large exact products: a max price times a max quantity', () => {
    expect(formatUsd(usd('9999999.99').times(1_000_000))).toBe('9999999990000.00');
  });
});
