import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CheckResult, decide, hsCodeFor, runChecks } from '../../../functions/domain/checks';
import { UnknownGradeError } from '../../../functions/domain/errors';
import { formatUsd, usd } from '../../../functions/domain/money';
import { incoterms, type Order, type Shape } from '../../../functions/domain/order';
import { normaliseCompanyName } from '../../../functions/domain/party-screening';
import { quote } from '../../../functions/domain/pricing';
import { seedRuleSet } from '../../../functions/domain/rules';
import { contractLine, contractOrder, editableRules } from './fixtures';

const rules = seedRuleSet;
const resultOf = (order: Order, check: CheckResult['check'], ruleSet = rules) => {
  const result = runChecks(order, ruleSet).find((candidate) => candidate.check === check);
  if (!result) throw new Error(`no ${check} result`);
  return result;
};
const outcome = (order: Order, check: CheckResult['check'], ruleSet = rules) => {
  const { outcome: o, code } = resultOf(order, check, ruleSet);
  return `${o} ${code}`;
};

describe('runChecks and decide', () => {
  it('passes the contract example on every check, in the contract order', () => {
    const checks = runChecks(contractOrder(), rules);
    expect(checks.map((c) => [c.check, c.outcome, c.code])).toEqual([
      ['trademark', 'pass', 'OK'],
      ['grade', 'pass', 'OK'],
      ['price', 'pass', 'OK'],
      ['compliance', 'pass', 'OK'],
    ]);
    expect(checks.every((c) => c.message.length > 0)).toBe(true);
    expect(decide(checks)).toBe('PASS');
  });

  it('runs all four checks even when the first fails', () => {
    const checks = runChecks(contractOrder({ trademark: 'NOPE', lines: [contractLine({ grade: 'N99' })] }), rules);
    expect(checks.map((c) => c.check)).toEqual(['trademark', 'grade', 'price', 'compliance']);
  });

  const result = (outcome: CheckResult['outcome']): CheckResult => ({
    check: 'price',
    outcome,
    code: outcome === 'pass' ? 'OK' : 'LICENCE_REQUIRED',
    message: '',
  });
  it.each([
    [['pass', 'pass', 'pass', 'pass'], 'PASS'],
    [['pass', 'hold', 'pass', 'pass'], 'HOLD'],
    [['pass', 'hold', 'fail', 'pass'], 'REJECT'],
    [['fail', 'pass', 'pass', 'pass'], 'REJECT'],
    [['pass', 'pass', 'pass', 'hold'], 'HOLD'],
  ] as const)('decides %j as %s', (outcomes, decision) => {
    expect(decide(outcomes.map(result))).toBe(decision);
  });
});

describe('trademark check', () => {
  it('TRADEMARK_UNKNOWN for a mark not in the register', () => {
    const r = resultOf(contractOrder({ trademark: 'UNIMAG 1988' }), 'trademark');
    expect([r.outcome, r.code]).toEqual(['fail', 'TRADEMARK_UNKNOWN']);
    expect(r.message).toContain('trademarks-2026.1');
  });

  it('matches a mark regardless of case', () => {
    expect(outcome(contractOrder({ trademark: 'unimag 1989' }), 'trademark')).toBe('pass OK');
  });

  it.each([
    ['CN', 'not designated'],
    ['IN', 'pending'],
    ['TR', 'refused'],
  ])('TRADEMARK_NOT_PROTECTED in %s (%s)', (destinationCountry, why) => {
    const r = resultOf(contractOrder({ destinationCountry }), 'trademark');
    expect([r.outcome, r.code]).toEqual(['fail', 'TRADEMARK_NOT_PROTECTED']);
    expect(r.message).toContain(why);
  });

  it('TRADEMARK_EXPIRED for a mark that expired years ago', () => {
    expect(outcome(contractOrder({ trademark: 'LONGCI' }), 'trademark')).toBe('fail TRADEMARK_EXPIRED');
  });

  it('a mark expiring exactly on the ship date is expired; the day after expiry is too; the day before is not', () => {
    const on = (requestedShipDate: string) =>
      outcome(contractOrder({ trademark: 'SINOCI NEO', destinationCountry: 'US', requestedShipDate }), 'trademark');
    expect(on('2027-06-29')).toBe('pass OK');
    expect(on('2027-06-30')).toBe('fail TRADEMARK_EXPIRED');
    expect(on('2027-07-01')).toBe('fail TRADEMARK_EXPIRED');
  });

  it('reports an expired mark as expired even where it was never protected', () => {
    expect(outcome(contractOrder({ trademark: 'LONGCI', destinationCountry: 'CN' }), 'trademark')).toBe(
      'fail TRADEMARK_EXPIRED',
    );
  });
});

