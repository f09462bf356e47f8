/** The four unified checks an order goes through (trademark, grade/spec, price, compliance) and the decision they make. */
import { controlsOnFamily, findCoating, findGrade, requireGrade } from './catalogue';
import { formatUsd, usd } from './money';
import type { Order, OrderLine, Shape, ShapeType } from './order';
import { matchRestrictedParty } from './party-screening';
import { pricingBasisLabel, pricingRegion, unifiedUnitPrice } from './pricing';
import type { Grade, RuleSet } from './rules';

export type CheckName = 'trademark' | 'grade' | 'price' | 'compliance';
export const checkNames: readonly CheckName[] = ['trademark', 'grade', 'price', 'compliance'];

export const decisionCodes = [
  'OK',
  'TRADEMARK_UNKNOWN',
  'TRADEMARK_NOT_PROTECTED',
  'TRADEMARK_EXPIRED',
  'GRADE_UNKNOWN',
  'SPEC_INVALID',
  'PRICE_BELOW_UNIFIED',
  'LICENCE_REQUIRED',
  'MILITARY_END_USE',
  'RESTRICTED_PARTY',
  'DESTINATION_EMBARGOED',
] as const;
export type DecisionCode = (typeof decisionCodes)[number];

export type CheckOutcome = 'pass' | 'fail' | 'hold';

export interface CheckResult {
  check: CheckName;
  outcome: CheckOutcome;
  code: DecisionCode;
  message: string;
}

export type Decision = 'PASS' | 'REJECT' | 'HOLD';

const lineLabel = (index: number) => `line ${index + 1}`;

function pass(check: CheckName, message: string): CheckResult {
  return { check, outcome: 'pass', code: 'OK', message };
}

// ── trademark ───────────────────────────────────────────────────────────────

/**
 * An expired mark is reported as expired even where it was once protected: expiry ends protection everywhere, so it
 * is the more useful reason. Marks match case-insensitively, since a mark is a word, not a code.
 */
export function checkTrademark(order: Order, rules: RuleSet): CheckResult {
  const wanted = order.trademark.trim().toUpperCase();
  const mark = rules.trademarks.marks.find((candidate) => candidate.mark.toUpperCase() === wanted);
  if (!mark) {
    return {
      check: 'trademark',
      outcome: 'fail',
      code: 'TRADEMARK_UNKNOWN',
      message: `"${order.trademark}" is not in the trademark register ${rules.trademarks.version}`,
    };
  }
  if (mark.expires <= order.requestedShipDate) {
    return {
      check: 'trademark',
      outcome: 'fail',
      code: 'TRADEMARK_EXPIRED',
      message: `${mark.mark} (${mark.registrationNumber}) expires on ${mark.expires}, on or before the ship date ${order.requestedShipDate}`,
    };
  }
  const designation = mark.designations.find((candidate) => candidate.country === order.destinationCountry);
  if (designation?.status !== 'protected') {
    const why = designation ? `its designation there is ${designation.status}` : 'that country is not designated';
    return {
      check: 'trademark',
      outcome: 'fail',
      code: 'TRADEMARK_NOT_PROTECTED',
      message: `${mark.mark} (${mark.registrationNumber}) is not protected in ${order.destinationCountry}: ${why}`,
    };
  }
  return pass(
    'trademark',
    `${mark.mark} (${mark.registrationNumber}) is protected in ${order.destinationCountry} until ${mark.expires}`,
  );
}

// ── grade and spec ──────────────────────────────────────────────────────────

/** Dimensions beyond the presses and geometry that cannot be made; empty when the shape is makeable. */
export function shapeProblems(shape: Shape, rules: RuleSet): string[] {
  const press = rules.catalogue.maxPressSizeMm;
  const problems: string[] = [];
  const atMost = (name: string, value: number, max: number) => {
    if (value > max) problems.push(`${name} ${value} mm exceeds the maximum press size of ${max} mm`);
  };
  switch (shape.type) {
    case 'block':
      atMost('lengthMm', shape.lengthMm, press.block.lengthMm);
      atMost('widthMm', shape.widthMm, press.block.widthMm);
      atMost('thicknessMm', shape.thicknessMm, press.block.thicknessMm);
      break;
    case 'disc':
      atMost('diameterMm', shape.diameterMm, press.disc.diameterMm);
      atMost('thicknessMm', shape.thicknessMm, press.disc.thicknessMm);
      break;
    case 'ring':
      if (shape.innerDiameterMm >= shape.outerDiameterMm) {
        problems.push(
          `ring innerDiameterMm ${shape.innerDiameterMm} must be less than outerDiameterMm ${shape.outerDiameterMm}`,
        );
      }
      atMost('outerDiameterMm', shape.outerDiameterMm, press.ring.outerDiameterMm);
      atMost('thicknessMm', shape.thicknessMm, press.ring.thicknessMm);
      break;
    case 'arc':
      if (shape.innerRadiusMm >= shape.outerRadiusMm) {
        problems.push(
          `arc innerRadiusMm ${shape.innerRadiusMm} must be less than outerRadiusMm ${shape.outerRadiusMm}`,
        );
      }
      if (shape.angleDeg >= 180) problems.push(`arc angleDeg ${shape.angleDeg} must be less than 180`);
      atMost('outerRadiusMm', shape.outerRadiusMm, press.arc.outerRadiusMm);
      atMost('lengthMm', shape.lengthMm, press.arc.lengthMm);
      break;
  }
  return problems;
}

