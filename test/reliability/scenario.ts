/**
 * The load scenario of the reliability tests: many buyers order at once against scarce capacity, then the invariants
 * that must hold whatever happened on the way are read straight from DynamoDB Local (never through the fault proxy).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import membersDocument from '../../functions/domain/reference/members.json';
import { localClient } from '../../infra/local/dynamodb-local';
import { seededRandom } from '../../infra/local/seeded-random';

/**
 * Orders in the long scenarios. The default keeps each under two minutes on a 2-core machine; the full size is
 * `RELIABILITY_ORDERS=500 npm test` (README, Reliability).
 */
export function scenarioSize(fallback: number): number {
  const value = Number(process.env.RELIABILITY_ORDERS);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

export const shipDate = '2027-03-01';
const grade = 'N42';
const family = 'N';

export interface ScenarioOrder {
  key: string;
  body: Record<string, unknown>;
  /** What the checks must decide: a REJECTED order never touches capacity. */
  expectRejected: boolean;
}

/** `count` orders of 100–900 kg of N42; every `rejectEvery`th carries an unregistered mark and must be REJECTED. */
export function scenarioOrders(count: number, seed: number, rejectEvery = 20): ScenarioOrder[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const expectRejected = (i + 1) % rejectEvery === 0;
    return {
      key: `reliability-${seed}-${i}`,
      expectRejected,
      body: {
        buyer: {
          company: `Buyer ${i} GmbH`,
          country: 'DE',
          contactName: 'Load Test',
          email: `buyer-${i}@example.com`,
        },
        destinationCountry: 'DE',
        endUse: { description: 'Industrial motors', military: false },
        trademark: expectRejected ? 'NO SUCH MARK' : 'UNIMAG 1989',
        incoterm: 'FOB',
        requestedShipDate: shipDate,
        lines: [
          {
            grade,
            shape: { type: 'block', lengthMm: 20, widthMm: 10, thicknessMm: 5 },
            coating: 'NiCuNi',
            quantityKg: 100 + Math.floor(random() * 9) * 100,
            // Above any unified price: an offer at or above it passes and is billed at the unified price.
            offeredUnitPriceUsdPerKg: '999.00',
          },
        ],
      },
    };
  });
}

export const demandKg = (orders: ScenarioOrder[]) =>
  orders
    .filter((o) => !o.expectRejected)
    .reduce((sum, o) => sum + ((o.body.lines as { quantityKg: number }[])[0]?.quantityKg ?? 0), 0);

/**
 * The members roster with the N-family capacity of every producer cut so that the whole group can make a third of the
 * demand, split by quota share; a later version from today supersedes the seeded one for new orders.
 */
export function scarceRoster(totalCapacityKg: number, today: string) {
  const members = membersDocument.members.map((member) => {
    // Every member that makes N magnets (producers and the producer-R&D council member alike) gets its quota's share.
    if (!member.monthlyCapacityKg?.[family]) return member;
    const share = Number(member.quotaSharePercent ?? '0') / 100;
    return {
      ...member,
      monthlyCapacityKg: { ...member.monthlyCapacityKg, [family]: Math.round(totalCapacityKg * share) },
    };
  });
  return { ...membersDocument, version: 'members-reliability', effectiveFrom: today, members };
}

export interface SubmitResult {
  key: string;
  orderId: string;
  attempts: number;
}

/**
 * Submits like a careful client: the same Idempotency-Key on every retry, retrying 5xx, 429 and broken connections
 * with back-off until `patienceMs` has passed (long enough to outlast a restart, if the test needs that). Anything else
 * (a 4xx) fails the scenario: none of these orders is malformed.
 */
