/** Workflow task inputs are checked at the door, so a wrong wiring fails loudly with a named error. */
import * as z from 'zod';

export const orderRef = z.object({ orderId: z.string().min(1).max(64) });

export class OrderNotFoundError extends Error {
  override name = 'OrderNotFoundError';
}
