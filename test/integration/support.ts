/** Helpers for integration tests: call the local API, poll an order to a terminal status, read the SES inbox. */
import { setTimeout as delay } from 'node:timers/promises';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { inject } from 'vitest';

export const stack = () => inject('stack');

let sfnClient: SFNClient | undefined;
export function stepFunctions(): SFNClient {
  sfnClient ??= new SFNClient({
    endpoint: stack().stepFunctions,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return sfnClient;
}

export function executionArn(orderId: string): string {
  return `${stack().stateMachineArn.replace(':stateMachine:', ':execution:')}:${orderId}`;
}

/** The execution's status; read before the order, because a route records the order's status before it ends. */
async function executionStatus(orderId: string) {
  return stepFunctions().send(new DescribeExecutionCommand({ executionArn: executionArn(orderId) }));
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse<T>> {
  const response = await fetch(`${stack().api}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

const waitingStatuses = new Set(['RECEIVED', 'CHECKING']);

/**
 * Polls GET /api/orders/{id} until the route stops. Fails at once on a status other than `expected`,
 * and at the deadline with the last status seen: never a blind sleep.
 */
export async function orderReaches(
  orderId: string,
  expected: string,
  timeoutMs = 20_000,
  /** Statuses that are on the way to `expected` besides RECEIVED/CHECKING, e.g. HELD after a review's rejection. */
  alsoOnTheWay: readonly string[] = [],
) {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, unknown> | undefined;
  while (Date.now() < deadline) {
    const { status, body } = await api(`GET`, `/orders/${orderId}`);
    if (status !== 200) throw new Error(`GET order ${orderId} answered ${status}: ${JSON.stringify(body)}`);
    last = body;
    const current = String(body.status);
    if (current === expected) return body;
    if (!waitingStatuses.has(current) && !alsoOnTheWay.includes(current)) {
      throw new Error(`order ${orderId} reached ${current}, expected ${expected}: ${JSON.stringify(body.checks)}`);
    }
    // A route that died leaves the order waiting forever: say why at once instead of at the deadline.
    const execution = await executionStatus(orderId);
    if (execution.status !== 'RUNNING') {
      const settled = await api('GET', `/orders/${orderId}`);
      if (waitingStatuses.has(String(settled.body.status))) {
        throw new Error(
          `order ${orderId} is still ${settled.body.status} but its execution is ${execution.status}: ${execution.error} ${execution.cause?.slice(0, 500)}`,
        );
      }
      continue;
    }
    await delay(50);
  }
  throw new Error(`order ${orderId} did not reach ${expected} in ${timeoutMs} ms; last seen ${JSON.stringify(last)}`);
}

export interface SesEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

export async function inbox(): Promise<SesEmail[]> {
  const response = await fetch(`${stack().ses}/store`);
  const { emails } = (await response.json()) as { emails: SesEmail[] };
  return emails;
}

/**
 * Points this test process at the running stack, as its handlers are: call before importing a handler in-process
 * (handlers read their configuration at import). Used where going through the API would only slow a test down.
 */
export function useStackEnvironment(): Record<string, string> {
  const env = stack().env;
  Object.assign(process.env, env, { POWERTOOLS_LOG_LEVEL: 'SILENT' });
  return env;
}

/** Links in e-mails name localhost; the stack listens on 127.0.0.1 (Node may resolve localhost to ::1 first). */
export const reachable = (url: string) => url.replace('//localhost:', '//127.0.0.1:');

/** Polls the SES inbox until `predicate` holds for what it returns, or fails at the deadline with what it saw. */
export async function inboxUntil(
  select: (emails: SesEmail[]) => SesEmail[],
  predicate: (selected: SesEmail[]) => boolean,
  timeoutMs = 10_000,
): Promise<SesEmail[]> {
  const deadline = Date.now() + timeoutMs;
  let selected: SesEmail[] = [];
  while (Date.now() < deadline) {
    selected = select(await inbox());
    if (predicate(selected)) return selected;
    await delay(50);
  }
  throw new Error(
    `inbox did not reach the expected state in ${timeoutMs} ms: ${selected.map((m) => m.subject).join(' | ')}`,
  );
}

/** The e-mails factories received for an order (buyers get theirs at the order's own address). */
export async function factoryMails(orderId: string): Promise<SesEmail[]> {
  return (await inbox()).filter((m) => m.subject.startsWith('Allocation ') && m.subject.includes(orderId));
}

/** Waits until the order's execution has ended (SUCCEEDED), e.g. for what its last step sends after the status moves. */
export async function routeEnded(orderId: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const execution = await executionStatus(orderId);
    if (execution.status === 'SUCCEEDED') return;
    if (execution.status !== 'RUNNING')
      throw new Error(`execution of ${orderId} ended ${execution.status}: ${execution.cause}`);
    await delay(50);
  }
  throw new Error(`execution of ${orderId} still running after ${timeoutMs} ms`);
}