describe('grade check', () => {
  const withLine = (overrides: Parameters<typeof contractLine>[0]) =>
    contractOrder({ lines: [contractLine(overrides)] });

  it('GRADE_UNKNOWN for a grade not in the catalogue, matched exactly', () => {
    const r = resultOf(withLine({ grade: 'N99SH' }), 'grade');
    expect([r.outcome, r.code]).toEqual(['fail', 'GRADE_UNKNOWN']);
    expect(r.message).toContain('line 1');
    expect(outcome(withLine({ grade: 'n42sh' }), 'grade')).toBe('fail GRADE_UNKNOWN');
  });

  it('GRADE_UNKNOWN outranks a spec problem on another line, and both are reported', () => {
    const order = contractOrder({ lines: [contractLine({ quantityKg: 50 }), contractLine({ grade: 'X1' })] });
    const r = resultOf(order, 'grade');
    expect(r.code).toBe('GRADE_UNKNOWN');
    expect(r.message).toContain('line 1: 50 kg is below the minimum order of 100 kg');
    expect(r.message).toContain('line 2: grade "X1"');
  });

  it.each([
    ['N35EH', 'Zn', 'fail SPEC_INVALID'],
    ['N33AH', 'Epoxy', 'fail SPEC_INVALID'],
    ['N35UH', 'Zn', 'fail SPEC_INVALID'],
    ['N33AH', 'NiCuNi', 'fail SPEC_INVALID'],
    ['N35SH', 'Zn', 'pass OK'],
    ['N35EH', 'NiCuNi', 'pass OK'],
    ['N33AH', 'Parylene', 'pass OK'],
    ['N42SH', 'Gold', 'fail SPEC_INVALID'],
  ])('%s coated with %s: %s (coating max temperature against grade working temperature)', (grade, coating, result) => {
    expect(outcome(withLine({ grade, coating, offeredUnitPriceUsdPerKg: '999.00' }), 'grade')).toBe(result);
  });

  it.each<[string, Shape, string]>([
    ['ring ID < OD', { type: 'ring', outerDiameterMm: 20, innerDiameterMm: 19.9, thicknessMm: 5 }, 'pass OK'],
    ['ring ID = OD', { type: 'ring', outerDiameterMm: 20, innerDiameterMm: 20, thicknessMm: 5 }, 'fail SPEC_INVALID'],
    ['ring ID > OD', { type: 'ring', outerDiameterMm: 20, innerDiameterMm: 25, thicknessMm: 5 }, 'fail SPEC_INVALID'],
    [
      'arc r = R',
      { type: 'arc', outerRadiusMm: 30, innerRadiusMm: 30, angleDeg: 60, lengthMm: 20 },
      'fail SPEC_INVALID',
    ],
    ['arc 179.9°', { type: 'arc', outerRadiusMm: 30, innerRadiusMm: 25, angleDeg: 179.9, lengthMm: 20 }, 'pass OK'],
    [
      'arc 180°',
      { type: 'arc', outerRadiusMm: 30, innerRadiusMm: 25, angleDeg: 180, lengthMm: 20 },
      'fail SPEC_INVALID',
    ],
    ['block at the press limit', { type: 'block', lengthMm: 150, widthMm: 100, thicknessMm: 60 }, 'pass OK'],
    [
      'block over the press limit',
      { type: 'block', lengthMm: 150.1, widthMm: 10, thicknessMm: 5 },
      'fail SPEC_INVALID',
    ],
    ['disc over the press limit', { type: 'disc', diameterMm: 121, thicknessMm: 5 }, 'fail SPEC_INVALID'],
    [
      'ring over the press limit',
      { type: 'ring', outerDiameterMm: 20, innerDiameterMm: 10, thicknessMm: 61 },
      'fail SPEC_INVALID',
    ],
    [
      'arc over the press limit',
      { type: 'arc', outerRadiusMm: 101, innerRadiusMm: 90, angleDeg: 30, lengthMm: 20 },
      'fail SPEC_INVALID',
    ],
  ])('%s: %s', (_name, shape, result) => {
    expect(outcome(withLine({ shape }), 'grade')).toBe(result);
  });

  const shapes: Record<Shape['type'], Shape> = {
    block: { type: 'block', lengthMm: 20, widthMm: 10, thicknessMm: 5 },
    disc: { type: 'disc', diameterMm: 10, thicknessMm: 2 },
    ring: { type: 'ring', outerDiameterMm: 20, innerDiameterMm: 10, thicknessMm: 5 },
    arc: { type: 'arc', outerRadiusMm: 30, innerRadiusMm: 25, angleDeg: 60, lengthMm: 20 },
  };
  it.each<[Shape['type'], string[], string[]]>([
    ['block', ['through-thickness', 'multipole'], ['axial', 'diametrical', 'radial']],
    ['disc', ['axial', 'diametrical', 'multipole'], ['through-thickness', 'radial']],
    ['ring', ['axial', 'diametrical', 'radial', 'multipole'], ['through-thickness']],
    ['arc', ['radial', 'diametrical'], ['axial', 'through-thickness', 'multipole']],
  ])('a %s may be magnetized %j and not %j', (type, allowed, refused) => {
    const shape = shapes[type];
    for (const magnetization of allowed) {
      expect(outcome(withLine({ shape, magnetization }), 'grade'), magnetization).toBe('pass OK');
    }
    for (const magnetization of refused) {
      const r = resultOf(withLine({ shape, magnetization }), 'grade');
      expect([r.outcome, r.code], magnetization).toEqual(['fail', 'SPEC_INVALID']);
      expect(r.message).toBe(
        `line 1: a ${type} cannot be magnetized ${magnetization}; a ${type} allows ${allowed.join(', ')}`,
      );
    }
  });

  it('SPEC_INVALID for a well-formed direction the catalogue does not know; no direction is not checked', () => {
    const r = resultOf(withLine({ magnetization: 'sideways' }), 'grade');
    expect([r.outcome, r.code]).toEqual(['fail', 'SPEC_INVALID']);
    expect(r.message).toContain('magnetization "sideways" is not one of axial, diametrical, through-thickness');
    expect(outcome(withLine({}), 'grade')).toBe('pass OK');
  });

  it('a catalogue without the per-shape table (catalogue-2026.1) checks the direction by name only', () => {
    const older = editableRules((r) => {
      delete r.catalogue.magnetizationByShape;
    });
    expect(outcome(withLine({ magnetization: 'radial' }), 'grade', older)).toBe('pass OK');
    expect(outcome(withLine({ magnetization: 'sideways' }), 'grade', older)).toBe('fail SPEC_INVALID');
  });

  it('SPEC_INVALID below the 100 kg minimum order, not at it', () => {
    expect(outcome(withLine({ quantityKg: 99, offeredUnitPriceUsdPerKg: '999.00' }), 'grade')).toBe(
      'fail SPEC_INVALID',
    );
    expect(outcome(withLine({ quantityKg: 100, offeredUnitPriceUsdPerKg: '999.00' }), 'grade')).toBe('pass OK');
  });

  it('names the line and the rule in the message', () => {
    const order = contractOrder({ lines: [contractLine(), contractLine({ grade: 'N35EH', coating: 'Zn' })] });
    expect(resultOf(order, 'grade').message).toBe(
      'line 2: Zn (max 160 °C) cannot protect N35EH up to its working temperature of 200 °C',
    );
  });
});

