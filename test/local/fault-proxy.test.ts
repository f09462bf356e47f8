/** The fault proxy injects what it says, where it says: errors the SDK classifies as AWS's, and lost answers after a write. */
import { createServer, type Server } from 'node:http';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTransientDependencyError } from '../../functions/adapters/transient-errors';
import { type FaultKind, startFaultProxy } from '../../infra/local/fault-proxy';

let upstream: Server;
let upstreamUrl: string;
let received = 0;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received += 1;
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ TableNames: [], MessageId: 'm-1' }));
    });
  });
  await new Promise<void>((done) => upstream.listen(0, '127.0.0.1', done));
  const address = upstream.address();
  upstreamUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await new Promise((done) => upstream.close(done));
});

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
/** A client through the proxy that tries once and gives up after 300 ms: each fault shows as it is. */
const oneTryThrough = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials,
  maxAttempts: 1,
  requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
});

async function dynamoThrough(kind: FaultKind) {
  const proxy = await startFaultProxy({ service: 'dynamodb', target: upstreamUrl, rate: 1, kinds: [kind] });
  const client = new DynamoDBClient(oneTryThrough(proxy.endpoint));
  const before = received;
  try {
    const error = await client.send(new ListTablesCommand({})).then(
      () => undefined,
      (e: Error) => e,
    );
    return { error, forwarded: received - before, stats: proxy.stats() };
  } finally {
    client.destroy();
    await proxy.stop();
  }
}

describe('fault proxy in front of DynamoDB', () => {
  it('throttles and answers 5xx before forwarding, with errors the SDK names and retries', async () => {
    const throttled = await dynamoThrough('throttle');
    expect(throttled.error?.name).toBe('ThrottlingException');
    expect(throttled.forwarded).toBe(0);
    const failed = await dynamoThrough('server-error');
    expect(failed.error?.name).toBe('InternalServerError');
    for (const { error } of [throttled, failed]) expect(isTransientDependencyError(error)).toBe(true);
  });

  it('loses the answer of a request it forwarded (timeout, dropped connection)', async () => {
    for (const kind of ['timeout', 'drop'] as const) {
      const { error, forwarded, stats } = await dynamoThrough(kind);
      expect(forwarded, kind).toBe(1);
      expect(error, kind).toBeDefined();
      expect(isTransientDependencyError(error), `${kind}: ${error?.name} ${error?.message}`).toBe(true);
      expect(stats.faults[kind]).toBe(1);
    }
  });

  it('passes everything through at rate 0', async () => {
    const proxy = await startFaultProxy({ service: 'dynamodb', target: upstreamUrl, rate: 0 });
    const client = new DynamoDBClient({ endpoint: proxy.endpoint, region: 'us-east-1', credentials });
    try {
      await expect(client.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
    } finally {
      client.destroy();
      await proxy.stop();
    }
  });
});

describe('fault proxy in front of SES', () => {
  it('never forwards a faulted send, so an e-mail is never delivered behind a lost answer', async () => {
    for (const kind of ['throttle', 'server-error', 'timeout', 'drop'] as const) {
      const proxy = await startFaultProxy({ service: 'ses', target: upstreamUrl, rate: 1, kinds: [kind] });
      const client = new SESv2Client(oneTryThrough(proxy.endpoint));
      const before = received;
      try {
        const error = await client
          .send(
            new SendEmailCommand({
              FromEmailAddress: 'a@example.com',
              Destination: { ToAddresses: ['b@example.com'] },
              Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } },
            }),
          )
          .then(
            () => undefined,
            (e: Error) => e,
          );
        expect(error, kind).toBeDefined();
        expect(received - before, kind).toBe(0);
      } finally {
        client.destroy();
        await proxy.stop();
      }
    }
  });
});
