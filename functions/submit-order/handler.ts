/** POST /api/orders: validate the body, accept the order once per Idempotency-Key, answer 202. */
import middy from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { requiredEnv, systemClock } from '../adapters/config';
import {
  HttpProblem,
  type JsonEvent,
  jsonBody,
  jsonResponse,
  problemJsonErrors,
  requestHeader,
} from '../adapters/http';
import { createOrderStore } from '../adapters/order-store';
import { type Order, orderSchema } from '../domain/order';
import { acceptOrder } from './accept-order';

const deps = {
  orders: createOrderStore(requiredEnv('ORDERS_TABLE')),
  idempotencyTable: requiredEnv('IDEMPOTENCY_TABLE'),
  stateMachineArn: requiredEnv('STATE_MACHINE_ARN'),
  now: systemClock,
};

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,128}$/;

export const handler = middy<JsonEvent<Order>, APIGatewayProxyResult>()
  .use(problemJsonErrors())
  .use(jsonBody(orderSchema))
  .handler(async (event) => {
    const key = requestHeader(event, 'idempotency-key');
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      throw new HttpProblem(
        400,
        'invalid-idempotency-key',
        'Invalid Idempotency-Key',
        'Idempotency-Key must be 8 to 128 characters of A-Z, a-z, 0-9, _ and -.',
      );
    }
    const { orderId } = await acceptOrder(deps, event.parsedBody, key);
    const self = `/api/orders/${orderId}`;
    return jsonResponse(202, { orderId, status: 'RECEIVED', links: { self } }, { Location: self });
  });
