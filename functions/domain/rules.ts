/** The unified rules as versioned documents: zod schemas for each, the seed documents, and their version stamps. */
import * as z from 'zod';
import { countryCodeSchema, type Incoterm, incotermSchema, isoDateSchema } from './order';
import allocationPolicyJson from './reference/allocation-policy.json' with { type: 'json' };
import catalogueJson from './reference/catalogue.json' with { type: 'json' };
import complianceJson from './reference/compliance.json' with { type: 'json' };
import membersJson from './reference/members.json' with { type: 'json' };
import priceListJson from './reference/price-list.json' with { type: 'json' };
import trademarksJson from './reference/trademarks.json' with { type: 'json' };

export const gradeFamilies = ['N', 'M', 'H', 'SH', 'UH', 'EH', 'AH'] as const;
export const gradeFamilySchema = z.enum(gradeFamilies);
export type GradeFamily = z.infer<typeof gradeFamilySchema>;

const percentSchema = z.string().regex(/^-?\d{1,3}(\.\d{1,4})?$/, 'expected a percent as a decimal string');
const usdPerKgSchema = z.string().regex(/^\d{1,7}\.\d{2}$/, 'expected USD with exactly 2 decimals');
const sourceSchema = z
  .object({
    id: z.string().min(1),
    title: z.string().min(1),
    publishers: z.array(z.string().min(1)).min(1),
    note: z.string().optional(),
  })
  .strict();

/** Every document carries these, so a stored decision can name exactly which rules it used. */
function versionedDocument<Type extends string, Shape extends z.ZodRawShape>(documentType: Type, shape: Shape) {
  return z
    .object({
      documentType: z.literal(documentType),
      version: z.string().min(1).max(64),
      effectiveFrom: isoDateSchema,
      effectiveTo: isoDateSchema.optional(),
      sources: z.array(sourceSchema).min(1),
      notes: z.array(z.string()).optional(),
      ...shape,
    })
    .strict();
}

function effectiveDatesInOrder(doc: { effectiveFrom: string; effectiveTo?: string | undefined }, ctx: z.RefinementCtx) {
  if (doc.effectiveTo !== undefined && doc.effectiveTo < doc.effectiveFrom) {
    ctx.addIssue({ code: 'custom', message: 'effectiveTo is before effectiveFrom', path: ['effectiveTo'] });
  }
}

// ── catalogue ───────────────────────────────────────────────────────────────

const positive = z.number().positive();

export const gradeSchema = z
  .object({
    grade: z.string().min(1).max(16),
    family: gradeFamilySchema,
    bhMaxNominalMGOe: positive,
    brMinKGs: positive,
    brMaxKGs: positive,
    brMinT: positive,
    brMaxT: positive,
    hcjMinKOe: positive,
    hcjMinKAm: positive,
    bhMaxMinMGOe: positive,
    bhMaxMaxMGOe: positive,
    bhMaxMinKJm3: positive,
    bhMaxMaxKJm3: positive,
    maxTempC: z.number().int(),
    note: z.string().optional(),
  })
  .strict()
  .refine((g) => g.brMinT <= g.brMaxT && g.bhMaxMinKJm3 <= g.bhMaxMaxKJm3, 'a minimum exceeds its maximum');
export type Grade = z.infer<typeof gradeSchema>;

export const coatingSchema = z
  .object({
    code: z.string().min(1).max(32),
    name: z.string().min(1),
    thicknessMinUm: positive,
    thicknessMaxUm: positive,
    saltSprayHours: z.number().int().positive().nullable(),
    /** null where the source gives no maximum temperature; such a coating is not limited by the temperature rule. */
    maxTempC: z.number().int().nullable(),
    isDefault: z.boolean(),
    note: z.string().optional(),
  })
  .strict();
export type Coating = z.infer<typeof coatingSchema>;

