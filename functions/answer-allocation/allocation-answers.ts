/** Use cases after notification: a factory's answer, its silence past the deadline, reallocation and confirmation. */
import { setTimeout as delay } from 'node:timers/promises';
import { AllocationAccepted, AllocationDeclined, OrderConfirmed, OrderUnfilled } from '../../events';
import type { Clock } from '../adapters/config';
import { channelEvent, type PublishEvents } from '../adapters/event-publisher';
import type { LedgerStore } from '../adapters/ledger-store';
import { logger } from '../adapters/logger';
import { type SendMail, sendClaimedMail } from '../adapters/mailer';
import {
  type AllocationRecord,
  type DueMarker,
  newAllocation,
  type OrderRecord,
  type OrderStore,
  OrderStoreConflict,
} from '../adapters/order-store';
import type { RulesStore } from '../adapters/rules-store';
import { isoDate } from '../adapters/today';
import { allocationWithdrawnEmail, orderConfirmedEmail, orderUnfilledAfterDeclineEmail } from '../buyer-email';
import { type CapacityCellKey, eligibleFactories, familyOf, planReallocation } from '../domain/allocation';
import { reallocationTransaction } from '../domain/ledger';
import { factoryContact } from '../domain/members';
import type { NotifyAllocation } from '../notify-factory/notify-allocation';

export interface AnswerDeps {
  orders: OrderStore;
  ledger: LedgerStore;
  rules: RulesStore;
  sendMail: SendMail;
  publish: PublishEvents;
  notifyAllocation: NotifyAllocation;
  publicBaseUrl: string;
  clock: Clock;
}

export type Answer = { status: 'ACCEPTED' } | { status: 'DECLINED'; reason: 'declined' | 'timeout' };

type Shortfalls = { lineIndex: number; missingKg: number }[];

/** Live allocations hold capacity for the order; declined and released ones no longer do. */
const isLive = (a: AllocationRecord) => a.status !== 'RELEASED' && a.status !== 'DECLINED';

/** Concurrent reservations may take the capacity a plan counted on; re-plan on fresh figures this many times. */
const MAX_PLANS = 8;

