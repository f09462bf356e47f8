/** submit-order with the AWS SDK mocked: status codes of the contract, one order per Idempotency-Key. */
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contractOrder, lambdaContext, proxyEvent } from './fixtures';

process.env.ORDERS_TABLE = 'orders';
process.env.IDEMPOTENCY_TABLE = 'idempotency';
process.env.STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:order-routing';
process.env.AWS_REGION = 'us-east-1';

const dynamo = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);

type Handler = (event: unknown, context: unknown) => Promise<APIGatewayProxyResult>;
let handler: Handler;

beforeAll(async () => {
  ({ handler } = (await import('../../functions/submit-order/handler')) as unknown as { handler: Handler });
});

beforeEach(() => {
  dynamo.reset();
  sfn.reset();
  dynamo.on(PutCommand).resolves({});
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
});

const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  handler(proxyEvent({ body, headers }), lambdaContext);

describe('POST /api/orders', () => {
  it('answers 202 with Location, stores the order as RECEIVED and starts the execution named after it', async () => {
    const response = await post(JSON.stringify(contractOrder()));
    expect(response.statusCode).toBe(202);
    const body = JSON.parse(response.body);
    expect(body).toEqual({
      orderId: expect.stringMatching(/^[0-9A-Z]{26}$/),
      status: 'RECEIVED',
      links: { self: `/api/orders/${body.orderId}` },
    });
    expect(response.headers?.Location).toBe(`/api/orders/${body.orderId}`);
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      TableName: 'orders',
      Item: expect.objectContaining({ pk: `ORDER#${body.orderId}`, status: 'RECEIVED' }),
    });
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      name: body.orderId,
      input: JSON.stringify({ orderId: body.orderId }),
    });
  });

  it.each([
    ['malformed JSON', '{"buyer":', { 'content-type': 'application/json' }, 400],
    ['a wrong content type', JSON.stringify(contractOrder()), { 'content-type': 'text/plain' }, 415],
    ['no content type', JSON.stringify(contractOrder()), {}, 415],
    ['a body over 64 KiB', JSON.stringify({ pad: 'x'.repeat(70_000) }), { 'content-type': 'application/json' }, 413],
  ])('answers problem+json for %s and stores nothing', async (_name, body, headers, status) => {
    const response = await post(body, headers as Record<string, string>);
    expect(response.statusCode).toBe(status);
    expect(response.headers?.['Content-Type']).toBe('application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
    expect(dynamo).not.toHaveReceivedAnyCommand();
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  it('answers 422 with JSON pointers to every bad field', async () => {
    const order = contractOrder() as Record<string, unknown>;
    const lines = order.lines as Record<string, unknown>[];
    lines[0] = { ...lines[0], quantityKg: 0.5 };
    order.destinationCountry = 'Germany';
    order.surprise = true;
    const response = await post(JSON.stringify(order));
    expect(response.statusCode).toBe(422);
    const paths = JSON.parse(response.body).errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/lines/0/quantityKg', '/destinationCountry', '/surprise']));
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });

  it('refuses a malformed Idempotency-Key with 400', async () => {
    const response = await post(JSON.stringify(contractOrder()), {
      'content-type': 'application/json',
      'idempotency-key': 'short',
    });
    expect(response.statusCode).toBe(400);
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });

  it('gives a repeated key with the same body the first orderId, and a different body 422', async () => {
    const headers = { 'content-type': 'application/json', 'Idempotency-Key': 'key-12345678' };
    const first = await post(JSON.stringify(contractOrder()), headers);
    const firstId = JSON.parse(first.body).orderId as string;
    const keyRecord = dynamo.commandCalls(PutCommand).find((c) => c.args[0].input.TableName === 'idempotency');
    expect(keyRecord?.args[0].input.Item).toMatchObject({ id: 'order#key-12345678', orderId: firstId });

    dynamo.reset();
    sfn.reset();
    dynamo
      .on(PutCommand, { TableName: 'idempotency' })
      .rejects(Object.assign(new Error('exists'), { name: 'ConditionalCheckFailedException' }));
    dynamo
      .on(PutCommand, { TableName: 'orders' })
      .rejects(Object.assign(new Error('exists'), { name: 'ConditionalCheckFailedException' }));
    dynamo.on(GetCommand).resolves({ Item: keyRecord?.args[0].input.Item });
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));

    const again = await post(JSON.stringify(contractOrder()), headers);
    expect(again.statusCode).toBe(202);
    expect(JSON.parse(again.body).orderId).toBe(firstId);

    const changed = { ...contractOrder(), trademark: 'OTHER' };
    const conflict = await post(JSON.stringify(changed), headers);
    expect(conflict.statusCode).toBe(422);
    expect(JSON.parse(conflict.body).type).toBe('/problems/idempotency-key-reused');
  });

  it('answers 503, not a client error, when DynamoDB throttles', async () => {
    dynamo
      .on(PutCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));
    const response = await post(JSON.stringify(contractOrder()));
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['Retry-After']).toBe('1');
  });
});
