/** The AWS JSON 1.0 wire protocol over node:http: X-Amz-Target dispatch, JSON bodies, AWS-shaped errors. */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { SfnApiError } from './errors.js';

export type Operation = (params: Record<string, unknown>) => Promise<unknown> | unknown;

const targetPrefix = 'AWSStepFunctions.';
// Inputs and outputs are capped at 256 KiB by AWS; leave room for the envelope.
const maxBodyBytes = 1024 * 1024;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) reject(new SfnApiError('ValidationException', 'Request body is too large', 413));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseParams(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // Reported below, as AWS does, as a serialization error.
  }
  throw new SfnApiError('SerializationException', 'Request body is not a JSON object');
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
  });
  response.end(text);
}

async function handle(
  operations: Record<string, Operation>,
  request: IncomingMessage,
  log: (line: string) => void,
): Promise<[number, unknown]> {
  try {
    const body = await readBody(request);
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(targetPrefix) ? operations[target.slice(targetPrefix.length)] : undefined;
    if (request.method !== 'POST' || !operation) {
      throw new SfnApiError('UnknownOperationException', `Unknown operation '${target}'`);
    }
    return [200, (await operation(parseParams(body))) ?? {}];
  } catch (error) {
    if (error instanceof SfnApiError) return [error.httpStatus, { __type: error.code, message: error.message }];
    log(`stepfunctions: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return [
      500,
      { __type: 'InternalFailure', message: 'The request processing has failed because of an unknown error' },
    ];
  }
}

export function createJsonServer(operations: Record<string, Operation>, log: (line: string) => void): Server {
  return createServer((request, response) => {
    void handle(operations, request, log).then(([status, body]) => send(response, status, body));
  });
}