export function orderStatusUrl(publicBaseUrl: string, orderId: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/api/orders/${encodeURIComponent(orderId)}`;
}

export function createAllocationAnswers(deps: AnswerDeps) {
  const { orders, ledger, rules, sendMail, publish, notifyAllocation, publicBaseUrl, clock } = deps;

  /** Records the answer once; a decline is reallocated at once, and the due list retries it if this run dies. */
  async function recordAnswer(
    allocation: AllocationRecord,
    answer: Answer,
    usedLink: boolean,
  ): Promise<'recorded' | 'not-awaiting'> {
    const at = clock().toISOString();
    const outcome = await orders.answerAllocation(allocation, answer, at, usedLink);
    if (outcome !== 'recorded') return outcome;
    const { orderId, allocationId, factoryId, lineIndex, quantityKg } = allocation;
    const ref = { orderId, occurredAt: at, allocationId, factoryId, lineIndex, quantityKg };
    if (answer.status === 'ACCEPTED') {
      await publish(channelEvent(AllocationAccepted, ref));
      await confirmIfComplete(orderId);
    } else {
      await publish(channelEvent(AllocationDeclined, { ...ref, reason: answer.reason }));
      await reallocate({ kind: 'reallocate', dueAt: at, orderId, allocationId });
    }
    return 'recorded';
  }

  /** CONFIRMED once every live allocation is accepted and no declined quantity still waits for a new home. */
  async function confirmIfComplete(orderId: string): Promise<boolean> {
    const [record, allocations] = await Promise.all([orders.getOrder(orderId), orders.listAllocations(orderId)]);
    if (!record || (record.status !== 'ALLOCATED' && record.status !== 'CONFIRMED')) return false;
    const live = allocations.filter(isLive);
    const pending = allocations.some((a) => a.status === 'DECLINED' && !a.replacedBy);
    if (live.length === 0 || pending || !live.every((a) => a.status === 'ACCEPTED')) return false;
    const now = clock().toISOString();
    if (await orders.moveOrder(orderId, 'CONFIRMED', now)) {
      await publish(channelEvent(OrderConfirmed, { orderId, occurredAt: now }));
    }
    const claim = await orders.claimBuyerMail(orderId, 'confirmed', now);
    if (claim) {
      await sendClaimedMail(
        sendMail,
        { to: record.order.buyer.email, ...orderConfirmedEmail(record, live, orderStatusUrl(publicBaseUrl, orderId)) },
        () => orders.releaseBuyerMailClaim(orderId, 'confirmed', claim),
      );
    }
    return true;
  }

  /**
   * Places a declined allocation's quantity by the same policy, without every factory that declined that line, and
   * e-mails the new factories. Safe to repeat: the declined allocation records its replacements in the same
   * transaction that reserves them, and each e-mail is claimed once. Clears the due marker only when done.
   */
  async function reallocate(marker: DueMarker): Promise<'reallocated' | 'unfilled' | 'nothing-to-do'> {
    const record = await orders.getOrder(marker.orderId);
    if (!record) {
      await orders.clearDue(marker);
      return 'nothing-to-do';
    }
    if (record.status !== 'ALLOCATED') {
      // Given up earlier (or cancelled): finish that instead. Releasing twice changes nothing.
      if (record.status === 'UNFILLED') await finishUnfilled(record);
      await orders.clearDue(marker);
      return 'nothing-to-do';
    }
    let allocations = await orders.listAllocations(marker.orderId);
    const declined = allocations.find((a) => a.allocationId === marker.allocationId);
    if (declined?.status !== 'DECLINED') {
      await orders.clearDue(marker);
      return 'nothing-to-do';
    }
    if (!declined.replacedBy) {
      if ((await reservePlacement(record, declined, allocations)) === 'unfilled') {
        await orders.clearDue(marker);
        return 'unfilled';
      }
      allocations = await orders.listAllocations(marker.orderId);
    }
    const replacements = allocations.filter((a) => a.replaces === declined.allocationId);
    // The payable moves with the kilograms; posted on every pass (idempotent by id), so a crash here is retried.
    await ledger.postTransaction(
      reallocationTransaction(
        marker.orderId,
        declined,
        replacements,
        clock().toISOString(),
        `allocation ${declined.allocationId} declined`,
      ),
    );
    for (const replacement of replacements) {
      if (replacement.status === 'RESERVED') await notifyAllocation(replacement.orderId, replacement.allocationId);
    }
    await orders.clearDue(marker);
    return 'reallocated';
  }

  async function reservePlacement(
    record: OrderRecord,
    declined: AllocationRecord,
    allocations: AllocationRecord[],
  ): Promise<'reserved' | 'unfilled'> {
    const ruleSet = await rules.ruleSetOn(isoDate(record.submittedAt));
    const line = record.order.lines[declined.lineIndex];
    const family = line && familyOf(line.grade, ruleSet);
    if (!family) throw new Error(`order ${record.orderId} line ${declined.lineIndex} has no known grade`);
    const onLine = allocations.filter((a) => a.lineIndex === declined.lineIndex);
    const excludedFactoryIds = new Set(onLine.filter((a) => a.status === 'DECLINED').map((a) => a.factoryId));
    const onLineFactoryIds = new Set(onLine.filter(isLive).map((a) => a.factoryId));
    const cells: CapacityCellKey[] = eligibleFactories(ruleSet, family, record.order.requestedShipDate).map((f) => ({
      factoryId: f.factoryId,
      family,
      month: declined.month,
    }));
    for (let attempt = 1; attempt <= MAX_PLANS; attempt += 1) {
      const reserved = await orders.reservedKg(cells);
      const plan = planReallocation(record.order, ruleSet, (cell) => reserved.get(orders.capacityPk(cell)) ?? 0, {
        lineIndex: declined.lineIndex,
        quantityKg: declined.quantityKg,
        excludedFactoryIds,
        onLineFactoryIds,
      });
      if (plan.outcome === 'UNFILLED') {
        await giveUp(record, plan.shortfalls);
        return 'unfilled';
      }
      const replacements = plan.allocations.map((a) => ({
        ...newAllocation(record.orderId, a),
        replaces: declined.allocationId,
      }));
      try {
        const now = clock().toISOString();
        const outcome = await orders.reserveReplacement(record.orderId, declined.allocationId, replacements, now);
        if (outcome === 'reserved') return 'reserved';
      } catch (error) {
        if (!(error instanceof OrderStoreConflict)) throw error;
        // Someone else placed it first: the caller re-reads and notifies what they reserved.
        const current = (await orders.listAllocations(record.orderId)).find(
          (a) => a.allocationId === declined.allocationId,
        );
        if (current?.replacedBy) return 'reserved';
        throw error;
      }
      // Full jitter, so orders that collided on a cell do not collide again on the next plan.
      await delay(Math.random() * Math.min(1000, 25 * 2 ** attempt));
    }
    throw new Error(`order ${record.orderId}: capacity kept changing over ${MAX_PLANS} plans`);
  }

  /**
   * Nowhere left to go: the channel delivers an order whole or not at all (README, "When a declined share cannot be
   * placed"), so the order becomes UNFILLED first and then everything it still holds is released.
   */
  async function giveUp(record: OrderRecord, shortfalls: Shortfalls) {
    const now = clock().toISOString();
    const note = 'a declined share could not be placed at any other member factory';
    if (await orders.moveOrder(record.orderId, 'UNFILLED', now, { shortfalls }, note)) {
      await publish(channelEvent(OrderUnfilled, { orderId: record.orderId, occurredAt: now, shortfalls }));
    }
    const updated = await orders.getOrder(record.orderId);
    if (updated) await finishUnfilled(updated);
  }

  /** Releases what an unfilled order still holds and tells the buyer and the factories, once. */
  async function finishUnfilled(record: OrderRecord) {
    const now = clock().toISOString();
    await orders.releaseAll(record.orderId, now);
    await ledger.reverseAll(record.orderId, now, 'a declined share could not be placed; order unfilled');
    const claim = await orders.claimBuyerMail(record.orderId, 'unfilled', now);
    if (!claim) return;
    const shortfalls = (record as OrderRecord & { shortfalls?: Shortfalls }).shortfalls ?? [];
    await sendClaimedMail(
      sendMail,
      {
        to: record.order.buyer.email,
        ...orderUnfilledAfterDeclineEmail(record, shortfalls, orderStatusUrl(publicBaseUrl, record.orderId)),
      },
      () => orders.releaseBuyerMailClaim(record.orderId, 'unfilled', claim),
    );
    const ruleSet = await rules.ruleSetOn(isoDate(record.submittedAt));
    // Factories that were told about a share they did not decline are told it is withdrawn.
    for (const allocation of await orders.listAllocations(record.orderId)) {
      if (allocation.status !== 'RELEASED' || !allocation.notifiedAt) continue;
      try {
        await sendMail({
          to: factoryContact(ruleSet, allocation.factoryId),
          ...allocationWithdrawnEmail(record, allocation),
        });
      } catch (error) {
        logger.error('withdrawal e-mail failed', {
          orderId: record.orderId,
          allocationId: allocation.allocationId,
          error,
        });
      }
    }
  }

  return { recordAnswer, confirmIfComplete, reallocate };
}

export type AllocationAnswers = ReturnType<typeof createAllocationAnswers>;