const mm = z.number().positive();
export const maxPressSizeSchema = z
  .object({
    assumed: z.boolean(),
    note: z.string(),
    block: z.object({ lengthMm: mm, widthMm: mm, thicknessMm: mm }).strict(),
    disc: z.object({ diameterMm: mm, thicknessMm: mm }).strict(),
    ring: z.object({ outerDiameterMm: mm, thicknessMm: mm }).strict(),
    arc: z.object({ outerRadiusMm: mm, lengthMm: mm }).strict(),
  })
  .strict();
export type MaxPressSize = z.infer<typeof maxPressSizeSchema>;

export const shapeTypes = ['block', 'disc', 'ring', 'arc'] as const;
const directionsSchema = z.array(z.string().min(1).max(32)).min(1).max(10);

/** The magnetization directions each shape allows; every direction must be one of `magnetizationDirections`. */
export const magnetizationByShapeSchema = z
  .object({
    assumed: z.boolean(),
    note: z.string().max(2000),
    block: directionsSchema,
    disc: directionsSchema,
    ring: directionsSchema,
    arc: directionsSchema,
  })
  .strict();
export type MagnetizationByShape = z.infer<typeof magnetizationByShapeSchema>;

export const catalogueDocumentSchema = versionedDocument('catalogue', {
  standard: z.string().min(1),
  families: z
    .array(
      z
        .object({
          family: gradeFamilySchema,
          hcjMinKOe: positive,
          hcjMinKAm: positive,
          maxTempC: z.number().int(),
          dyTbBearing: z.boolean(),
          alias: z.string().optional(),
          note: z.string().optional(),
        })
        .strict(),
    )
    .length(gradeFamilies.length),
  dyTbBearingNote: z.string(),
  grades: z.array(gradeSchema).min(1),
  coatings: z.array(coatingSchema).min(1),
  coatingTemperatureRule: z.string(),
  shapes: z.array(z.enum(shapeTypes)).min(1),
  shapeRules: z.object({ ring: z.string(), arc: z.string() }).strict(),
  maxPressSizeMm: maxPressSizeSchema,
  magnetizationDirections: z.array(z.string().min(1)).min(1),
  /** Optional so catalogues stored before it (catalogue-2026.1) stay readable; they check directions only by name. */
  magnetizationByShape: magnetizationByShapeSchema.optional(),
  tolerances: z
    .object({ defaultMm: z.string(), precisionMm: z.array(z.string()), precisionCostNote: z.string() })
    .strict(),
}).superRefine((doc, ctx) => {
  effectiveDatesInOrder(doc, ctx);
  const names = doc.grades.map((g) => g.grade);
  for (const duplicate of names.filter((name, index) => names.indexOf(name) !== index)) {
    ctx.addIssue({ code: 'custom', message: `duplicate grade ${duplicate}`, path: ['grades'] });
  }
  const codes = doc.coatings.map((c) => c.code);
  if (new Set(codes).size !== codes.length) {
    ctx.addIssue({ code: 'custom', message: 'duplicate coating code', path: ['coatings'] });
  }
  if (doc.coatings.filter((c) => c.isDefault).length !== 1) {
    ctx.addIssue({ code: 'custom', message: 'exactly one default coating', path: ['coatings'] });
  }
  const byShape = doc.magnetizationByShape;
  if (byShape) {
    for (const shape of shapeTypes) {
      byShape[shape].forEach((direction, index) => {
        if (!doc.magnetizationDirections.includes(direction)) {
          ctx.addIssue({
            code: 'custom',
            message: `"${direction}" is not one of magnetizationDirections`,
            path: ['magnetizationByShape', shape, index],
          });
        }
      });
    }
  }
});
export type CatalogueDocument = z.infer<typeof catalogueDocumentSchema>;

// ── trademarks ──────────────────────────────────────────────────────────────

export const designationStatusSchema = z.enum(['protected', 'pending', 'refused']);
export type DesignationStatus = z.infer<typeof designationStatusSchema>;

