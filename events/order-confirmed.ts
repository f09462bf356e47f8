/** OrderConfirmed: every factory accepted its allocation. */
import { defineEvent } from './define-event';

export const OrderConfirmed = defineEvent('OrderConfirmed', 1, {});
