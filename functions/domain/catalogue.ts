/** The grade catalogue: lookups by code, export-control status by date, and the public GET /api/catalogue view. */
import { UnknownGradeError } from './errors';
import { type Incoterm, incoterms } from './order';
import type { Coating, ExportControl, Grade, GradeFamily, RuleSet, RuleVersions } from './rules';
import { ruleVersions } from './rules';

/** Grade codes are matched exactly ("N42SH"): the catalogue is the one spelling buyers copy from. */
export function findGrade(rules: RuleSet, grade: string): Grade | undefined {
  return rules.catalogue.grades.find((candidate) => candidate.grade === grade);
}

export function requireGrade(rules: RuleSet, grade: string): Grade {
  const found = findGrade(rules, grade);
  if (!found) throw new UnknownGradeError(grade);
  return found;
}

export function findCoating(rules: RuleSet, code: string): Coating | undefined {
  return rules.catalogue.coatings.find((candidate) => candidate.code === code);
}

/** The grade's family, or undefined for a grade the catalogue does not know. */
export function familyOf(grade: string, rules: RuleSet): GradeFamily | undefined {
  return findGrade(rules, grade)?.family;
}

/**
 * Whether an export control binds on `date`. A suspended rule binds again once its suspension has ended: its later
 * status is unknown, and a compliance check should err towards needing a licence.
 */
export function exportControlAppliesOn(control: ExportControl, date: string): boolean {
  switch (control.status) {
    case 'in-force':
      return (control.inForceFrom ?? control.issued) <= date;
    case 'suspended':
      return control.suspendedUntil !== undefined && control.suspendedUntil < date;
    case 'repealed':
      return false;
  }
}

/** The export controls (e.g. MOFCOM 2025 No. 18) that make a family need a licence on `date`; empty if none. */
export function controlsOnFamily(rules: RuleSet, family: GradeFamily, date: string): ExportControl[] {
  return rules.compliance.exportControls.filter(
    (control) => control.controlledFamilies.includes(family) && exportControlAppliesOn(control, date),
  );
}

export function isControlledFamily(rules: RuleSet, family: GradeFamily, date: string): boolean {
  return controlsOnFamily(rules, family, date).length > 0;
}

export interface CatalogueView {
  versions: RuleVersions;
  grades: {
    grade: string;
    family: GradeFamily;
    brMinT: number;
    hcjMinKAm: number;
    bhMaxMinKJm3: number;
    maxTempC: number;
    controlled: boolean;
  }[];
  /** maxTempC is null where the source gives none (Parylene, Passivation); the temperature rule does not limit them. */
  coatings: { code: string; name: string; maxTempC: number | null }[];
  shapes: string[];
  trademarks: { mark: string; protectedIn: string[]; expires: string }[];
  incoterms: Incoterm[];
}

/** The unified rules as in force on `today` (YYYY-MM-DD): expired marks are left out, controls are as of today. */
export function catalogueView(rules: RuleSet, today: string): CatalogueView {
  return {
    versions: ruleVersions(rules),
    grades: rules.catalogue.grades.map((grade) => ({
      grade: grade.grade,
      family: grade.family,
      brMinT: grade.brMinT,
      hcjMinKAm: grade.hcjMinKAm,
      bhMaxMinKJm3: grade.bhMaxMinKJm3,
      maxTempC: grade.maxTempC,
      controlled: isControlledFamily(rules, grade.family, today),
    })),
    coatings: rules.catalogue.coatings.map(({ code, name, maxTempC }) => ({ code, name, maxTempC })),
    shapes: [...rules.catalogue.shapes],
    trademarks: rules.trademarks.marks
      .filter((mark) => mark.expires > today)
      .map((mark) => ({
        mark: mark.mark,
        protectedIn: mark.designations
          .filter((designation) => designation.status === 'protected')
          .map((designation) => designation.country)
          .sort(),
        expires: mark.expires,
      }))
      .filter((mark) => mark.protectedIn.length > 0),
    incoterms: [...incoterms],
  };
}
