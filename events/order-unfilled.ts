/** OrderUnfilled: the checks passed but capacity is short; nothing stays reserved. */
import * as z from 'zod';
import { defineEvent } from './define-event';

export const OrderUnfilled = defineEvent('OrderUnfilled', 1, {
  shortfalls: z.array(z.object({ lineIndex: z.number().int().min(0), missingKg: z.number().int().positive() })),
});