describe('price check', () => {
  // N42SH NiCuNi 500 kg FOB: 21.00 × 1.21 × 1.50 × 1.08 × 0.95 = 39.10599 → 39.11
  const offering = (offeredUnitPriceUsdPerKg: string, quantityKg = 500) =>
    contractOrder({ lines: [contractLine({ offeredUnitPriceUsdPerKg, quantityKg })] });

  it('an offer exactly at the unified price passes; one cent below fails', () => {
    expect(outcome(offering('39.11'), 'price')).toBe('pass OK');
    expect(outcome(offering('39.10'), 'price')).toBe('fail PRICE_BELOW_UNIFIED');
  });

  it('names the line, the offer and the unified unit price', () => {
    const order = contractOrder({
      lines: [contractLine(), contractLine({ offeredUnitPriceUsdPerKg: '39.1' })],
    });
    const r = resultOf(order, 'price');
    expect(r.message).toBe(
      'line 2: offered 39.10 USD/kg is below the unified price 39.11 USD/kg (price list prices-2026.2)',
    );
  });

  it('prices at the line quantity tier: 499 kg costs more per kg than 500 kg', () => {
    // 499 kg: no 5 % discount → 41.16
    expect(outcome(offering('39.11', 499), 'price')).toBe('fail PRICE_BELOW_UNIFIED');
    expect(outcome(offering('41.16', 499), 'price')).toBe('pass OK');
    expect(outcome(offering('41.15', 499), 'price')).toBe('fail PRICE_BELOW_UNIFIED');
  });

  it("includes the destination region's Incoterm costs and names the region", () => {
    // CIF adds freight and ICC (C) cover: Europe 0.45 + 0.08 → 39.64; North America 0.60 + 0.08 → 39.79.
    const cif = (offer: string, destinationCountry: string) => ({
      ...offering(offer),
      incoterm: 'CIF' as const,
      destinationCountry,
    });
    expect(outcome(cif('39.11', 'DE'), 'price')).toBe('fail PRICE_BELOW_UNIFIED');
    expect(outcome(cif('39.63', 'DE'), 'price')).toBe('fail PRICE_BELOW_UNIFIED');
    expect(outcome(cif('39.64', 'DE'), 'price')).toBe('pass OK');
    expect(resultOf(cif('39.64', 'US'), 'price').message).toBe(
      'line 1: offered 39.64 USD/kg is below the unified price 39.79 USD/kg (price list prices-2026.2; CIF to US (North America))',
    );
    expect(outcome(cif('39.79', 'US'), 'price')).toBe('pass OK');
  });

  it('does not fail for a line it cannot price: the grade check rejects the order', () => {
    const order = contractOrder({ lines: [contractLine(), contractLine({ grade: 'N99' })] });
    const checks = runChecks(order, rules);
    expect(checks.find((c) => c.check === 'price')).toMatchObject({ outcome: 'pass', code: 'OK' });
    expect(checks.find((c) => c.check === 'price')?.message).toContain('line 2 not priced');
    expect(decide(checks)).toBe('REJECT');
  });

  // Mapped countries of every region, an unmapped but well-formed code and CN (not mapped: the channel exports).
  const destinationArb = fc.constantFrom(
    ...Object.keys(rules.priceList.destinationPricing?.countryRegions ?? {}),
    'ZZ',
    'CN',
  );
  const pricedLineArb = fc.record({
    grade: fc.constantFrom(...rules.catalogue.grades.map((g) => g.grade)),
    coating: fc.constantFrom(...rules.catalogue.coatings.map((c) => c.code)),
    quantityKg: fc.integer({ min: 100, max: 1_000_000 }),
  });
  const shape = { type: 'disc', diameterMm: 10, thicknessMm: 2 } as const;
  type PricedLines = { grade: string; coating: string; quantityKg: number }[];
  const orderOffering = (
    lines: PricedLines,
    incoterm: Order['incoterm'],
    destinationCountry: string,
    offers: string[],
  ) =>
    contractOrder({
      incoterm,
      destinationCountry,
      lines: lines.map((l, i) => ({ ...l, shape, offeredUnitPriceUsdPerKg: offers[i] ?? '' })),
    });

  it('agrees with quote for the same destination: the quoted price passes, one cent less fails (any order)', () => {
    fc.assert(
      fc.property(
        fc.array(pricedLineArb, { minLength: 1, maxLength: 5 }),
        fc.constantFrom(...incoterms),
        destinationArb,
        fc.nat({ max: 4 }),
        (lines, incoterm, destinationCountry, cheapIndex) => {
          const quoted = quote(
            {
              lines: lines.map((l) => ({ ...l, shape })),
              incoterm,
              requestedShipDate: '2027-03-01',
              destinationCountry,
            },
            rules,
          );
          const offers = quoted.lines.map((l) => l.unitPriceUsdPerKg);
          expect(outcome(orderOffering(lines, incoterm, destinationCountry, offers), 'price')).toBe('pass OK');
          const cheap = cheapIndex % lines.length;
          const lowered = offers.map((offer, i) => (i === cheap ? formatUsd(usd(offer).minus('0.01')) : offer));
          expect(outcome(orderOffering(lines, incoterm, destinationCountry, lowered), 'price')).toBe(
            'fail PRICE_BELOW_UNIFIED',
          );
        },
      ),
    );
  });

  it('a quote without a destination is never below the price check for any destination (the contract quote body)', () => {
    fc.assert(
      fc.property(
        fc.array(pricedLineArb, { minLength: 1, maxLength: 5 }),
        fc.constantFrom(...incoterms),
        destinationArb,
        (lines, incoterm, destinationCountry) => {
          const quoted = quote(
            { lines: lines.map((l) => ({ ...l, shape })), incoterm, requestedShipDate: '2027-03-01' },
            rules,
          );
          const offers = quoted.lines.map((l) => l.unitPriceUsdPerKg);
          expect(outcome(orderOffering(lines, incoterm, destinationCountry, offers), 'price')).toBe('pass OK');
        },
      ),
    );
  });
});

