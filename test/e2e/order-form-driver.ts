/** Drives the order form like a buyer would: valid choices taken from the live catalogue, labels as selectors. */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { api, stack } from '../integration/support';
import { textOf } from './browser';

interface CatalogueGrade {
  grade: string;
  family: string;
  maxTempC: number;
  controlled: boolean;
}

interface Catalogue {
  grades: CatalogueGrade[];
  coatings: { code: string; name: string; maxTempC: number | null }[];
  trademarks: { mark: string; protectedIn: string[]; expires: string }[];
  incoterms: string[];
}

/** Everything a valid order needs, chosen from what the catalogue says today. */
export interface OrderChoice {
  grade: CatalogueGrade;
  coating: string;
  trademark: string;
  destination: string;
  incoterm: string;
  shipDate: string;
  licenceValidUntil: string;
}

export function isoDateIn(days: number, from = new Date()): string {
  return new Date(from.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

export async function validChoice(): Promise<OrderChoice> {
  const { status, body } = await api<Catalogue>('GET', '/catalogue');
  expect(status).toBe(200);
  const grade = body.grades.find((g) => g.grade === 'N42SH') ?? body.grades[0];
  if (!grade) throw new Error('the catalogue lists no grade');
  const coating = body.coatings.find((c) => c.maxTempC === null || c.maxTempC >= grade.maxTempC);
  if (!coating) throw new Error(`no coating in the catalogue can protect ${grade.grade}`);
  const shipDate = isoDateIn(90);
  const marks = body.trademarks.filter((m) => m.expires > shipDate && m.protectedIn.length > 0);
  const mark = marks.find((m) => m.protectedIn.includes('DE')) ?? marks[0];
  if (!mark) throw new Error(`no trademark in the catalogue is protected anywhere beyond ${shipDate}`);
  return {
    grade,
    coating: coating.code,
    trademark: mark.mark,
    destination: mark.protectedIn.includes('DE') ? 'DE' : (mark.protectedIn[0] as string),
    incoterm: body.incoterms.includes('FOB') ? 'FOB' : (body.incoterms[0] as string),
    shipDate,
    licenceValidUntil: isoDateIn(365, new Date(`${shipDate}T00:00:00Z`)),
  };
}

export async function openForm(page: Page): Promise<void> {
  await page.goto(`${stack().web}/`);
  await page.locator('form[data-ready="true"]').waitFor();
}

export function orderLine(page: Page, n: number): Locator {
  return page.getByRole('group', { name: `Line ${n}`, exact: true });
}

export function submitButton(page: Page): Locator {
  return page.getByRole('button', { name: 'Submit order' });
}

/** Buyer, shipment, end use and (for a controlled grade) licence; the lines are filled separately. */
export async function fillOrderDetails(page: Page, choice: OrderChoice): Promise<void> {
  await page.getByLabel('Company name').fill('Acme Motors GmbH');
  await page.getByLabel('Company country').fill('de'); // the form upper-cases country codes as they are typed
  await page.getByLabel('Contact name').fill('Ada Example');
  await page.getByLabel('E-mail').fill('buyer@example.com');
  await page.getByLabel('Destination country').fill(choice.destination);
  await page.getByLabel('Incoterm').selectOption(choice.incoterm);
  await page.getByLabel('Requested ship date').fill(choice.shipDate);
  await page.getByLabel('Trademark').fill(choice.trademark);
  await page.getByLabel('Describe the end use').fill('EV traction motors');
}

export async function fillLicence(page: Page, choice: OrderChoice): Promise<void> {
  await expect.poll(() => page.getByRole('group', { name: 'Export licence' }).isVisible()).toBe(true);
  await page.getByLabel('Licence number').fill('LIC-E2E-0001');
  await page.getByLabel('Licence valid until').fill(choice.licenceValidUntil);
}

/** A block line; the offered price is left for the caller, who usually reads the live quote first. */
export async function fillLine(page: Page, n: number, choice: OrderChoice, quantityKg = '500'): Promise<Locator> {
  const line = orderLine(page, n);
  await line.getByLabel('Grade').selectOption(choice.grade.grade);
  await line.getByLabel('Coating').selectOption(choice.coating);
  await line.getByLabel('Shape').selectOption('block');
  await line.getByLabel('Length (mm)').fill('20');
  await line.getByLabel('Width (mm)').fill('10');
  await line.getByLabel('Thickness (mm)').fill('5');
  await line.getByLabel('Quantity (kg)').fill(quantityKg);
  return line;
}

/** Waits for the debounced live quote of line n and returns its unified unit price, as the API's decimal string. */
export async function liveUnitPrice(page: Page, n: number): Promise<string> {
  const quote = orderLine(page, n).locator('.line-quote');
  await expect.poll(() => quote.getAttribute('data-unit-price'), { timeout: 10_000 }).toMatch(/^\d+\.\d{2}$/);
  return (await quote.getAttribute('data-unit-price')) as string;
}

/** price − cents, exactly (BigInt cents, never floats): "71.20" → "71.19". */
export function centsBelow(price: string, cents = 1n): string {
  const [whole = '0', fraction = ''] = price.split('.');
  const total = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0')) - cents;
  return `${total / 100n}.${(total % 100n).toString().padStart(2, '0')}`;
}

const SETTLED = ['ALLOCATED', 'HELD', 'REJECTED', 'UNFILLED', 'CONFIRMED', 'CANCELLED'];

/**
 * Waits (with a deadline, no sleeps) until the status page stops polling, then insists on `expected`, naming the
 * checks if it ended elsewhere.
 */
export async function statusPageSettles(page: Page, expected: string): Promise<void> {
  // A locator wait, not waitForFunction: the pages' CSP (no 'unsafe-eval') refuses string predicates, as it should.
  await page.locator(SETTLED.map((status) => `body[data-status="${status}"]`).join(', ')).waitFor({ timeout: 30_000 });
  const status = await page.locator('body').getAttribute('data-status');
  if (status !== expected) {
    throw new Error(`the status page shows ${status}, expected ${expected}: ${await textOf(page.locator('#checks'))}`);
  }
  await expect.poll(() => page.locator('body').getAttribute('data-polling')).toBe('false');
}

/** Places an order straight through the API (for pages that only need an order to exist), at the unified price. */
export async function placeOrderViaApi(choice: OrderChoice): Promise<string> {
  const line = {
    grade: choice.grade.grade,
    shape: { type: 'block', lengthMm: 20, widthMm: 10, thicknessMm: 5 },
    coating: choice.coating,
    quantityKg: 300,
  };
  const terms = { incoterm: choice.incoterm, requestedShipDate: choice.shipDate };
  const quote = await api<{ lines: { unitPriceUsdPerKg: string }[] }>('POST', '/quotes', { lines: [line], ...terms });
  expect(quote.status).toBe(200);
  const order = await api<{ orderId: string }>('POST', '/orders', {
    buyer: { company: 'Acme Motors GmbH', country: 'DE', contactName: 'Ada Example', email: 'buyer@example.com' },
    destinationCountry: choice.destination,
    endUse: { description: 'EV traction motors', military: false },
    trademark: choice.trademark,
    ...terms,
    ...(choice.grade.controlled ? { licence: { number: 'LIC-E2E-0002', validUntil: choice.licenceValidUntil } } : {}),
    lines: [{ ...line, offeredUnitPriceUsdPerKg: quote.body.lines[0]?.unitPriceUsdPerKg }],
  });
  expect(order.status).toBe(202);
  return order.body.orderId;
}
