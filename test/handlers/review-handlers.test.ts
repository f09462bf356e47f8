/** The review of HELD orders with the AWS SDK mocked: the reviewer API (reviewOrder) and the AwaitReview task. */
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contractOrder, lambdaContext, proxyEvent, storedOrderItem } from './fixtures';

const reviewerToken = 'handler-test-reviewer-secret';
process.env.ORDERS_TABLE = 'orders';
process.env.REVIEWER_TOKEN = reviewerToken;
process.env.AWS_REGION = 'us-east-1';

const dynamo = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);

type ApiHandler = (event: unknown, context: unknown) => Promise<APIGatewayProxyResult>;
type Task = (input: unknown) => Promise<{ orderId: string; waiting: boolean }>;
let reviewOrder: ApiHandler;
let awaitReview: Task;

beforeAll(async () => {
  reviewOrder = (await import('../../functions/review-order/handler')).handler as unknown as ApiHandler;
  awaitReview = (await import('../../functions/await-review/handler')).handler as unknown as Task;
});

const orderId = '01JABCDEFGHJKMNPQRSTVWXYZ1';
const taskToken = 'task-token-from-await-review';
const submittedAt = '2026-11-29T10:00:00.000Z';
const approval = {
  decision: 'approve',
  reason: 'Licence checked',
  licenceNumber: 'LIC-2027-0420',
  reviewer: 'secretariat.wang',
};
const firstReview = {
  reviewId: '01JREVIEW00000000000000000',
  decision: 'approve',
  reason: 'Licence checked',
  reviewer: 'secretariat.wang',
  licenceNumber: 'LIC-2027-0420',
  at: '2026-11-29T11:00:00.000Z',
};

/** A HELD-path order without a licence (the review supplies one). */
function orderItem(status: string, extra: Record<string, unknown> = {}) {
  const { licence: _licence, ...order } = contractOrder();
  return storedOrderItem(orderId, status, {
    order: { ...order, trademark: 'UNIMAG 1989' },
    history: [
      { at: submittedAt, status: 'RECEIVED' },
      { at: submittedAt, status: 'CHECKING' },
      { at: submittedAt, status: 'HELD' },
    ],
    ...extra,
  });
}

const heldWithToken = () => orderItem('HELD', { reviewTaskToken: taskToken });

