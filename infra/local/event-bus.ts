/** A local EventBridge PutEvents endpoint: keeps every event as a JSON line under .local/, as the bus would deliver it. */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { dirname } from 'node:path';

export interface StoredEvent {
  id: string;
  time: string;
  source: string;
  'detail-type': string;
  'event-bus-name': string;
  detail: unknown;
}

export interface LocalEventBus {
  endpoint: string;
  events(): StoredEvent[];
  stop(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Time?: string | number;
}

export async function startLocalEventBus(port: number, file?: string): Promise<LocalEventBus> {
  const kept: StoredEvent[] = [];
  if (file) mkdirSync(dirname(file), { recursive: true });

  const server: Server = createServer(async (request, response) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(body));
    };
    if (target !== 'AWSEvents.PutEvents') {
      reply(400, { __type: 'UnknownOperationException', message: `${target} is not supported locally` });
      return;
    }
    let entries: PutEventsEntry[];
    try {
      entries = (JSON.parse(await readBody(request)) as { Entries?: PutEventsEntry[] }).Entries ?? [];
    } catch {
      reply(400, { __type: 'SerializationException', message: 'body is not JSON' });
      return;
    }
    const results = entries.map((entry) => {
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail ?? '{}');
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not valid JSON' };
      }
      const event: StoredEvent = {
        id: randomUUID(),
        time: new Date().toISOString(),
        source: entry.Source ?? '',
        'detail-type': entry.DetailType ?? '',
        'event-bus-name': entry.EventBusName ?? 'default',
        detail,
      };
      kept.push(event);
      if (kept.length > 10_000) kept.shift();
      if (file) appendFileSync(file, `${JSON.stringify(event)}\n`);
      return { EventId: event.id };
    });
    reply(200, { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    endpoint: `http://127.0.0.1:${actualPort}`,
    events: () => [...kept],
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
