/** How a channel event is declared: detail-type, version and a zod schema whose envelope every event shares. */
import * as z from 'zod';

export const EVENT_SOURCE = 'export-channel';
export const EVENT_BUS_NAME = 'export-channel';

const envelope = {
  orderId: z.string().min(1).max(64),
  occurredAt: z.iso.datetime(),
};

export interface EventDefinition<N extends string = string, S extends z.ZodType = z.ZodType> {
  detailType: N;
  source: typeof EVENT_SOURCE;
  version: number;
  schema: S;
}

export function defineEvent<N extends string, V extends number, Shape extends z.ZodRawShape>(
  detailType: N,
  version: V,
  shape: Shape,
) {
  const schema = z.object({ ...envelope, version: z.literal(version), ...shape });
  return { detailType, source: EVENT_SOURCE, version, schema } as const satisfies EventDefinition<N>;
}

export type DetailOf<E extends { schema: z.ZodType }> = z.infer<E['schema']>;

/** What the publisher needs from a caller: the envelope's version is filled in from the definition. */
export type DetailInput<E extends { schema: z.ZodType }> = Omit<z.input<E['schema']>, 'version'>;

export const allocationRef = z.object({
  allocationId: z.string(),
  factoryId: z.string(),
  lineIndex: z.number().int().min(0),
  quantityKg: z.number().int().positive(),
});
