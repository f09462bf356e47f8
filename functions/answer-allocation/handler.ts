/**
 * GET and POST /api/allocations/{allocationId}/{accept|decline}?token=…: a factory's answer through a signed link.
 * GET only shows a confirmation page (mail scanners prefetch links); POST records the answer.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { systemClock } from '../adapters/config';
import { logger } from '../adapters/logger';
import { type LinkAction, linkActions } from '../adapters/signed-links';
import type { Answer } from './allocation-answers';
import { answerUseCasesFromEnv } from './from-env';
import { page } from './pages';

const { orders, links, answers } = answerUseCasesFromEnv();

const verbs: Record<LinkAction, { button: string; done: string; answer: Answer }> = {
  accept: { button: 'Accept this allocation', done: 'accepted', answer: { status: 'ACCEPTED' } },
  decline: { button: 'Decline this allocation', done: 'declined', answer: { status: 'DECLINED', reason: 'declined' } },
};

const notFound = () => page(404, 'Link not found', ['This link does not lead to an allocation.']);
const alreadyAnswered = () =>
  page(409, 'Link already used', [
    'This allocation has already been answered, or it is no longer waiting for an answer. Nothing was changed.',
  ]);

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  try {
    return await answer(event);
  } catch (error) {
    logger.error('allocation link failed', { error, path: event.path });
    return page(503, 'Please try again', ['The channel could not process this link just now. Please try again later.']);
  }
};

async function answer(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const allocationId = event.pathParameters?.allocationId ?? '';
  const action = event.pathParameters?.action ?? '';
  if (!linkActions.includes(action as LinkAction)) return notFound();
  const verb = verbs[action as LinkAction];
  const token = event.queryStringParameters?.token ?? '';
  if (token === '' || token.length > 200) {
    return page(400, 'Incomplete link', ['The link lacks its token. Please open the link exactly as it was e-mailed.']);
  }
  const checked = links.check(allocationId, action as LinkAction, token, systemClock());
  if (!checked.valid) {
    if (checked.problem === 'expired') {
      return page(410, 'Link expired', [
        'The time to answer this allocation has passed; the quantity has been or will be offered to another member. Nothing was changed.',
      ]);
    }
    return page(403, 'Invalid link', ['This link is not valid: it may have been altered. Nothing was changed.']);
  }

  const allocation = (await orders.listAllocations(checked.orderId)).find((a) => a.allocationId === allocationId);
  if (!allocation) return notFound();
  const summary = `Order ${allocation.orderId}, line ${allocation.lineIndex + 1}: ${allocation.quantityKg} kg for ${allocation.factoryName}.`;
  if (allocation.status !== 'NOTIFIED' || (await orders.linkUsed(allocationId))) return alreadyAnswered();

  if (event.httpMethod === 'GET') {
    return page(200, `${verb.button}?`, [summary, `Answer by ${checked.expiresAt.toISOString()} (UTC).`], verb.button);
  }

  if ((await answers.recordAnswer(allocation, verb.answer, true)) !== 'recorded') return alreadyAnswered();
  return page(200, `Allocation ${verb.done}`, [summary, `Thank you: the allocation is ${verb.done}.`]);
}