/**
 * Whether the shape can be magnetized that way (catalogue `magnetizationByShape`); empty when it can. A catalogue
 * without the per-shape table (catalogue-2026.1) checks only that the direction is one it names.
 */
export function magnetizationProblems(shape: ShapeType, direction: string, rules: RuleSet): string[] {
  const { magnetizationDirections, magnetizationByShape } = rules.catalogue;
  if (!magnetizationDirections.includes(direction)) {
    return [`magnetization "${direction}" is not one of ${magnetizationDirections.join(', ')}`];
  }
  const allowed = magnetizationByShape?.[shape];
  if (allowed && !allowed.includes(direction)) {
    return [`a ${shape} cannot be magnetized ${direction}; a ${shape} allows ${allowed.join(', ')}`];
  }
  return [];
}

/** Why a line of a known grade is not a valid spec; empty when it is. */
export function lineSpecProblems(line: OrderLine, grade: Grade, rules: RuleSet): string[] {
  const problems: string[] = [];
  const coating = findCoating(rules, line.coating);
  if (!coating) {
    problems.push(`coating "${line.coating}" is not in the catalogue`);
  } else if (coating.maxTempC !== null && coating.maxTempC < grade.maxTempC) {
    problems.push(
      `${coating.code} (max ${coating.maxTempC} °C) cannot protect ${grade.grade} up to its working temperature of ${grade.maxTempC} °C`,
    );
  }
  problems.push(...shapeProblems(line.shape, rules));
  if (line.magnetization !== undefined)
    problems.push(...magnetizationProblems(line.shape.type, line.magnetization, rules));
  const { minimumOrderKg } = rules.priceList;
  if (line.quantityKg < minimumOrderKg) {
    problems.push(`${line.quantityKg} kg is below the minimum order of ${minimumOrderKg} kg`);
  }
  return problems;
}

/** An unknown grade outranks spec problems on other lines: it is the more basic failure. All problems are listed. */
export function checkGrade(order: Order, rules: RuleSet): CheckResult {
  const unknown: string[] = [];
  const invalid: string[] = [];
  order.lines.forEach((line, index) => {
    const grade = findGrade(rules, line.grade);
    if (!grade) {
      unknown.push(`${lineLabel(index)}: grade "${line.grade}" is not in catalogue ${rules.catalogue.version}`);
      return;
    }
    for (const problem of lineSpecProblems(line, grade, rules)) invalid.push(`${lineLabel(index)}: ${problem}`);
  });
  if (unknown.length > 0) {
    return { check: 'grade', outcome: 'fail', code: 'GRADE_UNKNOWN', message: [...unknown, ...invalid].join('; ') };
  }
  if (invalid.length > 0) return { check: 'grade', outcome: 'fail', code: 'SPEC_INVALID', message: invalid.join('; ') };
  // The HS code travels with the decision: customs fined Dy/Tb-bearing magnets declared under the other 10-digit line.
  const hsCodes = order.lines.map((line, index) => `${lineLabel(index)} HS ${hsCodeFor(line.grade, rules)}`).join(', ');
  return pass('grade', `every line is a catalogue grade with a valid spec (${rules.catalogue.version}); ${hsCodes}`);
}

// ── price ───────────────────────────────────────────────────────────────────

/**
 * Uses the very `unifiedUnitPrice` that quotes use. A line with an unknown grade or coating has no unified price; it
 * is named in the message but does not fail this check, because the grade check already fails the order for it and
 * the contract has no price code for it.
 */
export function checkPrice(order: Order, rules: RuleSet): CheckResult {
  const below: string[] = [];
  const notPriced: string[] = [];
  order.lines.forEach((line, index) => {
    if (!findGrade(rules, line.grade) || rules.priceList.coatingAdderPercent[line.coating] === undefined) {
      notPriced.push(`${lineLabel(index)} not priced (unknown grade or coating)`);
      return;
    }
    const unified = unifiedUnitPrice(line, order.incoterm, rules, order.destinationCountry);
    const offered = usd(line.offeredUnitPriceUsdPerKg);
    if (offered.lessThan(unified)) {
      below.push(
        `${lineLabel(index)}: offered ${formatUsd(offered)} USD/kg is below the unified price ${formatUsd(unified)} USD/kg`,
      );
    }
  });
  // A destination-dependent term names the region it was priced for, so a buyer can see why two quotes differ.
  const regional = pricingRegion(rules.priceList, order.incoterm, order.destinationCountry) !== undefined;
  const basis = regional ? `; ${pricingBasisLabel(rules.priceList, order.incoterm, order.destinationCountry)}` : '';
  const version = `price list ${rules.priceList.version}${basis}`;
  if (below.length > 0) {
    return {
      check: 'price',
      outcome: 'fail',
      code: 'PRICE_BELOW_UNIFIED',
      message: `${below.join('; ')} (${version})`,
    };
  }
  const caveat = notPriced.length > 0 ? `; ${notPriced.join('; ')}` : '';
  return pass('price', `every priced line is at or above the unified price (${version})${caveat}`);
}

