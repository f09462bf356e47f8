/** Bearer-secret check for the reviewer API: IAM guards the route in AWS; this is the local guard and a second wall. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { HttpProblem, requestHeader } from '../adapters/http';

/** A shorter secret is a configuration mistake worth failing the cold start for. */
export const MIN_REVIEWER_TOKEN_LENGTH = 16;

export class WeakReviewerTokenError extends Error {
  override name = 'WeakReviewerTokenError';
}

/** Hashing both sides first gives equal-length buffers, so the comparison time says nothing about the secret. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function requireReviewerToken(expected: string): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  if (expected.length < MIN_REVIEWER_TOKEN_LENGTH) {
    throw new WeakReviewerTokenError(`the reviewer token must be at least ${MIN_REVIEWER_TOKEN_LENGTH} characters`);
  }
  return {
    before: async (request) => {
      const authorization = requestHeader(request.event, 'authorization') ?? '';
      const match = /^Bearer ([^\s]{1,512})$/i.exec(authorization.trim());
      if (!match?.[1] || !sameSecret(match[1], expected)) {
        throw new HttpProblem(
          401,
          'unauthorized',
          'Unauthorized',
          'Reviewing an order needs a reviewer credential: Authorization: Bearer <token>.',
          undefined,
          { 'WWW-Authenticate': 'Bearer realm="reviewer"' },
        );
      }
    },
  };
}
