/** Use case: e-mail a factory its allocation with signed accept/decline links, at most once, and publish AllocationNotified. */
import { AllocationNotified } from '../../events';
import type { Clock } from '../adapters/config';
import { channelEvent, type PublishEvents } from '../adapters/event-publisher';
import type { SendMail } from '../adapters/mailer';
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

  return async function notifyAllocation(orderId: string, allocationId: string): Promise<NotifyFactoryOutput> {
    const [record, allocations] = await Promise.all([orders.getOrder(orderId), orders.listAllocations(orderId)]);
    const allocation = allocations.find((a) => a.allocationId === allocationId);
    if (!record || !allocation) throw new OrderNotFoundError(`allocation ${orderId}/${allocationId} does not exist`);
    if (allocation.status !== 'RESERVED') return { allocationId, messageId: allocation.messageId ?? null };

    const now = clock();
    // The claim makes a redelivered task skip the send: a factory never gets the same allocation twice.
    if (!(await orders.claimNotification(orderId, allocationId, now.toISOString()))) {
      return { allocationId, messageId: null };
    }

    const ruleSet = await rules.ruleSetOn(isoDate(record.submittedAt));
    const line = record.order.lines[allocation.lineIndex];
    if (!line) throw new Error(`order ${orderId} has no line ${allocation.lineIndex}`);
    const respondBy = new Date(now.getTime() + ruleSet.allocationPolicy.answerWithinHours * 3_600_000);
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
    let messageId: string | null;
    try {
      messageId = await sendMail({ to: factoryContact(ruleSet, allocation.factoryId), ...mail });
    } catch (error) {
      await orders.releaseNotificationClaim(orderId, allocationId);
      throw error;
    }
    await orders.markNotified(orderId, allocationId, clock().toISOString(), messageId, respondBy.toISOString());
    await publish(
      channelEvent(AllocationNotified, {
        orderId,
        occurredAt: now.toISOString(),
        allocationId,
        factoryId: allocation.factoryId,
        lineIndex: allocation.lineIndex,
        quantityKg: allocation.quantityKg,
      }),
    );
    return { allocationId, messageId };
  };
}

export type NotifyAllocation = ReturnType<typeof createAllocationNotifier>;