describe('compliance check', () => {
  it('DESTINATION_EMBARGOED for an embargoed destination', () => {
    const r = resultOf(contractOrder({ destinationCountry: 'KP' }), 'compliance');
    expect([r.outcome, r.code]).toEqual(['fail', 'DESTINATION_EMBARGOED']);
    expect(r.message).toContain('KP');
  });

  it('DESTINATION_EMBARGOED for a buyer based in an embargoed country', () => {
    const order = contractOrder();
    order.buyer.country = 'IR';
    expect(outcome(order, 'compliance')).toBe('fail DESTINATION_EMBARGOED');
  });

  it('MILITARY_END_USE when the buyer declares military end use', () => {
    const order = contractOrder({ endUse: { description: 'missile fin actuators', military: true } });
    expect(outcome(order, 'compliance')).toBe('fail MILITARY_END_USE');
  });

  it('a refusal outranks a missing licence, and lists every finding', () => {
    const { licence: _licence, ...withoutLicence } = contractOrder({
      destinationCountry: 'SY',
      endUse: { description: 'x', military: true },
    });
    const r = resultOf(withoutLicence, 'compliance');
    expect([r.outcome, r.code]).toEqual(['fail', 'DESTINATION_EMBARGOED']);
    expect(r.message).toContain('military end use is refused');
  });

  describe('RESTRICTED_PARTY', () => {
    const buyer = (company: string) => {
      const order = contractOrder();
      order.buyer.company = company;
      return outcome(order, 'compliance');
    };

    it.each([
      'Nordwind Defence Systems GmbH',
      'NORDWIND DEFENCE SYSTEMS G.m.b.H.',
      'nordwind defence systems, gmbh',
      'Nordwind-Defence Systems',
      '  Nordwind   Defence Systems  ',
      'Nördwind Defence Systems GmbH',
      'Nordwind Wehrtechnik',
      'Nordwind Magnetics Limited',
      'Red Falcon Aero, Inc.',
      'Red Falcon Aerospace L.L.C.',
      'Kestrel Precision Industries Pte Ltd',
      'Kestrel Precision Co., Ltd.',
    ])('matches "%s"', (company) => {
      expect(buyer(company)).toBe('fail RESTRICTED_PARTY');
    });

    it.each([
      'Nordwind Defence System GmbH',
      'Nordwind Defence Systems Holding GmbH',
      'Nordwind GmbH',
      'Acme Nordwind Defence Systems GmbH',
      'Nordwind Defense Systems GmbH',
      'Red Falcon Aerospace Research LLC',
      'Kestrel Precision Instruments Pte Ltd',
      'Acme Motors GmbH',
    ])('does not match the near-miss "%s"', (company) => {
      expect(buyer(company)).toBe('pass OK');
    });

    it('names the party it matched and its owner', () => {
      const order = contractOrder();
      order.buyer.company = 'Nordwind Magnetics Ltd.';
      expect(resultOf(order, 'compliance').message).toContain('rp-002');
      expect(resultOf(order, 'compliance').message).toContain('owned by listed entity rp-001');
    });

    it('normalises legal forms only at the end', () => {
      expect(normaliseCompanyName('AG Industries AG')).toBe('ag industries');
      expect(normaliseCompanyName('Müller & Co. KG')).toBe('muller');
      expect(normaliseCompanyName('Ltd')).toBe('ltd');
    });
  });

  describe('LICENCE_REQUIRED', () => {
    const licensed = (validUntil: string | undefined, grade = 'N42SH') => {
      const order = contractOrder({ lines: [contractLine({ grade, offeredUnitPriceUsdPerKg: '999.00' })] });
      if (validUntil === undefined) delete order.licence;
      else order.licence = { number: 'L-1', validUntil };
      return resultOf(order, 'compliance');
    };

    it('holds a controlled grade without a licence', () => {
      const r = licensed(undefined);
      expect([r.outcome, r.code]).toEqual(['hold', 'LICENCE_REQUIRED']);
      expect(r.message).toContain('MOFCOM / GAC Announcement 2025 No. 18');
    });

    it('a licence valid until the ship date covers it; one ending the day before does not', () => {
      expect(licensed('2027-03-01').outcome).toBe('pass');
      const r = licensed('2027-02-28');
      expect([r.outcome, r.code]).toEqual(['hold', 'LICENCE_REQUIRED']);
      expect(r.message).toContain('valid only until 2027-02-28');
    });

    it.each(['N42SH', 'N38UH', 'N35EH', 'N33AH'])('%s is controlled', (grade) => {
      expect(licensed(undefined, grade).code).toBe('LICENCE_REQUIRED');
    });

    it.each(['N42', 'N42M', 'N42H'])('%s needs no licence', (grade) => {
      expect(licensed(undefined, grade).code).toBe('OK');
    });

    it('applies No. 18 from 2025-04-04, not the day before', () => {
      const on = (requestedShipDate: string) => {
        const { licence: _licence, ...order } = contractOrder({ requestedShipDate });
        return outcome(order, 'compliance');
      };
      expect(on('2025-04-03')).toBe('pass OK');
      expect(on('2025-04-04')).toBe('hold LICENCE_REQUIRED');
    });

    it('treats a suspended rule as binding again once its suspension has ended', () => {
      const reaching = editableRules((r) => {
        const no57 = r.compliance.exportControls.find((c) => c.id === 'MOFCOM-GAC-2025-57');
        no57?.controlledFamilies.push('H');
      });
      const on = (requestedShipDate: string) => {
        const { licence: _licence, ...order } = contractOrder({
          requestedShipDate,
          lines: [contractLine({ grade: 'N42H', offeredUnitPriceUsdPerKg: '999.00' })],
        });
        return outcome(order, 'compliance', reaching);
      };
      expect(on('2026-11-10')).toBe('pass OK');
      expect(on('2026-11-11')).toBe('hold LICENCE_REQUIRED');
    });
  });
});

