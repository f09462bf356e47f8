/** POST /api/orders/{orderId}/review: a secretariat reviewer approves or rejects a HELD order and resumes its route. */
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { ulid } from 'ulid';
import { requiredEnv, systemClock } from '../adapters/config';
import { HttpProblem, type JsonEvent, jsonBody, jsonResponse, problemJsonErrors } from '../adapters/http';
import { logger } from '../adapters/logger';
import { createOrderStore, type OrderRecord, type ReviewRecord } from '../adapters/order-store';
import { stepFunctions } from '../adapters/step-functions';
import { type ReviewRequest, reviewRequestSchema, reviewTaskOutput } from './review-decision';
import { requireReviewerToken } from './reviewer-auth';

const orders = createOrderStore(requiredEnv('ORDERS_TABLE'));
const reviewerToken = requiredEnv('REVIEWER_TOKEN');

const ORDER_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** SendTaskSuccess answers these when the token was already used or the wait is over: nothing left to resume. */
const tokenSpentErrors = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

function reviewView(orderId: string, review: ReviewRecord) {
  return {
    orderId,
    reviewId: review.reviewId,
    decision: review.decision,
    reason: review.reason,
    reviewer: review.reviewer,
    ...(review.licenceNumber ? { licenceNumber: review.licenceNumber } : {}),
    reviewedAt: review.at,
    links: { order: `/api/orders/${orderId}` },
  };
}

/** Resumes the waiting route. A spent token on a repeated call means an earlier call already resumed it. */
async function resumeRoute(record: OrderRecord, review: ReviewRecord, repeat: boolean): Promise<void> {
  if (!record.reviewTaskToken) return;
  try {
    await stepFunctions.send(
      new SendTaskSuccessCommand({
        taskToken: record.reviewTaskToken,
        output: JSON.stringify(reviewTaskOutput(review.decision)),
      }),
    );
  } catch (error) {
    const name = (error as Error).name;
    if (repeat && tokenSpentErrors.has(name)) return;
    if (tokenSpentErrors.has(name)) {
      // The review is recorded; the route it should resume is gone (expired or failed). Operators must look.
      logger.error('review recorded but the route could not be resumed', { orderId: record.orderId, error: name });
    }
    throw error;
  }
}

function conflict(slug: string, title: string, detail: string, headers: Record<string, string> = {}) {
  return new HttpProblem(409, slug, title, detail, undefined, headers);
}

/** The same decision again answers as the first time (and re-sends the resume, in case the first call died before it). */
async function repeatOrConflict(record: OrderRecord, review: ReviewRecord, wanted: ReviewRequest) {
  if (review.decision !== wanted.decision) {
    throw conflict(
      'already-reviewed',
      'Already reviewed',
      `Order ${record.orderId} was already ${review.decision === 'approve' ? 'approved' : 'rejected'} by ${review.reviewer} at ${review.at}; a review is final.`,
    );
  }
  await resumeRoute(record, review, true);
  return jsonResponse(200, reviewView(record.orderId, review));
}

export const handler = middy<JsonEvent<ReviewRequest>, APIGatewayProxyResult>()
  .use(problemJsonErrors())
  .use(requireReviewerToken(reviewerToken))
  .use(jsonBody(reviewRequestSchema))
  .handler(async (event) => {
    const orderId = event.pathParameters?.orderId ?? '';
    const notFound = new HttpProblem(
      404,
      'not-found',
      'Order not found',
      `No order has the id ${orderId.slice(0, 64)}.`,
    );
    if (!ORDER_ID.test(orderId)) throw notFound;
    const record = await orders.getOrder(orderId);
    if (!record) throw notFound;
    const wanted = event.parsedBody;

    if (record.review) return repeatOrConflict(record, record.review, wanted);
    if (record.status !== 'HELD') {
      throw conflict(
        'not-held',
        'Order not held',
        `Order ${orderId} is ${record.status}; only a HELD order is reviewed.`,
      );
    }
    if (!record.reviewTaskToken) {
      // The route records HELD a moment before it parks its task token; the review can follow in a second.
      throw conflict(
        'review-not-ready',
        'Review not ready',
        `Order ${orderId} is being put on hold; retry in a second.`,
        { 'Retry-After': '1' },
      );
    }

    const review: ReviewRecord = {
      reviewId: ulid(),
      decision: wanted.decision,
      reason: wanted.reason,
      reviewer: wanted.reviewer,
      ...(wanted.licenceNumber ? { licenceNumber: wanted.licenceNumber } : {}),
      at: systemClock().toISOString(),
    };
    if (!(await orders.recordReview(orderId, review))) {
      // Another reviewer (or a retried request) got there first: answer as for a repeat.
      const current = await orders.getOrder(orderId);
      if (current?.review) return repeatOrConflict(current, current.review, wanted);
      throw conflict(
        'not-held',
        'Order not held',
        `Order ${orderId} is ${current?.status}; only a HELD order is reviewed.`,
      );
    }
    logger.info('order reviewed', { orderId, decision: review.decision, reviewId: review.reviewId });
    await resumeRoute(record, review, false);
    return jsonResponse(200, reviewView(orderId, review));
  });
