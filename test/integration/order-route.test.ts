/** One overseas order all the way through the local stack: API → order-routing (CDK-rendered ASL) → DynamoDB Local → SES. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, inbox, orderReaches, routeEnded, stack } from './support';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const sfn = () => new SFNClient({ endpoint: stack().stepFunctions, region: 'us-east-1', credentials });
const dynamo = () => new DynamoDBClient({ endpoint: stack().dynamodb, region: 'us-east-1', credentials });

interface Catalogue {
  versions: Record<string, string>;
  grades: { grade: string; family: string; controlled: boolean; maxTempC: number }[];
  coatings: { code: string; maxTempC: number | null }[];
  trademarks: { mark: string; protectedIn: string[]; expires: string }[];
}

let catalogue: Catalogue;
const shipDate = '2027-03-01';

function baseOrder(overrides: Record<string, unknown> = {}) {
  const mark = catalogue.trademarks.find((t) => t.protectedIn.includes('DE') && t.expires > shipDate);
  if (!mark) throw new Error('the catalogue has no mark protected in DE beyond the ship date');
  return {
    buyer: { company: 'Acme Motors GmbH', country: 'DE', contactName: 'Ada Example', email: 'buyer@example.com' },
    destinationCountry: 'DE',
    endUse: { description: 'EV traction motors', military: false },
    trademark: mark.mark,
    incoterm: 'FOB',
    requestedShipDate: shipDate,
    licence: { number: 'LIC-2027-0001', validUntil: '2027-12-31' },
    lines: [
      {
        grade: 'N42SH',
        shape: { type: 'block', lengthMm: 20, widthMm: 10, thicknessMm: 5 },
        coating: 'NiCuNi',
        quantityKg: 500,
        offeredUnitPriceUsdPerKg: '0.01',
      },
    ],
    ...overrides,
  };
}

/** Offers exactly the unified price, as the quote computes it. */
async function pricedOrder(overrides: Record<string, unknown> = {}) {
  const order = baseOrder(overrides);
  const quote = await api<{ lines: { unitPriceUsdPerKg: string }[] }>('POST', '/quotes', {
    lines: order.lines,
    incoterm: order.incoterm,
    requestedShipDate: order.requestedShipDate,
  });
  expect(quote.status).toBe(200);
  order.lines = order.lines.map((line, i) => ({
    ...line,
    offeredUnitPriceUsdPerKg: quote.body.lines[i]?.unitPriceUsdPerKg ?? '',
  }));
  return order;
}

async function submit(order: unknown, headers: Record<string, string> = {}) {
  const response = await api<{ orderId: string; status: string; links: { self: string } }>(
    'POST',
    '/orders',
    order,
    headers,
  );
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return response;
}

beforeAll(async () => {
  const response = await api<Catalogue>('GET', '/catalogue');
  expect(response.status).toBe(200);
  catalogue = response.body;
});

describe('a valid order', () => {
  it('reaches ALLOCATED, its allocations add up, and every allocated factory has an e-mail', async () => {
    const order = await pricedOrder();
    const accepted = await submit(order);
    expect(accepted.headers.get('location')).toBe(`/api/orders/${accepted.body.orderId}`);
    expect(accepted.body.status).toBe('RECEIVED');

    const routed = await orderReaches(accepted.body.orderId, 'ALLOCATED');
    const allocations = routed.allocations as { factoryId: string; quantityKg: number; status: string }[];
    expect(allocations.reduce((sum, a) => sum + a.quantityKg, 0)).toBe(500);
    expect(allocations.every((a) => a.status === 'NOTIFIED')).toBe(true);
    expect(routed.rules).toEqual(catalogue.versions);
    expect((routed.checks as { check: string; outcome: string }[]).map((c) => [c.check, c.outcome])).toEqual([
      ['trademark', 'pass'],
      ['grade', 'pass'],
      ['price', 'pass'],
      ['compliance', 'pass'],
    ]);
    expect((routed.history as { status: string }[]).map((h) => h.status)).toEqual([
      'RECEIVED',
      'CHECKING',
      'ALLOCATED',
    ]);
    expect(JSON.stringify(routed)).not.toMatch(/transfer/i);

    // The buyer's e-mail is the route's last act, after the status moved: wait for the execution to end.
    await routeEnded(accepted.body.orderId);
    const toOrder = (await inbox()).filter((m) => m.subject.includes(accepted.body.orderId));
    const mails = toOrder.filter((m) => m.destination.to[0] !== order.buyer.email);
    expect(mails).toHaveLength(allocations.length);
    // The buyer hears once that the order is allocated.
    expect(toOrder.filter((m) => m.destination.to[0] === order.buyer.email).map((m) => m.subject)).toEqual([
      `Order ${accepted.body.orderId} allocated to member factories`,
    ]);
    expect(new Set(mails.map((m) => m.destination.to[0])).size).toBe(new Set(allocations.map((a) => a.factoryId)).size);
    for (const mail of mails) expect(mail.body.text).toMatch(/Transfer price: \d+\.\d{2} USD\/kg/);
  });

  it('is visible to the AWS SDK on the local endpoints: the execution and its items', async () => {
    const { body } = await submit(await pricedOrder());
    await orderReaches(body.orderId, 'ALLOCATED');
    // The status moves before the route's last step (the buyer's e-mail): wait for the execution itself to end.
    await routeEnded(body.orderId);
    const execution = await sfn().send(
      new DescribeExecutionCommand({
        executionArn: `${stack().stateMachineArn.replace(':stateMachine:', ':execution:')}:${body.orderId}`,
      }),
    );
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.name).toBe(body.orderId);
    expect(JSON.parse(execution.input ?? '{}')).toEqual({ orderId: body.orderId });

    const items = await dynamo().send(
      new ScanCommand({
        TableName: stack().ordersTable,
        FilterExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `ORDER#${body.orderId}` } },
      }),
    );
    const kinds = (items.Items ?? []).map((item) => item.sk?.S?.split('#')[0]);
    expect(kinds).toContain('ORDER');
    expect(kinds).toContain('ALLOC');
  });
});