export const trademarkSchema = z
  .object({
    mark: z.string().min(1).max(64),
    fictional: z.boolean(),
    registrationNumber: z.string().min(1),
    holder: z.string().min(1),
    basicMark: z
      .object({ office: countryCodeSchema, number: z.string().min(1) })
      .strict()
      .optional(),
    niceClasses: z.array(z.number().int().min(1).max(45)).min(1),
    registrationDate: isoDateSchema,
    expires: isoDateSchema,
    note: z.string().optional(),
    designations: z.array(z.object({ country: countryCodeSchema, status: designationStatusSchema }).strict()),
  })
  .strict()
  .refine((t) => t.expires > t.registrationDate, { message: 'expires before registration', path: ['expires'] });
export type Trademark = z.infer<typeof trademarkSchema>;

export const trademarkRegisterSchema = versionedDocument('trademark-register', {
  marks: z.array(trademarkSchema),
}).superRefine(effectiveDatesInOrder);
export type TrademarkRegister = z.infer<typeof trademarkRegisterSchema>;

// ── price list ──────────────────────────────────────────────────────────────

const incotermAdders = z
  .object({
    EXW: usdPerKgSchema,
    FOB: usdPerKgSchema,
    FCA: usdPerKgSchema,
    CFR: usdPerKgSchema,
    CIF: usdPerKgSchema,
    CPT: usdPerKgSchema,
    CIP: usdPerKgSchema,
    DAP: usdPerKgSchema,
    DDP: usdPerKgSchema,
  })
  .strict();

/**
 * What a seller pays between origin and destination under the C and D terms, each priced per region:
 * - `freight`: main carriage to the named port or place (CFR, CPT, CIF, CIP, DAP, DDP);
 * - `insuranceMinimumCover`: Institute Cargo Clauses (C) at 110 % of value, the least CIF requires (Incoterms 2020);
 * - `insuranceAllRisks`: ICC (A) at 110 %, which CIP requires and under which a D-term seller carries its own risk;
 * - `onCarriage`: from the arrival port to the buyer's named place (DAP, DDP);
 * - `importClearance`: import duty, taxes and customs brokerage in the destination (DDP only).
 */
export const destinationCostComponents = [
  'freight',
  'insuranceMinimumCover',
  'insuranceAllRisks',
  'onCarriage',
  'importClearance',
] as const;
export type DestinationCostComponent = (typeof destinationCostComponents)[number];
const destinationCostComponentSchema = z.enum(destinationCostComponents);

/** EXW, FCA and FOB hand the goods over at origin: the buyer pays every cost beyond it, so they carry no region. */
export const originTerms: readonly Incoterm[] = ['EXW', 'FCA', 'FOB'];

const regionIdSchema = z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'a short lowercase slug such as "europe"');

export const destinationRegionSchema = z
  .object({
    name: z.string().min(1).max(80),
    usdPerKg: z
      .object({
        freight: usdPerKgSchema,
        insuranceMinimumCover: usdPerKgSchema,
        insuranceAllRisks: usdPerKgSchema,
        onCarriage: usdPerKgSchema,
        importClearance: usdPerKgSchema,
      } satisfies Record<DestinationCostComponent, typeof usdPerKgSchema>)
      .strict(),
  })
  .strict();
export type DestinationRegion = z.infer<typeof destinationRegionSchema>;

