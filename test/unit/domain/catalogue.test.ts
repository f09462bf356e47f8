import { describe, expect, it } from 'vitest';
import { catalogueView, familyOf } from '../../../functions/domain/catalogue';
import { seedRuleSet } from '../../../functions/domain/rules';

describe('catalogueView', () => {
  const view = catalogueView(seedRuleSet, '2026-06-01');

  it('has exactly the contract keys', () => {
    expect(Object.keys(view).sort()).toEqual(['coatings', 'grades', 'incoterms', 'shapes', 'trademarks', 'versions']);
    expect(Object.keys(view.versions).sort()).toEqual(['catalogue', 'compliance', 'priceList', 'trademarks']);
  });

  it('lists every grade in the contract shape with its export-control status', () => {
    expect(view.grades).toHaveLength(46);
    expect(view.grades.find((g) => g.grade === 'N42SH')).toEqual({
      grade: 'N42SH',
      family: 'SH',
      brMinT: 1.28,
      hcjMinKAm: 1592,
      bhMaxMinKJm3: 318,
      maxTempC: 150,
      controlled: true,
    });
    expect(view.grades.find((g) => g.grade === 'N52')).toMatchObject({ controlled: false, maxTempC: 70 });
    expect(view.grades.filter((g) => g.controlled).map((g) => g.family)).not.toContain('H');
  });

  it('reports grades as uncontrolled before MOFCOM 2025 No. 18 came into force', () => {
    const before = catalogueView(seedRuleSet, '2025-04-03');
    expect(before.grades.some((g) => g.controlled)).toBe(false);
  });

  it('lists coatings with null where no maximum temperature is known', () => {
    expect(view.coatings).toContainEqual({ code: 'NiCuNi', name: 'Nickel-copper-nickel', maxTempC: 200 });
    expect(view.coatings.find((c) => c.code === 'Parylene')?.maxTempC).toBeNull();
  });

  it('lists shapes and the nine Incoterms', () => {
    expect(view.shapes).toEqual(['block', 'disc', 'ring', 'arc']);
    expect(view.incoterms).toEqual(['FOB', 'CIF', 'CFR', 'FCA', 'CPT', 'CIP', 'DAP', 'DDP', 'EXW']);
  });

  it('lists live marks with only their protected countries', () => {
    const unified = view.trademarks.find((t) => t.mark === 'UNIMAG 1989');
    expect(unified?.expires).toBe('2031-05-01');
    expect(unified?.protectedIn).toEqual(expect.arrayContaining(['DE', 'US', 'JP', 'KR', 'FR', 'IT', 'GB', 'NL']));
    expect(unified?.protectedIn).not.toContain('IN');
    expect(unified?.protectedIn).not.toContain('TR');
    expect(view.trademarks.map((t) => t.mark)).not.toContain('LONGCI');
  });

  it('drops a mark from the day it expires', () => {
    expect(catalogueView(seedRuleSet, '2027-06-29').trademarks.map((t) => t.mark)).toContain('SINOCI NEO');
    expect(catalogueView(seedRuleSet, '2027-06-30').trademarks.map((t) => t.mark)).not.toContain('SINOCI NEO');
  });
});

describe('familyOf', () => {
  it('knows catalogue grades and nothing else', () => {
    expect(familyOf('N33AH', seedRuleSet)).toBe('AH');
    expect(familyOf('N33TH', seedRuleSet)).toBeUndefined();
  });
});
