/**
 * A fault-injecting HTTP proxy for the local stack: it sits in front of DynamoDB Local or the SES emulator and, at a
 * configurable rate, throttles, answers 5xx, never answers (a timeout) or drops the connection, so the channel can be
 * proven to lose nothing when its dependencies misbehave (`CHANNEL_FAULT_RATE=0.1 npm start`, test/reliability).
 *
 * Where a fault happens matters. For DynamoDB, timeouts and dropped connections happen after the request was
 * forwarded: the write is applied and only its answer is lost, the hardest case for idempotency. For SES every fault
 * happens before forwarding, because SES has no idempotency token: an e-mail whose answer was lost cannot be told from
 * one never sent, by us or by anyone calling SES.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';

import { seededRandom } from './seeded-random';

export const faultKinds = ['throttle', 'server-error', 'timeout', 'drop'] as const;
export type FaultKind = (typeof faultKinds)[number];
export type FaultedService = 'dynamodb' | 'ses';

export interface FaultProxyOptions {
  service: FaultedService;
  /** Where requests go, e.g. http://127.0.0.1:8000. */
  target: string;
  /** The share of requests that get a fault, 0..1; changeable later with setRate. */
  rate?: number;
  kinds?: readonly FaultKind[];
  /** Seeds the fault dice so a failing run can be replayed. */
  seed?: number;
}

export interface FaultProxy {
  endpoint: string;
  /** Changes the fault rate, and optionally the kinds injected, from the next request on. */
  setRate(rate: number, kinds?: readonly FaultKind[]): void;
  /** Requests seen and faults injected, by kind. */
  stats(): { requests: number; faults: Record<FaultKind, number> };
  stop(): Promise<void>;
}

/** The error bodies each service really sends, so the SDK parses and classifies them as it would in AWS. */
const errorAnswers: Record<
  FaultedService,
  Record<'throttle' | 'server-error', { status: number; headers: Record<string, string>; body: string }>
> = {
  dynamodb: {
    throttle: {
      status: 400,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
        message: 'Rate of requests exceeds the allowed throughput.',
      }),
    },
    'server-error': {
      status: 500,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
        message: 'Internal server error (injected)',
      }),
    },
  },
  ses: {
    throttle: {
      status: 429,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' },
      body: JSON.stringify({ message: 'Too many requests (injected)' }),
    },
    'server-error': {
      status: 503,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceUnavailable' },
      body: JSON.stringify({ message: 'Service unavailable (injected)' }),
    },
  },
};

export function validFaultRate(value: string | number | undefined, name = 'CHANNEL_FAULT_RATE'): number {
  if (value === undefined || value === '') return 0;
  const rate = Number(value);
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new Error(`${name}=${value} is not a rate between 0 and 1`);
  return rate;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  let kinds = options.kinds ?? faultKinds;
  let rate = validFaultRate(options.rate ?? 0);
  const random = seededRandom(options.seed ?? 1989);
  const counts = {
    requests: 0,
    faults: Object.fromEntries(faultKinds.map((k) => [k, 0])) as Record<FaultKind, number>,
  };
  const held = new Set<ServerResponse>();

  const pickFault = (): FaultKind | undefined => {
    if (rate === 0 || random() >= rate) return undefined;
    return kinds[Math.floor(random() * kinds.length)];
  };

  /** Forwards the request; resolves with the upstream answer fully read, or rejects if upstream failed. */
  const forward = (req: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });

  /** Keeps the client waiting until it gives up: its request timeout, then its retry, is what is under test. */
  const hold = (res: ServerResponse) => {
    held.add(res);
    res.on('close', () => held.delete(res));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    counts.requests += 1;
    const fault = pickFault();
    if (fault) counts.faults[fault] += 1;

    if (fault === 'throttle' || fault === 'server-error') {
      const answer = errorAnswers[options.service][fault];
      res.writeHead(answer.status, { ...answer.headers, 'x-amzn-requestid': 'injected-fault' });
      res.end(answer.body);
      return;
    }
    const answerLost = options.service === 'dynamodb';
    if (fault && !answerLost) {
      if (fault === 'timeout') hold(res);
      else req.socket.destroy();
      return;
    }
    let answer: Awaited<ReturnType<typeof forward>>;
    try {
      answer = await forward(req, body);
    } catch (error) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault proxy: upstream failed: ${(error as Error).message}`);
      return;
    }
    if (fault === 'timeout') return hold(res);
    if (fault === 'drop') {
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(`fault proxy: ${error.message}`);
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    setRate: (next, nextKinds) => {
      rate = validFaultRate(next);
      if (nextKinds) kinds = nextKinds;
    },
    stats: () => ({ requests: counts.requests, faults: { ...counts.faults } }),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
