/** The whole channel on this machine: DynamoDB Local, the Step Functions endpoint, SES, the event bus and the HTTP front door. */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import * as sesModule from 'aws-ses-v2-local';
import { allocationSweepMinutes } from '../../functions/lambdas';
import { ensureTables, startDynamoDbLocal } from './dynamodb-local';
import { type StoredEvent, startLocalEventBus } from './event-bus';
import { type FaultKind, type FaultProxy, startFaultProxy } from './fault-proxy';
import { startHttpServer } from './http-server';
import { createInvoker, loadHandlers } from './lambda-runtime';
import { assertPortFree, configuredPorts, freePort, type PortName } from './ports';
import { startLocalStepFunctions } from './stepfunctions';

const projectRoot = resolve(import.meta.dirname, '../..');

export const localNames = {
  ordersTable: 'channel-orders',
  idempotencyTable: 'channel-idempotency',
  ledgerTable: 'channel-ledger',
  stateMachine: 'order-routing',
  eventBus: 'export-channel',
  mailFrom: 'orders@export-channel.example.com',
  region: 'us-east-1',
  /**
   * The reviewer API's bearer secret on this machine: a documented development value, never used in AWS (there the
   * route is IAM-authorised and the secret comes from Secrets Manager). Override it with REVIEWER_TOKEN.
   */
  devReviewerToken: 'local-dev-reviewer-secret',
  /** A fixed, public development secret for the factory links; AWS reads a generated one from Secrets Manager. */
  linkSecret: 'local-development-link-secret-not-for-production-use',
} as const;

export interface LocalStackOptions {
  /** Where data persists across restarts; undefined keeps everything in memory. */
  dataDir?: string;
  /** Ports to use; 0 picks a free one. Defaults come from ports.ts and CHANNEL_*_PORT variables. */
  ports?: Partial<Record<PortName, number>>;
  /** Faster Retry intervals for tests (ms); AWS-faithful intervals when undefined. */
  retryIntervalMs?: number;
  log?: (line: string) => void;
  /**
   * Puts a fault-injecting proxy in front of DynamoDB Local and the SES emulator (infra/local/fault-proxy.ts). The
   * rate applies once the stack is up (set-up itself runs fault-free); change it later with `faults.setRate`.
   */
  faults?: { rate: number; kinds?: readonly FaultKind[]; seed?: number };
}

export interface LocalStack {
  urls: {
    web: string;
    api: string;
    dynamodb: string;
    stepFunctions: string;
    ses: string;
    sesInbox: string;
    eventBridge: string;
  };
  stateMachineArn: string;
  eventsFile?: string;
  env: Record<string, string>;
  /** The fault proxies, when started with `faults`. */
  faults?: {
    setRate(rate: number, kinds?: readonly FaultKind[]): void;
    stats(): Record<'dynamodb' | 'ses', ReturnType<FaultProxy['stats']>>;
  };
  /** Resolves when the Step Functions endpoint has no running execution. */
  idle(): Promise<void>;
  /** Events published on the local bus since start (newest 10,000). */
  events(): StoredEvent[];
  /** Runs the expireAllocations sweep now, as the 15-minute timer does; `time` plays the scheduled event's time. */
  sweepAllocations(time?: Date): Promise<unknown>;
  stop(): Promise<void>;
}

/** aws-ses-v2-local is CommonJS with `exports.default`; Node and vite hand its default export over differently. */
type SesServerFactory = (config: { host: string; port: number }) => Promise<Server>;
const sesServer: SesServerFactory =
  (sesModule as unknown as { default: { default?: SesServerFactory } | SesServerFactory }).default instanceof Function
    ? (sesModule as unknown as { default: SesServerFactory }).default
    : (sesModule as unknown as { default: { default: SesServerFactory } }).default.default;