export const destinationPricingSchema = z
  .object({
    assumed: z.boolean(),
    note: z.string().min(1).max(4000),
    /** Which regional costs each term adds; a term not listed adds none. */
    termComponents: z.partialRecord(
      incotermSchema,
      z.array(destinationCostComponentSchema).max(destinationCostComponents.length),
    ),
    regions: z.record(regionIdSchema, destinationRegionSchema),
    /** ISO 3166-1 alpha-2 → region id; a country not listed is priced in `defaultRegion`. */
    countryRegions: z.record(countryCodeSchema, regionIdSchema),
    defaultRegion: regionIdSchema,
  })
  .strict()
  .superRefine((pricing, ctx) => {
    const regionIds = Object.keys(pricing.regions);
    if (regionIds.length === 0) ctx.addIssue({ code: 'custom', message: 'at least one region', path: ['regions'] });
    if (regionIds.length > 50) ctx.addIssue({ code: 'custom', message: 'at most 50 regions', path: ['regions'] });
    if (!regionIds.includes(pricing.defaultRegion)) {
      ctx.addIssue({
        code: 'custom',
        message: `default region "${pricing.defaultRegion}" is not among the regions`,
        path: ['defaultRegion'],
      });
    }
    for (const [country, region] of Object.entries(pricing.countryRegions)) {
      if (!regionIds.includes(region)) {
        ctx.addIssue({
          code: 'custom',
          message: `${country} is mapped to region "${region}", which is not among the regions`,
          path: ['countryRegions', country],
        });
      }
    }
    for (const [term, components] of Object.entries(pricing.termComponents)) {
      if (originTerms.includes(term as Incoterm) && (components ?? []).length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `${term} ends at origin: it carries no destination costs`,
          path: ['termComponents', term],
        });
      }
      if (new Set(components).size !== (components ?? []).length) {
        ctx.addIssue({ code: 'custom', message: 'a component is listed twice', path: ['termComponents', term] });
      }
    }
  });
export type DestinationPricing = z.infer<typeof destinationPricingSchema>;

export const priceListSchema = versionedDocument('price-list', {
  currency: z.literal('USD'),
  basePrice: z.object({ grade: z.string(), usdPerKg: usdPerKgSchema, note: z.string() }).strict(),
  energyLadderMGOe: z.array(z.number().positive()).min(1),
  referenceEnergyMGOe: z.number().positive(),
  energyStepPercent: percentSchema,
  energyStepNote: z.string(),
  familyAdderPercent: z.record(gradeFamilySchema, percentSchema),
  coatingAdderPercent: z.record(z.string(), percentSchema),
  coatingAdderNote: z.string(),
  minimumOrderKg: z.number().int().positive(),
  volumeTiers: z
    .array(z.object({ minKg: z.number().int().positive(), discountPercent: percentSchema }).strict())
    .min(1),
  volumeTierNote: z.string(),
  /** The destination-independent part of each term, added to every line. */
  incotermAdderUsdPerKg: incotermAdders,
  incotermNote: z.string(),
  /** Optional so price lists stored before regional pricing (prices-2026.1) stay readable; they price flat. */
  destinationPricing: destinationPricingSchema.optional(),
  channelMarginPercent: percentSchema,
  channelMarginNote: z.string(),
}).superRefine((doc, ctx) => {
  effectiveDatesInOrder(doc, ctx);
  // Pricing relies on these orders: a larger quantity must never cost more per kg.
  doc.volumeTiers.forEach((tier, index) => {
    const previous = doc.volumeTiers[index - 1];
    if (previous && (tier.minKg <= previous.minKg || Number(tier.discountPercent) < Number(previous.discountPercent))) {
      ctx.addIssue({
        code: 'custom',
        message: 'tiers must ascend in minKg and discount',
        path: ['volumeTiers', index],
      });
    }
  });
  const ladder = doc.energyLadderMGOe;
  if (ladder.some((value, index) => index > 0 && value <= (ladder[index - 1] ?? 0))) {
    ctx.addIssue({ code: 'custom', message: 'energy ladder must ascend', path: ['energyLadderMGOe'] });
  }
  if (!ladder.includes(doc.referenceEnergyMGOe)) {
    ctx.addIssue({ code: 'custom', message: 'reference energy is not on the ladder', path: ['referenceEnergyMGOe'] });
  }
});
export type PriceList = z.infer<typeof priceListSchema>;

// ── compliance ──────────────────────────────────────────────────────────────

export const exportControlSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    content: z.string(),
    issued: isoDateSchema,
    inForceFrom: isoDateSchema.optional(),
    status: z.enum(['in-force', 'suspended', 'repealed']),
    suspendedBy: z.string().optional(),
    suspendedUntil: isoDateSchema.optional(),
    laterStatus: z.string().optional(),
    controlledFamilies: z.array(gradeFamilySchema),
    controlledFamiliesNote: z.string().optional(),
  })
  .strict();
