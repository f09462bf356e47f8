/** Runs the channel's handlers in-process, as Lambda would: same files, an API Gateway proxy event, a Lambda context. */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import { type LambdaName, lambdaEntries } from '../../functions/lambdas';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const projectRoot = resolve(import.meta.dirname, '../..');

function lambdaContext(name: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: localFunctionArn(name),
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export function localFunctionArn(name: string): string {
  return `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
}

/** Handlers read their configuration at import, so load them only after the environment is set. */
export async function loadHandlers(): Promise<Record<LambdaName, Handler>> {
  const entries = await Promise.all(
    (Object.entries(lambdaEntries) as [LambdaName, string][]).map(async ([name, file]) => {
      const module = (await import(resolve(projectRoot, file))) as { handler: Handler };
      return [name, module.handler] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<LambdaName, Handler>;
}

export function createInvoker(handlers: Record<LambdaName, Handler>, timeoutMs = 30_000) {
  return async function invoke(name: string, payload: unknown): Promise<unknown> {
    const fn = handlers[name as LambdaName];
    if (!fn) throw Object.assign(new Error(`Function not found: ${name}`), { name: 'ResourceNotFoundException' });
    // A real invocation sees a JSON copy of its payload, never the caller's objects.
    return fn(JSON.parse(JSON.stringify(payload ?? null)), lambdaContext(name, timeoutMs));
  };
}

export type Invoke = ReturnType<typeof createInvoker>;
