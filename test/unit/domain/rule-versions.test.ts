/** Which rule version is in force on a date (boundaries and a property), and the readable diff of two versions. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { QuoteRequest } from '../../../functions/domain/order';
import { quote } from '../../../functions/domain/pricing';
import { formatDiff, inForce, structuralDiff } from '../../../functions/domain/rule-versions';
import { priceListSchema, seedRuleSet } from '../../../functions/domain/rules';

const doc = (version: string, effectiveFrom: string, effectiveTo?: string) => ({ version, effectiveFrom, effectiveTo });

describe('inForce', () => {
  const documents = [doc('v1', '2026-01-01'), doc('v2', '2027-03-01'), doc('v3', '2028-01-01', '2028-06-01')];

  it('switches to a later document on its effectiveFrom, not a day before', () => {
    expect(inForce(documents, '2027-02-28')?.version).toBe('v1');
    expect(inForce(documents, '2027-03-01')?.version).toBe('v2');
  });

  it('treats effectiveTo as exclusive and falls back to the previous document after it', () => {
    expect(inForce(documents, '2028-05-31')?.version).toBe('v3');
    expect(inForce(documents, '2028-06-01')?.version).toBe('v2');
  });

  it('has nothing in force before the first document', () => {
    expect(inForce(documents, '2025-12-31')).toBeUndefined();
  });

  it('picks, for any set of documents and date, the latest started and not ended one', () => {
    const day = fc
      .integer({ min: 0, max: 2000 })
      .map((n) => new Date(Date.UTC(2025, 0, 1) + n * 86_400_000).toISOString().slice(0, 10));
    const documentArb = fc
      .record({ from: day, span: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }) })
      .map(({ from, span }) => ({
        effectiveFrom: from,
        effectiveTo:
          span === undefined ? undefined : new Date(Date.parse(from) + span * 86_400_000).toISOString().slice(0, 10),
      }));
    fc.assert(
      fc.property(fc.array(documentArb, { maxLength: 8 }), day, (drafts, date) => {
        const documents = drafts.map((d, i) => ({ ...d, version: `v${String(i).padStart(2, '0')}` }));
        const chosen = inForce(documents, date);
        const eligible = documents.filter(
          (d) => d.effectiveFrom <= date && (d.effectiveTo === undefined || date < d.effectiveTo),
        );
        if (eligible.length === 0) return chosen === undefined;
        if (!chosen || !eligible.includes(chosen)) return false;
        return eligible.every(
          (d) =>
            d.effectiveFrom < chosen.effectiveFrom ||
            (d.effectiveFrom === chosen.effectiveFrom && d.version <= chosen.version),
        );
      }),
    );
  });
});

describe('a price list that changes on the submission date', () => {
  const next = priceListSchema.parse({
    ...seedRuleSet.priceList,
    version: 'prices-2027.1',
    effectiveFrom: '2027-03-01',
    basePrice: { ...seedRuleSet.priceList.basePrice, usdPerKg: '24.00' },
  });
  const priceLists = [seedRuleSet.priceList, next];
  const request: QuoteRequest = {
    lines: [
      { grade: 'N35', coating: 'NiCuNi', quantityKg: 100, shape: { type: 'disc', diameterMm: 10, thicknessMm: 2 } },
    ],
    incoterm: 'FOB',
    requestedShipDate: '2027-06-01',
  };
  const quoteOn = (submitted: string) => {
    const priceList = inForce(priceLists, submitted);
    if (!priceList) throw new Error(`no price list on ${submitted}`);
    return quote(request, { ...seedRuleSet, priceList });
  };

  it('prices an order submitted the day before by the old list and one submitted that day by the new list', () => {
    const before = quoteOn('2027-02-28');
    const onTheDay = quoteOn('2027-03-01');
    expect(before.priceListVersion).toBe(seedRuleSet.priceList.version);
    expect(onTheDay.priceListVersion).toBe('prices-2027.1');
    // N35 with NiCuNi (+8 %) at 100 kg, FOB: the base price times 1.08.
    expect(before.lines[0]?.unitPriceUsdPerKg).toBe('22.68');
    expect(onTheDay.lines[0]?.unitPriceUsdPerKg).toBe('25.92');
  });
});

describe('structuralDiff', () => {
  it('names array items by their identifying field and reports changes, additions and removals', () => {
    const before = {
      version: 'a',
      grades: [
        { grade: 'N35', maxTempC: 80 },
        { grade: 'N38', maxTempC: 80 },
      ],
      tags: ['x'],
    };
    const after = {
      version: 'b',
      grades: [
        { grade: 'N38', maxTempC: 80 },
        { grade: 'N35', maxTempC: 85 },
        { grade: 'N40', maxTempC: 80 },
      ],
      extra: true,
      tags: ['x'],
    };
    expect(formatDiff(structuralDiff(before, after))).toEqual([
      '~ /version: "a" → "b"',
      '~ /grades[N35]/maxTempC: 80 → 85',
      '+ /grades[N40]: {"grade":"N40","maxTempC":80}',
      '+ /extra: true',
    ]);
    expect(structuralDiff(after, after)).toEqual([]);
    expect(formatDiff(structuralDiff({ gone: 1 }, {}))).toEqual(['- /gone: 1']);
  });
});