function review(body: unknown, headers: Record<string, string> = {}, id = orderId) {
  return reviewOrder(
    proxyEvent({
      resource: '/api/orders/{orderId}/review',
      path: `/api/orders/${id}/review`,
      pathParameters: { orderId: id },
      headers: { 'content-type': 'application/json', authorization: `Bearer ${reviewerToken}`, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
    lambdaContext,
  );
}

const problemOf = (response: APIGatewayProxyResult) => {
  expect(response.headers?.['Content-Type']).toBe('application/problem+json');
  return JSON.parse(response.body) as { type: string; status: number; errors?: { path: string }[] };
};

/** Nothing was written and the route was not resumed or failed. */
function expectNothingChanged() {
  expect(dynamo).not.toHaveReceivedCommand(TransactWriteCommand);
  expect(dynamo).not.toHaveReceivedCommand(UpdateCommand);
  expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  expect(sfn).not.toHaveReceivedCommand(SendTaskFailureCommand);
}

beforeEach(() => {
  dynamo.reset();
  sfn.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
  dynamo.on(TransactWriteCommand).resolves({});
});

describe('POST /api/orders/{orderId}/review', () => {
  it('approve: records the review and HELD → CHECKING in one transaction, then resumes the route APPROVED', async () => {
    dynamo.on(GetCommand).resolves({ Item: heldWithToken() });
    const response = await review(approval);

    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body);
    expect(body).toEqual({
      orderId,
      reviewId: expect.stringMatching(/^[0-9A-Z]{26}$/),
      ...approval,
      reviewedAt: expect.any(String),
      links: { order: `/api/orders/${orderId}` },
    });
    const transaction = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input;
    const [update, audit] = transaction?.TransactItems ?? [];
    expect(update?.Update?.ConditionExpression).toBe('#status = :held AND attribute_not_exists(review)');
    expect(update?.Update?.ExpressionAttributeValues).toMatchObject({ ':held': 'HELD', ':checking': 'CHECKING' });
    expect(audit?.Put?.Item).toMatchObject({
      pk: `ORDER#${orderId}`,
      sk: `REVIEW#${body.reviewId}`,
      decision: 'approve',
      reviewer: 'secretariat.wang',
      reason: 'Licence checked',
      licenceNumber: 'LIC-2027-0420',
    });
    expect(audit?.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
    expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, {
      taskToken,
      output: JSON.stringify({ decision: 'APPROVED' }),
    });
    expect(sfn).not.toHaveReceivedCommand(SendTaskFailureCommand);
  });

  it('reject: records the review, leaves the status to the route, and resumes it REJECTED (a success, not a failure)', async () => {
    dynamo.on(GetCommand).resolves({ Item: heldWithToken() });
    const response = await review({ decision: 'reject', reason: 'End user unclear', reviewer: 'secretariat.li' });

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ decision: 'reject', reviewer: 'secretariat.li' });
    expect(JSON.parse(response.body)).not.toHaveProperty('licenceNumber');
    const update = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[0]?.Update;
    expect(update?.UpdateExpression).not.toContain('#status = :checking');
    expect(update?.ExpressionAttributeValues).not.toHaveProperty(':checking');
    expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, {
      taskToken,
      output: JSON.stringify({ decision: 'REJECTED' }),
    });
    expect(sfn).not.toHaveReceivedCommand(SendTaskFailureCommand);
  });

  it('approve twice: the second answers the first review and writes nothing, even though its token is spent', async () => {
    dynamo.on(GetCommand).resolvesOnce({ Item: heldWithToken() });
    const first = await review(approval);
    expect(first.statusCode).toBe(200);
    const recorded = JSON.parse(first.body);

    // What the first call left: the review on the order, now CHECKING; the route resumed, so the token is spent.
    const stored = {
      reviewId: recorded.reviewId,
      decision: 'approve',
      reason: approval.reason,
      reviewer: approval.reviewer,
      licenceNumber: approval.licenceNumber,
      at: recorded.reviewedAt,
    };
    dynamo.on(GetCommand).resolves({ Item: orderItem('CHECKING', { reviewTaskToken: taskToken, review: stored }) });
    sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('spent'), { name: 'InvalidToken' }));
    const second = await review({ ...approval, reason: 'Checked again' });

    expect(second.statusCode).toBe(200);
    expect(JSON.parse(second.body)).toEqual(recorded);
    expect(dynamo).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(sfn).not.toHaveReceivedCommand(SendTaskFailureCommand);
  });

  it('the opposite decision after a review is 409 already-reviewed and changes nothing', async () => {
    dynamo
      .on(GetCommand)
      .resolves({ Item: orderItem('CHECKING', { reviewTaskToken: taskToken, review: firstReview }) });
    const response = await review({ decision: 'reject', reason: 'Changed my mind', reviewer: 'secretariat.li' });
    expect(response.statusCode).toBe(409);
    expect(problemOf(response).type).toBe('/problems/already-reviewed');
    expectNothingChanged();
  });

  it('a reviewer who loses the race to an identical decision gets that review back, once recorded', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: heldWithToken() })
      .resolves({ Item: orderItem('CHECKING', { reviewTaskToken: taskToken, review: firstReview }) });
    dynamo
      .on(TransactWriteCommand)
      .rejects(Object.assign(new Error('conditional'), { name: 'TransactionCanceledException' }));
    sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('spent'), { name: 'InvalidToken' }));
    const response = await review(approval);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ reviewId: firstReview.reviewId, reviewedAt: firstReview.at });
  });

  it.each([
    ['no Authorization header', {}],
    ['a wrong bearer token', { authorization: 'Bearer not-the-reviewer-secret' }],
    ['another scheme', { authorization: `Basic ${reviewerToken}` }],
  ])('401 problem+json for %s, before reading or changing anything', async (_name, headers) => {
    dynamo.on(GetCommand).resolves({ Item: heldWithToken() });
    const event = proxyEvent({
      path: `/api/orders/${orderId}/review`,
      pathParameters: { orderId },
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(approval),
    });
    const response = await reviewOrder(event, lambdaContext);
    expect(response.statusCode).toBe(401);
    expect(response.headers?.['WWW-Authenticate']).toBe('Bearer realm="reviewer"');
    expect(problemOf(response).status).toBe(401);
    expect(dynamo).not.toHaveReceivedCommand(GetCommand);
    expectNothingChanged();
  });

  it.each(['ALLOCATED', 'REJECTED', 'CHECKING', 'CANCELLED'])(
    'an order that is %s and unreviewed is 409 not-held',
    async (status) => {
      dynamo.on(GetCommand).resolves({ Item: orderItem(status) });
      const response = await review(approval);
      expect(response.statusCode).toBe(409);
      expect(problemOf(response).type).toBe('/problems/not-held');
      expectNothingChanged();
    },
  );

  it('a HELD order whose task token is not stored yet is 409 review-not-ready with Retry-After', async () => {
    dynamo.on(GetCommand).resolves({ Item: orderItem('HELD') });
    const response = await review(approval);
    expect(response.statusCode).toBe(409);
    expect(response.headers?.['Retry-After']).toBe('1');
    expect(problemOf(response).type).toBe('/problems/review-not-ready');
    expectNothingChanged();
  });

  it.each([
    ['an unknown decision', { ...approval, decision: 'maybe' }, ['/decision']],
    ['an empty reason', { ...approval, reason: '   ' }, ['/reason']],
    ['a reason over 500 characters', { ...approval, reason: 'x'.repeat(501) }, ['/reason']],
    ['no reviewer', { decision: 'approve', reason: 'ok' }, ['/reviewer']],
    ['an unknown field', { ...approval, approvedBy: 'x' }, ['/approvedBy']],
  ])('422 problem+json for %s, naming the field', async (_name, body, paths) => {
    dynamo.on(GetCommand).resolves({ Item: heldWithToken() });
    const response = await review(body);
    expect(response.statusCode).toBe(422);
    expect(problemOf(response).errors?.map((e) => e.path)).toEqual(paths);
    expectNothingChanged();
  });

  it('400 for malformed JSON and 415 for a body that is not JSON', async () => {
    expect((await review('{"decision":')).statusCode).toBe(400);
    expect((await review(JSON.stringify(approval), { 'content-type': 'text/plain' })).statusCode).toBe(415);
    expectNothingChanged();
  });

  it('404 for an unknown order, and for an id that is no ULID without asking DynamoDB', async () => {
    dynamo.on(GetCommand).resolves({});
    const unknown = await review(approval);
    expect(unknown.statusCode).toBe(404);
    expect(problemOf(unknown).type).toBe('/problems/not-found');
    dynamo.reset();
    const malformed = await review(approval, {}, 'not-an-order-id');
    expect(malformed.statusCode).toBe(404);
    expect(dynamo).not.toHaveReceivedCommand(GetCommand);
    expectNothingChanged();
  });
});

