import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnknownCoatingError, UnknownGradeError, UnquotableRequestError } from '../../../functions/domain/errors';
import { Decimal, formatUsd, sumUsd, usd } from '../../../functions/domain/money';
import { type Incoterm, incoterms, type QuoteRequest } from '../../../functions/domain/order';
import {
  quote,
  quoteProblems,
  transferUnitPrice,
  unifiedUnitPrice,
  volumeDiscountPercent,
} from '../../../functions/domain/pricing';
import { seedRuleSet } from '../../../functions/domain/rules';
import { editableRules } from './fixtures';

const rules = seedRuleSet;
const price = (grade: string, quantityKg: number, incoterm: Incoterm = 'FOB', coating = 'NiCuNi') =>
  formatUsd(unifiedUnitPrice({ grade, coating, quantityKg }, incoterm, rules));

const block = { type: 'block', lengthMm: 20, widthMm: 10, thicknessMm: 5 } as const;
const request = (lines: { grade: string; coating: string; quantityKg: number }[], incoterm: Incoterm = 'FOB') =>
  ({
    lines: lines.map((line) => ({ ...line, shape: block })),
    incoterm,
    requestedShipDate: '2027-03-01',
  }) satisfies QuoteRequest;

describe('unifiedUnitPrice', () => {
  it('prices the base grade at the base price plus the default coating', () => {
    // 21.00 × 1.08 (NiCuNi)
    expect(price('N35', 100)).toBe('22.68');
  });

  it('composes energy steps, family, coating and volume tier', () => {
    // 21.00 × (1 + 3 × 7 %) × 1.50 (SH) × 1.08 (NiCuNi) × 0.95 (500 kg) = 39.10599
    expect(price('N42SH', 500)).toBe('39.11');
  });

  it('adds the flat Incoterm adder before rounding once', () => {
    // 39.10599 + 0.50 (CIF) = 39.60599
    expect(price('N42SH', 500, 'CIF')).toBe('39.61');
    expect(price('N42SH', 500, 'EXW')).toBe(price('N42SH', 500, 'FOB'));
    expect(price('N42SH', 500, 'FCA')).toBe(price('N42SH', 500, 'FOB'));
  });

  it('lowers the price for grades below the reference energy', () => {
    // 21.00 × (1 − 2 × 7 %) × 1.25 (H) × 1.08
    expect(price('N30H', 100)).toBe('24.38');
  });

  it('rounds half up, not half even', () => {
    const halfway = editableRules((r) => {
      r.priceList.basePrice.usdPerKg = '10.30';
    });
    // 10.30 × 1 × 1 × 1 (Passivation) × 0.95 = 9.785
    expect(formatUsd(unifiedUnitPrice({ grade: 'N35', coating: 'Passivation', quantityKg: 500 }, 'FOB', halfway))).toBe(
      '9.79',
    );
  });

  it.each([
    [99, '22.68'],
    [100, '22.68'],
    [499, '22.68'],
    [500, '21.55'],
    [1999, '21.55'],
    [2000, '19.96'],
    [9999, '19.96'],
    [10000, '18.14'],
  ])('N35 NiCuNi at %i kg costs %s per kg (tier boundaries)', (quantityKg, expected) => {
    expect(price('N35', quantityKg)).toBe(expected);
  });

  it('orders the families by coercivity and puts UH at 2x and EH at 2.5x N', () => {
    const families = ['N35', 'N35M', 'N35H', 'N35SH', 'N35UH', 'N35EH'].map((grade) => usd(price(grade, 100)));
    families.slice(1).forEach((value, index) => {
      expect(value.greaterThan(families[index] ?? value)).toBe(true);
    });
    expect(
      usd(price('N35UH', 100))
        .dividedBy(usd(price('N35', 100)))
        .toFixed(2),
    ).toBe('2.00');
    expect(
      usd(price('N35EH', 100))
        .dividedBy(usd(price('N35', 100)))
        .toFixed(2),
    ).toBe('2.50');
  });

  it('does not depend on the destination, so quotes equal the price check', () => {
    const line = { grade: 'N42SH', coating: 'NiCuNi', quantityKg: 500 };
    expect(unifiedUnitPrice(line, 'DDP', rules, 'US').equals(unifiedUnitPrice(line, 'DDP', rules))).toBe(true);
  });

  it('throws typed errors for an unknown grade or coating', () => {
    expect(() => unifiedUnitPrice({ grade: 'N99', coating: 'NiCuNi', quantityKg: 100 }, 'FOB', rules)).toThrow(
      UnknownGradeError,
    );
    expect(() => unifiedUnitPrice({ grade: 'N35', coating: 'Gold', quantityKg: 100 }, 'FOB', rules)).toThrow(
      UnknownCoatingError,
    );
  });
});