export type ExportControl = z.infer<typeof exportControlSchema>;

export const restrictedPartySchema = z
  .object({
    id: z.string().min(1),
    fictional: z.boolean(),
    name: z.string().min(1),
    aliases: z.array(z.string().min(1)),
    country: countryCodeSchema,
    ownedBy: z.string().optional(),
    ownershipPercent: z.number().min(50).max(100).optional(),
    basis: z.string(),
  })
  .strict();
export type RestrictedParty = z.infer<typeof restrictedPartySchema>;

export const complianceRulesSchema = versionedDocument('compliance-rules', {
  exportControls: z.array(exportControlSchema),
  licence: z.object({ rule: z.string(), paperwork: z.string() }).strict(),
  hsCodes: z
    .object({ dyTbBearing: z.string().regex(/^\d{10}$/), other: z.string().regex(/^\d{10}$/), note: z.string() })
    .strict(),
  militaryEndUse: z.object({ refused: z.boolean(), basis: z.string() }).strict(),
  embargoedDestinations: z.array(
    z.object({ country: countryCodeSchema, assumed: z.boolean(), basis: z.string() }).strict(),
  ),
  restrictedParties: z.array(restrictedPartySchema),
}).superRefine(effectiveDatesInOrder);
export type ComplianceRules = z.infer<typeof complianceRulesSchema>;

// ── members ─────────────────────────────────────────────────────────────────

export const memberRoles = [
  'producer',
  'producer-rd',
  'finance',
  'research',
  'research-standards',
  'raw-materials',
  'export',
] as const;
export const producerRoles: readonly MemberRole[] = ['producer', 'producer-rd'];
export type MemberRole = (typeof memberRoles)[number];

export const certificationSchema = z
  .object({
    family: gradeFamilySchema,
    standard: z.string().min(1),
    /** The standard's version (edition), e.g. "2017" for GB/T 13560-2017; optional so members-2026.1 stays readable. */
    version: z.string().min(1).max(32).optional(),
    validFrom: isoDateSchema,
    validTo: isoDateSchema,
  })
  .strict()
  .refine((c) => c.validTo >= c.validFrom, { message: 'validTo is before validFrom', path: ['validTo'] });
export type Certification = z.infer<typeof certificationSchema>;

export const memberSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'a short lowercase slug'),
    name: z.string().min(1),
    city: z.string().min(1),
    role: z.enum(memberRoles),
    council: z.boolean(),
    fictional: z.boolean(),
    contactEmail: z.email().refine((email) => /\.example\.(com|cn)$|@example\.(com|cn)$/.test(email), {
      message: 'contact addresses must be fictional (example.com / example.cn)',
    }),
    certifications: z.array(certificationSchema),
    monthlyCapacityKg: z.partialRecord(gradeFamilySchema, z.number().int().nonnegative()),
    quotaSharePercent: percentSchema,
    note: z.string().optional(),
  })
  .strict();
export type Member = z.infer<typeof memberSchema>;

export const memberRosterSchema = versionedDocument('member-roster', {
  memberCount: z.number().int().positive(),
  members: z.array(memberSchema).min(1),
}).superRefine((doc, ctx) => {
  effectiveDatesInOrder(doc, ctx);
  if (doc.members.length !== doc.memberCount) {
    ctx.addIssue({ code: 'custom', message: `expected ${doc.memberCount} members`, path: ['members'] });
  }
  const ids = doc.members.map((m) => m.id);
  if (new Set(ids).size !== ids.length)
    ctx.addIssue({ code: 'custom', message: 'duplicate member id', path: ['members'] });
});
export type MemberRoster = z.infer<typeof memberRosterSchema>;

// ── allocation policy ───────────────────────────────────────────────────────

/**
 * How equally-placed factories are ordered. Both end on the factory id, so a plan never depends on input order:
 * - `higher-quota-then-factory-id`: the member with the larger agreed quota first;
 * - `factory-id`: code-unit order of the member id only.
 */
