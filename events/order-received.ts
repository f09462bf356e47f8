/** OrderReceived: an order was accepted by the API and its route started. */
import * as z from 'zod';
import { defineEvent } from './define-event';

export const OrderReceived = defineEvent('OrderReceived', 1, {
  destinationCountry: z.string().length(2),
  lineCount: z.number().int().min(1),
  totalKg: z.number().int().positive(),
});
