/** Review of HELD orders end to end on the local stack: the route waits on a task token and the reviewer API resumes it. */

import { setTimeout as delay } from 'node:timers/promises';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiResponse,
  api,
  executionArn,
  factoryMails,
  orderReaches,
  routeEnded,
  stack,
  stepFunctions,
} from './support';

interface Catalogue {
  trademarks: { mark: string; protectedIn: string[]; expires: string }[];
}

const shipDate = '2027-03-01';
let mark: string;

beforeAll(async () => {
  const { body } = await api<Catalogue>('GET', '/catalogue');
  const found = body.trademarks.find((t) => t.protectedIn.includes('DE') && t.expires > shipDate);
  if (!found) throw new Error('the catalogue has no mark protected in DE beyond the ship date');
  mark = found.mark;
});

/** A controlled grade (N42SH) at its unified price; without a licence the route holds it with LICENCE_REQUIRED. */
async function submitControlledOrder(licence?: { number: string; validUntil: string }): Promise<string> {
  const lines = [
    {
      grade: 'N42SH',
      shape: { type: 'block', lengthMm: 20, widthMm: 10, thicknessMm: 5 },
      coating: 'NiCuNi',
      quantityKg: 300,
    },
  ];
  const quote = await api<{ lines: { unitPriceUsdPerKg: string }[] }>('POST', '/quotes', {
    lines,
    incoterm: 'FOB',
    requestedShipDate: shipDate,
  });
  expect(quote.status).toBe(200);
  const submitted = await api<{ orderId: string }>('POST', '/orders', {
    buyer: { company: 'Held Motors GmbH', country: 'DE', contactName: 'Ada Example', email: 'buyer@example.com' },
    destinationCountry: 'DE',
    endUse: { description: 'EV traction motors', military: false },
    trademark: mark,
    incoterm: 'FOB',
    requestedShipDate: shipDate,
    ...(licence ? { licence } : {}),
    lines: lines.map((line, i) => ({ ...line, offeredUnitPriceUsdPerKg: quote.body.lines[i]?.unitPriceUsdPerKg })),
  });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
  return submitted.body.orderId;
}

async function heldOrder(): Promise<string> {
  const orderId = await submitControlledOrder();
  const held = await orderReaches(orderId, 'HELD');
  expect((held.checks as { code: string }[]).map((c) => c.code)).toContain('LICENCE_REQUIRED');
  return orderId;
}

/** The append-only review audit items of an order, read straight from DynamoDB Local. */
async function auditTrail(orderId: string) {
  const dynamo = new DynamoDBClient({
    endpoint: stack().dynamodb,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const { Items } = await dynamo.send(
    new QueryCommand({
      TableName: stack().ordersTable,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :review)',
      ExpressionAttributeValues: { ':pk': { S: `ORDER#${orderId}` }, ':review': { S: 'REVIEW#' } },
    }),
  );
  return (Items ?? []).map((item) => ({
    decision: item.decision?.S,
    reviewer: item.reviewer?.S,
    reason: item.reason?.S,
    at: item.at?.S,
  }));
}

const bearer = () => ({ authorization: `Bearer ${stack().reviewerToken}` });

/**
 * Posts a review. The route records HELD a moment before it parks its task token, and the API says so with
 * 409 review-not-ready + Retry-After; this retries exactly that answer, up to a deadline.
 */
async function review(
  orderId: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = bearer(),
): Promise<ApiResponse<Record<string, unknown>>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await api('POST', `/orders/${orderId}/review`, body, headers);
    const notReady = response.status === 409 && String(response.body.type).endsWith('/review-not-ready');
    if (!notReady) return response;
    if (Date.now() > deadline) throw new Error(`order ${orderId} never became ready for review`);
    await delay(Number(response.headers.get('retry-after') ?? '1') * 100);
  }
}

const approval = {
  decision: 'approve',
  reason: 'Licence checked against the MOFCOM record',
  licenceNumber: 'LIC-2027-0420',
  reviewer: 'secretariat.wang',
};

