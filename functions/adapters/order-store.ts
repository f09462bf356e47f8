/** DynamoDB repository for orders, their allocations and the factories' monthly capacity (one table, pk/sk). */
import { createHash, randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import type { PlannedAllocation } from '../domain/allocation';
import type { CheckResult } from '../domain/checks';
import type { Order } from '../domain/order';
import { type OrderStatus, statusesBefore } from '../domain/order-status';
import { dynamoDb } from './aws-clients';

export interface HistoryEntry {
  at: string;
  status: OrderStatus;
  note?: string;
}

export interface RuleVersionsStamp {
  catalogue: string;
  priceList: string;
  trademarks: string;
  compliance: string;
}

export interface OrderRecord {
  orderId: string;
  status: OrderStatus;
  submittedAt: string;
  updatedAt: string;
  order: Order;
  idempotencyKey?: string;
  rules?: RuleVersionsStamp;
  checks?: CheckResult[];
  routingError?: { error: string; cause: string; at: string };
  /** The task token of the workflow's AwaitReview step while a HELD order waits for the secretariat. */
  reviewTaskToken?: string;
  /** The secretariat's decision on a HELD order; set once, never changed (the audit items keep the who/when/why). */
  review?: ReviewRecord;
  history: HistoryEntry[];
}

export type ReviewDecision = 'approve' | 'reject';

export interface ReviewRecord {
  reviewId: string;
  decision: ReviewDecision;
  reason: string;
  reviewer: string;
  /** For an approval, the export licence the reviewer saw; it is what lifts a LICENCE_REQUIRED hold. */
  licenceNumber?: string;
  at: string;
}

export type AllocationStatus = 'RESERVED' | 'NOTIFIED' | 'ACCEPTED' | 'DECLINED' | 'RELEASED';

export interface AllocationRecord {
  allocationId: string;
  orderId: string;
  lineIndex: number;
  factoryId: string;
  factoryName: string;
  family: string;
  month: string;
  quantityKg: number;
  /** The factory-month's capacity when reserved, so the cell's guard needs no other read. */
  capacityKg: number;
  transferUnitPriceUsdPerKg: string;
  reason: string;
  status: AllocationStatus;
  reservedAt: string;
  notifiedAt?: string;
  messageId?: string;
  releasedAt?: string;
  /** When silence starts to count as a decline; the e-mail's links expire at the same moment. */
  respondBy?: string;
  answeredAt?: string;
  declineReason?: 'declined' | 'timeout';
  /** Set on a declined allocation once its quantity is reserved elsewhere: the ids that took it over. */
  replacedBy?: string[];
  /** On a replacement: the declined allocation whose quantity it took over. */
  replaces?: string;
}

/** An allocation that waits for something by a due time: a factory's answer, or the reallocation of a decline. */
export interface DueMarker {
  kind: 'answer' | 'reallocate';
  dueAt: string;
  orderId: string;
  allocationId: string;
}

export interface CapacityCellKey {
  factoryId: string;
  family: string;
  month: string;
}

const orderKey = (orderId: string) => ({ pk: `ORDER#${orderId}`, sk: 'ORDER' });
const allocationKey = (orderId: string, allocationId: string) => ({
  pk: `ORDER#${orderId}`,
  sk: `ALLOC#${allocationId}`,
});
/** One partition lists what is due, sorted by time, so the sweep reads only what is due (channel volume is small). */
const dueKey = (marker: DueMarker) => ({
  pk: 'DUE',
  sk: `${marker.dueAt}#${marker.kind}#${marker.orderId}#${marker.allocationId}`,
});
/** Written once when a signed link is used: the second use of any link for the allocation fails its condition. */
const linkUseKey = (allocationId: string) => ({ pk: `LINK#${allocationId}`, sk: 'USED' });
const capacityKey = (cell: CapacityCellKey) => ({
  pk: `CAP#${cell.factoryId}#${cell.family}#${cell.month}`,
  sk: 'CAP',
});

/** A planned allocation as the store keeps it, under a fresh id; used for first plans and for replacements alike. */
export function newAllocation(orderId: string, planned: PlannedAllocation) {
  return {
    allocationId: ulid(),
    orderId,
    lineIndex: planned.lineIndex,
    factoryId: planned.factoryId,
    factoryName: planned.factoryName,
    family: planned.family,
    month: planned.month,
    quantityKg: planned.quantityKg,
    capacityKg: planned.capacityKg,
    transferUnitPriceUsdPerKg: planned.transferUnitPriceUsdPerKg,
    reason: planned.reason,
  };
}

/** A transaction may hold at most 100 actions; one is kept for the order's own guard. */
export const MAX_ALLOCATIONS_PER_TRANSACTION = 99;

export class OrderStoreConflict extends Error {
  override name = 'OrderStoreConflict';
}

export function createOrderStore(tableName: string) {
  async function createOrder(record: OrderRecord): Promise<'created' | 'exists'> {
    try {
      await dynamoDb.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...orderKey(record.orderId), type: 'order', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'created';
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return 'exists';
      throw error;
    }
  }

  async function getOrder(orderId: string): Promise<OrderRecord | undefined> {
    const result = await dynamoDb.send(
      new GetCommand({ TableName: tableName, Key: orderKey(orderId), ConsistentRead: true }),
    );
    return result.Item ? stripKeys<OrderRecord>(result.Item) : undefined;
  }

  async function listAllocations(orderId: string): Promise<AllocationRecord[]> {
    const items: AllocationRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await dynamoDb.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :alloc)',
          ExpressionAttributeValues: { ':pk': `ORDER#${orderId}`, ':alloc': 'ALLOC#' },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) items.push(stripKeys<AllocationRecord>(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return items.sort((a, b) => a.lineIndex - b.lineIndex || a.allocationId.localeCompare(b.allocationId));
  }

  /**
   * Moves an order to `to` if the lifecycle allows it from its current status, appending history.
   * Returns false when the order is already at `to` (a retried task), and throws on any other conflict.
   */
  async function moveOrder(
    orderId: string,
    to: OrderStatus,
    at: string,
    changes: Record<string, unknown> = {},
    note?: string,
  ): Promise<boolean> {
    const from = statusesBefore(to);
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {
      ':to': to,
      ':at': at,
      ':entry': [{ at, status: to, ...(note ? { note } : {}) }],
    };
    const sets = ['#status = :to', 'updatedAt = :at', 'history = list_append(history, :entry)'];
    Object.entries(changes).forEach(([field, value], i) => {
      names[`#c${i}`] = field;
      values[`:c${i}`] = value;
      sets.push(`#c${i} = :c${i}`);
    });
    from.forEach((status, i) => {
      values[`:from${i}`] = status;
    });
    try {
      await dynamoDb.send(
        new UpdateCommand({
          TableName: tableName,
          Key: orderKey(orderId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      const current = await getOrder(orderId);
      if (current?.status === to) return false;
      throw new OrderStoreConflict(`order ${orderId} is ${current?.status ?? 'missing'}; cannot move to ${to}`);
    }
  }

  /** Sets fields on an order without changing its status (e.g. the recorded checks). */
  async function updateOrder(orderId: string, at: string, changes: Record<string, unknown>): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':at': at };
    const sets = ['updatedAt = :at'];
    Object.entries(changes).forEach(([field, value], i) => {
      names[`#c${i}`] = field;
      values[`:c${i}`] = value;
      sets.push(`#c${i} = :c${i}`);
    });
    await dynamoDb.send(
      new UpdateCommand({
        TableName: tableName,
        Key: orderKey(orderId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** Stores the AwaitReview task token on a HELD order; a retried task overwrites it with its own, newer token. */
  async function storeReviewToken(orderId: string, taskToken: string, at: string): Promise<void> {
    await dynamoDb.send(
      new UpdateCommand({
        TableName: tableName,
        Key: orderKey(orderId),
        UpdateExpression: 'SET reviewTaskToken = :token, updatedAt = :at',
        ConditionExpression: '#status = :held',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':token': taskToken, ':at': at, ':held': 'HELD' },
      }),
    );
  }

  /**
   * Records a reviewer's decision on a HELD order in one transaction: the decision on the order (at most once), an
   * append-only audit item (pk ORDER#id, sk REVIEW#<reviewId>), and for an approval the move HELD → CHECKING so the
   * resumed route allocates it like any passing order. A rejection leaves it HELD; the route's RecordRejected step
   * then moves it and publishes OrderRejected. Returns false when the order is no longer an unreviewed HELD order.
   */
  async function recordReview(orderId: string, review: ReviewRecord): Promise<boolean> {
    const approve = review.decision === 'approve';
    const note = `${approve ? 'approved' : 'rejected'} by ${review.reviewer}: ${review.reason}`;
    const sets = ['review = :review', 'updatedAt = :at'];
    const values: Record<string, unknown> = { ':review': review, ':at': review.at, ':held': 'HELD' };
    if (approve) {
      sets.push('#status = :checking', 'history = list_append(history, :entry)');
      values[':checking'] = 'CHECKING';
      values[':entry'] = [{ at: review.at, status: 'CHECKING', note }];
    }
    try {
      await dynamoDb.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName,
                Key: orderKey(orderId),
                UpdateExpression: `SET ${sets.join(', ')}`,
                ConditionExpression: '#status = :held AND attribute_not_exists(review)',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: values,
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: { pk: `ORDER#${orderId}`, sk: `REVIEW#${review.reviewId}`, type: 'review', orderId, ...review },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'TransactionCanceledException') return false;
      throw error;
    }
  }

  /** The review audit trail of an order, oldest first. */
  async function listReviews(orderId: string): Promise<(ReviewRecord & { orderId: string })[]> {
    const page = await dynamoDb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :review)',
        ExpressionAttributeValues: { ':pk': `ORDER#${orderId}`, ':review': 'REVIEW#' },
        ConsistentRead: true,
      }),
    );
    return (page.Items ?? []).map((item) => stripKeys<ReviewRecord & { orderId: string }>(item));
  }

  async function reservedKg(cells: CapacityCellKey[]): Promise<Map<string, number>> {
    const reserved = new Map<string, number>();
    const unique = [...new Map(cells.map((c) => [capacityKey(c).pk, c])).values()];
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = unique.slice(i, i + 100).map(capacityKey);
      // UnprocessedKeys come back under throttling; ask again until none are left.
      while (keys && keys.length > 0) {
        const result: BatchGetCommandOutput = await dynamoDb.send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of result.Responses?.[tableName] ?? []) {
          reserved.set(item.pk as string, Number(item.reservedKg ?? 0));
        }
        keys = result.UnprocessedKeys?.[tableName]?.Keys;
      }
    }
    return reserved;
  }

  /**
   * Reserves every planned allocation in one transaction: each capacity cell is guarded by
   * reserved + quantity ≤ capacity, so two orders can never overbook a factory-month.
   * The ClientRequestToken makes a retried call with the same plan a no-op.
   */
  async function reserve(
    orderId: string,
    allocations: Omit<AllocationRecord, 'status' | 'reservedAt'>[],
    at: string,
  ): Promise<'reserved' | 'capacity-conflict'> {
    // The order is stamped in the same transaction: a duplicate task running concurrently cannot reserve a second plan.
    return reserveGuarded(orderId, allocations, at, [
      {
        Update: {
          TableName: tableName,
          Key: orderKey(orderId),
          UpdateExpression: 'SET reservationsAt = :at',
          ConditionExpression: '#status = :checking AND attribute_not_exists(reservationsAt)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':checking': 'CHECKING', ':at': at },
        },
      },
    ]);
  }

  /**
   * After compensation the order may be redriven: forget the reservation stamp so a fresh plan can be reserved.
   * Never for an order that reached ALLOCATED, whose reservations stand.
   */
  async function forgetReservation(orderId: string): Promise<void> {
    await dynamoDb.send(
      new UpdateCommand({
        TableName: tableName,
        Key: orderKey(orderId),
        UpdateExpression: 'REMOVE reservationsAt',
        ConditionExpression: 'attribute_exists(pk) AND NOT (#status IN (:allocated, :confirmed))',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':allocated': 'ALLOCATED', ':confirmed': 'CONFIRMED' },
      }),
    );
  }

  const orderInStatus = (
    orderId: string,
    status: OrderStatus,
  ): NonNullable<TransactWriteCommandInput['TransactItems']>[number] => ({
    ConditionCheck: {
      TableName: tableName,
      Key: orderKey(orderId),
      ConditionExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status },
    },
  });

  /**
   * Reserves a declined allocation's quantity elsewhere, in one transaction with marking the declined one replaced:
   * a second reallocation of the same decline (a retry, or the sweep racing the link) fails instead of booking twice.
   */
  async function reserveReplacement(
    orderId: string,
    declinedAllocationId: string,
    allocations: Omit<AllocationRecord, 'status' | 'reservedAt'>[],
    at: string,
  ): Promise<'reserved' | 'capacity-conflict'> {
    return reserveGuarded(orderId, allocations, at, [
      orderInStatus(orderId, 'ALLOCATED'),
      {
        Update: {
          TableName: tableName,
          Key: allocationKey(orderId, declinedAllocationId),
          UpdateExpression: 'SET replacedBy = :ids',
          ConditionExpression: '#status = :declined AND attribute_not_exists(replacedBy)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':ids': allocations.map((a) => a.allocationId), ':declined': 'DECLINED' },
        },
      },
    ]);
  }

  async function reserveGuarded(
    orderId: string,
    allocations: Omit<AllocationRecord, 'status' | 'reservedAt'>[],
    at: string,
    guards: NonNullable<TransactWriteCommandInput['TransactItems']>,
  ): Promise<'reserved' | 'capacity-conflict'> {
    if (allocations.length > MAX_ALLOCATIONS_PER_TRANSACTION) {
      throw new Error(`an order may hold at most ${MAX_ALLOCATIONS_PER_TRANSACTION} allocations`);
    }
    const perCell = new Map<string, { cell: CapacityCellKey; capacityKg: number; quantityKg: number }>();
    for (const a of allocations) {
      const key = capacityKey(a).pk;
      const entry = perCell.get(key) ?? { cell: a, capacityKg: a.capacityKg, quantityKg: 0 };
      entry.quantityKg += a.quantityKg;
      perCell.set(key, entry);
    }
    const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [...guards];
    for (const { cell, capacityKg, quantityKg } of perCell.values()) {
      items.push({
        Update: {
          TableName: tableName,
          Key: capacityKey(cell),
          UpdateExpression:
            'SET reservedKg = if_not_exists(reservedKg, :zero) + :q, capacityKg = :cap, factoryId = :f, #family = :fam, #month = :m, #type = :type',
          ConditionExpression: 'attribute_not_exists(reservedKg) OR reservedKg <= :limit',
          ExpressionAttributeNames: { '#family': 'family', '#month': 'month', '#type': 'type' },
          ExpressionAttributeValues: {
            ':zero': 0,
            ':q': quantityKg,
            ':cap': capacityKg,
            ':limit': capacityKg - quantityKg,
            ':f': cell.factoryId,
            ':fam': cell.family,
            ':m': cell.month,
            ':type': 'capacity',
          },
        },
      });
    }
    for (const a of allocations) {
      items.push({
        Put: {
          TableName: tableName,
          Item: {
            ...allocationKey(orderId, a.allocationId),
            type: 'allocation',
            ...a,
            status: 'RESERVED',
            reservedAt: at,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    if (items.length > 100) throw new Error('reservation exceeds the 100-action transaction limit');
    if (allocations.length > MAX_ALLOCATIONS_PER_TRANSACTION - guards.length + 1) {
      throw new Error(
        `a reservation may hold at most ${MAX_ALLOCATIONS_PER_TRANSACTION - guards.length + 1} allocations`,
      );
    }
    const token = createHash('sha256')
      .update(JSON.stringify([orderId, allocations.map((a) => [a.allocationId, a.factoryId, a.quantityKg])]))
      .digest('hex')
      .slice(0, 36);
    try {
      await dynamoDb.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: token }));
      return 'reserved';
    } catch (error) {
      if (error instanceof TransactionCanceledException || (error as Error).name === 'TransactionCanceledException') {
        const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
        const guardFailed = reasons.slice(0, guards.length).find((r) => r.Code === 'ConditionalCheckFailed');
        if (guardFailed) {
          throw new OrderStoreConflict(
            `order ${orderId}: a reservation guard failed (status or replacement); nothing reserved`,
          );
        }
        // A concurrent transaction on the same cells: re-plan on fresh figures, exactly as for a full cell.
        if (reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')) {
          return 'capacity-conflict';
        }
      }
      throw error;
    }
  }

  /** Releases every allocation the order still holds, one transaction per allocation; running it twice changes nothing. */
  async function releaseAll(orderId: string, at: string): Promise<number> {
    let released = 0;
    for (const allocation of await listAllocations(orderId)) {
      if (allocation.status === 'RELEASED' || allocation.status === 'DECLINED') continue;
      try {
        await dynamoDb.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: allocationKey(orderId, allocation.allocationId),
                  UpdateExpression: 'SET #status = :released, releasedAt = :at',
                  ConditionExpression: '#status <> :released AND #status <> :declined',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':released': 'RELEASED', ':declined': 'DECLINED', ':at': at },
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: capacityKey(allocation),
                  UpdateExpression: 'SET reservedKg = reservedKg - :q',
                  ConditionExpression: 'reservedKg >= :q',
                  ExpressionAttributeValues: { ':q': allocation.quantityKg },
                },
              },
            ],
          }),
        );
        released += 1;
      } catch (error) {
        // Another run released it first: exactly the outcome we want.
        if ((error as Error).name !== 'TransactionCanceledException') throw error;
      }
    }
    return released;
  }

  /** Claims an allocation for its one notification; false means another attempt already claimed or sent it. */
  async function claimNotification(orderId: string, allocationId: string, at: string): Promise<boolean> {
    // The claim carries its own id: when the SDK retries a claim whose answer was lost, the retry finds its own
    // claim and still owns it, instead of mistaking itself for a rival and never sending the e-mail.
    const claimId = randomUUID();
    try {
      await dynamoDb.send(
        new UpdateCommand({
          TableName: tableName,
          Key: allocationKey(orderId, allocationId),
          UpdateExpression: 'SET notifyClaimedAt = :at, notifyClaimId = :claim',
          ConditionExpression:
            'attribute_exists(pk) AND #status = :reserved AND (attribute_not_exists(notifyClaimedAt) OR notifyClaimId = :claim)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':at': at, ':reserved': 'RESERVED', ':claim': claimId },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  /** Gives a claim back when sending failed, so a retry may send. */
  async function releaseNotificationClaim(orderId: string, allocationId: string): Promise<void> {
    await dynamoDb.send(
      new UpdateCommand({
        TableName: tableName,
        Key: allocationKey(orderId, allocationId),
        UpdateExpression: 'REMOVE notifyClaimedAt',
        ConditionExpression: '#status = :reserved',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':reserved': 'RESERVED' },
      }),
    );
  }

  /** Marks the allocation e-mailed and puts its answer deadline on the due list, in one transaction. */
  async function markNotified(
    orderId: string,
    allocationId: string,
    at: string,
    messageId: string | null,
    respondBy: string,
  ) {
    await dynamoDb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName,
              Key: allocationKey(orderId, allocationId),
              UpdateExpression: 'SET #status = :notified, notifiedAt = :at, messageId = :mid, respondBy = :by',
              ConditionExpression: '#status = :reserved',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':notified': 'NOTIFIED',
                ':reserved': 'RESERVED',
                ':at': at,
                ':mid': messageId,
                ':by': respondBy,
              },
            },
          },
          {
            Put: {
              TableName: tableName,
              Item: {
                ...dueKey({ kind: 'answer', dueAt: respondBy, orderId, allocationId }),
                type: 'due',
                kind: 'answer',
                dueAt: respondBy,
                orderId,
                allocationId,
              },
            },
          },
        ],
        // A retried send of this same transaction (answer lost on the way back) is a no-op, not a failed condition.
        ClientRequestToken: createHash('sha256')
          .update(`notified#${orderId}#${allocationId}`)
          .digest('hex')
          .slice(0, 36),
      }),
    );
  }

  /**
   * Records a factory's answer (or its silence past the deadline) in one transaction: the allocation must still be
   * NOTIFIED, the link (if one was used) must be unused, the answer deadline leaves the due list, and a decline
   * releases its capacity and puts its reallocation on the due list at once, so a crash cannot lose the quantity.
   */
  async function answerAllocation(
    allocation: AllocationRecord,
    answer: { status: 'ACCEPTED' } | { status: 'DECLINED'; reason: 'declined' | 'timeout' },
    at: string,
    usedLink: boolean,
  ): Promise<'recorded' | 'not-awaiting'> {
    const { orderId, allocationId } = allocation;
    const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [];
    if (usedLink) {
      items.push({
        Put: {
          TableName: tableName,
          Item: { ...linkUseKey(allocationId), type: 'link-use', orderId, allocationId, answer: answer.status, at },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    const declined = answer.status === 'DECLINED';
    items.push({
      Update: {
        TableName: tableName,
        Key: allocationKey(orderId, allocationId),
        UpdateExpression: `SET #status = :answer, answeredAt = :at${declined ? ', declineReason = :reason, releasedAt = :at' : ''}`,
        ConditionExpression: '#status = :notified',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':answer': answer.status,
          ':notified': 'NOTIFIED',
          ':at': at,
          ...(declined ? { ':reason': answer.reason } : {}),
        },
      },
    });
    if (allocation.respondBy) {
      items.push({
        Delete: {
          TableName: tableName,
          Key: dueKey({ kind: 'answer', dueAt: allocation.respondBy, orderId, allocationId }),
        },
      });
    }
    if (declined) {
      items.push(
        {
          Update: {
            TableName: tableName,
            Key: capacityKey(allocation),
            UpdateExpression: 'SET reservedKg = reservedKg - :q',
            ConditionExpression: 'reservedKg >= :q',
            ExpressionAttributeValues: { ':q': allocation.quantityKg },
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: {
              ...dueKey({ kind: 'reallocate', dueAt: at, orderId, allocationId }),
              type: 'due',
              kind: 'reallocate',
              dueAt: at,
              orderId,
              allocationId,
            },
          },
        },
      );
    }
    try {
      await dynamoDb.send(new TransactWriteCommand({ TransactItems: items }));
      return 'recorded';
    } catch (error) {
      if ((error as Error).name === 'TransactionCanceledException') return 'not-awaiting';
      throw error;
    }
  }

  async function linkUsed(allocationId: string): Promise<boolean> {
    const result = await dynamoDb.send(
      new GetCommand({ TableName: tableName, Key: linkUseKey(allocationId), ConsistentRead: true }),
    );
    return result.Item !== undefined;
  }

  /** Everything due at or before `at`, oldest first. */
  async function dueBy(at: string, limit = 100): Promise<DueMarker[]> {
    const result = await dynamoDb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk < :bound',
        // '$' sorts after '#' and before digits, so a marker due exactly at `at` is included.
        ExpressionAttributeValues: { ':pk': 'DUE', ':bound': `${at}$` },
        ConsistentRead: true,
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map((item) => ({
      kind: item.kind as DueMarker['kind'],
      dueAt: item.dueAt as string,
      orderId: item.orderId as string,
      allocationId: item.allocationId as string,
    }));
  }

  async function clearDue(marker: DueMarker): Promise<void> {
    await dynamoDb.send(new DeleteCommand({ TableName: tableName, Key: dueKey(marker) }));
  }

  /** Claims a one-off buyer e-mail of the given kind; false when it was already claimed (a retried task). */
  /**
   * Claims the buyer's e-mail of one kind, at most once per order. The claim carries its id (like a notification's),
   * so an SDK retry whose answer was lost still owns it; returns the claim id, or undefined when already claimed.
   */
  async function claimBuyerMail(
    orderId: string,
    kind: 'allocated' | 'confirmed' | 'unfilled',
    at: string,
  ): Promise<string | undefined> {
    const claimId = randomUUID();
    try {
      await dynamoDb.send(
        new UpdateCommand({
          TableName: tableName,
          Key: orderKey(orderId),
          UpdateExpression: 'SET #claim = :at, #claimId = :claim',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#claim) OR #claimId = :claim)',
          ExpressionAttributeNames: { '#claim': `buyerMail_${kind}`, '#claimId': `buyerMailClaim_${kind}` },
          ExpressionAttributeValues: { ':at': at, ':claim': claimId },
        }),
      );
      return claimId;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
  }

  /** Gives a buyer-mail claim back when SES refused the send, so a retry may send; only its owner can. */
  async function releaseBuyerMailClaim(orderId: string, kind: 'allocated' | 'confirmed' | 'unfilled', claimId: string) {
    await dynamoDb
      .send(
        new UpdateCommand({
          TableName: tableName,
          Key: orderKey(orderId),
          UpdateExpression: 'REMOVE #claim, #claimId',
          ConditionExpression: '#claimId = :claim',
          ExpressionAttributeNames: { '#claim': `buyerMail_${kind}`, '#claimId': `buyerMailClaim_${kind}` },
          ExpressionAttributeValues: { ':claim': claimId },
        }),
      )
      .catch((error: Error) => {
        if (error.name !== 'ConditionalCheckFailedException') throw error;
      });
  }

  return {
    createOrder,
    getOrder,
    listAllocations,
    moveOrder,
    updateOrder,
    storeReviewToken,
    recordReview,
    listReviews,
    reservedKg,
    reserve,
    reserveReplacement,
    releaseAll,
    forgetReservation,
    answerAllocation,
    linkUsed,
    dueBy,
    clearDue,
    claimBuyerMail,
    releaseBuyerMailClaim,
    claimNotification,
    releaseNotificationClaim,
    markNotified,
    capacityPk: (cell: CapacityCellKey) => capacityKey(cell).pk,
  };
}

export type OrderStore = ReturnType<typeof createOrderStore>;

function stripKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, type: _type, ...rest } = item;
  return rest as T;
}
