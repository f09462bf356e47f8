/** Local ports: embedded defaults, each overridable by an environment variable; 0 asks the OS for a free one. */
import { createServer } from 'node:net';

export const defaultPorts = {
  http: 3000,
  dynamodb: 8000,
  stepFunctions: 8083,
  ses: 8005,
  eventBridge: 8088,
} as const;

export type PortName = keyof typeof defaultPorts;

export const portEnv: Record<PortName, string> = {
  http: 'CHANNEL_HTTP_PORT',
  dynamodb: 'CHANNEL_DYNAMODB_PORT',
  stepFunctions: 'CHANNEL_SFN_PORT',
  ses: 'CHANNEL_SES_PORT',
  eventBridge: 'CHANNEL_EVENTS_PORT',
};

export function configuredPorts(env: NodeJS.ProcessEnv = process.env): Record<PortName, number> {
  const ports = { ...defaultPorts } as Record<PortName, number>;
  for (const name of Object.keys(defaultPorts) as PortName[]) {
    const value = env[portEnv[name]];
    if (value !== undefined && value !== '') {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error(`${portEnv[name]}=${value} is not a port`);
      ports[name] = port;
    }
  }
  return ports;
}

/** Some emulators need a concrete port up front; borrow one from the OS. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function assertPortFree(port: number, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', () =>
      reject(new Error(`port ${port} for ${what} is in use; stop what uses it or set ${what} to another port`)),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}
