/** Workflow task handlers with the AWS SDK mocked: what they read, write and publish, and how a retry behaves. */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedRuleSet } from '../../functions/domain/rules';
import { storedOrderItem } from './fixtures';

process.env.ORDERS_TABLE = 'orders';
process.env.LEDGER_TABLE = 'ledger';
process.env.EVENT_BUS_NAME = 'export-channel';
process.env.AWS_REGION = 'us-east-1';

const dynamo = mockClient(DynamoDBDocumentClient);
const events = mockClient(EventBridgeClient);

type Task = (input: unknown) => Promise<Record<string, unknown>>;
let checkOrder: Task;
let allocateOrder: Task;
let releaseReservations: Task;

beforeAll(async () => {
  checkOrder = (await import('../../functions/check-order/handler')).handler as unknown as Task;
  allocateOrder = (await import('../../functions/allocate-order/handler')).handler as unknown as Task;
  releaseReservations = (await import('../../functions/release-reservations/handler')).handler as unknown as Task;
});

const orderId = '01JABCDEFGHJKMNPQRSTVWXYZ0';

const orderItem = (status: string) => storedOrderItem(orderId, status);

/** The rules store reads each kind with a Query on RULES#<kind>. */
function serveRules() {
  for (const [kind, document] of Object.entries(seedRuleSet)) {
    dynamo
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': `RULES#${kind}` } })
      .resolves({ Items: [{ document }] });
  }
}

beforeEach(() => {
  dynamo.reset();
  events.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
  serveRules();
});

describe('checkOrder', () => {
  it('publishes OrderReceived, moves RECEIVED → CHECKING, stores the checks with the rule versions', async () => {
    dynamo.on(GetCommand).resolves({ Item: orderItem('RECEIVED') });
    dynamo.on(UpdateCommand).resolves({});
    const result = await checkOrder({ orderId });
    expect(result).toEqual({ orderId, decision: 'PASS' });
    expect(events).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [expect.objectContaining({ DetailType: 'OrderReceived', Source: 'export-channel' })],
    });
    const updates = dynamo.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(updates[0]?.ExpressionAttributeValues?.[':to']).toBe('CHECKING');
    expect(updates[1]?.ExpressionAttributeValues).toMatchObject({
      ':c1': {
        catalogue: 'catalogue-2026.2',
        priceList: expect.any(String),
        trademarks: expect.any(String),
        compliance: expect.any(String),
      },
      ':c2': 'PASS',
    });
  });

  it('on a retry (already CHECKING) checks again without publishing OrderReceived twice', async () => {
    dynamo.on(GetCommand).resolves({ Item: orderItem('CHECKING') });
    dynamo.on(UpdateCommand).resolves({});
    await checkOrder({ orderId });
    expect(events).not.toHaveReceivedCommand(PutEventsCommand);
  });

  it('refuses to re-check an order whose route already ended', async () => {
    dynamo.on(GetCommand).resolves({ Item: orderItem('ALLOCATED') });
    await expect(checkOrder({ orderId })).rejects.toThrow(/ALLOCATED/);
  });
});

