/** The submit use case: give the order an id (the same id for a repeated Idempotency-Key), store it, start its route. */
import { createHash } from 'node:crypto';
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { dynamoDb } from '../adapters/aws-clients';
import { HttpProblem } from '../adapters/http';
import type { OrderStore } from '../adapters/order-store';
import { stepFunctions } from '../adapters/step-functions';
import type { Order } from '../domain/order';

const KEY_TTL_SECONDS = 24 * 60 * 60;

export interface AcceptOrderDeps {
  orders: OrderStore;
  idempotencyTable: string;
  stateMachineArn: string;
  now: () => Date;
}

/** Key order does not change what a buyer meant, so the fingerprint ignores it. */
export function bodyFingerprint(value: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex');
}

/**
 * A conditional write, not an in-progress lock: the key is bound to an orderId before anything else happens,
 * so a crash at any later step is repaired by the buyer's retry, and parallel duplicates converge on one order.
 */
async function orderIdForKey(deps: AcceptOrderDeps, key: string, fingerprint: string, now: Date): Promise<string> {
  const candidate = ulid(now.getTime());
  try {
    await dynamoDb.send(
      new PutCommand({
        TableName: deps.idempotencyTable,
        Item: {
          id: `order#${key}`,
          orderId: candidate,
          fingerprint,
          createdAt: now.toISOString(),
          expiration: Math.floor(now.getTime() / 1000) + KEY_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(id)',
      }),
    );
    return candidate;
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
  const existing = await dynamoDb.send(
    new GetCommand({ TableName: deps.idempotencyTable, Key: { id: `order#${key}` }, ConsistentRead: true }),
  );
  if (!existing.Item) throw new Error(`idempotency record for key ${key} vanished`);
  if (existing.Item.fingerprint !== fingerprint) {
    throw new HttpProblem(
      422,
      'idempotency-key-reused',
      'Idempotency-Key reused',
      'This Idempotency-Key was already used with a different body. Use a new key for a new order.',
    );
  }
  return existing.Item.orderId as string;
}

export async function acceptOrder(deps: AcceptOrderDeps, order: Order, idempotencyKey: string | undefined) {
  const now = deps.now();
  const orderId = idempotencyKey
    ? await orderIdForKey(deps, idempotencyKey, bodyFingerprint(order), now)
    : ulid(now.getTime());
  const at = now.toISOString();
  await deps.orders.createOrder({
    orderId,
    status: 'RECEIVED',
    submittedAt: at,
    updatedAt: at,
    order,
    ...(idempotencyKey ? { idempotencyKey } : {}),
    history: [{ at, status: 'RECEIVED' }],
  });
  try {
    await stepFunctions.send(
      new StartExecutionCommand({
        stateMachineArn: deps.stateMachineArn,
        name: orderId,
        input: JSON.stringify({ orderId }),
      }),
    );
  } catch (error) {
    // The execution is named after the order, so "already exists" means this order's route is already under way.
    if (!(error instanceof ExecutionAlreadyExists) && (error as Error).name !== 'ExecutionAlreadyExists') throw error;
  }
  return { orderId };
}
