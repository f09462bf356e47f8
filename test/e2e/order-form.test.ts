/** The buyer's path in Debian's Chromium on the full local stack: form → live quote → submit → status page. */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api, stack } from '../integration/support';
import { launchChromium, openPage, screenshot, type TrackedPage, textOf } from './browser';
import {
  centsBelow,
  fillLicence,
  fillLine,
  fillOrderDetails,
  liveUnitPrice,
  type OrderChoice,
  openForm,
  orderLine,
  statusPageSettles,
  submitButton,
  validChoice,
} from './order-form-driver';

const ORDER_URL = /\/orders\/([0-9A-HJKMNP-TV-Z]{26})$/;

let browser: Browser | undefined;
let tracked: TrackedPage | undefined;

beforeAll(async () => {
  browser = await launchChromium();
});

afterEach(async () => {
  await tracked?.context.close();
  tracked = undefined;
});

afterAll(async () => {
  await browser?.close();
});

async function newPage(): Promise<TrackedPage> {
  if (!browser) throw new Error('Chromium did not start');
  tracked = await openPage(browser);
  return tracked;
}

/** A complete one-line (or more) order on the form, each line offered at `offer(unitPrice)`. */
async function fillValidOrder(page: Page, choice: OrderChoice, lines = 1, offer = (unit: string) => unit) {
  await openForm(page);
  await fillOrderDetails(page, choice);
  for (let n = 1; n <= lines; n++) {
    if (n > 1) await page.getByRole('button', { name: 'Add a line' }).click();
    const line = await fillLine(page, n, choice);
    await line.getByLabel('Your offered price').fill(offer(await liveUnitPrice(page, n)));
  }
  if (choice.grade.controlled) await fillLicence(page, choice);
}

async function listExecutions(): Promise<{ name: string }[]> {
  const response = await fetch(stack().stepFunctions, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'AWSStepFunctions.ListExecutions' },
    body: JSON.stringify({ stateMachineArn: stack().stateMachineArn, maxResults: 1000 }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { executions: { name: string }[] }).executions;
}

/** The id of the error slot an input names in aria-describedby. */
async function errorSlotOf(page: Page, inputSelector: string) {
  const input = page.locator(inputSelector);
  const describedBy = (await input.getAttribute('aria-describedby')) ?? '';
  const errorId = describedBy.split(/\s+/).find((id) => id.endsWith('-error'));
  if (!errorId) throw new Error(`${inputSelector} names no error slot in aria-describedby ("${describedBy}")`);
  return { input, errorId, slot: page.locator(`#${errorId}`) };
}

