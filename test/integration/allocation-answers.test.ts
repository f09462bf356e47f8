/**
 * Allocation on the real local stack: 200 concurrent orders against DynamoDB Local, at-least-once tasks,
 * compensation, and factories answering through the signed links in their e-mails (decline, timeout, confirm).
 */
import { ulid } from 'ulid';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AllocationRecord, OrderRecord, OrderStore } from '../../functions/adapters/order-store';
import type { LinkSigner } from '../../functions/adapters/signed-links';
import { eligibleFactories } from '../../functions/domain/allocation';
import type { Order } from '../../functions/domain/order';
import { ruleVersions, seedRuleSet } from '../../functions/domain/rules';
import { contractLine, contractOrder } from '../unit/domain/fixtures';
import { api, inbox, inboxUntil, orderReaches, reachable, type SesEmail, useStackEnvironment } from './support';

type Handler = (input: unknown) => Promise<Record<string, unknown>>;
let env: Record<string, string>;
let store: OrderStore;
let signer: LinkSigner;
let allocate: Handler;
let notify: Handler;
let release: Handler;
let sweep: Handler;

beforeAll(async () => {
  env = useStackEnvironment();
  // Imported only now: handlers and adapters read the stack's environment at import.
  const { createOrderStore } = await import('../../functions/adapters/order-store');
  const { createLinkSigner } = await import('../../functions/adapters/signed-links');
  store = createOrderStore(env.ORDERS_TABLE ?? '');
  signer = createLinkSigner(env.LINK_SECRET);
  const load = async (file: string) =>
    ((await import(`../../functions/${file}/handler`)) as { handler: Handler }).handler;
  allocate = await load('allocate-order');
  notify = await load('notify-factory');
  release = await load('release-reservations');
  sweep = await load('expire-allocations');
});

const live = (a: AllocationRecord) => a.status !== 'RELEASED' && a.status !== 'DECLINED';
const buyerEmail = 'buyer@example.com';

/** An order that passed its checks, stored as the check task leaves it: the allocation task's starting point. */
async function checkedOrder(shipDate: string, quantityKg: number): Promise<string> {
  const orderId = ulid();
  const now = new Date().toISOString();
  const order: Order = contractOrder({ requestedShipDate: shipDate, lines: [contractLine({ quantityKg })] });
  const record: OrderRecord = {
    orderId,
    status: 'CHECKING',
    submittedAt: now,
    updatedAt: now,
    order,
    // What the check task stamps: finance prices the receivable by these versions.
    rules: ruleVersions(seedRuleSet),
    history: [],
  };
  expect(await store.createOrder(record)).toBe('created');
  return orderId;
}

/** Reserved kg per SH factory in the month, from the capacity cells themselves. */
async function reservedCells(month: string) {
  const cells = eligibleFactories(seedRuleSet, 'SH', `${month}-01`).map((f) => ({
    factoryId: f.factoryId,
    family: 'SH',
    month,
    capacityKg: f.monthlyCapacityKg,
  }));
  const reserved = await store.reservedKg(cells);
  return cells.map((cell) => ({ ...cell, reservedKg: reserved.get(store.capacityPk(cell)) ?? 0 }));
}

