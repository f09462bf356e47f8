/** The local front door on :3000: API requests become API Gateway proxy events for the same handlers; web/ is served too. */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { apiRoutes } from '../../functions/lambdas';
import type { Invoke } from './lambda-runtime';

const webRoot = resolve(import.meta.dirname, '../../web');

/** Bigger than the API's own 64 KiB limit so the handler answers 413 itself; beyond this the socket is cut short. */
const MAX_READ_BYTES = 1024 * 1024;

export const securityHeaders: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

interface CompiledRoute {
  method: string;
  resource: string;
  lambda: string;
  pattern: RegExp;
  params: string[];
}

const routes: CompiledRoute[] = apiRoutes.map((route) => {
  const params: string[] = [];
  const pattern = new RegExp(
    `^${route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      params.push(name);
      return '([^/]+)';
    })}$`,
  );
  return { method: route.method, resource: route.path, lambda: route.lambda, pattern, params };
});

function problem(response: ServerResponse, status: number, title: string, detail: string) {
  response.writeHead(status, {
    ...securityHeaders,
    'Content-Type': 'application/problem+json',
    'Cache-Control': 'no-store',
  });
  response.end(
    JSON.stringify({ type: `/problems/${title.toLowerCase().replace(/\W+/g, '-')}`, title, status, detail }),
  );
}

async function readBody(request: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_READ_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function toProxyEvent(
  request: IncomingMessage,
  url: URL,
  route: CompiledRoute,
  pathParameters: Record<string, string>,
  body: Buffer,
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    headers[name] = values.join(',');
    multiValueHeaders[name] = values;
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) {
    query[key] = value;
    multiQuery[key] = [...(multiQuery[key] ?? []), value];
  }
  const requestId = randomUUID();
  return {
    resource: route.resource,
    path: url.pathname,
    httpMethod: route.method,
    headers,
    multiValueHeaders,
    queryStringParameters: Object.keys(query).length ? query : null,
    multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
    pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
    stageVariables: null,
    body: body.length ? body.toString('utf8') : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: `HTTP/${request.httpVersion}`,
      httpMethod: route.method,
      identity: {
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      } as APIGatewayProxyEvent['requestContext']['identity'],
      path: url.pathname,
      stage: 'local',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: route.resource,
    },
  };
}

async function serveApi(request: IncomingMessage, response: ServerResponse, url: URL, invoke: Invoke) {
  const matching = routes.filter((r) => r.pattern.test(url.pathname));
  if (matching.length === 0) return problem(response, 404, 'Not found', `No API resource at ${url.pathname}.`);
  const route = matching.find((r) => r.method === request.method);
  if (!route) {
    response.setHeader('Allow', matching.map((r) => r.method).join(', '));
    return problem(response, 405, 'Method not allowed', `${request.method} is not allowed on ${url.pathname}.`);
  }
  const body = await readBody(request);
  if (body === 'too-large') return problem(response, 413, 'Body too large', 'The body exceeds the 64 KiB limit.');
  const values = route.pattern.exec(url.pathname)?.slice(1) ?? [];
  const pathParameters = Object.fromEntries(route.params.map((name, i) => [name, decodeURIComponent(values[i] ?? '')]));
  const result = (await invoke(
    route.lambda,
    toProxyEvent(request, url, route, pathParameters, body),
  )) as APIGatewayProxyResult;
  response.writeHead(result.statusCode, { ...securityHeaders, ...(result.headers as Record<string, string>) });
  response.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

/** `/orders/{id}` is the status page; anything else maps to a file under web/, never outside it. */
async function serveWeb(response: ServerResponse, url: URL) {
  let file = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
  if (/^orders\/[^/]+$/.test(file)) file = 'order.html';
  const path = normalize(join(webRoot, file));
  if (!path.startsWith(`${webRoot}/`)) return problem(response, 404, 'Not found', 'No such page.');
  try {
    const content = await readFile(path);
    response.writeHead(200, {
      ...securityHeaders,
      'Content-Type': contentTypes[extname(path)] ?? 'application/octet-stream',
      'Cache-Control': 'no-cache',
    });
    response.end(content);
  } catch {
    problem(response, 404, 'Not found', 'No such page.');
  }
}

export interface LocalHttpServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startHttpServer(port: number, invoke: Invoke): Promise<LocalHttpServer> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const work =
      url.pathname.startsWith('/api/') || url.pathname === '/api'
        ? serveApi(request, response, url, invoke)
        : request.method === 'GET' || request.method === 'HEAD'
          ? serveWeb(response, url)
          : Promise.resolve(problem(response, 405, 'Method not allowed', 'Pages are read with GET.'));
    work.catch((error: Error) => {
      console.error('local http server error', error);
      if (!response.headersSent) problem(response, 500, 'Internal error', 'The local server failed.');
      else response.end();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolveListen);
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://localhost:${actualPort}`,
    port: actualPort,
    stop: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}
