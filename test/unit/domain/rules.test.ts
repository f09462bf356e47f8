import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import allocationPolicyJson from '../../../functions/domain/reference/allocation-policy.json' with { type: 'json' };
import catalogueJson from '../../../functions/domain/reference/catalogue.json' with { type: 'json' };
import complianceJson from '../../../functions/domain/reference/compliance.json' with { type: 'json' };
import membersJson from '../../../functions/domain/reference/members.json' with { type: 'json' };
import priceListJson from '../../../functions/domain/reference/price-list.json' with { type: 'json' };
import trademarksJson from '../../../functions/domain/reference/trademarks.json' with { type: 'json' };
import {
  allocationPolicySchema,
  catalogueDocumentSchema,
  complianceRulesSchema,
  memberRosterSchema,
  parseRuleSet,
  priceListSchema,
  ruleVersions,
  seedRuleSet,
  trademarkRegisterSchema,
} from '../../../functions/domain/rules';

/** grades.csv copied verbatim from the shared domain facts, so the catalogue is checked against its source. */
function gradesCsv(): Record<string, string>[] {
  const [header, ...rows] = readFileSync(new URL('./fixtures/grades.csv', import.meta.url), 'utf8')
    .trim()
    .split(/\r?\n/);
  const columns = (header ?? '').split(',');
  return rows.map((row) => {
    const cells = row.split(',');
    return Object.fromEntries(columns.map((column, index) => [column, cells[index] ?? '']));
  });
}