// ── compliance ──────────────────────────────────────────────────────────────

/**
 * One result for all compliance rules: the first refusal in the order embargo, restricted party, military end use is
 * the code, every finding is in the message, and a missing licence only holds an order nothing refuses. The buyer's
 * own country is screened against the embargo list too, since goods sold there can be re-exported anywhere.
 */
export function checkCompliance(order: Order, rules: RuleSet): CheckResult {
  const { compliance } = rules;
  const refusals: { code: DecisionCode; message: string }[] = [];

  const embargoed = (country: string) => compliance.embargoedDestinations.find((entry) => entry.country === country);
  const destinationEmbargo = embargoed(order.destinationCountry);
  if (destinationEmbargo) {
    refusals.push({
      code: 'DESTINATION_EMBARGOED',
      message: `destination ${order.destinationCountry} is embargoed (${destinationEmbargo.basis}; ${compliance.version})`,
    });
  }
  const buyerEmbargo = order.buyer.country === order.destinationCountry ? undefined : embargoed(order.buyer.country);
  if (buyerEmbargo) {
    refusals.push({
      code: 'DESTINATION_EMBARGOED',
      message: `buyer country ${order.buyer.country} is embargoed (${buyerEmbargo.basis})`,
    });
  }
  const party = matchRestrictedParty(order.buyer.company, rules);
  if (party) {
    const owner = party.party.ownedBy ? `, owned by listed entity ${party.party.ownedBy}` : '';
    refusals.push({
      code: 'RESTRICTED_PARTY',
      message: `buyer "${order.buyer.company}" matches restricted party ${party.party.id} "${party.matchedName}"${owner} (${party.party.basis}; ${compliance.version})`,
    });
  }
  if (order.endUse.military && compliance.militaryEndUse.refused) {
    refusals.push({
      code: 'MILITARY_END_USE',
      message: `military end use is refused (${compliance.militaryEndUse.basis}; ${compliance.version})`,
    });
  }
  const [first] = refusals;
  if (first) {
    return {
      check: 'compliance',
      outcome: 'fail',
      code: first.code,
      message: refusals.map((refusal) => refusal.message).join('; '),
    };
  }

  const licenceNeeded = licenceFindings(order, rules);
  if (licenceNeeded.length > 0) {
    return { check: 'compliance', outcome: 'hold', code: 'LICENCE_REQUIRED', message: licenceNeeded.join('; ') };
  }
  return pass(
    'compliance',
    `no embargo, restricted party, military end use or missing licence (${compliance.version})`,
  );
}

/** A licence covers the shipment if it is still valid on the ship date itself. */
function licenceFindings(order: Order, rules: RuleSet): string[] {
  const { licence, requestedShipDate } = order;
  if (licence && licence.validUntil >= requestedShipDate) return [];
  const why = licence
    ? `licence ${licence.number} is valid only until ${licence.validUntil}, before the ship date ${requestedShipDate}`
    : 'no export licence was given';
  const findings: string[] = [];
  order.lines.forEach((line, index) => {
    const grade = findGrade(rules, line.grade);
    if (!grade) return;
    const controls = controlsOnFamily(rules, grade.family, requestedShipDate);
    if (controls.length > 0) {
      findings.push(
        `${lineLabel(index)}: ${grade.grade} is controlled by ${controls.map((c) => c.name).join(', ')} and ${why}`,
      );
    }
  });
  return findings;
}

// ── decision ────────────────────────────────────────────────────────────────

/** All four checks always run, in the contract's order, so a rejected buyer learns every reason at once. */
export function runChecks(order: Order, rules: RuleSet): CheckResult[] {
  return [
    checkTrademark(order, rules),
    checkGrade(order, rules),
    checkPrice(order, rules),
    checkCompliance(order, rules),
  ];
}

export function decide(checks: readonly CheckResult[]): Decision {
  if (checks.some((check) => check.outcome === 'fail')) return 'REJECT';
  if (checks.some((check) => check.outcome === 'hold')) return 'HOLD';
  return 'PASS';
}

/** Dy/Tb-bearing grades must be declared under 8505111000; customs fined such magnets declared as 8505119000. */
export function hsCodeFor(grade: string, rules: RuleSet): string {
  const { family } = requireGrade(rules, grade);
  const familyFacts = rules.catalogue.families.find((candidate) => candidate.family === family);
  return familyFacts?.dyTbBearing ? rules.compliance.hsCodes.dyTbBearing : rules.compliance.hsCodes.other;
}
