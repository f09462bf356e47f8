/** The e-mail a member factory receives for one allocation: text and HTML, every buyer-supplied value escaped. */
import { escapeHtml } from '../adapters/html';
import type { OrderLine } from '../domain/order';

export interface AllocationEmailFacts {
  orderId: string;
  allocationId: string;
  factoryName: string;
  line: OrderLine;
  lineIndex: number;
  quantityKg: number;
  requestedShipDate: string;
  trademark: string;
  incoterm: string;
  destinationCountry: string;
  transferUnitPriceUsdPerKg: string;
  /** Signed, expiring, single-use links; opening one shows a confirmation page, only its button changes anything. */
  acceptUrl: string;
  declineUrl: string;
  respondBy: string;
}

function describeShape(shape: OrderLine['shape']): string {
  const { type, ...dimensions } = shape;
  return `${type} ${Object.entries(dimensions)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ')}`;
}

export function allocationEmail(facts: AllocationEmailFacts) {
  const rows: [string, string][] = [
    ['Order', facts.orderId],
    ['Allocation', facts.allocationId],
    ['Line', String(facts.lineIndex + 1)],
    ['Grade', facts.line.grade],
    ['Shape', describeShape(facts.line.shape)],
    ['Coating', facts.line.coating],
    ['Quantity', `${facts.quantityKg} kg`],
    ['Ship date', facts.requestedShipDate],
    ['Marking (trademark)', facts.trademark],
    ['Incoterm / destination', `${facts.incoterm} / ${facts.destinationCountry}`],
    ['Transfer price', `${facts.transferUnitPriceUsdPerKg} USD/kg`],
  ];
  const subject = `Allocation ${facts.quantityKg} kg ${facts.line.grade} for order ${facts.orderId}`;
  const text = [
    `Dear ${facts.factoryName},`,
    '',
    'The unified export channel has reserved the following quantity at your factory:',
    '',
    ...rows.map(([label, value]) => `${label}: ${value}`),
    '',
    'Please mark the goods with the trademark above and ship by the ship date.',
    '',
    `Please answer by ${facts.respondBy} (UTC). Without an answer by then the quantity is offered to another member.`,
    `Accept: ${facts.acceptUrl}`,
    `Decline: ${facts.declineUrl}`,
  ].join('\n');
  const html = [
    '<!doctype html><html><body>',
    `<p>Dear ${escapeHtml(facts.factoryName)},</p>`,
    '<p>The unified export channel has reserved the following quantity at your factory:</p>',
    '<table>',
    ...rows.map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`),
    '</table>',
    '<p>Please mark the goods with the trademark above and ship by the ship date.</p>',
    `<p>Please answer by ${escapeHtml(facts.respondBy)} (UTC). Without an answer by then the quantity is offered to another member.</p>`,
    `<p><a href="${escapeHtml(facts.acceptUrl)}">Accept this allocation</a> &middot; <a href="${escapeHtml(facts.declineUrl)}">Decline this allocation</a></p>`,
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}