describe('hsCodeFor', () => {
  it('declares Dy/Tb-bearing grades under 8505111000 and the rest under 8505119000', () => {
    expect(hsCodeFor('N42SH', rules)).toBe('8505111000');
    expect(hsCodeFor('N28AH', rules)).toBe('8505111000');
    expect(hsCodeFor('N42', rules)).toBe('8505119000');
    expect(hsCodeFor('N48H', rules)).toBe('8505119000');
  });

  it('throws for an unknown grade', () => {
    expect(() => hsCodeFor('N99', rules)).toThrow(UnknownGradeError);
  });
});

describe('decisions name what decided them', () => {
  it('lists the HS code of every line on a passing grade check, Dy/Tb-bearing grades under 8505111000', () => {
    const order = contractOrder({ lines: [contractLine(), contractLine({ grade: 'N42' })] });
    const [, grade] = runChecks(order, seedRuleSet);
    expect(grade?.outcome).toBe('pass');
    expect(grade?.message).toContain(`line 1 HS ${seedRuleSet.compliance.hsCodes.dyTbBearing}`);
    expect(grade?.message).toContain(`line 2 HS ${seedRuleSet.compliance.hsCodes.other}`);
    expect(seedRuleSet.compliance.hsCodes.dyTbBearing).not.toBe(seedRuleSet.compliance.hsCodes.other);
  });

  it('names the compliance rule and its version in a refusal', () => {
    const [, , , compliance] = runChecks(
      contractOrder({ endUse: { description: 'fins', military: true } }),
      seedRuleSet,
    );
    expect(compliance?.code).toBe('MILITARY_END_USE');
    expect(compliance?.message).toContain(seedRuleSet.compliance.militaryEndUse.basis);
    expect(compliance?.message).toContain(seedRuleSet.compliance.version);
  });
});