describe('decisions end in the contract status', () => {
  const cases: [name: string, status: string, code: string, build: () => Promise<unknown>][] = [
    [
      'an offer one cent below the unified price',
      'REJECTED',
      'PRICE_BELOW_UNIFIED',
      async () => {
        const order = await pricedOrder();
        const line = order.lines[0] as { offeredUnitPriceUsdPerKg: string };
        const cents = BigInt(line.offeredUnitPriceUsdPerKg.replace('.', '')) - 1n;
        line.offeredUnitPriceUsdPerKg = `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
        return order;
      },
    ],
    ['an unknown mark', 'REJECTED', 'TRADEMARK_UNKNOWN', () => pricedOrder({ trademark: 'NO-SUCH-MARK' })],
    [
      'a mark not protected in the destination',
      'REJECTED',
      'TRADEMARK_NOT_PROTECTED',
      () => pricedOrder({ destinationCountry: 'TR' }),
    ],
    [
      'an unknown grade',
      'REJECTED',
      'GRADE_UNKNOWN',
      async () => {
        const order = await pricedOrder();
        return { ...order, lines: [{ ...order.lines[0], grade: 'N99XX' }] };
      },
    ],
    [
      'zinc on an AH grade',
      'REJECTED',
      'SPEC_INVALID',
      () => pricedOrder({ lines: [{ ...baseOrder().lines[0], grade: 'N33AH', coating: 'Zn' }] }),
    ],
    [
      'a block magnetized radially (a direction only rings and arcs allow)',
      'REJECTED',
      'SPEC_INVALID',
      () => pricedOrder({ lines: [{ ...baseOrder().lines[0], magnetization: 'radial' }] }),
    ],
    [
      'military end use',
      'REJECTED',
      'MILITARY_END_USE',
      () => pricedOrder({ endUse: { description: 'guidance fins', military: true } }),
    ],
    ['an embargoed destination', 'REJECTED', 'DESTINATION_EMBARGOED', () => pricedOrder({ destinationCountry: 'KP' })],
    [
      'a restricted party under another spelling',
      'REJECTED',
      'RESTRICTED_PARTY',
      () =>
        pricedOrder({
          buyer: { company: 'NORDWIND DEFENCE SYSTEMS, GmbH', country: 'DE', contactName: 'X', email: 'x@example.com' },
        }),
    ],
    [
      'a controlled grade without a licence',
      'HELD',
      'LICENCE_REQUIRED',
      async () => {
        const { licence: _licence, ...order } = await pricedOrder();
        return order;
      },
    ],
  ];

  it.each(cases)('%s → %s with %s', async (_name, status, code, build) => {
    const { body } = await submit(await build());
    const routed = await orderReaches(body.orderId, status);
    const codes = (routed.checks as { code: string }[]).map((c) => c.code);
    expect(codes).toContain(code);
    expect(routed.allocations).toEqual([]);
  });

  it('prices CIF by the destination: one cent below the destination’s quoted price is refused, at it passes', async () => {
    const cif = (destinationCountry: string) => ({ ...baseOrder({ destinationCountry }), incoterm: 'CIF' });
    const quotedFor = async (destinationCountry: string) => {
      const order = cif(destinationCountry);
      const quote = await api<{ lines: { unitPriceUsdPerKg: string }[] }>('POST', '/quotes', {
        lines: order.lines,
        incoterm: order.incoterm,
        requestedShipDate: order.requestedShipDate,
        destinationCountry,
      });
      expect(quote.status).toBe(200);
      return quote.body.lines[0]?.unitPriceUsdPerKg ?? '';
    };
    const cents = (price: string) => BigInt(price.replace('.', ''));
    const offering = (destinationCountry: string, unitPrice: string) => {
      const order = cif(destinationCountry);
      return { ...order, lines: order.lines.map((line) => ({ ...line, offeredUnitPriceUsdPerKg: unitPrice })) };
    };
    const germany = await quotedFor('DE');
    const unitedStates = await quotedFor('US');
    expect(cents(unitedStates)).toBeGreaterThan(cents(germany));
    const oneCentLess = `${(cents(germany) - 1n) / 100n}.${String((cents(germany) - 1n) % 100n).padStart(2, '0')}`;

    const below = await submit(offering('DE', oneCentLess));
    const atPrice = await submit(offering('DE', germany));
    // The German price is too low for the same goods shipped CIF to the US (the mark is protected in both).
    const usOrder = offering('US', germany);
    const mark = catalogue.trademarks.find((t) => t.mark === usOrder.trademark);
    expect(mark?.protectedIn).toContain('US');
    const belowForUs = await submit(usOrder);

    const refused = await orderReaches(below.body.orderId, 'REJECTED');
    const price = (refused.checks as { check: string; code: string; message: string }[]).find(
      (c) => c.check === 'price',
    );
    expect(price?.code).toBe('PRICE_BELOW_UNIFIED');
    expect(price?.message).toContain(`below the unified price ${germany} USD/kg`);
    expect(price?.message).toContain('CIF to DE (Europe)');
    const routed = await orderReaches(atPrice.body.orderId, 'ALLOCATED');
    expect((routed.checks as { check: string; code: string }[]).find((c) => c.check === 'price')?.code).toBe('OK');
    const refusedForUs = await orderReaches(belowForUs.body.orderId, 'REJECTED');
    expect((refusedForUs.checks as { code: string }[]).map((c) => c.code)).toContain('PRICE_BELOW_UNIFIED');
  });

  it('an order beyond every factory’s capacity ends UNFILLED and holds nothing', async () => {
    const order = await pricedOrder({ lines: [{ ...baseOrder().lines[0], quantityKg: 1_000_000 }] });
    const { body } = await submit(order);
    const routed = await orderReaches(body.orderId, 'UNFILLED');
    expect(routed.allocations).toEqual([]);
    expect((routed.checks as { outcome: string }[]).every((c) => c.outcome === 'pass')).toBe(true);
  });
});

describe('idempotency and bad input', () => {
  it('the same Idempotency-Key and body gives the same order and one execution; another body gets 422', async () => {
    const order = await pricedOrder();
    const key = `it-${Date.now()}-same`;
    const first = await submit(order, { 'Idempotency-Key': key });
    const again = await submit(order, { 'Idempotency-Key': key });
    expect(again.body).toEqual(first.body);
    const changed = await api('POST', '/orders', { ...order, incoterm: 'CIF' }, { 'Idempotency-Key': key });
    expect(changed.status).toBe(422);
    await orderReaches(first.body.orderId, 'ALLOCATED');
    const executions = await sfn().send(
      new ListExecutionsCommand({ stateMachineArn: stack().stateMachineArn, maxResults: 1000 }),
    );
    expect((executions.executions ?? []).filter((e) => e.name === first.body.orderId)).toHaveLength(1);
    const mails = (await inbox()).filter(
      (m) => m.subject.includes(first.body.orderId) && m.destination.to[0] !== order.buyer.email,
    );
    const routed = await api<{ allocations: unknown[] }>('GET', `/orders/${first.body.orderId}`);
    expect(mails).toHaveLength(routed.body.allocations.length);
  });

  it.each([
    ['malformed JSON', '{"lines": [', 'application/json', 400],
    ['a wrong content type', '{}', 'text/plain', 415],
    ['a body over 64 KiB', JSON.stringify({ pad: 'x'.repeat(70_000) }), 'application/json', 413],
    ['a schema failure', JSON.stringify({ lines: [] }), 'application/json', 422],
  ])('%s gets %i problem+json, and nothing is stored or started', async (_name, body, contentType, status) => {
    const before = await sfn().send(
      new ListExecutionsCommand({ stateMachineArn: stack().stateMachineArn, maxResults: 1000 }),
    );
    const response = await fetch(`${stack().api}/orders`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await response.json()) as { status: number; errors?: { path: string }[] };
    expect(problem.status).toBe(status);
    if (status === 422) expect(problem.errors?.map((e) => e.path)).toContain('/buyer');
    const after = await sfn().send(
      new ListExecutionsCommand({ stateMachineArn: stack().stateMachineArn, maxResults: 1000 }),
    );
    expect(after.executions?.length).toBe(before.executions?.length);
  });

  it('an unknown order id is 404 problem+json', async () => {
    const response = await api('GET', '/orders/01JZZZZZZZZZZZZZZZZZZZZZZZ');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('the workflow the local endpoint runs', () => {
  it('is the ASL rendered from the CDK code', async () => {
    const described = await sfn().send(new DescribeStateMachineCommand({ stateMachineArn: stack().stateMachineArn }));
    const rendered = JSON.parse(
      readFileSync(resolve(import.meta.dirname, '../../workflows/order-routing.asl.json'), 'utf8'),
    );
    expect(JSON.parse(described.definition ?? '{}')).toEqual(rendered);
  });
});