describe('order form and status page in Chromium', () => {
  it('a valid order goes from the form, at the live unified price, to ALLOCATED on the status page', async () => {
    const { page, problems } = await newPage();
    const choice = await validChoice();
    await openForm(page);
    await fillOrderDetails(page, choice);
    const line = await fillLine(page, 1, choice);
    if (choice.grade.controlled) await fillLicence(page, choice);

    // The live quote is the API's own unified price for the same line.
    const unit = await liveUnitPrice(page, 1);
    const { status, body: quoted } = await api<{ lines: { unitPriceUsdPerKg: string }[]; totalUsd: string }>(
      'POST',
      '/quotes',
      {
        lines: [
          {
            grade: choice.grade.grade,
            shape: { type: 'block', lengthMm: 20, widthMm: 10, thicknessMm: 5 },
            coating: choice.coating,
            quantityKg: 500,
          },
        ],
        incoterm: choice.incoterm,
        requestedShipDate: choice.shipDate,
      },
    );
    expect(status).toBe(200);
    expect(quoted.lines[0]?.unitPriceUsdPerKg).toBe(unit);
    await expect.poll(() => textOf(page.locator('#quote-total'))).toContain('Total');

    await line.getByLabel('Your offered price').fill(unit);
    expect(await line.locator('.flag').isVisible()).toBe(false);
    await screenshot(page, 'order-form');

    await submitButton(page).click();
    await page.waitForURL(ORDER_URL);
    await statusPageSettles(page, 'ALLOCATED');

    expect(await page.locator('#checks li.outcome-pass').count()).toBe(4);
    expect(await textOf(page.locator('#checks'))).toContain('Passed');
    const headers = await page.locator('#allocations th').allInnerTexts();
    expect(headers).toEqual(['Line', 'Factory', 'Quantity (kg)', 'Status']);
    const quantities = await page.locator('#allocations tbody td.number').allInnerTexts();
    expect(quantities.reduce((sum, kg) => sum + Number(kg.replaceAll(',', '')), 0)).toBe(500);
    // Buyers never see what factories are paid: no money at all in the allocations.
    expect(await textOf(page.locator('#allocations'))).not.toMatch(/USD|\$|price/i);
    expect(await textOf(page.locator('#history'))).toMatch(/RECEIVED[\s\S]*ALLOCATED/);
    expect(await textOf(page.locator('#status-explanation'))).toContain('waits on people');

    // Polling has stopped; Refresh still asks once more.
    const [refresh] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'GET' && r.url().includes('/api/orders/')),
      page.getByRole('button', { name: 'Refresh' }).click(),
    ]);
    expect(refresh.url()).toContain(ORDER_URL.exec(page.url())?.[1]);
    await screenshot(page, 'order-status-allocated');
    expect(problems).toEqual([]);
  });

  it('an offer below the unified price is flagged before submission and ends REJECTED with PRICE_BELOW_UNIFIED', async () => {
    const { page, problems } = await newPage();
    const choice = await validChoice();
    let unit = '';
    await fillValidOrder(page, choice, 1, (unified) => {
      unit = unified;
      return centsBelow(unified);
    });

    const flag = orderLine(page, 1).locator('.flag');
    await expect.poll(() => flag.isVisible()).toBe(true);
    expect(await textOf(flag)).toContain(`Below the unified price: offer at least ${unit} USD/kg`);
    expect(await textOf(page.locator('#quote-below'))).toContain('1 line(s) are offered below the unified price');
    await screenshot(page, 'order-form-below-unified');

    await submitButton(page).click();
    await page.waitForURL(ORDER_URL);
    await statusPageSettles(page, 'REJECTED');
    const reason = page.locator('#checks li[data-code="PRICE_BELOW_UNIFIED"]');
    expect(await reason.isVisible()).toBe(true);
    const text = await textOf(reason);
    expect(text).toContain('Price');
    expect(text).toContain('Failed');
    expect(text).toContain('PRICE_BELOW_UNIFIED');
    expect(text).toContain(unit); // the message names the unified unit price
    expect(await textOf(page.locator('#allocations'))).toContain('Nothing is allocated');
    await screenshot(page, 'order-status-rejected');
    expect(problems).toEqual([]);
  });

  it("shows the server's 422 errors next to the fields their JSON pointers name", async () => {
    const { page, problems } = await newPage();
    const choice = await validChoice();
    await fillValidOrder(page, choice, 2);

    // The form would refuse these itself; altering the body on the wire makes the server the one to refuse them.
    await page.route('**/api/orders', async (route) => {
      const body = route.request().postDataJSON() as {
        buyer: { email: string };
        lines: { quantityKg: number; shape: { widthMm: number } }[];
      };
      body.buyer.email = 'not-an-email';
      const second = body.lines[1];
      if (!second) throw new Error('the form sent one line, not two');
      second.quantityKg = 12.5;
      second.shape.widthMm = 0;
      await route.continue({ postData: JSON.stringify(body) });
    });
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/orders')),
      submitButton(page).click(),
    ]);
    expect(response.status()).toBe(422);
    const problem = (await response.json()) as { errors: { path: string; message: string }[] };
    const byPath = new Map(problem.errors.map((e) => [e.path, e.message]));

    const expected: [string, string][] = [
      ['/buyer/email', '#buyer-email'],
      ['/lines/1/quantityKg', `#${await orderLine(page, 2).getByLabel('Quantity (kg)').getAttribute('id')}`],
      ['/lines/1/shape/widthMm', `#${await orderLine(page, 2).getByLabel('Width (mm)').getAttribute('id')}`],
    ];
    await expect.poll(() => textOf(page.locator('#error-summary h2'))).toContain('The server refused the order');
    for (const [path, selector] of expected) {
      const message = byPath.get(path);
      expect(message, `the server named ${path}`).toBeTruthy();
      const { input, errorId, slot } = await errorSlotOf(page, selector);
      expect(await input.getAttribute('aria-invalid')).toBe('true');
      expect(await slot.isVisible()).toBe(true);
      expect(await textOf(slot)).toContain(message);
      // Adjacent: the message is the input's own previous sibling, inside the same labelled field.
      expect(await input.locator('xpath=preceding-sibling::*[1]').getAttribute('id')).toBe(errorId);
      expect(await input.locator('xpath=..').getAttribute('class')).toContain('field');
    }
    // Line 1 is untouched: its quantity carries no error.
    const { input: firstQuantity, slot: firstSlot } = await errorSlotOf(
      page,
      `#${await orderLine(page, 1).getByLabel('Quantity (kg)').getAttribute('id')}`,
    );
    expect(await firstQuantity.getAttribute('aria-invalid')).toBeNull();
    expect(await firstSlot.isVisible()).toBe(false);

    // The live summary has focus and links to each field; the button is usable again.
    expect(await page.evaluate('document.activeElement.id')).toBe('error-summary');
    expect(await page.locator('#error-summary li').count()).toBe(problem.errors.length);
    expect(await submitButton(page).isEnabled()).toBe(true);
    await screenshot(page, 'order-form-server-errors');
    await page.getByRole('link', { name: /Line 2 · Quantity \(kg\)/ }).click();
    expect(await page.evaluate('document.activeElement.id')).toBe(expected[1]?.[1].slice(1));

    // Nothing was created, so the untouched retry goes out under a new key and is accepted.
    const firstKey = response.request().headers()['idempotency-key'];
    await page.unroute('**/api/orders');
    const [retry] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/orders')),
      submitButton(page).click(),
    ]);
    expect(retry.headers()['idempotency-key']).not.toBe(firstKey);
    await page.waitForURL(ORDER_URL);
    expect(problems).toEqual([]);
  });

  it('a double click, and a retry after a lost answer, create exactly one order', async () => {
    const { page, problems } = await newPage();
    const choice = await validChoice();
    await fillValidOrder(page, choice);

    const keys: (string | undefined)[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/orders')) {
        keys.push(request.headers()['idempotency-key']);
      }
    });
    // The first submission reaches the server and creates the order, but its answer is lost on the way back.
    let lostOrderId: string | undefined;
    await page.route('**/api/orders', async (route) => {
      if (lostOrderId !== undefined) return route.continue();
      const answer = await route.fetch();
      lostOrderId = ((await answer.json()) as { orderId: string }).orderId;
      return route.abort('connectionreset');
    });
    const executionsBefore = (await listExecutions()).length;

    await submitButton(page).dblclick();
    await expect.poll(() => textOf(page.locator('#submit-status'))).toContain('could not reach the server');
    expect(await submitButton(page).isEnabled()).toBe(true);
    await submitButton(page).dblclick();
    await page.waitForURL(ORDER_URL);

    const orderId = ORDER_URL.exec(page.url())?.[1];
    expect(orderId).toBe(lostOrderId);
    // One request per submission (the second click of each double click found the button disabled), one key for both.
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[A-Za-z0-9_-]{8,128}$/);
    const executions = await listExecutions();
    expect(executions.filter((execution) => execution.name === orderId)).toHaveLength(1);
    expect(executions.length - executionsBefore).toBe(1);
    expect(problems.filter((p) => !p.includes('ERR_CONNECTION_RESET'))).toEqual([]);
  });
});
