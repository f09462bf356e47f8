/** Polls a condition until it holds or a deadline passes: the only way local code waits for something. */
import { setTimeout as delay } from 'node:timers/promises';

/** Thrown by a probe when waiting longer cannot help (the process died): waitUntil rethrows it at once. */
export class GiveUp extends Error {
  override name = 'GiveUp';
}

export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      lastError = error;
    }
    await delay(intervalMs);
  }
  const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
}
