/** GET /api/orders/{orderId}: the order as the buyer may see it (never the factories' transfer prices). */
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { requiredEnv } from '../adapters/config';
import { HttpProblem, jsonResponse, problemJsonErrors } from '../adapters/http';
import { type AllocationRecord, createOrderStore, type OrderRecord } from '../adapters/order-store';

const orders = createOrderStore(requiredEnv('ORDERS_TABLE'));

const ORDER_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function buyerView(order: OrderRecord, allocations: AllocationRecord[]) {
  return {
    orderId: order.orderId,
    status: order.status,
    submittedAt: order.submittedAt,
    updatedAt: order.updatedAt,
    order: order.order,
    rules: order.rules ?? null,
    checks: order.checks ?? [],
    allocations: allocations
      // Declined shares have moved to other factories; the buyer sees where the kilograms are now.
      .filter((a) => a.status !== 'RELEASED' && a.status !== 'DECLINED')
      .map((a) => ({
        allocationId: a.allocationId,
        lineIndex: a.lineIndex,
        factoryId: a.factoryId,
        factoryName: a.factoryName,
        quantityKg: a.quantityKg,
        status: a.status,
      })),
    history: order.history,
  };
}

function notFound(orderId: string) {
  return new HttpProblem(404, 'not-found', 'Order not found', `No order has the id ${orderId.slice(0, 64)}.`);
}

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(problemJsonErrors())
  .handler(async (event) => {
    const orderId = event.pathParameters?.orderId ?? '';
    if (!ORDER_ID.test(orderId)) throw notFound(orderId);
    const order = await orders.getOrder(orderId);
    if (!order) throw notFound(orderId);
    return jsonResponse(200, buyerView(order, await orders.listAllocations(orderId)));
  });