describe('AwaitReview task', () => {
  it('parks the task token on the HELD order and leaves the route waiting', async () => {
    dynamo.on(GetCommand).resolves({ Item: orderItem('HELD') });
    dynamo.on(UpdateCommand).resolves({});
    expect(await awaitReview({ orderId, taskToken })).toEqual({ orderId, waiting: true });
    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: 'orders',
      Key: { pk: `ORDER#${orderId}`, sk: 'ORDER' },
      ConditionExpression: '#status = :held',
      ExpressionAttributeValues: expect.objectContaining({ ':token': taskToken, ':held': 'HELD' }),
    });
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it.each([
    ['approve', 'APPROVED'],
    ['reject', 'REJECTED'],
  ])(
    'a retried task on an order already reviewed (%s) resumes at once with its own new token',
    async (decision, output) => {
      const reviewed = orderItem(decision === 'approve' ? 'CHECKING' : 'HELD', {
        reviewTaskToken: 'the-first-token',
        review: { ...firstReview, decision },
      });
      dynamo.on(GetCommand).resolves({ Item: reviewed });
      expect(await awaitReview({ orderId, taskToken: 'the-retry-token' })).toEqual({ orderId, waiting: false });
      expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, {
        taskToken: 'the-retry-token',
        output: JSON.stringify({ decision: output }),
      });
      expect(dynamo).not.toHaveReceivedCommand(UpdateCommand);
    },
  );

  it('fails loudly for an unknown order or a wrongly wired input', async () => {
    dynamo.on(GetCommand).resolves({});
    await expect(awaitReview({ orderId, taskToken })).rejects.toMatchObject({ name: 'OrderNotFoundError' });
    await expect(awaitReview({ orderId })).rejects.toThrow();
    await expect(awaitReview({ orderId, taskToken: '' })).rejects.toThrow();
    expectNothingChanged();
  });
});