async function startSes(port: number): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const server: Server = await sesServer({ host: '127.0.0.1', port });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    endpoint: `http://127.0.0.1:${actual}`,
    stop: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const began = performance.now();
  /** Each start-up phase says when it finished, so a slow start shows where its time went. */
  const phase = (line: string) => log(`${line.padEnd(60)} +${Math.round(performance.now() - began)} ms`);
  const ports = { ...configuredPorts(), ...options.ports };
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      await stop().catch((error: Error) => log(`stop failed: ${error.message}`));
    }
    stops.length = 0;
  };

  try {
    for (const name of ['http', 'dynamodb', 'stepFunctions', 'ses', 'eventBridge'] as const) {
      if (ports[name] !== 0) await assertPortFree(ports[name], `CHANNEL port ${name} (${ports[name]})`);
    }
    // DynamoDB Local's JVM takes seconds to start: let it boot while the rest starts and the handlers load.
    const dynamoPort = ports.dynamodb === 0 ? await freePort() : ports.dynamodb;
    const dynamoStarting = startDynamoDbLocal(dynamoPort, options.dataDir && join(options.dataDir, 'dynamodb'));
    stops.push(async () => (await dynamoStarting.catch(() => undefined))?.stop());
    let dynamoEndpoint = `http://127.0.0.1:${dynamoPort}`;

    const ses = await startSes(ports.ses === 0 ? await freePort() : ports.ses);
    stops.push(() => ses.stop());
    let sesEndpoint = ses.endpoint;
    const proxies: Partial<Record<'dynamodb' | 'ses', FaultProxy>> = {};
    if (options.faults) {
      const { kinds, seed } = options.faults;
      for (const [service, target] of [
        ['dynamodb', dynamoEndpoint],
        ['ses', ses.endpoint],
      ] as const) {
        const proxy = await startFaultProxy({
          service,
          target,
          rate: 0,
          ...(kinds ? { kinds } : {}),
          ...(seed !== undefined ? { seed: seed + (service === 'ses' ? 1 : 0) } : {}),
        });
        stops.push(() => proxy.stop());
        proxies[service] = proxy;
      }
      dynamoEndpoint = proxies.dynamodb?.endpoint ?? dynamoEndpoint;
      sesEndpoint = proxies.ses?.endpoint ?? sesEndpoint;
    }
    const eventsFile = options.dataDir && join(options.dataDir, 'events.jsonl');
    const bus = await startLocalEventBus(ports.eventBridge, eventsFile);
    stops.push(() => bus.stop());

    const stateMachineArn = `arn:aws:states:${localNames.region}:000000000000:stateMachine:${localNames.stateMachine}`;
    const env: Record<string, string> = {
      AWS_REGION: localNames.region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
      AWS_ENDPOINT_URL_SESV2: sesEndpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ORDERS_TABLE: localNames.ordersTable,
      IDEMPOTENCY_TABLE: localNames.idempotencyTable,
      LEDGER_TABLE: localNames.ledgerTable,
      // exportTables is loaded like every handler but nothing schedules it here: DynamoDB Local has no exports,
      // and `npm run finance -- export` writes the same layout from a scan instead.
      EXPORT_TABLE_ARNS: [localNames.ledgerTable, localNames.ordersTable]
        .map((table) => `arn:aws:dynamodb:${localNames.region}:000000000000:table/${table}`)
        .join(','),
      EXPORT_BUCKET: 'channel-exports',
      EVENT_BUS_NAME: localNames.eventBus,
      MAIL_FROM: localNames.mailFrom,
      LINK_SECRET: process.env.LINK_SECRET ?? localNames.linkSecret,
      STATE_MACHINE_ARN: stateMachineArn,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      // One small machine runs Java, every handler and the test load at once: connecting may queue for seconds,
      // which in AWS would be a fault (functions/adapters/sdk-config.ts keeps 3 s there).
      SDK_CONNECTION_TIMEOUT_MS: process.env.SDK_CONNECTION_TIMEOUT_MS ?? '10000',
      ...(process.env.SDK_REQUEST_TIMEOUT_MS ? { SDK_REQUEST_TIMEOUT_MS: process.env.SDK_REQUEST_TIMEOUT_MS } : {}),
      REVIEWER_TOKEN: process.env.REVIEWER_TOKEN || localNames.devReviewerToken,
    };

    // The Step Functions port must be known before the handlers load: submit-order reads it at cold start.
    const sfnPort = ports.stepFunctions === 0 ? await freePort() : ports.stepFunctions;
    const httpPort = ports.http === 0 ? await freePort() : ports.http;
    env.AWS_ENDPOINT_URL_SFN = `http://127.0.0.1:${sfnPort}`;
    env.PUBLIC_BASE_URL = `http://localhost:${httpPort}`;
    delete process.env.AWS_PROFILE;
    Object.assign(process.env, env);

    const handlers = await loadHandlers();
    const invoke = createInvoker(handlers);
    phase('Handlers loaded');

    const dynamo = await dynamoStarting;
    await ensureTables(dynamo.endpoint, {
      orders: localNames.ordersTable,
      idempotency: localNames.idempotencyTable,
      ledger: localNames.ledgerTable,
    });
    phase(`DynamoDB Local up, tables ready   ${dynamo.endpoint}`);

    const { createRulesStore } = await import('../../functions/adapters/rules-store');
    const { seedRules } = await import('../../functions/adapters/seed-rules');
    const seeded = await seedRules(createRulesStore(localNames.ordersTable));
    phase(
      `Rules seeded   ${Object.entries(seeded)
        .map(([k, v]) => `${k}:${v}`)
        .join(' ')}`,
    );

    const definition = JSON.parse(readFileSync(join(projectRoot, 'workflows/order-routing.asl.json'), 'utf8'));
    const sfn = await startLocalStepFunctions({
      port: sfnPort,
      region: localNames.region,
      stateMachines: [{ name: localNames.stateMachine, definition }],
      invokeLambda: (functionName, payload) => invoke(functionName.split(':').pop() ?? functionName, payload),
      ...(options.dataDir ? { dataDir: join(options.dataDir, 'stepfunctions') } : {}),
      ...(options.retryIntervalMs !== undefined ? { retryIntervalMs: options.retryIntervalMs } : {}),
    });
    stops.push(() => sfn.stop());
    phase('Step Functions endpoint up');

    const http = await startHttpServer(httpPort, invoke);
    stops.push(() => http.stop());

    // The local stand-in for the EventBridge schedule: the same handler, with a scheduled event's `time`.
    const sweepAllocations = (time = new Date()) =>
      invoke('expireAllocations', {
        'detail-type': 'Scheduled Event',
        source: 'local.timer',
        time: time.toISOString(),
      });
    const sweepTimer = setInterval(
      () => void sweepAllocations().catch((error: Error) => log(`allocation sweep failed: ${error.message}`)),
      allocationSweepMinutes * 60_000,
    );
    sweepTimer.unref();
    stops.push(async () => clearInterval(sweepTimer));

    const faults = options.faults && {
      setRate: (rate: number, kinds?: readonly FaultKind[]) => {
        for (const proxy of Object.values(proxies)) proxy.setRate(rate, kinds);
      },
      stats: () => ({
        dynamodb: proxies.dynamodb?.stats() ?? { requests: 0, faults: {} as Record<FaultKind, number> },
        ses: proxies.ses?.stats() ?? { requests: 0, faults: {} as Record<FaultKind, number> },
      }),
    };
    if (faults && options.faults) {
      faults.setRate(options.faults.rate);
      phase(`Fault proxies in front of DynamoDB and SES, fault rate ${options.faults.rate}`);
    }

    const urls = {
      web: http.url,
      api: `${http.url}/api`,
      dynamodb: dynamo.endpoint,
      stepFunctions: sfn.url,
      ses: ses.endpoint,
      sesInbox: `${ses.endpoint}/`,
      eventBridge: bus.endpoint,
    };
    return {
      urls,
      stateMachineArn,
      ...(eventsFile ? { eventsFile } : {}),
      ...(faults ? { faults } : {}),
      env,
      idle: () => sfn.idle(),
      events: () => bus.events(),
      sweepAllocations,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
