/** HTTP edge for API handlers: JSON body limits, zod validation and RFC 9457 problem+json errors, as middy middleware. */
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ZodError, ZodType } from 'zod';
import { logger } from './logger';
import { isTransientDependencyError } from './transient-errors';

export const MAX_BODY_BYTES = 64 * 1024;

export interface ProblemFieldError {
  path: string;
  message: string;
}

/** A failure the client can act on; anything else becomes an opaque 500 or 503. */
export class HttpProblem extends Error {
  override name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly errors?: ProblemFieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${title}: ${detail}`);
  }
}

export type JsonEvent<T> = APIGatewayProxyEvent & { parsedBody: T };

const baseHeaders = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', ...baseHeaders, ...headers },
    body: JSON.stringify(body),
  };
}

export function problemResponse(problem: HttpProblem): APIGatewayProxyResult {
  const body = {
    type: `/problems/${problem.slug}`,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    ...(problem.errors ? { errors: problem.errors } : {}),
  };
  return {
    statusCode: problem.status,
    headers: { 'Content-Type': 'application/problem+json', ...baseHeaders, ...problem.headers },
    body: JSON.stringify(body),
  };
}

/** RFC 6901: '~' and '/' inside a key are escaped so the pointer stays unambiguous. */
export function jsonPointer(path: readonly PropertyKey[]): string {
  return path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

export function zodProblems(error: ZodError): ProblemFieldError[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: jsonPointer([...issue.path, key]), message: 'Unknown field' }));
    }
    return [{ path: jsonPointer(issue.path), message: issue.message }];
  });
}

export function validationProblem(errors: ProblemFieldError[], detail = 'The request body does not match the schema.') {
  return new HttpProblem(422, 'validation-failed', 'Validation failed', detail, errors);
}

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

export { header as requestHeader };

/** Reads, bounds, parses and validates a JSON body; sets `event.parsedBody`. */
export function jsonBody<T>(schema: ZodType<T>): MiddlewareObj<JsonEvent<T>, APIGatewayProxyResult> {
  return {
    before: async (request) => {
      const event = request.event;
      const contentType = header(event, 'content-type') ?? '';
      const mediaType = contentType.split(';')[0]?.trim().toLowerCase();
      if (mediaType !== 'application/json') {
        throw new HttpProblem(
          415,
          'unsupported-media-type',
          'Unsupported media type',
          'Send the body as application/json.',
        );
      }
      const raw = event.body ?? '';
      const bytes = Buffer.byteLength(raw, event.isBase64Encoded ? 'base64' : 'utf8');
      if (bytes > MAX_BODY_BYTES) {
        throw new HttpProblem(
          413,
          'body-too-large',
          'Body too large',
          `The body is ${bytes} bytes; the limit is ${MAX_BODY_BYTES}.`,
        );
      }
      const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new HttpProblem(400, 'malformed-json', 'Malformed JSON', (error as Error).message.slice(0, 200));
      }
      const result = schema.safeParse(parsed);
      if (!result.success) throw validationProblem(zodProblems(result.error));
      event.parsedBody = result.data;
    },
  };
}

/** Maps any error to problem+json. Client mistakes are HttpProblems; the rest never leaks details. */
export function problemJsonErrors(): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      const error = request.error;
      if (error instanceof HttpProblem) {
        request.response = problemResponse(error);
        return;
      }
      if (isTransientDependencyError(error)) {
        logger.warn('transient dependency failure', { error: error as Error });
        request.response = problemResponse(
          new HttpProblem(503, 'unavailable', 'Service unavailable', 'Please retry shortly.', undefined, {
            'Retry-After': '1',
          }),
        );
        return;
      }
      logger.error('unhandled error', { error: error as Error });
      request.response = problemResponse(
        new HttpProblem(
          500,
          'internal',
          'Internal error',
          'Something went wrong on our side; nothing you sent caused it.',
        ),
      );
    },
  };
}
