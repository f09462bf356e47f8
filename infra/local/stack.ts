/** The whole channel on this machine: DynamoDB Local, the Step Functions endpoint, SES, the event bus and the HTTP front door. */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import * as sesModule from 'aws-ses-v2-local';
import { ensureTables, startDynamoDbLocal } from './dynamodb-local';
import { startLocalEventBus } from './event-bus';
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
} as const;

export interface LocalStackOptions {
  /** Where data persists across restarts; undefined keeps everything in memory. */
  dataDir?: string;
  /** Ports to use; 0 picks a free one. Defaults come from ports.ts and CHANNEL_*_PORT variables. */
  ports?: Partial<Record<PortName, number>>;
  /** Faster Retry intervals for tests (ms); AWS-faithful intervals when undefined. */
  retryIntervalMs?: number;
  log?: (line: string) => void;
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
  /** Resolves when the Step Functions endpoint has no running execution. */
  idle(): Promise<void>;
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
    const dynamoEndpoint = `http://127.0.0.1:${dynamoPort}`;

    const ses = await startSes(ports.ses === 0 ? await freePort() : ports.ses);
    stops.push(() => ses.stop());
    const eventsFile = options.dataDir && join(options.dataDir, 'events.jsonl');
    const bus = await startLocalEventBus(ports.eventBridge, eventsFile);
    stops.push(() => bus.stop());

    const stateMachineArn = `arn:aws:states:${localNames.region}:000000000000:stateMachine:${localNames.stateMachine}`;
    const env: Record<string, string> = {
      AWS_REGION: localNames.region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
      AWS_ENDPOINT_URL_SESV2: ses.endpoint,
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
      STATE_MACHINE_ARN: stateMachineArn,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
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

    const dynamo = await dynamoStarting;
    await ensureTables(dynamo.endpoint, {
      orders: localNames.ordersTable,
      idempotency: localNames.idempotencyTable,
      ledger: localNames.ledgerTable,
    });
    log(`DynamoDB Local      ${dynamo.endpoint}`);

    const { createRulesStore } = await import('../../functions/adapters/rules-store');
    const { seedRules } = await import('../../functions/adapters/seed-rules');
    const seeded = await seedRules(createRulesStore(localNames.ordersTable));
    log(
      `Rules               ${Object.entries(seeded)
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

    const http = await startHttpServer(httpPort, invoke);
    stops.push(() => http.stop());

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
      env,
      idle: () => sfn.idle(),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
