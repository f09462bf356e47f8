/** Wires the answer use cases from the environment, once per cold start; shared by the link endpoint and the sweep. */
import { requiredEnv, systemClock } from '../adapters/config';
import { createEventPublisher } from '../adapters/event-publisher';
import { createLedgerStore } from '../adapters/ledger-store';
import { createMailer } from '../adapters/mailer';
import { createOrderStore } from '../adapters/order-store';
import { createRulesStore } from '../adapters/rules-store';
import { createLinkSigner } from '../adapters/signed-links';
import { createAllocationNotifier } from '../notify-factory/notify-allocation';
import { createAllocationAnswers } from './allocation-answers';

export function answerUseCasesFromEnv() {
  const table = requiredEnv('ORDERS_TABLE');
  const orders = createOrderStore(table);
  const rules = createRulesStore(table);
  const sendMail = createMailer();
  const publish = createEventPublisher();
  const links = createLinkSigner();
  const publicBaseUrl = requiredEnv('PUBLIC_BASE_URL');
  const notifyAllocation = createAllocationNotifier({
    orders,
    rules,
    sendMail,
    publish,
    links,
    publicBaseUrl,
    clock: systemClock,
  });
  const answers = createAllocationAnswers({
    orders,
    ledger: createLedgerStore(requiredEnv('LEDGER_TABLE')),
    rules,
    sendMail,
    publish,
    notifyAllocation,
    publicBaseUrl,
    clock: systemClock,
  });
  return { orders, links, answers };
}
