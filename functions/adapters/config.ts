/** Fail-fast configuration: each handler reads what it needs once, at cold start. */

export class MissingConfigurationError extends Error {
  override name = 'MissingConfigurationError';
}

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new MissingConfigurationError(`environment variable ${name} is not set`);
  }
  return value;
}

/** The clock is injected so tests can fix "today"; handlers use the system clock. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
