/** Task tokens for `.waitForTaskToken` tasks: minting, waiting, and SendTaskSuccess/Failure/Heartbeat. */
import { randomBytes } from 'node:crypto';
import { SfnApiError, StatesError } from './errors.js';

interface Waiter {
  executionArn: string;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
  heartbeatMs: number | undefined;
  heartbeatTimer: NodeJS.Timeout | undefined;
  timeoutTimer: NodeJS.Timeout | undefined;
}

export interface WaitOptions {
  heartbeatSeconds?: number;
  timeoutSeconds?: number;
}

const tokenShape = /^AQ[A-Za-z0-9_-]{60,1022}$/;
// Enough to answer "that task is over" for recent tokens without growing forever.
const rememberedFinishedTokens = 5_000;

export class TaskTokens {
  private readonly waiting = new Map<string, Waiter>();
  private readonly finished = new Set<string>();

  mint(): string {
    return `AQ${randomBytes(64).toString('base64url')}`;
  }

  /** Resolves with the output of SendTaskSuccess; rejects on SendTaskFailure, heartbeat or task timeout. */
  wait(token: string, executionArn: string, options: WaitOptions): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        executionArn,
        resolve,
        reject,
        heartbeatMs: options.heartbeatSeconds ? options.heartbeatSeconds * 1000 : undefined,
        heartbeatTimer: undefined,
        timeoutTimer: undefined,
      };
      if (options.timeoutSeconds) {
        const ms = options.timeoutSeconds * 1000;
        waiter.timeoutTimer = setTimeout(() => this.settle(token, new StatesError('States.Timeout', '')), ms);
      }
      this.waiting.set(token, waiter);
      this.armHeartbeat(token, waiter);
    });
  }

  succeed(token: unknown, output: unknown): void {
    if (typeof output !== 'string') throw new SfnApiError('ValidationException', 'output is required');
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new SfnApiError('InvalidOutput', 'Invalid State Machine Output: output is not valid JSON');
    }
    this.settle(this.known(token), parsed);
  }

  fail(token: unknown, error: unknown, cause: unknown): void {
    const name = typeof error === 'string' ? error : '';
    this.settle(this.known(token), new StatesError(name, typeof cause === 'string' ? cause : ''));
  }

  heartbeat(token: unknown): void {
    const valid = this.known(token);
    const waiter = this.waiting.get(valid);
    if (waiter) this.armHeartbeat(valid, waiter);
  }

  /** Ends every wait of an execution that stopped, so no timer or promise outlives it. */
  cancelExecution(executionArn: string, reason: Error): void {
    for (const [token, waiter] of this.waiting) {
      if (waiter.executionArn === executionArn) this.settle(token, reason);
    }
  }

  /** Stops every timer (the endpoint is shutting down); the waits are abandoned, not failed. */
  clear(): void {
    for (const waiter of this.waiting.values()) {
      clearTimeout(waiter.heartbeatTimer);
      clearTimeout(waiter.timeoutTimer);
    }
    this.waiting.clear();
  }

  private known(token: unknown): string {
    if (typeof token !== 'string' || !tokenShape.test(token)) {
      throw new SfnApiError('InvalidToken', 'Invalid token');
    }
    if (this.waiting.has(token)) return token;
    if (this.finished.has(token)) {
      throw new SfnApiError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    }
    throw new SfnApiError('TaskDoesNotExist', 'Task does not exist');
  }

  private armHeartbeat(token: string, waiter: Waiter): void {
    if (waiter.heartbeatMs === undefined) return;
    clearTimeout(waiter.heartbeatTimer);
    waiter.heartbeatTimer = setTimeout(
      () => this.settle(token, new StatesError('States.HeartbeatTimeout', '')),
      waiter.heartbeatMs,
    );
  }

  private settle(token: string, outcome: unknown): void {
    const waiter = this.waiting.get(token);
    if (!waiter) return;
    this.waiting.delete(token);
    clearTimeout(waiter.heartbeatTimer);
    clearTimeout(waiter.timeoutTimer);
    this.remember(token);
    if (outcome instanceof Error) waiter.reject(outcome);
    else waiter.resolve(outcome);
  }

  private remember(token: string): void {
    this.finished.add(token);
    if (this.finished.size > rememberedFinishedTokens) {
      const oldest = this.finished.values().next().value;
      if (oldest !== undefined) this.finished.delete(oldest);
    }
  }
}
