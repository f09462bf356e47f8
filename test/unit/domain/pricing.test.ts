import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnknownCoatingError, UnknownGradeError, UnquotableRequestError } from '../../../functions/domain/errors';
import { Decimal, formatUsd, sumUsd, usd } from '../../../functions/domain/money';
import { type Incoterm, incoterms, type QuoteRequest } from '../../../functions/domain/order';
import {
  pricingRegion,
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

  it("adds the destination region's costs for the term before rounding once", () => {
    // 39.10599 + 0.45 (Europe freight) + 0.08 (Europe ICC (C) cover) = 39.63599
    expect(
      formatUsd(unifiedUnitPrice({ grade: 'N42SH', coating: 'NiCuNi', quantityKg: 500 }, 'CIF', rules, 'DE')),
    ).toBe('39.64');
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

  it('throws typed errors for an unknown grade or coating', () => {
    expect(() => unifiedUnitPrice({ grade: 'N99', coating: 'NiCuNi', quantityKg: 100 }, 'FOB', rules)).toThrow(
      UnknownGradeError,
    );
    expect(() => unifiedUnitPrice({ grade: 'N35', coating: 'Gold', quantityKg: 100 }, 'FOB', rules)).toThrow(
      UnknownCoatingError,
    );
  });
});

describe('Incoterm costs by destination region', () => {
  // N35 NiCuNi 100 kg before any Incoterm cost: 21.00 × 1.08 = 22.68 exactly.
  const at = (incoterm: Incoterm, destinationCountry?: string, ruleSet = rules) =>
    formatUsd(
      unifiedUnitPrice({ grade: 'N35', coating: 'NiCuNi', quantityKg: 100 }, incoterm, ruleSet, destinationCountry),
    );

  // Neighbours on either side of a region border, one pair per term; the unmapped side is the default region.
  it.each([
    ['CFR', 'PL', 'Europe', '23.13', 'BY', 'Rest of world', '23.48'], // + freight 0.45 | 0.80
    ['CPT', 'MX', 'North America', '23.28', 'GT', 'Rest of world', '23.48'], // + freight 0.60 | 0.80
    ['CIF', 'MX', 'North America', '23.36', 'GT', 'Rest of world', '23.59'], // + 0.60 + ICC (C) 0.08 | 0.80 + 0.11
    ['CIP', 'MN', 'East Asia', '23.01', 'RU', 'Rest of world', '23.62'], // + 0.25 + ICC (A) 0.08 | 0.80 + 0.14
    ['DAP', 'TR', 'Europe', '23.63', 'GE', 'Rest of world', '24.27'], // + 0.45 + 0.10 + on-carriage 0.40 | …
    ['DDP', 'LA', 'South and Southeast Asia', '24.12', 'CN', 'Rest of world', '25.67'], // + … + import 0.70 | 1.40
  ] as const)('%s: %s (%s) costs %s, its neighbour %s (%s) %s', (incoterm, a, regionA, priceA, b, regionB, priceB) => {
    expect([pricingRegion(rules.priceList, incoterm, a)?.name, at(incoterm, a)]).toEqual([regionA, priceA]);
    expect([pricingRegion(rules.priceList, incoterm, b)?.name, at(incoterm, b)]).toEqual([regionB, priceB]);
  });

  it('adds nothing for the origin terms, whatever the destination', () => {
    for (const incoterm of ['EXW', 'FCA', 'FOB'] as const) {
      for (const destination of ['DE', 'US', 'JP', 'ZZ', undefined]) {
        expect(at(incoterm, destination), `${incoterm} ${destination}`).toBe('22.68');
        expect(pricingRegion(rules.priceList, incoterm, destination)).toBeUndefined();
      }
    }
  });

  it('prices a country with no region mapping in the default region', () => {
    for (const unmapped of ['ZZ', 'CN', 'BR']) {
      expect(pricingRegion(rules.priceList, 'CIF', unmapped)).toMatchObject({
        id: 'rest-of-world',
        basis: 'default-region',
      });
      expect(at('CIF', unmapped)).toBe('23.59');
    }
  });

  it('without a destination prices each term for its dearest region, so the quote covers every destination', () => {
    expect(pricingRegion(rules.priceList, 'DDP')).toMatchObject({ id: 'rest-of-world', basis: 'dearest-region' });
    expect(at('DDP')).toBe(at('DDP', 'CN'));
    // Make Europe the dearest for DDP only (import costs), while Rest of world stays the dearest for CIF.
    const europeanDuty = editableRules((r) => {
      const europe = r.priceList.destinationPricing?.regions.europe;
      if (europe) europe.usdPerKg.importClearance = '9.00';
    });
    expect(pricingRegion(europeanDuty.priceList, 'DDP')?.id).toBe('europe');
    expect(pricingRegion(europeanDuty.priceList, 'CIF')?.id).toBe('rest-of-world');
    // 22.68 + 0.45 + 0.10 + 0.40 + 9.00
    expect(at('DDP', undefined, europeanDuty)).toBe('32.63');
  });

  it('a quote without a destination is at least the price for every destination (any line, any term)', () => {
    const countries = [...Object.keys(rules.priceList.destinationPricing?.countryRegions ?? {}), 'ZZ'];
    fc.assert(
      fc.property(
        fc.constantFrom(...rules.catalogue.grades.map((g) => g.grade)),
        fc.constantFrom(...rules.catalogue.coatings.map((c) => c.code)),
        fc.integer({ min: 100, max: 1_000_000 }),
        fc.constantFrom(...incoterms),
        fc.constantFrom(...countries),
        (grade, coating, quantityKg, incoterm, country) => {
          const line = { grade, coating, quantityKg };
          const anywhere = unifiedUnitPrice(line, incoterm, rules);
          expect(anywhere.greaterThanOrEqualTo(unifiedUnitPrice(line, incoterm, rules, country))).toBe(true);
        },
      ),
    );
  });

  it('a price list without regional pricing (as stored before prices-2026.2) prices each term flat', () => {
    const flat = editableRules((r) => {
      delete r.priceList.destinationPricing;
      r.priceList.incotermAdderUsdPerKg.CIF = '0.50';
    });
    expect(at('CIF', 'DE', flat)).toBe('23.18');
    expect(at('CIF', 'US', flat)).toBe('23.18');
    expect(at('CIF', undefined, flat)).toBe('23.18');
  });

  it('the quote names the same prices for the destination it was asked for', () => {
    const lines = [{ grade: 'N35', coating: 'NiCuNi', quantityKg: 100, shape: block }];
    const terms = { incoterm: 'CIF', requestedShipDate: '2027-03-01' } as const;
    expect(quote({ lines, ...terms, destinationCountry: 'MX' }, rules).lines[0]?.unitPriceUsdPerKg).toBe('23.36');
    expect(quote({ lines, ...terms, destinationCountry: 'GT' }, rules).lines[0]?.unitPriceUsdPerKg).toBe('23.59');
    expect(quote({ lines, ...terms }, rules).lines[0]?.unitPriceUsdPerKg).toBe('23.59');
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
      priceListVersion: 'prices-2026.2',
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