export async function submitWithRetry(
  apiUrl: string,
  order: ScenarioOrder,
  patienceMs = 10_000,
): Promise<SubmitResult> {
  const deadline = Date.now() + patienceMs;
  let last = '';
  for (let attempt = 1; ; attempt += 1) {
    try {
      const response = await fetch(`${apiUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': order.key },
        body: JSON.stringify(order.body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      if (response.status === 202) return { key: order.key, orderId: JSON.parse(text).orderId, attempts: attempt };
      if (response.status < 500 && response.status !== 429) {
        throw new Error(`order ${order.key} was refused with ${response.status}: ${text.slice(0, 300)}`);
      }
      last = `${response.status} ${text.slice(0, 200)}`;
    } catch (error) {
      if ((error as Error).message.startsWith(`order ${order.key} was refused`)) throw error;
      last = (error as Error).message;
    }
    if (Date.now() >= deadline) {
      throw new Error(`order ${order.key} not accepted after ${attempt} attempts in ${patienceMs} ms: ${last}`);
    }
    await delay(Math.min(50 * attempt, 500));
  }
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function inParallel<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  });
  await Promise.all(lanes);
  return results;
}

export function directTable(dynamodbEndpoint: string) {
  return DynamoDBDocumentClient.from(localClient(dynamodbEndpoint));
}

export async function scanAll(client: DynamoDBDocumentClient, table: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

const holdsCapacity = new Set(['RESERVED', 'NOTIFIED', 'ACCEPTED']);
const allocatedStatuses = new Set(['ALLOCATED', 'CONFIRMED']);
const routed = new Set(['REJECTED', 'UNFILLED', 'ALLOCATED', 'CONFIRMED', 'CANCELLED', 'HELD']);

export interface Invariants {
  orderIds: string[];
  byStatus: Record<string, number>;
  notRouted: string[];
  /** Factory-months whose reserved kg exceed their capacity. */
  overbooked: string[];
  /** Cells whose reserved kg differ from the sum of the allocations that hold them (a leak or a double count). */
  cellMismatches: string[];
  /** ALLOCATED orders some line of which is not fully held by allocations. */
  partlyAllocated: string[];
  /** Allocations holding capacity for an order that is not allocated. */
  strayReservations: string[];
  capacityKg: number;
  reservedKg: number;
}

/** Reads the orders table and says which invariant, if any, does not hold. */
export async function readInvariants(client: DynamoDBDocumentClient, table: string): Promise<Invariants> {
  return invariantsOf(await scanAll(client, table));
}

/** The invariants over the orders table's items (orders, allocations, capacity cells). */
export function invariantsOf(items: Record<string, unknown>[]): Invariants {
  const orders = items.filter((i) => i.type === 'order');
  const allocations = items.filter((i) => String(i.sk).startsWith('ALLOC#'));
  const cells = items.filter((i) => i.type === 'capacity');

  const byStatus: Record<string, number> = {};
  for (const order of orders) byStatus[String(order.status)] = (byStatus[String(order.status)] ?? 0) + 1;
  const statusOf = new Map(orders.map((o) => [String(o.orderId), String(o.status)]));

  const heldPerCell = new Map<string, number>();
  const heldPerLine = new Map<string, number>();
  const strayReservations: string[] = [];
  for (const a of allocations) {
    if (!holdsCapacity.has(String(a.status))) continue;
    const cell = `CAP#${a.factoryId}#${a.family}#${a.month}`;
    heldPerCell.set(cell, (heldPerCell.get(cell) ?? 0) + Number(a.quantityKg));
    const line = `${a.orderId}#${a.lineIndex}`;
    heldPerLine.set(line, (heldPerLine.get(line) ?? 0) + Number(a.quantityKg));
    if (!allocatedStatuses.has(statusOf.get(String(a.orderId)) ?? '')) {
      strayReservations.push(`${a.orderId}/${a.allocationId} ${a.status} (order ${statusOf.get(String(a.orderId))})`);
    }
  }

  const overbooked: string[] = [];
  const cellMismatches: string[] = [];
  let capacityKg = 0;
  let reservedKg = 0;
  for (const cell of cells) {
    const reserved = Number(cell.reservedKg ?? 0);
    const capacity = Number(cell.capacityKg);
    capacityKg += capacity;
    reservedKg += reserved;
    if (reserved > capacity) overbooked.push(`${cell.pk}: ${reserved} kg reserved of ${capacity}`);
    const held = heldPerCell.get(String(cell.pk)) ?? 0;
    if (held !== reserved) cellMismatches.push(`${cell.pk}: cell says ${reserved} kg, allocations hold ${held}`);
  }
  for (const [cell, held] of heldPerCell) {
    if (!cells.some((c) => c.pk === cell)) cellMismatches.push(`${cell}: allocations hold ${held} kg, no cell`);
  }

  const partlyAllocated: string[] = [];
  for (const order of orders.filter((o) => allocatedStatuses.has(String(o.status)))) {
    const lines = (order.order as { lines: { quantityKg: number }[] }).lines;
    lines.forEach((line, index) => {
      const held = heldPerLine.get(`${order.orderId}#${index}`) ?? 0;
      if (held !== line.quantityKg)
        partlyAllocated.push(`${order.orderId} line ${index}: ${held} of ${line.quantityKg} kg`);
    });
  }

  return {
    orderIds: orders.map((o) => String(o.orderId)),
    byStatus,
    notRouted: orders.filter((o) => !routed.has(String(o.status))).map((o) => `${o.orderId} ${o.status}`),
    overbooked,
    cellMismatches,
    partlyAllocated,
    strayReservations,
    capacityKg,
    reservedKg,
  };
}

/** Executions per order name (an order's first route is named after it; a redrive adds `-r<n>`). */
export async function executionsPerOrder(sfn: SFNClient, stateMachineArn: string): Promise<Map<string, string[]>> {
  const perOrder = new Map<string, string[]>();
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, nextToken, maxResults: 1000 }));
    for (const execution of page.executions ?? []) {
      const orderId = String(execution.name).replace(/-r\d+$/, '');
      perOrder.set(orderId, [...(perOrder.get(orderId) ?? []), `${execution.name}:${execution.status}`]);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return perOrder;
}

export interface InboxMail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
}

export async function readInbox(sesUrl: string): Promise<InboxMail[]> {
  const response = await fetch(`${sesUrl}/store`);
  return ((await response.json()) as { emails: InboxMail[] }).emails;
}

/** Allocation e-mails sent more than once for the same allocation (found by the allocation id in the links). */
export function duplicateFactoryMails(mails: InboxMail[]): string[] {
  const seen = new Map<string, number>();
  for (const mail of mails) {
    if (!mail.subject.startsWith('Allocation ')) continue;
    const allocationId = /\/api\/allocations\/([^/]+)\/accept/.exec(mail.body.text ?? '')?.[1];
    const key = allocationId ?? `unparsed:${mail.subject}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, count]) => count > 1).map(([key, count]) => `${key} × ${count}`);
}

/** Buyer e-mails with the same subject to the same buyer more than once. */
export function duplicateBuyerMails(mails: InboxMail[]): string[] {
  const seen = new Map<string, number>();
  for (const mail of mails) {
    if (mail.subject.startsWith('Allocation ')) continue;
    const key = `${mail.destination.to.join(',')}|${mail.subject}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, count]) => count > 1).map(([key, count]) => `${key} × ${count}`);
}
