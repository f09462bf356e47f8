/** Accessibility (axe-core), a 360 px layout, keyboard use, the not-found page, language and CSP hygiene of the pages. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../integration/support';
import {
  horizontalOverflow,
  launchChromium,
  openPage,
  type PageOptions,
  screenshot,
  seriousAxeViolations,
  type TrackedPage,
  textOf,
} from './browser';
import {
  centsBelow,
  fillLicence,
  fillLine,
  fillOrderDetails,
  liveUnitPrice,
  openForm,
  orderLine,
  placeOrderViaApi,
  statusPageSettles,
  submitButton,
  validChoice,
} from './order-form-driver';

const webRoot = resolve(import.meta.dirname, '../../web');

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

async function newPage(options?: PageOptions): Promise<TrackedPage> {
  if (!browser) throw new Error('Chromium did not start');
  tracked = await openPage(browser, options);
  return tracked;
}

describe('page quality in Chromium', () => {
  it('axe-core finds no serious or critical violations on the form (empty, quoted, with errors) or the status page', async () => {
    const choice = await validChoice();
    const orderId = await placeOrderViaApi(choice);
    const { page } = await newPage({ bypassCSP: true });
    const findings: Record<string, string[]> = {};

    await openForm(page);
    findings['form, empty'] = await seriousAxeViolations(page);

    await fillOrderDetails(page, choice);
    const line = await fillLine(page, 1, choice);
    if (choice.grade.controlled) await fillLicence(page, choice);
    await line.getByLabel('Your offered price').fill(centsBelow(await liveUnitPrice(page, 1)));
    await expect.poll(() => line.locator('.flag').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Add a line' }).click();
    await submitButton(page).click(); // line 2 is empty: client-side errors
    await expect.poll(() => page.locator('#error-summary li').count()).toBeGreaterThan(0);
    findings['form, quoted, flagged and with errors'] = await seriousAxeViolations(page);

    await page.goto(`${stack().web}/orders/${orderId}`);
    await statusPageSettles(page, 'ALLOCATED');
    findings['status page'] = await seriousAxeViolations(page);

    await page.goto(`${stack().web}/orders/01ARZ3NDEKTSV4RRFFQ69G5FAV`);
    await page.locator('body[data-not-found="true"]').waitFor();
    findings['not-found page'] = await seriousAxeViolations(page);

    expect(findings).toEqual({
      'form, empty': [],
      'form, quoted, flagged and with errors': [],
      'status page': [],
      'not-found page': [],
    });
  });

  it('at 360 px wide neither page scrolls sideways', async () => {
    const choice = await validChoice();
    const orderId = await placeOrderViaApi(choice);
    const { page, problems } = await newPage({ viewport: { width: 360, height: 740 } });

    await openForm(page);
    await fillOrderDetails(page, choice);
    const line = await fillLine(page, 1, choice);
    if (choice.grade.controlled) await fillLicence(page, choice);
    await line.getByLabel('Your offered price').fill(centsBelow(await liveUnitPrice(page, 1)));
    await expect.poll(() => line.locator('.flag').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Add a line' }).click();
    await orderLine(page, 2).getByLabel('Shape').selectOption('arc');
    await submitButton(page).click();
    await expect.poll(() => page.locator('#error-summary li').count()).toBeGreaterThan(0);
    expect(await horizontalOverflow(page)).toBe(0);
    await screenshot(page, 'order-form-360px');

    await page.goto(`${stack().web}/orders/${orderId}`);
    await statusPageSettles(page, 'ALLOCATED');
    expect(await horizontalOverflow(page)).toBe(0);
    // The allocations table fits too, rather than scrolling inside its own box.
    const tableOverflow = await page.locator('#allocations').evaluate((box) => {
      const { scrollWidth, clientWidth } = box as unknown as { scrollWidth: number; clientWidth: number };
      return scrollWidth - clientWidth;
    });
    expect(tableOverflow).toBe(0);
    await screenshot(page, 'order-status-360px');
    expect(problems).toEqual([]);
  });

  it('works from the keyboard: adding and removing lines moves focus sensibly', async () => {
    const { page, problems } = await newPage();
    await openForm(page);
    const add = page.getByRole('button', { name: 'Add a line' });
    await add.focus();
    await page.keyboard.press('Enter');
    const secondGrade = await orderLine(page, 2).getByLabel('Grade').getAttribute('id');
    expect(await page.evaluate('document.activeElement.id')).toBe(secondGrade);
    expect(await textOf(page.locator('#lines-status'))).toContain('Line 2 added');

    await page.getByRole('button', { name: 'Remove line 2' }).focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('fieldset.line').count()).toBe(1);
    const firstGrade = await orderLine(page, 1).getByLabel('Grade').getAttribute('id');
    expect(await page.evaluate('document.activeElement.id')).toBe(firstGrade);
    // With one line left there is nothing to remove.
    expect(await page.getByRole('button', { name: /Remove line/ }).count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('an unknown order id shows a friendly not-found page and stops polling', async () => {
    const { page, problems } = await newPage();
    await page.goto(`${stack().web}/orders/01ARZ3NDEKTSV4RRFFQ69G5FAV`);
    await page.locator('body[data-not-found="true"]').waitFor();
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe('Order not found');
    expect(await textOf(page.locator('#status-explanation'))).toContain('01ARZ3NDEKTSV4RRFFQ69G5FAV');
    expect(await page.locator('body').getAttribute('data-polling')).toBe('false');
    expect(await page.getByRole('link', { name: 'Place another order' }).isVisible()).toBe(true);
    expect(problems).toEqual([]);
  });

  it('switches to Simplified Chinese and back', async () => {
    const { page, problems } = await newPage();
    await openForm(page);
    await page.locator('#lang-toggle').click();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-Hans');
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe('订购烧结钕铁硼磁体');
    expect(await orderLine(page, 1).count()).toBe(0); // the legend is now 第 1 行
    expect(await page.getByRole('group', { name: '第 1 行' }).count()).toBe(1);
    await page.locator('#lang-toggle').click();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await orderLine(page, 1).count()).toBe(1);
    expect(problems).toEqual([]);
  });

  it('serves every page and asset under the strict CSP, and the HTML has no inline script or style', async () => {
    const { page, problems } = await newPage();
    const responses: { url: string; csp: string | undefined }[] = [];
    page.on('response', (response) => {
      if (!response.url().includes('/api/')) {
        responses.push({ url: response.url(), csp: response.headers()['content-security-policy'] });
      }
    });
    await openForm(page);
    await page.goto(`${stack().web}/orders/01ARZ3NDEKTSV4RRFFQ69G5FAV`);
    await page.locator('body[data-not-found="true"]').waitFor();
    expect(responses.length).toBeGreaterThanOrEqual(4);
    for (const { url, csp } of responses) expect(csp, url).toContain("script-src 'self'");

    for (const file of ['index.html', 'order.html']) {
      const html = await readFile(resolve(webRoot, file), 'utf8');
      expect(html, file).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i);
      expect(html, file).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    }
    expect(problems).toEqual([]); // a CSP refusal would be logged as a console error
  });
});