describe('at-least-once tasks', () => {
  it('allocate twice (even at once) gives the same reservations; notify twice sends one e-mail per factory', async () => {
    const month = '2027-07';
    const before = await reservedCells(month);
    const orderId = await checkedOrder(`${month}-10`, 1000);
    const [first, twin] = await Promise.all([allocate({ orderId }), allocate({ orderId })]);
    const again = await allocate({ orderId });
    const ids = [...(first.allocationIds as string[])].sort();
    expect([...(twin.allocationIds as string[])].sort()).toEqual(ids);
    expect([...(again.allocationIds as string[])].sort()).toEqual(ids);
    const allocations = await store.listAllocations(orderId);
    expect(allocations.map((a) => a.allocationId).sort()).toEqual(ids);
    const after = await reservedCells(month);
    const added = after.reduce((s, c) => s + c.reservedKg, 0) - before.reduce((s, c) => s + c.reservedKg, 0);
    expect(added).toBe(1000);

    await Promise.all(
      ids.flatMap((allocationId) => [notify({ orderId, allocationId }), notify({ orderId, allocationId })]),
    );
    for (const allocationId of ids) await notify({ orderId, allocationId });
    const mails = (await inbox()).filter((m) => m.subject.includes(orderId));
    expect(mails).toHaveLength(ids.length);
    expect(new Set(mails.map((m) => m.destination.to[0])).size).toBe(ids.length);
    expect((await store.listAllocations(orderId)).every((a) => a.status === 'NOTIFIED')).toBe(true);
  });

  it('compensation releases everything the order holds, and running it twice changes nothing', async () => {
    const month = '2027-07';
    const orderId = await checkedOrder(`${month}-20`, 700);
    const before = await reservedCells(month);
    await allocate({ orderId });
    const error = { Error: 'States.TaskFailed', Cause: 'injected by the test' };
    const firstRun = await release({ orderId, error });
    const cellsAfterFirst = await reservedCells(month);
    const secondRun = await release({ orderId, error });
    expect(firstRun.released).toBeGreaterThan(0);
    expect(secondRun.released).toBe(0);
    expect(await reservedCells(month)).toEqual(cellsAfterFirst);
    expect(cellsAfterFirst.map((c) => c.reservedKg)).toEqual(before.map((c) => c.reservedKg));
    expect((await store.listAllocations(orderId)).every((a) => a.status === 'RELEASED')).toBe(true);
  });
});

// ── through the API and the inbox ─────────────────────────────────────────────

interface Catalogue {
  trademarks: { mark: string; protectedIn: string[]; expires: string }[];
}
interface OrderView {
  status: string;
  allocations: { allocationId: string; factoryId: string; quantityKg: number; status: string }[];
}

async function submitPricedOrder(shipDate: string, quantityKg: number): Promise<string> {
  const catalogue = (await api<Catalogue>('GET', '/catalogue')).body;
  const mark = catalogue.trademarks.find((t) => t.protectedIn.includes('DE') && t.expires > shipDate);
  const line = { ...contractLine({ quantityKg }) };
  const quote = await api<{ lines: { unitPriceUsdPerKg: string }[] }>('POST', '/quotes', {
    lines: [line],
    incoterm: 'FOB',
    requestedShipDate: shipDate,
  });
  const order = contractOrder({
    trademark: mark?.mark ?? '',
    requestedShipDate: shipDate,
    lines: [{ ...line, offeredUnitPriceUsdPerKg: quote.body.lines[0]?.unitPriceUsdPerKg ?? '' }],
  });
  const submitted = await api<{ orderId: string }>('POST', '/orders', order);
  expect(submitted.status).toBe(202);
  await orderReaches(submitted.body.orderId, 'ALLOCATED');
  return submitted.body.orderId;
}

const factoryMails = (orderId: string) => (emails: SesEmail[]) =>
  emails.filter((m) => m.subject.includes(orderId) && m.destination.to[0] !== buyerEmail);
const buyerMails = (orderId: string) => (emails: SesEmail[]) =>
  emails.filter((m) => m.subject.includes(orderId) && m.destination.to[0] === buyerEmail);

function linksIn(mail: SesEmail): { allocationId: string; accept: string; decline: string } {
  const text = mail.body.text ?? '';
  const accept = /^Accept: (\S+)$/m.exec(text)?.[1];
  const decline = /^Decline: (\S+)$/m.exec(text)?.[1];
  const allocationId = /^Allocation: (\S+)$/m.exec(text)?.[1];
  if (!accept || !decline || !allocationId) throw new Error(`no links in ${text}`);
  // The HTML part carries the same links, escaped.
  expect(mail.body.html).toContain(`href="${accept.replaceAll('&', '&amp;')}"`);
  return { allocationId, accept: reachable(accept), decline: reachable(decline) };
}

