/** DynamoDB port of the append-only ledger: one transaction = one TransactWriteItems of conditional puts, never an update. */
import { createHash } from 'node:crypto';
import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  assertBalanced,
  type LedgerEntry,
  type LedgerTransaction,
  MAX_ENTRIES_PER_TRANSACTION,
  reversalOf,
  transactionTotals,
  unreversed,
} from '../domain/ledger';
import { formatUsd } from '../domain/money';
import { dynamoDb } from './aws-clients';

/**
 * Keys: every transaction lives in its order's partition, so "what did this order post?" is one Query.
 * Header `pk=ORDER#<orderId>, sk=TX#<transactionId>`; entries `sk=TX#<transactionId>#E#<nnn>`.
 */
export const ledgerKeys = {
  partition: (orderId: string) => `ORDER#${orderId}`,
  header: (transactionId: string) => `TX#${transactionId}`,
  entry: (transactionId: string, entryIndex: number) => `TX#${transactionId}#E#${String(entryIndex).padStart(3, '0')}`,
};

/** The same id posted with different content is a programming error, never a retry. */
export class LedgerConflictError extends Error {
  override name = 'LedgerConflictError';
}

export type PostOutcome = 'posted' | 'already-posted';

/** A stable fingerprint of a transaction's content, postedAt excluded (a retry posts at another instant). */
export function contentHash(tx: LedgerTransaction): string {
  const { postedAt: _postedAt, ...content } = tx;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** JSON with keys sorted at every level: items read back from DynamoDB come with their attributes in any order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The items a transaction is stored as: its header first, then one item per entry. */
export function transactionItems(tx: LedgerTransaction): Record<string, unknown>[] {
  const pk = ledgerKeys.partition(tx.orderId);
  const { debit, credit } = transactionTotals(tx);
  const header = {
    pk,
    sk: ledgerKeys.header(tx.transactionId),
    type: 'transaction',
    transactionId: tx.transactionId,
    kind: tx.kind,
    orderId: tx.orderId,
    postedAt: tx.postedAt,
    entryCount: tx.entries.length,
    debitUsd: formatUsd(debit),
    creditUsd: formatUsd(credit),
    contentHash: contentHash(tx),
    ...(tx.priceListVersion ? { priceListVersion: tx.priceListVersion } : {}),
    ...(tx.reversesTransactionId ? { reversesTransactionId: tx.reversesTransactionId } : {}),
    ...(tx.reason ? { reason: tx.reason } : {}),
  };
  const entries = tx.entries.map((entry) => ({
    pk,
    sk: ledgerKeys.entry(tx.transactionId, entry.entryIndex),
    type: 'entry',
    transactionId: tx.transactionId,
    postedAt: tx.postedAt,
    ...entry,
  }));
  return [header, ...entries];
}

export function createLedgerStore(tableName: string) {
  /**
   * Appends a balanced transaction exactly once. Every put is conditioned on its key being new, so a retried task
   * (or two racing ones) cannot post twice; the loser finds the header and reports 'already-posted'.
   */
  async function postTransaction(tx: LedgerTransaction): Promise<PostOutcome> {
    assertBalanced(tx);
    if (tx.entries.length > MAX_ENTRIES_PER_TRANSACTION) {
      throw new Error(`${tx.transactionId}: more entries than one transaction can hold`);
    }
    const hash = contentHash(tx);
    const [header, ...entries] = transactionItems(tx);
    try {
      await dynamoDb.send(
        new TransactWriteCommand({
          TransactItems: [header, ...entries].map((Item) => ({
            Put: { TableName: tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' },
          })),
          // DynamoDB's own 10-minute idempotency for the same request; the conditions cover everything after.
          ClientRequestToken: hash.slice(0, 36),
        }),
      );
      return 'posted';
    } catch (error) {
      const name = (error as Error).name;
      if (name !== 'TransactionCanceledException' && name !== 'IdempotentParameterMismatchException') throw error;
      const existing = (await transactionsForOrder(tx.orderId)).find((t) => t.transactionId === tx.transactionId);
      if (!existing) throw error;
      if (contentHash(existing) !== hash) {
        throw new LedgerConflictError(`${tx.transactionId} was already posted with different entries`);
      }
      return 'already-posted';
    }
  }

  /** Every transaction posted for the order, oldest first, rebuilt from its header and entries. */
  async function transactionsForOrder(orderId: string): Promise<LedgerTransaction[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await dynamoDb.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :tx)',
          ExpressionAttributeValues: { ':pk': ledgerKeys.partition(orderId), ':tx': 'TX#' },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    const transactions = new Map<string, LedgerTransaction>();
    for (const item of items) {
      if (item.type !== 'transaction') continue;
      const { transactionId, kind, postedAt, priceListVersion, reversesTransactionId, reason } = item as Record<
        string,
        string
      >;
      transactions.set(transactionId as string, {
        transactionId: transactionId as string,
        kind: kind as LedgerTransaction['kind'],
        orderId,
        postedAt: postedAt as string,
        ...(priceListVersion ? { priceListVersion } : {}),
        ...(reversesTransactionId ? { reversesTransactionId } : {}),
        ...(reason ? { reason } : {}),
        entries: [],
      });
    }
    for (const item of items) {
      if (item.type !== 'entry') continue;
      const { pk: _pk, sk: _sk, type: _type, transactionId, postedAt: _at, ...entry } = item;
      transactions.get(transactionId as string)?.entries.push(entry as unknown as LedgerEntry);
    }
    for (const tx of transactions.values()) tx.entries.sort((a, b) => a.entryIndex - b.entryIndex);
    return [...transactions.values()].sort(
      (a, b) => a.postedAt.localeCompare(b.postedAt) || a.transactionId.localeCompare(b.transactionId),
    );
  }

  /** Undoes everything still standing for an order (compensation, or an order given up): twice changes nothing. */
  async function reverseAll(orderId: string, at: string, reason: string): Promise<number> {
    let reversed = 0;
    for (const posted of unreversed(await transactionsForOrder(orderId))) {
      if ((await postTransaction(reversalOf(posted, at, reason))) === 'posted') reversed += 1;
    }
    return reversed;
  }

  return { postTransaction, transactionsForOrder, reverseAll };
}

export type LedgerStore = ReturnType<typeof createLedgerStore>;
