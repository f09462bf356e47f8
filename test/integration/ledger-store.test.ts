/** The ledger port against DynamoDB Local: a retried post is a no-op, a different body under the same id is refused. */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LedgerStore } from '../../functions/adapters/ledger-store';
import { allocationTransaction, reversalOf } from '../../functions/domain/ledger';
import { seedRuleSet } from '../../functions/domain/rules';
import { ledgerTableDesign } from '../../infra/table-design';
import { contractOrder } from '../unit/domain/fixtures';
import { stack } from './support';

let ledger: LedgerStore;
let LedgerConflictError: typeof import('../../functions/adapters/ledger-store').LedgerConflictError;

beforeAll(async () => {
  // The SDK clients are created at import and read their endpoint from the environment, as in a Lambda.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: stack().dynamodb,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  // A table of its own: these postings have no orders behind them, and the finance round trip reconciles the
  // stack's real ledger, where they would rightly show as orphans.
  const table = `ledger-store-test-${Date.now()}`;
  const client = new DynamoDBClient({
    endpoint: stack().dynamodb,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await client.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: ledgerTableDesign.partitionKey, AttributeType: 'S' },
        { AttributeName: ledgerTableDesign.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: ledgerTableDesign.partitionKey, KeyType: 'HASH' },
        { AttributeName: ledgerTableDesign.sortKey, KeyType: 'RANGE' },
      ],
    }),
  );
  client.destroy();
  const store = await import('../../functions/adapters/ledger-store');
  ledger = store.createLedgerStore(table);
  LedgerConflictError = store.LedgerConflictError;
});

const orderId = `LEDGER-TEST-${Date.now()}`;
const allocations = [
  { allocationId: 'A1', factoryId: 'sanhuan', lineIndex: 0, quantityKg: 200, transferUnitPriceUsdPerKg: '35.98' },
  { allocationId: 'A2', factoryId: 'baotou-steppe', lineIndex: 0, quantityKg: 300, transferUnitPriceUsdPerKg: '35.98' },
];

describe('ledger store', () => {
  it('posts once, answers a retry with already-posted, and reads the transaction back unchanged', async () => {
    const tx = allocationTransaction(orderId, contractOrder(), allocations, seedRuleSet, '2027-01-10T08:00:00.000Z');
    expect(await ledger.postTransaction(tx)).toBe('posted');
    const retry = { ...tx, postedAt: '2027-01-10T08:00:05.000Z' };
    expect(await ledger.postTransaction(retry)).toBe('already-posted');
    expect(await ledger.transactionsForOrder(orderId)).toEqual([tx]);

    const reversal = reversalOf(tx, '2027-01-11T00:00:00.000Z', 'order cancelled');
    expect(await ledger.postTransaction(reversal)).toBe('posted');
    expect((await ledger.transactionsForOrder(orderId)).map((t) => t.kind)).toEqual(['ALLOCATION', 'REVERSAL']);
  });

  it('refuses the same transaction id with different entries, and leaves the first posting as it was', async () => {
    const tx = allocationTransaction(
      `${orderId}-B`,
      contractOrder(),
      allocations,
      seedRuleSet,
      '2027-01-10T08:00:00.000Z',
    );
    await ledger.postTransaction(tx);
    // Margin cut to a cent and the receivable lowered to match: balanced, so only the append-only guard can stop it.
    const forged = {
      ...tx,
      entries: tx.entries.map((e) =>
        e.account === 'channel-margin'
          ? { ...e, amountUsd: '0.01' }
          : e.account === 'buyer-receivable'
            ? { ...e, amountUsd: '17990.01' }
            : e,
      ),
    };
    await expect(ledger.postTransaction(forged)).rejects.toBeInstanceOf(LedgerConflictError);
    expect(await ledger.transactionsForOrder(`${orderId}-B`)).toEqual([tx]);
  });
});