describe('allocateOrder', () => {
  it('reports the reservations a previous attempt made instead of reserving twice', async () => {
    dynamo.on(GetCommand).resolves({ Item: orderItem('CHECKING') });
    dynamo.on(QueryCommand, { ExpressionAttributeValues: { ':pk': `ORDER#${orderId}`, ':alloc': 'ALLOC#' } }).resolves({
      Items: [{ allocationId: 'A1', lineIndex: 0, status: 'RESERVED', quantityKg: 500 }],
    });
    const result = await allocateOrder({ orderId });
    expect(result).toEqual({ orderId, outcome: 'ALLOCATED', allocationIds: ['A1'] });
    expect(dynamo).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('reserves the whole plan in one transaction guarded by capacity conditions', async () => {
    dynamo.on(GetCommand).resolves({ Item: orderItem('CHECKING') });
    dynamo
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': `ORDER#${orderId}`, ':alloc': 'ALLOC#' } })
      .resolves({ Items: [] });
    dynamo.on(BatchGetCommand).resolves({ Responses: { orders: [] } });
    dynamo.on(TransactWriteCommand).resolves({});
    const result = await allocateOrder({ orderId });
    expect(result.outcome).toBe('ALLOCATED');
    const transaction = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input;
    expect(transaction?.ClientRequestToken).toMatch(/^[0-9a-f]{36}$/);
    const capacityUpdates = (transaction?.TransactItems ?? []).filter((item) =>
      item.Update?.Key?.pk?.toString().startsWith('CAP#'),
    );
    expect(capacityUpdates.length).toBeGreaterThan(0);
    for (const update of capacityUpdates) {
      expect(update.Update?.ConditionExpression).toBe('attribute_not_exists(reservedKg) OR reservedKg <= :limit');
    }
    // The order itself is guarded in the same transaction: still CHECKING, and not reserved by a twin task.
    const orderGuard = transaction?.TransactItems?.find((item) => item.Update?.Key?.pk === `ORDER#${orderId}`);
    expect(orderGuard?.Update?.ConditionExpression).toContain('#status = :checking');
    expect(orderGuard?.Update?.ExpressionAttributeValues?.[':checking']).toBe('CHECKING');
  });

  it('re-plans on fresh capacity when a concurrent order took what the plan counted on', async () => {
    dynamo.on(GetCommand).resolves({ Item: orderItem('CHECKING') });
    dynamo
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': `ORDER#${orderId}`, ':alloc': 'ALLOC#' } })
      .resolves({ Items: [] });
    dynamo.on(BatchGetCommand).resolves({ Responses: { orders: [] } });
    const cancelled = Object.assign(new Error('cancelled'), {
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
    });
    dynamo.on(TransactWriteCommand).rejectsOnce(cancelled).resolves({});
    const result = await allocateOrder({ orderId });
    expect(result.outcome).toBe('ALLOCATED');
    expect(dynamo).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
    expect(dynamo).toHaveReceivedCommandTimes(BatchGetCommand, 2);
  });
});

describe('releaseReservations', () => {
  it('keeps the reservations of an order already ALLOCATED and only records the error', async () => {
    dynamo.on(GetCommand).resolves({ Item: orderItem('ALLOCATED') });
    dynamo.on(UpdateCommand).resolves({});
    const result = await releaseReservations({ orderId, error: { Error: 'EventPublishError', Cause: 'x' } });
    expect(result).toEqual({ orderId, released: 0 });
    expect(dynamo).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      ExpressionAttributeValues: expect.objectContaining({
        ':c0': expect.objectContaining({ error: 'EventPublishError' }),
      }),
    });
  });

  it('releases every live allocation of an order that did not reach ALLOCATED, each once', async () => {
    dynamo.on(QueryCommand, { TableName: 'ledger' }).resolves({ Items: [] });
    dynamo.on(GetCommand).resolves({ Item: orderItem('CHECKING') });
    dynamo.on(QueryCommand, { ExpressionAttributeValues: { ':pk': `ORDER#${orderId}`, ':alloc': 'ALLOC#' } }).resolves({
      Items: [
        {
          allocationId: 'A1',
          lineIndex: 0,
          status: 'RESERVED',
          quantityKg: 300,
          factoryId: 'f1',
          family: 'SH',
          month: '2027-03',
        },
        {
          allocationId: 'A2',
          lineIndex: 0,
          status: 'RELEASED',
          quantityKg: 200,
          factoryId: 'f2',
          family: 'SH',
          month: '2027-03',
        },
      ],
    });
    dynamo.on(TransactWriteCommand).resolves({});
    dynamo.on(UpdateCommand).resolves({});
    const result = await releaseReservations({ orderId });
    expect(result).toEqual({ orderId, released: 1 });
    expect(dynamo).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
  });
});
