/** Use case: e-mail a factory its allocation with signed accept/decline links, at most once, and publish AllocationNotified. */
import { AllocationNotified } from '../../events';
import type { Clock } from '../adapters/config';
import { channelEvent, type PublishEvents } from '../adapters/event-publisher';
import { type SendMail, sendClaimedMail } from '../adapters/mailer';
import type { OrderStore } from '../adapters/order-store';
import type { RulesStore } from '../adapters/rules-store';
import type { LinkSigner } from '../adapters/signed-links';
import { OrderNotFoundError } from '../adapters/task-input';
import { isoDate } from '../adapters/today';
import { factoryContact } from '../domain/members';
import type { NotifyFactoryOutput } from '../workflow-io';
import { allocationEmail } from './allocation-email';

export interface NotifierDeps {
  orders: OrderStore;
  rules: RulesStore;
  sendMail: SendMail;
  publish: PublishEvents;
  links: LinkSigner;
  publicBaseUrl: string;
  clock: Clock;
}

export function createAllocationNotifier(deps: NotifierDeps) {
  const { orders, rules, sendMail, publish, links, publicBaseUrl, clock } = deps;

  /**
   * Marks the allocation notified; when a concurrent attempt of the same task marked it first (or compensation
   * released it meanwhile) there is nothing left to do, and the message id already recorded is the answer.
   */
  async function markNotifiedOnce(
    orderId: string,
    allocationId: string,
    at: string,
    messageId: string | null,
    respondBy: string,
  ): Promise<string | null> {
    try {
      await orders.markNotified(orderId, allocationId, at, messageId, respondBy);
      return messageId;
    } catch (error) {
      const current = (await orders.listAllocations(orderId)).find((a) => a.allocationId === allocationId);
      if (!current || current.status === 'RESERVED') throw error;
      return current.messageId ?? messageId;
    }
  }

  return async function notifyAllocation(orderId: string, allocationId: string): Promise<NotifyFactoryOutput> {
    const [record, allocations] = await Promise.all([orders.getOrder(orderId), orders.listAllocations(orderId)]);
    const allocation = allocations.find((a) => a.allocationId === allocationId);
    if (!record || !allocation) throw new OrderNotFoundError(`allocation ${orderId}/${allocationId} does not exist`);
    if (allocation.status !== 'RESERVED') return { allocationId, messageId: allocation.messageId ?? null };

    const now = clock();
    const ruleSet = await rules.ruleSetOn(isoDate(record.submittedAt));
    const respondBy = new Date(now.getTime() + ruleSet.allocationPolicy.answerWithinHours * 3_600_000);
    // Published before the allocation is marked, so a crash in between repeats the event rather than losing it.
    const published = () =>
      publish(
        channelEvent(AllocationNotified, {
          orderId,
          occurredAt: now.toISOString(),
          allocationId,
          factoryId: allocation.factoryId,
          lineIndex: allocation.lineIndex,
          quantityKg: allocation.quantityKg,
        }),
      );
    // The claim makes a redelivered task skip the send: a factory never gets the same allocation twice.
    if (!(await orders.claimNotification(orderId, allocationId, now.toISOString()))) {
      // An earlier attempt claimed it and failed after (or before) sending; no one can tell which. Sending again could
      // be a duplicate, so the allocation is marked notified without a message id: its links work if the e-mail went
      // out, and if it did not, the answer deadline treats the silence as a decline and the quantity is reallocated.
      await published();
      const current = await markNotifiedOnce(orderId, allocationId, now.toISOString(), null, respondBy.toISOString());
      return { allocationId, messageId: current };
    }

    const line = record.order.lines[allocation.lineIndex];
    if (!line) throw new Error(`order ${orderId} has no line ${allocation.lineIndex}`);
    const link = (action: 'accept' | 'decline') =>
      links.url(publicBaseUrl, { orderId, allocationId, action, expiresAt: respondBy });
    const mail = allocationEmail({
      orderId,
      allocationId,
      factoryName: allocation.factoryName,
      line,
      lineIndex: allocation.lineIndex,
      quantityKg: allocation.quantityKg,
      requestedShipDate: record.order.requestedShipDate,
      trademark: record.order.trademark,
      incoterm: record.order.incoterm,
      destinationCountry: record.order.destinationCountry,
      transferUnitPriceUsdPerKg: allocation.transferUnitPriceUsdPerKg,
      acceptUrl: link('accept'),
      declineUrl: link('decline'),
      respondBy: respondBy.toISOString(),
    });
    const messageId = await sendClaimedMail(
      sendMail,
      { to: factoryContact(ruleSet, allocation.factoryId), ...mail },
      () => orders.releaseNotificationClaim(orderId, allocationId),
    );
    await published();
    const recorded = await markNotifiedOnce(
      orderId,
      allocationId,
      clock().toISOString(),
      messageId,
      respondBy.toISOString(),
    );
    return { allocationId, messageId: recorded };
  };
}

export type NotifyAllocation = ReturnType<typeof createAllocationNotifier>;