describe('review of a HELD order', () => {
  it('approve → the same execution resumes and the order is ALLOCATED, with the reviewer and licence recorded', async () => {
    const orderId = await heldOrder();
    const answer = await review(orderId, approval);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ orderId, decision: 'approve', licenceNumber: 'LIC-2027-0420' });

    const routed = await orderReaches(orderId, 'ALLOCATED');
    expect((routed.allocations as { quantityKg: number }[]).reduce((sum, a) => sum + a.quantityKg, 0)).toBe(300);
    const history = routed.history as { status: string; note?: string }[];
    expect(history.map((h) => h.status)).toEqual(['RECEIVED', 'CHECKING', 'HELD', 'CHECKING', 'ALLOCATED']);
    expect(history[3]?.note).toContain('secretariat.wang');
    await routeEnded(orderId);
    const execution = await stepFunctions().send(new DescribeExecutionCommand({ executionArn: executionArn(orderId) }));
    expect(execution.status).toBe('SUCCEEDED');
    const trail = await auditTrail(orderId);
    expect(trail).toEqual([
      { decision: 'approve', reviewer: 'secretariat.wang', reason: approval.reason, at: answer.body.reviewedAt },
    ]);
  });

  it('reject → REJECTED, naming the hold that was rejected and the reviewer’s reason', async () => {
    const orderId = await heldOrder();
    const answer = await review(orderId, {
      decision: 'reject',
      reason: 'End user not credible',
      reviewer: 'secretariat.li',
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const routed = await orderReaches(orderId, 'REJECTED', 20_000, ['HELD']);
    expect(routed.allocations).toEqual([]);
    const last = (routed.history as { status: string; note?: string }[]).at(-1);
    expect(last).toMatchObject({ status: 'REJECTED' });
    expect(last?.note).toContain('End user not credible');
  });

  it('approving twice changes nothing: same answer, one allocation set, one e-mail per allocation; the opposite is 409', async () => {
    const orderId = await heldOrder();
    const first = await review(orderId, approval);
    expect(first.status).toBe(200);
    const routed = await orderReaches(orderId, 'ALLOCATED');

    const second = await review(orderId, { ...approval, reason: 'again' });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    const reversed = await review(orderId, { decision: 'reject', reason: 'changed my mind', reviewer: 'x' });
    expect(reversed.status).toBe(409);
    expect(reversed.headers.get('content-type')).toContain('application/problem+json');

    const after = await api('GET', `/orders/${orderId}`);
    expect(after.body.allocations).toEqual(routed.allocations);
    expect(after.body.history).toEqual(routed.history);
    const mails = await factoryMails(orderId);
    expect(mails).toHaveLength((routed.allocations as unknown[]).length);
    expect(await auditTrail(orderId)).toHaveLength(1);
  });

  it('refuses a missing or wrong credential with 401 and leaves the order HELD', async () => {
    const orderId = await heldOrder();
    const none = await api('POST', `/orders/${orderId}/review`, approval);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await api('POST', `/orders/${orderId}/review`, approval, { authorization: 'Bearer not-the-secret' });
    expect(wrong.status).toBe(401);
    expect((await api('GET', `/orders/${orderId}`)).body.status).toBe('HELD');
  });

  it('answers 422 naming the bad field, 404 for an unknown order and 409 for an order that is not HELD', async () => {
    const orderId = await heldOrder();
    const bad = await review(orderId, { ...approval, reason: 'x'.repeat(501) });
    expect(bad.status).toBe(422);
    expect((bad.body.errors as { path: string }[]).map((e) => e.path)).toEqual(['/reason']);

    const unknown = await review('01ARZ3NDEKTSV4RRFFQ69G5FAV', approval);
    expect(unknown.status).toBe(404);

    const licensed = await submitControlledOrder({ number: 'LIC-2027-0001', validUntil: '2027-12-31' });
    await orderReaches(licensed, 'ALLOCATED');
    const notHeld = await review(licensed, approval);
    expect(notHeld.status).toBe(409);
    expect(String(notHeld.body.type)).toMatch(/\/not-held$/);
  });
});
