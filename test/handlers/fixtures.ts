/** Shared test data: the CONTRACT.md example order, its stored item, and an API Gateway proxy event around a body. */
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

export function contractOrder() {
  return {
    buyer: { company: 'Acme Motors GmbH', country: 'DE', contactName: 'Ada Example', email: 'buyer@example.com' },
    destinationCountry: 'DE',
    endUse: { description: 'EV traction motors', military: false },
    trademark: 'UNIMAG',
    incoterm: 'FOB',
    requestedShipDate: '2027-03-01',
    licence: { number: 'LIC-2027-0001', validUntil: '2027-12-31' },
    lines: [
      {
        grade: 'N42SH',
        shape: { type: 'block', lengthMm: 20, widthMm: 10, thicknessMm: 5 },
        coating: 'NiCuNi',
        quantityKg: 500,
        offeredUnitPriceUsdPerKg: '72.00',
      },
    ],
  };
}

/** An orders-table ORDER item as the handlers store it: the contract order under the group's trademark, just received. */
export function storedOrderItem(orderId: string, status: string, overrides: Record<string, unknown> = {}) {
  const submittedAt = '2026-11-29T10:00:00.000Z';
  return {
    pk: `ORDER#${orderId}`,
    sk: 'ORDER',
    orderId,
    status,
    submittedAt,
    updatedAt: submittedAt,
    order: { ...contractOrder(), trademark: 'UNIMAG 1989' },
    history: [{ at: submittedAt, status: 'RECEIVED' }],
    ...overrides,
  };
}

export function proxyEvent(overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return {
    resource: '/api/orders',
    path: '/api/orders',
    httpMethod: 'POST',
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
    ...overrides,
  };
}

export const lambdaContext = { awsRequestId: 'test', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