async function follow(url: string, method: 'GET' | 'POST') {
  const response = await fetch(url, { method, redirect: 'manual' });
  return { status: response.status, type: response.headers.get('content-type'), html: await response.text() };
}

const view = async (orderId: string) => (await api<OrderView>('GET', `/orders/${orderId}`)).body;

describe('factories answer through the signed links in their e-mails', () => {
  it('decline → reallocation to another factory → every factory accepts → CONFIRMED, with the buyer told twice', async () => {
    const orderId = await submitPricedOrder('2027-08-02', 500);
    const original = await view(orderId);
    const mails = await inboxUntil(factoryMails(orderId), (m) => m.length === original.allocations.length);
    const links = new Map(mails.map((m) => [linksIn(m).allocationId, linksIn(m)]));
    const [declining, ...others] = original.allocations;
    if (!declining) throw new Error('no allocation');
    const declineLink = links.get(declining.allocationId)?.decline ?? '';

    // A mail scanner's GET only shows the confirmation page, and changes nothing.
    const page = await follow(declineLink, 'GET');
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.html).toContain('<form method="post">');
    expect(page.html).not.toMatch(/<script|style=/i);
    expect(await view(orderId)).toEqual(original);

    const declined = await follow(declineLink, 'POST');
    expect(declined.status, declined.html).toBe(200);
    expect(declined.html).toContain('declined');
    const afterDecline = await view(orderId);
    expect(afterDecline.status).toBe('ALLOCATED');
    expect(afterDecline.allocations.map((a) => a.allocationId)).not.toContain(declining.allocationId);
    expect(afterDecline.allocations.reduce((s, a) => s + a.quantityKg, 0)).toBe(500);
    const replacements = afterDecline.allocations.filter(
      (a) => !original.allocations.some((o) => o.allocationId === a.allocationId),
    );
    expect(replacements.length).toBeGreaterThan(0);
    expect(replacements.map((a) => a.factoryId)).not.toContain(declining.factoryId);
    expect(replacements.every((a) => a.status === 'NOTIFIED')).toBe(true);

    // Reusing the link is refused and changes nothing.
    expect((await follow(declineLink, 'POST')).status).toBe(409);
    expect((await follow(declineLink, 'GET')).status).toBe(409);
    expect(await view(orderId)).toEqual(afterDecline);

    const newMails = await inboxUntil(factoryMails(orderId), (m) => m.length === mails.length + replacements.length);
    for (const mail of newMails) links.set(linksIn(mail).allocationId, linksIn(mail));
    for (const allocation of [...others, ...replacements]) {
      const accepted = await follow(links.get(allocation.allocationId)?.accept ?? '', 'POST');
      expect(accepted.status, accepted.html).toBe(200);
    }
    const confirmed = await view(orderId);
    expect(confirmed.status).toBe('CONFIRMED');
    expect(confirmed.allocations.every((a) => a.status === 'ACCEPTED')).toBe(true);
    const toBuyer = await inboxUntil(buyerMails(orderId), (m) => m.length === 2);
    expect(toBuyer.map((m) => m.subject).sort()).toEqual([
      `Order ${orderId} allocated to member factories`,
      `Order ${orderId} confirmed`,
    ]);
  });

  it('a tampered, foreign, expired or reused link gets a clear 4xx page and changes nothing', async () => {
    const orderId = await submitPricedOrder('2027-08-20', 300);
    const before = await view(orderId);
    const mails = await inboxUntil(factoryMails(orderId), (m) => m.length === before.allocations.length);
    const [first, second] = mails.map(linksIn);
    if (!first) throw new Error('no factory e-mail');

    const flipped = first.accept.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const wrongAction = first.accept.replace('/accept?', '/decline?');
    const cases: [string, string, number, RegExp][] = [
      ['a changed signature', flipped, 403, /Invalid link/],
      ['an accept token on the decline path', wrongAction, 403, /Invalid link/],
      ['no token', first.accept.replace(/\?token=.*$/, ''), 400, /Incomplete link/],
      ['an unknown action', first.accept.replace('/accept?', '/approve?'), 404, /Link not found/],
    ];
    if (second) {
      cases.push([
        'another allocation’s token',
        second.accept.replace(second.allocationId, first.allocationId),
        403,
        /Invalid link/,
      ]);
    }
    const expired = reachable(
      signer.url(env.PUBLIC_BASE_URL ?? '', {
        orderId,
        allocationId: first.allocationId,
        action: 'accept',
        expiresAt: new Date(Date.now() - 60_000),
      }),
    );
    cases.push(['a genuine link past its expiry', expired, 410, /Link expired/]);
    for (const [name, url, status, text] of cases) {
      for (const method of ['GET', 'POST'] as const) {
        const answer = await follow(url, method);
        expect(answer.status, `${name} (${method})`).toBe(status);
        expect(answer.html, name).toMatch(text);
      }
    }
    expect(await view(orderId)).toEqual(before);

    expect((await follow(first.accept, 'POST')).status).toBe(200);
    const accepted = await view(orderId);
    for (const reuse of [first.accept, first.decline]) {
      expect((await follow(reuse, 'POST')).status).toBe(409);
    }
    expect(await view(orderId)).toEqual(accepted);
  });

  it('silence past the deadline counts as a decline; when no member is left the order is released and UNFILLED', async () => {
    const month = '2027-09';
    const orderId = await submitPricedOrder(`${month}-01`, 500);
    const original = await view(orderId);
    const hours = seedRuleSet.allocationPolicy.answerWithinHours;
    const later = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

    // The scheduled event's time says it is past the deadline: the original factories lapse, others take over.
    const firstSweep = await sweep({ 'detail-type': 'Scheduled Event', time: later(hours + 1) });
    expect(firstSweep.expired).toBeGreaterThanOrEqual(original.allocations.length);
    const reallocated = await view(orderId);
    expect(reallocated.status).toBe('ALLOCATED');
    expect(reallocated.allocations.reduce((s, a) => s + a.quantityKg, 0)).toBe(500);
    const lapsed = new Set(original.allocations.map((a) => a.factoryId));
    expect(reallocated.allocations.some((a) => lapsed.has(a.factoryId))).toBe(false);
    const lapsedMail = (await inboxUntil(factoryMails(orderId), (m) => m.length > 0)).map(linksIn)[0];
    expect((await follow(lapsedMail?.accept ?? '', 'POST')).status).toBe(409);

    // The replacements lapse too: every certified SH member has now declined, so nothing is left to try.
    await sweep({ 'detail-type': 'Scheduled Event', time: later(2 * hours + 2) });
    const unfilled = await view(orderId);
    expect(unfilled.status).toBe('UNFILLED');
    expect(unfilled.allocations).toEqual([]);
    expect((await store.listAllocations(orderId)).filter(live)).toEqual([]);
    expect((await reservedCells(month)).every((c) => c.reservedKg === 0)).toBe(true);
    const toBuyer = await inboxUntil(buyerMails(orderId), (m) => m.length === 2);
    expect(toBuyer.map((m) => m.subject)).toContain(`Order ${orderId} could not be filled`);
    // Factories told about a share they had not declined hear it is withdrawn; those that lapsed hear nothing more.
    const withdrawn = (await inbox()).filter((m) => m.subject.includes('withdrawn') && m.subject.includes(orderId));
    const releasedAfterNotice = (await store.listAllocations(orderId)).filter(
      (a) => a.status === 'RELEASED' && a.notifiedAt,
    );
    expect(withdrawn.map((m) => m.subject).sort()).toEqual(
      releasedAfterNotice.map((a) => `Allocation ${a.allocationId} for order ${orderId} withdrawn`).sort(),
    );

    // A third sweep finds nothing more to do for this order.
    await sweep({ 'detail-type': 'Scheduled Event', time: later(3 * hours + 3) });
    expect(await view(orderId)).toEqual(unfilled);
  });
});