describe('seed rule documents', () => {
  it.each([
    ['catalogue', catalogueDocumentSchema, catalogueJson],
    ['trademarks', trademarkRegisterSchema, trademarksJson],
    ['price list', priceListSchema, priceListJson],
    ['compliance', complianceRulesSchema, complianceJson],
    ['members', memberRosterSchema, membersJson],
    ['allocation policy', allocationPolicySchema, allocationPolicyJson],
  ] as const)('the %s document validates', (_name, schema, json) => {
    const result = schema.safeParse(json);
    expect(result.success ? [] : result.error.issues).toEqual([]);
  });

  it('every document is versioned, dated and cites sources', () => {
    for (const document of Object.values(seedRuleSet)) {
      expect(document.version).toMatch(/^[a-z-]+-\d{4}\.\d+$/);
      expect(document.effectiveFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(document.sources.length).toBeGreaterThan(0);
    }
  });

  it('stamps the contract rule versions', () => {
    expect(ruleVersions(seedRuleSet)).toEqual({
      catalogue: 'catalogue-2026.2',
      priceList: 'prices-2026.2',
      trademarks: 'trademarks-2026.1',
      compliance: 'compliance-2026.1',
    });
  });

  it('refuses a rule set whose documents are valid alone but not together', () => {
    const priceList = structuredClone(priceListJson) as { coatingAdderPercent: Record<string, string> };
    delete priceList.coatingAdderPercent.Zn;
    expect(() =>
      parseRuleSet({
        catalogue: catalogueJson,
        trademarks: trademarksJson,
        priceList,
        compliance: complianceJson,
        members: membersJson,
        allocationPolicy: allocationPolicyJson,
      }),
    ).toThrow(/no price adder for coating Zn/);
  });

  it('refuses unknown keys and a wrong document type', () => {
    expect(trademarkRegisterSchema.safeParse({ ...trademarksJson, extra: 1 }).success).toBe(false);
    expect(trademarkRegisterSchema.safeParse({ ...trademarksJson, documentType: 'catalogue' }).success).toBe(false);
  });
});

describe('price list: destination pricing', () => {
  const issues = (edit: (doc: typeof priceListJson) => void) => {
    const doc = structuredClone(priceListJson);
    edit(doc);
    const result = priceListSchema.safeParse(doc);
    return result.success ? [] : result.error.issues.map((issue) => `/${issue.path.join('/')}: ${issue.message}`);
  };

  it('maps every country to a region that exists, and has a default region', () => {
    const pricing = seedRuleSet.priceList.destinationPricing;
    expect(pricing?.assumed).toBe(true);
    expect(Object.keys(pricing?.regions ?? {})).toEqual([
      'east-asia',
      'south-southeast-asia',
      'europe',
      'north-america',
      'rest-of-world',
    ]);
    expect(pricing?.countryRegions.DE).toBe('europe');
    expect(pricing?.defaultRegion).toBe('rest-of-world');
  });

  it.each([
    [
      'a country mapped to a region that does not exist',
      (doc: typeof priceListJson) => {
        (doc.destinationPricing.countryRegions as Record<string, string>).DE = 'western-europe';
      },
      '/destinationPricing/countryRegions/DE: DE is mapped to region "western-europe", which is not among the regions',
    ],
    [
      'a default region that does not exist',
      (doc: typeof priceListJson) => {
        doc.destinationPricing.defaultRegion = 'elsewhere';
      },
      '/destinationPricing/defaultRegion: default region "elsewhere" is not among the regions',
    ],
    [
      'an adder that is not a 2-decimal string',
      (doc: typeof priceListJson) => {
        (doc.destinationPricing.regions.europe.usdPerKg as Record<string, unknown>).freight = 0.45;
      },
      '/destinationPricing/regions/europe/usdPerKg/freight: Invalid input: expected string, received number',
    ],
    [
      'an adder with one decimal',
      (doc: typeof priceListJson) => {
        doc.destinationPricing.regions.europe.usdPerKg.insuranceAllRisks = '0.1';
      },
      '/destinationPricing/regions/europe/usdPerKg/insuranceAllRisks: expected USD with exactly 2 decimals',
    ],
    [
      'a region missing a component',
      (doc: typeof priceListJson) => {
        delete (doc.destinationPricing.regions['east-asia'].usdPerKg as Record<string, unknown>).importClearance;
      },
      '/destinationPricing/regions/east-asia/usdPerKg/importClearance: Invalid input: expected string, received undefined',
    ],
    [
      'a country code that is not alpha-2',
      (doc: typeof priceListJson) => {
        (doc.destinationPricing.countryRegions as Record<string, string>).Germany = 'europe';
      },
      '/destinationPricing/countryRegions/Germany: Invalid key in record',
    ],
    [
      'an origin term given destination costs',
      (doc: typeof priceListJson) => {
        (doc.destinationPricing.termComponents as Record<string, string[]>).FOB = ['freight'];
      },
      '/destinationPricing/termComponents/FOB: FOB ends at origin: it carries no destination costs',
    ],
    [
      'an unknown cost component',
      (doc: typeof priceListJson) => {
        doc.destinationPricing.termComponents.CIF = ['freight', 'bribes'];
      },
      '/destinationPricing/termComponents/CIF/1: Invalid option: expected one of "freight"|"insuranceMinimumCover"|"insuranceAllRisks"|"onCarriage"|"importClearance"',
    ],
  ])('refuses %s, naming the field', (_name, edit, expected) => {
    expect(issues(edit)).toContain(expected);
  });

  it('still reads a price list without destination pricing, as prices-2026.1 was stored', () => {
    expect(
      issues((doc) => {
        delete (doc as Partial<typeof priceListJson>).destinationPricing;
      }),
    ).toEqual([]);
  });
});

describe('catalogue: magnetization by shape', () => {
  it('names, for every shape, only directions the catalogue lists', () => {
    const { magnetizationByShape, magnetizationDirections, shapes } = seedRuleSet.catalogue;
    for (const shape of shapes) {
      expect(magnetizationByShape?.[shape].length, shape).toBeGreaterThan(0);
      for (const direction of magnetizationByShape?.[shape] ?? []) expect(magnetizationDirections).toContain(direction);
    }
  });

  it('refuses a direction that is not among magnetizationDirections, naming the field', () => {
    const doc = structuredClone(catalogueJson);
    doc.magnetizationByShape.arc = ['radial', 'parallel'];
    const result = catalogueDocumentSchema.safeParse(doc);
    expect(result.success ? [] : result.error.issues.map((i) => [`/${i.path.join('/')}`, i.message])).toEqual([
      ['/magnetizationByShape/arc/1', '"parallel" is not one of magnetizationDirections'],
    ]);
  });

  it('still reads a catalogue without it, as catalogue-2026.1 was stored', () => {
    const { magnetizationByShape: _table, ...older } = structuredClone(catalogueJson);
    expect(catalogueDocumentSchema.safeParse(older).success).toBe(true);
  });
});

describe('catalogue', () => {
  const csv = gradesCsv();

  it('has exactly the 46 grades of grades.csv, in order', () => {
    expect(csv).toHaveLength(46);
    expect(seedRuleSet.catalogue.grades.map((g) => g.grade)).toEqual(csv.map((row) => row.grade));
  });

  it('copies every property of every grade from grades.csv', () => {
    for (const row of csv) {
      const grade = seedRuleSet.catalogue.grades.find((g) => g.grade === row.grade);
      expect(grade, row.grade).toBeDefined();
      expect(grade).toMatchObject({
        family: row.family,
        bhMaxNominalMGOe: Number(row.bhmax_nominal_mgoe),
        brMinKGs: Number(row.br_min_kgs),
        brMaxKGs: Number(row.br_max_kgs),
        brMinT: Number(row.br_min_t),
        brMaxT: Number(row.br_max_t),
        hcjMinKOe: Number(row.hcj_min_koe),
        hcjMinKAm: Number(row.hcj_min_kam),
        bhMaxMinMGOe: Number(row.bhmax_min_mgoe),
        bhMaxMaxMGOe: Number(row.bhmax_max_mgoe),
        bhMaxMinKJm3: Number(row.bhmax_min_kjm3),
        bhMaxMaxKJm3: Number(row.bhmax_max_kjm3),
        maxTempC: Number(row.tmax_c),
      });
      expect(grade?.note ?? '').toBe(row.note);
    }
  });

  it('has the six coatings of FACTS.md with their temperatures, NiCuNi the default', () => {
    const coatings = Object.fromEntries(seedRuleSet.catalogue.coatings.map((c) => [c.code, c.maxTempC]));
    expect(coatings).toEqual({ NiCuNi: 200, Ni: 200, Zn: 160, Epoxy: 160, Parylene: null, Passivation: null });
    expect(seedRuleSet.catalogue.coatings.filter((c) => c.isDefault).map((c) => c.code)).toEqual(['NiCuNi']);
  });
});

describe('members', () => {
  const members = seedRuleSet.members.members;

  it('has the 17 members, the five council units named as in the source', () => {
    expect(members).toHaveLength(17);
    expect(members.filter((m) => m.council).map((m) => m.name)).toEqual([
      'China New Technology Venture Investment Corporation',
      'Chinese Academy of Sciences San Huan New Materials R&D Company',
      'Ministry of Metallurgy Baotou Rare Earth Research Institute',
      'State-owned Jilin 8272 Factory',
      'Shanghai Yuelong Chemical Factory',
    ]);
    expect(members.filter((m) => m.council).every((m) => !m.fictional)).toBe(true);
    expect(members.filter((m) => !m.council).every((m) => m.fictional)).toBe(true);
  });

  it('gives every producer certifications, capacity and a quota share', () => {
    const producers = members.filter((m) => m.role === 'producer' || m.role === 'producer-rd');
    expect(producers.length).toBeGreaterThanOrEqual(8);
    for (const producer of producers) {
      expect(producer.certifications.length, producer.id).toBeGreaterThan(0);
      expect(Object.keys(producer.monthlyCapacityKg).length, producer.id).toBeGreaterThan(0);
      expect(Number(producer.quotaSharePercent), producer.id).toBeGreaterThan(0);
    }
  });

  it('names the standard and its version on every certification', () => {
    const certifications = members.flatMap((m) => m.certifications);
    expect(certifications.length).toBeGreaterThan(0);
    for (const certification of certifications) {
      expect([certification.standard, certification.version]).toEqual(['GB/T 13560', '2017']);
    }
  });
});

describe('trademarks and compliance', () => {
  it('keeps at least one expired mark and labels invented marks fictional', () => {
    const marks = seedRuleSet.trademarks.marks;
    expect(marks.some((mark) => mark.expires < '2026-01-01')).toBe(true);
    expect(marks.every((mark) => mark.fictional)).toBe(true);
  });

  it('records MOFCOM 2025 No. 18 over SH/UH/EH/AH and the suspended No. 57/61/62', () => {
    const controls = seedRuleSet.compliance.exportControls;
    const no18 = controls.find((c) => c.name.endsWith('2025 No. 18'));
    expect(no18).toMatchObject({ inForceFrom: '2025-04-04', controlledFamilies: ['SH', 'UH', 'EH', 'AH'] });
    for (const number of ['57', '61', '62']) {
      expect(controls.find((c) => c.name.endsWith(`No. ${number}`))).toMatchObject({
        issued: '2025-10-09',
        status: 'suspended',
        suspendedUntil: '2026-11-10',
      });
    }
    expect(seedRuleSet.compliance.restrictedParties.every((party) => party.fictional)).toBe(true);
  });
});