export const tieBreakRules = ['higher-quota-then-factory-id', 'factory-id'] as const;
export type TieBreakRule = (typeof tieBreakRules)[number];

export const allocationPolicySchema = versionedDocument('allocation-policy', {
  /** At most this many factories share one line: more would multiply shipments and quality paperwork. */
  maxFactoriesPerLine: z.number().int().min(1).max(20),
  /** No factory gets less than this per line, unless the whole line is smaller (then one factory makes it). */
  minimumLotKg: z.number().int().positive().max(100_000),
  tieBreak: z.enum(tieBreakRules),
  /** A notified factory answers within this; silence past it counts as a decline (and the links expire). */
  answerWithinHours: z.number().int().min(1).max(720),
}).superRefine(effectiveDatesInOrder);
export type AllocationPolicy = z.infer<typeof allocationPolicySchema>;

// ── the rule set ────────────────────────────────────────────────────────────

/** One consistent set of rules; a decision is always taken against exactly one of these. */
export interface RuleSet {
  catalogue: CatalogueDocument;
  trademarks: TrademarkRegister;
  priceList: PriceList;
  compliance: ComplianceRules;
  members: MemberRoster;
  allocationPolicy: AllocationPolicy;
}

/** The contract's `rules` object: the versions a decision used. */
export interface RuleVersions {
  catalogue: string;
  priceList: string;
  trademarks: string;
  compliance: string;
}

export function ruleVersions(rules: RuleSet): RuleVersions {
  return {
    catalogue: rules.catalogue.version,
    priceList: rules.priceList.version,
    trademarks: rules.trademarks.version,
    compliance: rules.compliance.version,
  };
}

/** Parses every document so a bad edit to the seed data fails at cold start, not in the middle of a decision. */
export function parseRuleSet(documents: Record<keyof RuleSet, unknown>): RuleSet {
  const rules: RuleSet = {
    catalogue: catalogueDocumentSchema.parse(documents.catalogue),
    trademarks: trademarkRegisterSchema.parse(documents.trademarks),
    priceList: priceListSchema.parse(documents.priceList),
    compliance: complianceRulesSchema.parse(documents.compliance),
    members: memberRosterSchema.parse(documents.members),
    allocationPolicy: allocationPolicySchema.parse(documents.allocationPolicy),
  };
  const problems = ruleSetInconsistencies(rules);
  if (problems.length > 0) throw new Error(`inconsistent rule set: ${problems.join('; ')}`);
  return rules;
}

/** What each document is valid alone but wrong together: every catalogue item must be priceable. */
export function ruleSetInconsistencies(rules: RuleSet): string[] {
  const problems: string[] = [];
  const { catalogue, priceList } = rules;
  for (const coating of catalogue.coatings) {
    if (priceList.coatingAdderPercent[coating.code] === undefined)
      problems.push(`no price adder for coating ${coating.code}`);
  }
  for (const grade of catalogue.grades) {
    if (!priceList.energyLadderMGOe.includes(grade.bhMaxNominalMGOe)) {
      problems.push(`grade ${grade.grade}: ${grade.bhMaxNominalMGOe} MGOe is not on the price list's energy ladder`);
    }
  }
  if (!catalogue.grades.some((grade) => grade.grade === priceList.basePrice.grade)) {
    problems.push(`base grade ${priceList.basePrice.grade} is not in the catalogue`);
  }
  const shares = rules.members.members
    .filter((member) => producerRoles.includes(member.role))
    .reduce((total, member) => total + Math.round(Number(member.quotaSharePercent) * 10_000), 0);
  if (shares !== 100 * 10_000) problems.push('producer quota shares do not sum to 100 %');
  return problems;
}

export const seedRuleSet: RuleSet = parseRuleSet({
  catalogue: catalogueJson,
  trademarks: trademarksJson,
  priceList: priceListJson,
  compliance: complianceJson,
  members: membersJson,
  allocationPolicy: allocationPolicyJson,
});
