/** The order and quote request bodies of the public contract, as zod schemas: shape and types only, no business rules. */
import * as z from 'zod';

/** The nine Incoterms the unified price list covers (CONTRACT.md's catalogue). */
export const incoterms = ['FOB', 'CIF', 'CFR', 'FCA', 'CPT', 'CIP', 'DAP', 'DDP', 'EXW'] as const;
export const incotermSchema = z.enum(incoterms);
export type Incoterm = z.infer<typeof incotermSchema>;

/** ISO 3166-1 alpha-2 in form only: whether a well-formed code is a real or allowed country is the workflow's call. */
export const countryCodeSchema = z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 code such as "DE"');

/** zod's ISO date format rejects impossible days such as 2027-02-29 or 2027-04-31. */
export const isoDateSchema = z.iso.date({ message: 'expected a real calendar date YYYY-MM-DD' });

export const maxUnitPriceUsdPerKg = '9999999.99';
/** At most 7 integer digits and 2 decimals, so the bound is in the pattern itself; zero is refused below. */
const unitPricePattern = /^(0|[1-9]\d{0,6})(\.\d{1,2})?$/;

export const unitPriceSchema = z
  .string()
  .max(10, { abort: true })
  .regex(unitPricePattern, `expected a decimal string with at most 2 decimals, up to ${maxUnitPriceUsdPerKg}`)
  .refine((value) => /[1-9]/.test(value), 'must be greater than 0');

/** Physical sanity only; the member presses' real limits are a domain check (SPEC_INVALID), not a schema failure. */
const dimensionMm = z.number().positive().max(1000);

export const shapeSchema = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('block'), lengthMm: dimensionMm, widthMm: dimensionMm, thicknessMm: dimensionMm })
    .strict(),
  z.object({ type: z.literal('disc'), diameterMm: dimensionMm, thicknessMm: dimensionMm }).strict(),
  z
    .object({
      type: z.literal('ring'),
      outerDiameterMm: dimensionMm,
      innerDiameterMm: dimensionMm,
      thicknessMm: dimensionMm,
    })
    .strict(),
  z
    .object({
      type: z.literal('arc'),
      outerRadiusMm: dimensionMm,
      innerRadiusMm: dimensionMm,
      angleDeg: z.number().positive().max(360),
      lengthMm: dimensionMm,
    })
    .strict(),
]);
export type Shape = z.infer<typeof shapeSchema>;
export type ShapeType = Shape['type'];

export const maxQuantityKg = 1_000_000;
export const maxOrderLines = 20;

export const magnetizationSchema = z
  .string()
  .max(32, { abort: true })
  .regex(/^[a-z]+(-[a-z]+)*$/, 'expected a magnetization direction such as "axial" or "through-thickness"');

/** One line, shared by orders and quote requests so the two can never drift apart. */
export const orderLineSchema = z
  .object({
    grade: z.string().min(1).max(16),
    shape: shapeSchema,
    coating: z.string().min(1).max(32),
    quantityKg: z.number().int().positive().max(maxQuantityKg),
    offeredUnitPriceUsdPerKg: unitPriceSchema,
    /**
     * Optional extension beyond the contract: the magnetization direction, e.g. "axial". Any well-formed direction is
     * accepted here; whether the shape allows it is the grade check's call (SPEC_INVALID), like an unknown grade.
     */
    magnetization: magnetizationSchema.optional(),
  })
  .strict();
export type OrderLine = z.infer<typeof orderLineSchema>;

const linesSchema = z.array(orderLineSchema).min(1).max(maxOrderLines);

export const orderSchema = z
  .object({
    buyer: z
      .object({
        company: z.string().min(1).max(200),
        country: countryCodeSchema,
        contactName: z.string().min(1).max(120),
        email: z.email().max(254),
      })
      .strict(),
    destinationCountry: countryCodeSchema,
    endUse: z.object({ description: z.string().min(1).max(500), military: z.boolean() }).strict(),
    trademark: z.string().min(1).max(64),
    incoterm: incotermSchema,
    requestedShipDate: isoDateSchema,
    licence: z
      .object({ number: z.string().min(1).max(64), validUntil: isoDateSchema })
      .strict()
      .optional(),
    lines: linesSchema,
  })
  .strict();
export type Order = z.infer<typeof orderSchema>;

/** A quote line is an order line whose offered price may be left out: a buyer asks before deciding what to offer. */
export const quoteLineSchema = orderLineSchema.partial({ offeredUnitPriceUsdPerKg: true });
export type QuoteLine = z.infer<typeof quoteLineSchema>;

/**
 * The quote body: an order's lines, incoterm and ship date. `destinationCountry` is an optional extension beyond the
 * contract: with it a C or D term is priced for the destination's region, exactly as the price check prices the
 * order; without it for the dearest region (see `pricingRegion`), so the quote still covers any destination.
 */
export const quoteRequestSchema = z
  .object({
    lines: z.array(quoteLineSchema).min(1).max(maxOrderLines),
    incoterm: incotermSchema,
    requestedShipDate: isoDateSchema,
    destinationCountry: countryCodeSchema.optional(),
  })
  .strict();
export type QuoteRequest = z.infer<typeof quoteRequestSchema>;

/** A line as pricing needs it: the offered price is irrelevant to the unified price. */
export type PricedLine = Pick<OrderLine, 'grade' | 'coating' | 'quantityKg'>;