describe('transferUnitPrice', () => {
  it('is the unified price less the channel margin, in cents', () => {
    // 39.11 × 0.92 = 35.9812
    expect(formatUsd(transferUnitPrice(usd('39.11'), rules))).toBe('35.98');
    // 22.68 × 0.92 = 20.8656
    expect(formatUsd(transferUnitPrice(usd('22.68'), rules))).toBe('20.87');
  });
});

describe('quote', () => {
  it('answers the contract shape with exact amounts and total', () => {
    const answer = quote(
      request([
        { grade: 'N42SH', coating: 'NiCuNi', quantityKg: 500 },
        { grade: 'N35', coating: 'Zn', quantityKg: 2000 },
      ]),
      rules,
    );
    // N35 Zn 2000 kg: 21.00 × 1.03 × 0.88 = 19.0344
    expect(answer).toEqual({
      priceListVersion: 'prices-2026.1',
      lines: [
        { unitPriceUsdPerKg: '39.11', amountUsd: '19555.00' },
        { unitPriceUsdPerKg: '19.03', amountUsd: '38060.00' },
      ],
      totalUsd: '57615.00',
    });
  });

  it('lists every unquotable field as a JSON pointer', () => {
    const problems = quoteProblems(
      request([
        { grade: 'N42SH', coating: 'NiCuNi', quantityKg: 500 },
        { grade: 'N99', coating: 'Gold', quantityKg: 99 },
      ]),
      rules,
    );
    expect(problems.map((p) => p.path)).toEqual(['/lines/1/grade', '/lines/1/coating', '/lines/1/quantityKg']);
    expect(problems[2]?.message).toContain('minimum order of 100 kg');
  });

  it('is empty for a quotable request, and quote refuses an unquotable one with the same problems', () => {
    expect(quoteProblems(request([{ grade: 'N35', coating: 'Ni', quantityKg: 100 }]), rules)).toEqual([]);
    const bad = request([{ grade: 'n35', coating: 'Ni', quantityKg: 100 }]);
    expect(() => quote(bad, rules)).toThrow(UnquotableRequestError);
    try {
      quote(bad, rules);
    } catch (error) {
      expect((error as UnquotableRequestError).problems).toEqual(quoteProblems(bad, rules));
    }
  });
});

describe('pricing properties', () => {
  const gradeArb = fc.constantFrom(...rules.catalogue.grades.map((g) => g.grade));
  const coatingArb = fc.constantFrom(...rules.catalogue.coatings.map((c) => c.code));
  const incotermArb = fc.constantFrom(...incoterms);
  const quantityArb = fc.integer({ min: 100, max: 1_000_000 });
  const lineArb = fc.record({ grade: gradeArb, coating: coatingArb, quantityKg: quantityArb });

  it('a quote total is the exact sum of its line amounts, each unit price × quantity', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 20 }), incotermArb, (lines, incoterm) => {
        const answer = quote(request(lines, incoterm), rules);
        answer.lines.forEach((line, index) => {
          expect(line.unitPriceUsdPerKg).toMatch(/^\d+\.\d{2}$/);
          expect(usd(line.amountUsd).equals(usd(line.unitPriceUsdPerKg).times(lines[index]?.quantityKg ?? 0))).toBe(
            true,
          );
        });
        expect(usd(answer.totalUsd).equals(sumUsd(answer.lines.map((line) => usd(line.amountUsd))))).toBe(true);
      }),
    );
  });

  it('the unit price never increases as the quantity grows across tiers', () => {
    fc.assert(
      fc.property(gradeArb, coatingArb, incotermArb, quantityArb, quantityArb, (grade, coating, incoterm, a, b) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        const smallPrice = unifiedUnitPrice({ grade, coating, quantityKg: small }, incoterm, rules);
        const largePrice = unifiedUnitPrice({ grade, coating, quantityKg: large }, incoterm, rules);
        expect(largePrice.lessThanOrEqualTo(smallPrice)).toBe(true);
      }),
    );
  });

  it('the volume discount is the highest tier reached', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (quantityKg) => {
        const reached = rules.priceList.volumeTiers.filter((tier) => tier.minKg <= quantityKg);
        const expected = reached.length === 0 ? '0' : (reached[reached.length - 1]?.discountPercent ?? '0');
        expect(volumeDiscountPercent(quantityKg, rules.priceList)).toBe(expected);
      }),
    );
  });

  it('the transfer price is below the unified price and never negative', () => {
    fc.assert(
      fc.property(lineArb, incotermArb, (line, incoterm) => {
        const unified = unifiedUnitPrice(line, incoterm, rules);
        const transfer = transferUnitPrice(unified, rules);
        expect(transfer.lessThan(unified)).toBe(true);
        expect(transfer.greaterThan(new Decimal(0))).toBe(true);
      }),
    );
  });
});
