/** Benchmarks on the local stack: orders/s against DynamoDB Local's raw write rate, API and route latency, and the cost of one order. */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { localClient } from '../infra/local/dynamodb-local';
import type { LocalStack } from '../infra/local/stack';
import { percentile, pool, round } from './stats';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const terminalOrWaiting = new Set(['REJECTED', 'HELD', 'ALLOCATED', 'UNFILLED', 'CONFIRMED', 'CANCELLED']);

export interface DynamoCounter {
  reset(): void;
  writes(): number;
  writeUnits(): number;
  readUnits(): number;
}

/**
 * Counts what the handlers send to DynamoDB, through the very client they use (same module instance),
 * asking DynamoDB for ConsumedCapacity on every call.
 */
export async function instrumentDynamoDb(): Promise<DynamoCounter> {
  const { dynamoDb } = await import('../functions/adapters/aws-clients');
  let writes = 0;
  let writeUnits = 0;
  let readUnits = 0;
  const writeCommands = new Set([
    'PutItemCommand',
    'UpdateItemCommand',
    'DeleteItemCommand',
    'TransactWriteItemsCommand',
    'BatchWriteItemCommand',
  ]);
  dynamoDb.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const output = result.output as { ConsumedCapacity?: unknown };
      const consumed = (
        [] as { WriteCapacityUnits?: number; ReadCapacityUnits?: number; CapacityUnits?: number }[]
      ).concat((output.ConsumedCapacity as never) ?? []);
      const isWrite = writeCommands.has(String(context.commandName));
      if (isWrite) {
        const items = (input.TransactItems as unknown[] | undefined)?.length ?? 1;
        writes += items;
      }
      for (const c of consumed) {
        writeUnits += c.WriteCapacityUnits ?? (isWrite ? (c.CapacityUnits ?? 0) : 0);
        readUnits += c.ReadCapacityUnits ?? (isWrite ? 0 : (c.CapacityUnits ?? 0));
      }
      return result;
    },
    { step: 'initialize', name: 'benchCapacityCounter' },
  );
  return {
    reset: () => {
      writes = 0;
      writeUnits = 0;
      readUnits = 0;
    },
    writes: () => writes,
    writeUnits: () => writeUnits,
    readUnits: () => readUnits,
  };
}

export type BenchOrderFactory = (i: number) => unknown;

async function post(api: string, body: unknown): Promise<string> {
  const response = await fetch(`${api}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 202) throw new Error(`POST /orders answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { orderId: string }).orderId;
}

function executionArn(stack: LocalStack, orderId: string) {
  return `${stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${orderId}`;
}

/** Waits for an order's execution to stop; its stopDate says when the route ended. */
async function routeEnd(sfn: SFNClient, stack: LocalStack, orderId: string, deadline: number): Promise<number> {
  while (Date.now() < deadline) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(stack, orderId) }));
    if (execution.status !== 'RUNNING') {
      if (execution.status !== 'SUCCEEDED') throw new Error(`route of ${orderId} ended ${execution.status}`);
      return execution.stopDate?.getTime() ?? Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`route of ${orderId} did not end in time`);
}

export function sfnClient(stack: LocalStack) {
  return new SFNClient({ endpoint: stack.urls.stepFunctions, region: 'us-east-1', credentials });
}

/** Orders/s from the first POST to the last route's end, at a given concurrency of buyers. */
export async function throughput(stack: LocalStack, order: BenchOrderFactory, orders: number, concurrency: number) {
  const sfn = sfnClient(stack);
  const api = stack.urls.api.replace('localhost', '127.0.0.1');
  const started = Date.now();
  const ends = await pool(
    Array.from({ length: orders }, (_, i) => i),
    concurrency,
    async (i) => routeEnd(sfn, stack, await post(api, order(i)), Date.now() + 120_000),
  );
  const seconds = (Math.max(...ends) - started) / 1000;
  return { orders, concurrency, seconds: round(seconds), ordersPerSecond: round(orders / seconds) };
}

