/** Hostile bodies and racing duplicates against the real local stack: no 5xx, nothing stored, one order per key. */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { api, factoryMails, orderReaches, stack, stepFunctions } from './support';

/** In-process runs go straight into the handlers, as API Gateway would; the HTTP sample proves the front door too. */
const runs = Number(process.env.FUZZ_RUNS ?? 10_000);
const httpRuns = Number(process.env.FUZZ_HTTP_RUNS ?? 1_000);

async function storedItems(): Promise<number> {
  const client = new DynamoDBClient({
    endpoint: stack().dynamodb,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let count = 0;
  for (const table of [stack().ordersTable, 'channel-idempotency']) {
    count += (await client.send(new ScanCommand({ TableName: table, Select: 'COUNT' }))).Count ?? 0;
  }
  client.destroy();
  return count;
}

type Handler = (event: APIGatewayProxyEvent, context: unknown) => Promise<APIGatewayProxyResult>;

/** The same handler files the stack runs, pointed at the same emulators. */
async function handlersInProcess(): Promise<Record<'/orders' | '/quotes', Handler>> {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: stack().dynamodb,
    AWS_ENDPOINT_URL_SFN: stack().stepFunctions,
    ORDERS_TABLE: stack().ordersTable,
    IDEMPOTENCY_TABLE: 'channel-idempotency',
    STATE_MACHINE_ARN: stack().stateMachineArn,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  const orders = (await import('../../functions/submit-order/handler')).handler as unknown as Handler;
  const quotes = (await import('../../functions/post-quote/handler')).handler as unknown as Handler;
  return { '/orders': orders, '/quotes': quotes };
}

function proxyEvent(path: string, body: string, contentType: string): APIGatewayProxyEvent {
  return {
    resource: `/api${path}`,
    path: `/api${path}`,
    httpMethod: 'POST',
    headers: { 'content-type': contentType },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
  };
}

async function executionCount(): Promise<number> {
  let count = 0;
  let nextToken: string | undefined;
  do {
    const page = await stepFunctions().send(
      new ListExecutionsCommand({ stateMachineArn: stack().stateMachineArn, maxResults: 1000, nextToken }),
    );
    count += page.executions?.length ?? 0;
    nextToken = page.nextToken;
  } while (nextToken);
  return count;
}

const dangerousKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];
const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '<script>alert(1)</script>',
    'a\r\nBcc: victim@example.com',
    'ＵＮＩＭＡＧ',
    'N42SH\u0000',
    '💥'.repeat(50),
  ),
  fc.nat({ max: 70_000 }).map((n) => 'x'.repeat(n)),
);
const hostileValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom(...dangerousKeys)), tie('value'), {
      maxKeys: 4,
    }),
  ),
})).value;

/** Near-valid orders with one field corrupted, plus entirely random JSON and deep nesting. */
const validShape = {
  buyer: { company: 'Acme', country: 'DE', contactName: 'A', email: 'a@example.com' },
  destinationCountry: 'DE',
  endUse: { description: 'motors', military: false },
  trademark: 'UNIMAG 1989',
  incoterm: 'FOB',
  requestedShipDate: '2027-03-01',
  lines: [
    {
      grade: 'N35',
      shape: { type: 'block', lengthMm: 20, widthMm: 10, thicknessMm: 5 },
      coating: 'NiCuNi',
      quantityKg: 100,
      offeredUnitPriceUsdPerKg: '1x',
    },
  ],
};
const corruptedOrder = fc
  .tuple(fc.constantFrom(...Object.keys(validShape), ...dangerousKeys), hostileValue)
  .map(([key, value]) => JSON.stringify({ ...validShape, [key]: value }).replace('"1x"', '"12.50"'))
  // The one uncorrupted field-set would be a valid order; keep the price hostile instead.
  .map((body) => body.replace('"12.50"', '"12.505"'));
const deepNesting = fc.nat({ max: 20_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`);
const hostileBody = fc.oneof(
  corruptedOrder,
  hostileValue.map((v) => JSON.stringify(v) ?? 'null'),
  deepNesting,
  hostileString,
);

function contentTypeFor(index: number) {
  return index % 7 === 0 ? 'application/json; charset=utf-8' : 'application/json';
}

function expectRefused(path: string, status: number, body: string | undefined, statuses: Map<number, number>) {
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
  if (status >= 500) throw new Error(`${path} answered ${status} to ${body?.slice(0, 300)}`);
  if (path === '/orders' && status === 202) throw new Error(`a hostile body was accepted: ${body?.slice(0, 300)}`);
}

describe('hostile bodies', () => {
  it(`${runs} generated bodies into the handlers and ${httpRuns} through HTTP: no 5xx, no execution, nothing stored`, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 20261129);
    const executionsBefore = await executionCount();
    const itemsBefore = await storedItems();
    const statuses = new Map<number, number>();
    const handlers = await handlersInProcess();

    const bodies = fc.sample(hostileBody, { numRuns: runs, seed });
    for (const [index, body] of bodies.entries()) {
      const path = index % 2 === 0 ? '/orders' : '/quotes';
      const response = await handlers[path](proxyEvent(path, body, contentTypeFor(index)), {});
      expectRefused(path, response.statusCode, body, statuses);
    }

    const overHttp = fc.sample(hostileBody, { numRuns: httpRuns, seed: seed + 1 });
    let next = 0;
    const worker = async () => {
      while (next < overHttp.length) {
        const index = next++;
        const path = index % 2 === 0 ? '/orders' : '/quotes';
        const response = await fetch(`${stack().api}${path}`, {
          method: 'POST',
          headers: { 'content-type': contentTypeFor(index) },
          body: overHttp[index],
        });
        await response.arrayBuffer();
        expectRefused(path, response.status, overHttp[index], statuses);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));

    expect(
      [...statuses.keys()].every((s) => [400, 413, 415, 422].includes(s)),
      JSON.stringify([...statuses]),
    ).toBe(true);
    expect(await executionCount()).toBe(executionsBefore);
    expect(await storedItems()).toBe(itemsBefore);
  }, 180_000);
});

describe('racing duplicates', () => {
  it('10 parallel submissions with one Idempotency-Key make one order, one execution and one set of e-mails', async () => {
    const quote = await api<{ lines: { unitPriceUsdPerKg: string }[] }>('POST', '/quotes', {
      lines: [{ ...validShape.lines[0], offeredUnitPriceUsdPerKg: undefined }],
      incoterm: 'FOB',
      requestedShipDate: '2027-03-01',
    });
    const order = {
      ...validShape,
      lines: [{ ...validShape.lines[0], offeredUnitPriceUsdPerKg: quote.body.lines[0]?.unitPriceUsdPerKg }],
    };
    const key = `race-${Date.now()}`;
    const executionsBefore = await executionCount();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => api<{ orderId: string }>('POST', '/orders', order, { 'Idempotency-Key': key })),
    );
    const accepted = answers.filter((a) => a.status === 202);
    expect(answers.every((a) => a.status === 202 || a.status === 409)).toBe(true);
    const ids = new Set(accepted.map((a) => a.body.orderId));
    expect(ids.size).toBe(1);
    const [orderId] = [...ids];
    const routed = await orderReaches(String(orderId), 'ALLOCATED');
    expect(await executionCount()).toBe(executionsBefore + 1);
    const mails = await factoryMails(String(orderId));
    expect(mails).toHaveLength((routed.allocations as unknown[]).length);
  });
});
