/** Every event the channel publishes on the `export-channel` bus (CONTRACT.md, "Events"). */
import { AllocationAccepted } from './allocation-accepted';
import { AllocationDeclined } from './allocation-declined';
import { AllocationNotified } from './allocation-notified';
import { OrderAllocated } from './order-allocated';
import { OrderCancelled } from './order-cancelled';
import { OrderConfirmed } from './order-confirmed';
import { OrderHeld } from './order-held';
import { OrderReceived } from './order-received';
import { OrderRejected } from './order-rejected';
import { OrderUnfilled } from './order-unfilled';

export { EVENT_BUS_NAME, EVENT_SOURCE } from './define-event';
export {
  AllocationAccepted,
  AllocationDeclined,
  AllocationNotified,
  OrderAllocated,
  OrderCancelled,
  OrderConfirmed,
  OrderHeld,
  OrderReceived,
  OrderRejected,
  OrderUnfilled,
};

export const channelEvents = [
  OrderReceived,
  OrderRejected,
  OrderHeld,
  OrderAllocated,
  OrderUnfilled,
  OrderConfirmed,
  OrderCancelled,
  AllocationNotified,
  AllocationAccepted,
  AllocationDeclined,
] as const;
