/** E-mails to the buyer (allocated, confirmed, unfilled after a decline) and to a factory whose share is withdrawn. */
import { escapeHtml } from './adapters/html';
import type { AllocationRecord, OrderRecord } from './adapters/order-store';

export interface Mail {
  subject: string;
  text: string;
  html: string;
}

function mail(subject: string, greeting: string, paragraphs: string[], rows: [string, string][]): Mail {
  const text = [greeting, '', ...paragraphs.flatMap((p) => [p, '']), ...rows.map(([l, v]) => `${l}: ${v}`)].join('\n');
  const html = [
    '<!doctype html><html><body>',
    `<p>${escapeHtml(greeting)}</p>`,
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    rows.length ? '<table>' : '',
    ...rows.map(([l, v]) => `<tr><th align="left">${escapeHtml(l)}</th><td>${escapeHtml(v)}</td></tr>`),
    rows.length ? '</table>' : '',
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}

/** Kilograms per line and factory: what the buyer may see (never the transfer price). */
function allocationRows(record: OrderRecord, allocations: AllocationRecord[]): [string, string][] {
  return allocations.map((a) => [
    `Line ${a.lineIndex + 1} (${record.order.lines[a.lineIndex]?.grade ?? '?'})`,
    `${a.quantityKg} kg at ${a.factoryName}`,
  ]);
}

export function orderAllocatedEmail(record: OrderRecord, allocations: AllocationRecord[], statusUrl: string): Mail {
  return mail(
    `Order ${record.orderId} allocated to member factories`,
    `Dear ${record.order.buyer.contactName},`,
    [
      `Your order ${record.orderId} passed the channel's checks and every kilogram is reserved at member factories for ship date ${record.order.requestedShipDate}.`,
      'The factories now confirm their share; you will receive a second e-mail when all of them have.',
      `Status: ${statusUrl}`,
    ],
    allocationRows(record, allocations),
  );
}

export function orderConfirmedEmail(record: OrderRecord, allocations: AllocationRecord[], statusUrl: string): Mail {
  return mail(
    `Order ${record.orderId} confirmed`,
    `Dear ${record.order.buyer.contactName},`,
    [
      `Every member factory has accepted its share of your order ${record.orderId}. The order is confirmed for ship date ${record.order.requestedShipDate}.`,
      `Status: ${statusUrl}`,
    ],
    allocationRows(record, allocations),
  );
}

export function orderUnfilledAfterDeclineEmail(
  record: OrderRecord,
  shortfalls: { lineIndex: number; missingKg: number }[],
  statusUrl: string,
): Mail {
  return mail(
    `Order ${record.orderId} could not be filled`,
    `Dear ${record.order.buyer.contactName},`,
    [
      `A member factory declined its share of your order ${record.orderId}, and no other certified member has the capacity to take it over for ship date ${record.order.requestedShipDate}.`,
      'The channel delivers an order whole or not at all, so every reservation for this order has been released and the order is now UNFILLED. You are not committed to anything; you may submit it again, for example with a later ship date.',
      `Status: ${statusUrl}`,
    ],
    shortfalls.map((s) => [
      `Line ${s.lineIndex + 1} (${record.order.lines[s.lineIndex]?.grade ?? '?'})`,
      `${s.missingKg} kg could not be placed`,
    ]),
  );
}

export function allocationWithdrawnEmail(record: OrderRecord, allocation: AllocationRecord): Mail {
  return mail(
    `Allocation ${allocation.allocationId} for order ${record.orderId} withdrawn`,
    `Dear ${allocation.factoryName},`,
    [
      `Order ${record.orderId} could not be filled after another member declined, so the channel has released its reservation of ${allocation.quantityKg} kg at your factory. Please do not produce or ship it.`,
    ],
    [
      ['Order', record.orderId],
      ['Allocation', allocation.allocationId],
    ],
  );
}