/** DynamoDB Local's raw PutItem rate at the same concurrency, with items of an order's size. */
export async function rawWriteRate(stack: LocalStack, table: string, writes: number, concurrency: number) {
  const client = localClient(stack.urls.dynamodb);
  const padding = 'x'.repeat(1500);
  const started = Date.now();
  await pool(
    Array.from({ length: writes }, (_, i) => i),
    concurrency,
    async (i) =>
      client.send(
        new PutItemCommand({
          TableName: table,
          Item: { pk: { S: `BENCH#${started}#${i}` }, sk: { S: 'RAW' }, padding: { S: padding } },
        }),
      ),
  );
  const seconds = (Date.now() - started) / 1000;
  client.destroy();
  return { writes, concurrency, writesPerSecond: round(writes / seconds) };
}

/** POST /api/orders at a fixed arrival rate (open loop), latency to the 202. */
export async function apiLatency(stack: LocalStack, order: BenchOrderFactory, ratePerSecond: number, seconds: number) {
  const api = stack.urls.api.replace('localhost', '127.0.0.1');
  const count = ratePerSecond * seconds;
  const latencies: number[] = [];
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < count; i += 1) {
    const due = started + (i * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = performance.now();
    inFlight.push(
      post(api, order(i)).then(() => {
        latencies.push(performance.now() - sent);
      }),
    );
  }
  await Promise.all(inFlight);
  return {
    requests: count,
    ratePerSecond,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
  };
}

/** Submit → route end, per order, at a concurrency of buyers. */
export async function routeLatency(stack: LocalStack, order: BenchOrderFactory, orders: number, concurrency: number) {
  const sfn = sfnClient(stack);
  const api = stack.urls.api.replace('localhost', '127.0.0.1');
  const latencies = await pool(
    Array.from({ length: orders }, (_, i) => i),
    concurrency,
    async (i) => {
      const sent = Date.now();
      const end = await routeEnd(sfn, stack, await post(api, order(i)), Date.now() + 120_000);
      return end - sent;
    },
  );
  return { orders, concurrency, p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)) };
}

/** Billable state transitions: every state entered, Map iterations' states included. */
export function stateTransitions(events: HistoryEvent[]): number {
  return events.filter((e) => e.type?.endsWith('StateEntered')).length;
}

export async function orderCost(stack: LocalStack, counter: DynamoCounter, order: BenchOrderFactory, orders: number) {
  const sfn = sfnClient(stack);
  const api = stack.urls.api.replace('localhost', '127.0.0.1');
  const inboxBefore = await inboxSize(stack);
  counter.reset();
  const ids: string[] = [];
  for (let i = 0; i < orders; i += 1) {
    const id = await post(api, order(i));
    await routeEnd(sfn, stack, id, Date.now() + 60_000);
    ids.push(id);
  }
  let transitions = 0;
  for (const id of ids) {
    const history = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: executionArn(stack, id), maxResults: 1000 }),
    );
    transitions += stateTransitions(history.events ?? []);
  }
  const statuses = await Promise.all(
    ids.map(async (id) => ((await (await fetch(`${api}/orders/${id}`)).json()) as { status: string }).status),
  );
  if (!statuses.every((s) => terminalOrWaiting.has(s))) throw new Error(`unrouted orders: ${statuses.join(',')}`);
  return {
    orders,
    allocated: statuses.filter((s) => s === 'ALLOCATED').length,
    transitionsPerOrder: round(transitions / orders),
    writesPerOrder: round(counter.writes() / orders),
    writeUnitsPerOrder: round(counter.writeUnits() / orders),
    readUnitsPerOrder: round(counter.readUnits() / orders),
    emailsPerOrder: round(((await inboxSize(stack)) - inboxBefore) / orders),
  };
}

async function inboxSize(stack: LocalStack): Promise<number> {
  const { emails } = (await (await fetch(`${stack.urls.ses}/store`)).json()) as { emails: unknown[] };
  return emails.length;
}
