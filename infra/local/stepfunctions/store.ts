/** Executions in memory (running ones plus the most recent closed ones) and, with a dataDir, on disk. */
import { createHash } from 'node:crypto';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistoryEvent } from './history.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** Everything DescribeExecution and GetExecutionHistory answer from; dates in epoch milliseconds. */
export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  redriveCount: number;
  redriveDate?: number;
  events: HistoryEvent[];
}

interface PendingWrite {
  dirty: boolean;
  done: Promise<void>;
}

export class ExecutionStore {
  private readonly records = new Map<string, ExecutionRecord>();
  // Closed executions in the order they closed; the oldest leave memory first.
  private readonly closedOrder = new Set<string>();
  private readonly writes = new Map<string, PendingWrite>();
  private tempCounter = 0;

  constructor(
    private readonly dataDir: string | undefined,
    private readonly retainClosed: number,
    private readonly log: (line: string) => void,
  ) {}

  /** Reads every persisted execution; returns those that were RUNNING when the last process ended. */
  async load(): Promise<ExecutionRecord[]> {
    const dir = this.directory();
    if (!dir) return [];
    await mkdir(dir, { recursive: true });
    const loaded: ExecutionRecord[] = [];
    for (const file of await readdir(dir)) {
      const path = join(dir, file);
      if (file.endsWith('.tmp')) await rm(path, { force: true });
      else if (file.endsWith('.json')) {
        const record = await this.readRecord(path);
        if (record) loaded.push(record);
      }
    }
    loaded.sort((a, b) => (a.stopDate ?? a.startDate) - (b.stopDate ?? b.startDate));
    for (const record of loaded) {
      this.records.set(record.executionArn, record);
      if (record.status !== 'RUNNING') this.markClosed(record);
    }
    return loaded.filter((record) => record.status === 'RUNNING');
  }

  /** Whether an execution with this ARN ever existed (memory, or its file). Synchronous, so starts cannot race. */
  exists(executionArn: string): boolean {
    if (this.records.has(executionArn)) return true;
    const file = this.fileOf(executionArn);
    return file !== undefined && existsSync(file);
  }

  inMemory(executionArn: string): ExecutionRecord | undefined {
    return this.records.get(executionArn);
  }

  async get(executionArn: string): Promise<ExecutionRecord | undefined> {
    const record = this.records.get(executionArn);
    if (record) return record;
    const file = this.fileOf(executionArn);
    return file && existsSync(file) ? this.readRecord(file) : undefined;
  }

  /** Executions of one state machine held in memory (all running ones and the most recent closed ones). */
  list(stateMachineArn: string): ExecutionRecord[] {
    return [...this.records.values()].filter((record) => record.stateMachineArn === stateMachineArn);
  }

  /**
   * A new execution is on disk before StartExecution answers, as in AWS: a crash right after a buyer's 202 must not
   * lose the route (later changes are coalesced; a restart re-runs a RUNNING execution from the start anyway).
   */
  add(record: ExecutionRecord): void {
    this.records.set(record.executionArn, record);
    const file = this.fileOf(record.executionArn);
    if (!file) return;
    this.tempCounter += 1;
    const temp = `${file}.${process.pid}.${this.tempCounter}.tmp`;
    writeFileSync(temp, JSON.stringify(record));
    renameSync(temp, file);
  }

  /** Records a change; writes are coalesced, so a burst of events costs one or two writes. */
  save(record: ExecutionRecord): void {
    const file = this.fileOf(record.executionArn);
    if (!file) return;
    const pending = this.writes.get(record.executionArn);
    if (pending) {
      pending.dirty = true;
      return;
    }
    const write: PendingWrite = { dirty: true, done: Promise.resolve() };
    write.done = this.writeLoop(record, file, write);
    this.writes.set(record.executionArn, write);
  }

  closed(record: ExecutionRecord): void {
    this.save(record);
    this.markClosed(record);
  }

  /** Resolves once everything recorded so far is on disk. */
  async flush(): Promise<void> {
    while (this.writes.size > 0) await Promise.all([...this.writes.values()].map((write) => write.done));
  }

  private markClosed(record: ExecutionRecord): void {
    this.closedOrder.delete(record.executionArn);
    this.closedOrder.add(record.executionArn);
    while (this.closedOrder.size > this.retainClosed) {
      const oldest = this.closedOrder.values().next().value;
      if (oldest === undefined) break;
      this.closedOrder.delete(oldest);
      this.records.delete(oldest);
    }
  }

  private async writeLoop(record: ExecutionRecord, file: string, write: PendingWrite): Promise<void> {
    try {
      while (write.dirty) {
        write.dirty = false;
        await this.writeAtomically(file, JSON.stringify(record));
      }
    } catch (error) {
      this.log(`stepfunctions: could not persist ${record.executionArn}: ${String(error)}`);
    } finally {
      this.writes.delete(record.executionArn);
    }
  }

  /** Temp file then rename, so a crash leaves either the old or the new file, never half of one. */
  private async writeAtomically(file: string, content: string): Promise<void> {
    this.tempCounter += 1;
    const temp = `${file}.${process.pid}.${this.tempCounter}.tmp`;
    await writeFile(temp, content);
    await rename(temp, file);
  }

  private async readRecord(path: string): Promise<ExecutionRecord | undefined> {
    try {
      const record = JSON.parse(await readFile(path, 'utf8')) as ExecutionRecord;
      if (typeof record.executionArn === 'string' && Array.isArray(record.events)) return record;
    } catch (error) {
      this.log(`stepfunctions: ignoring unreadable ${path}: ${String(error)}`);
    }
    return undefined;
  }

  private directory(): string | undefined {
    return this.dataDir ? join(this.dataDir, 'executions') : undefined;
  }

  /** Names may hold characters a file system dislikes, so files are named by a hash of the ARN. */
  private fileOf(executionArn: string): string | undefined {
    const dir = this.directory();
    if (!dir) return undefined;
    return join(dir, `${createHash('sha256').update(executionArn).digest('hex').slice(0, 40)}.json`);
  }
}
