/** Runs executions with aws-local-stepfunctions: Lambda-faithful tasks, task tokens, AWS-shaped history. */
import './polyfill.js';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
} from 'aws-local-stepfunctions';
import { type ArnScope, executionArn } from './arns.js';
import {
  type AslMachine,
  type AslState,
  classifyResource,
  indexStates,
  withFaithfulTaskTimeouts,
} from './definition.js';
import { SfnApiError, StatesError, statesRuntime } from './errors.js';
import {
  detailsKey,
  type EventSink,
  executionStartedDetails,
  type HistoryEvent,
  HistoryTranslator,
  json,
  outputDetails,
} from './history.js';
import { invokeResponse, taskErrorFromHandler } from './lambda-invoke.js';
import type { ExecutionRecord, ExecutionStatus, ExecutionStore } from './store.js';
import type { TaskTokens } from './tokens.js';

type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type JsonValue = Parameters<TaskHandlers[string]>[0];
type LibraryContext = NonNullable<RunOptions['context']>;

export interface LoadedMachine {
  name: string;
  arn: string;
  definitionJson: string;
  runnable: StateMachine;
  states: Map<string, AslState>;
  creationDate: number;
}

export interface EngineOptions {
  scope: ArnScope;
  roleArn: string;
  store: ExecutionStore;
  tokens: TaskTokens;
  invokeLambda: (functionName: string, payload: unknown) => Promise<unknown>;
  invokeIntegration?: (resource: string, parameters: unknown) => Promise<unknown>;
  retryIntervalMs?: number;
  log: (line: string) => void;
}

interface RunningExecution {
  record: ExecutionRecord;
  machine: LoadedMachine;
  abort: () => void;
  /** Set once the terminal event is written, or the endpoint stopped: nothing more is recorded. */
  closed: boolean;
  /** Tokens minted by `$$.Task.Token` and not yet claimed by the Task whose Parameters asked for them. */
  minted: string[];
}

type TaskEventBase = {
  resourceType: string;
  resource: string;
};

// AWS fails an execution whose history reaches this many events; it also keeps memory bounded here.
const maxHistoryEvents = 25_000;
const noTruncation = { truncated: false };

// asl-validator takes a few hundred ms per definition; a restart in the same process need not pay it again.
const validatedDefinitions = new Set<string>();
const maxRememberedDefinitions = 100;

export function loadMachine(arn: string, name: string, definition: object): LoadedMachine {
  const machine = definition as AslMachine;
  const states = indexStates(machine);
  const definitionJson = JSON.stringify(definition);
  // Constructing validates the definition with asl-validator, so a bad one fails at start, not mid-run.
  const noValidate = validatedDefinitions.has(definitionJson);
  const runnable = new StateMachine(withFaithfulTaskTimeouts(machine) as never, { validationOptions: { noValidate } });
  if (validatedDefinitions.size >= maxRememberedDefinitions) validatedDefinitions.clear();
  validatedDefinitions.add(definitionJson);
  return { name, arn, definitionJson, runnable, states, creationDate: Date.now() };
}

export function appendEvent(record: ExecutionRecord, type: string, details?: Record<string, unknown>, at?: number) {
  const last = record.events[record.events.length - 1];
  const id = (last?.id ?? 0) + 1;
  // Library events arrive a tick late; keep timestamps monotonic as AWS does.
  const event: HistoryEvent = {
    id,
    previousEventId: id - 1,
    timestamp: Math.max(at ?? Date.now(), last?.timestamp ?? 0),
    type,
  };
  if (details) event[detailsKey(type)] = details;
  record.events.push(event);
}

/** Lets the library's queued events (the TaskStateEntered before this task) reach the history first. */
function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function jsonCopy(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null));
}

function seconds(value: unknown): number | undefined {
  return typeof value === 'number' && value > 0 ? value : undefined;
}

export class Engine {
  private readonly running = new Map<string, RunningExecution>();
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: EngineOptions) {}

  /** StartExecution: idempotent for the same name and input while RUNNING, as AWS Standard is. */
  start(machine: LoadedMachine, name: string, input: string): ExecutionRecord {
    const arn = executionArn(this.options.scope, machine.name, name);
    const live = this.running.get(arn);
    if (live && live.record.input === input) return live.record;
    if (live || this.options.store.exists(arn)) {
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const record: ExecutionRecord = {
      executionArn: arn,
      stateMachineArn: machine.arn,
      stateMachineName: machine.name,
      name,
      status: 'RUNNING',
      startDate: Date.now(),
      input,
      redriveCount: 0,
      events: [],
    };
    this.options.store.add(record);
    this.launch(machine, record, false);
    return record;
  }

  /** Restarts an execution the previous process left RUNNING, from the beginning with the same input. */
  redrive(machine: LoadedMachine, record: ExecutionRecord): void {
    record.redriveCount += 1;
    record.redriveDate = Date.now();
    appendEvent(record, 'ExecutionRedriven', { redriveCount: record.redriveCount });
    this.options.log(`stepfunctions: redriving ${record.executionArn} from the start (redrive ${record.redriveCount})`);
    this.launch(machine, record, true);
  }

  /** Closes a persisted RUNNING execution that cannot be run again (its state machine is gone). */
  abandon(record: ExecutionRecord, cause: string): void {
    const failure = { error: 'States.Runtime', cause };
    this.close(record, 'FAILED', 'ExecutionFailed', failure, failure);
  }

  /** StopExecution. Returns false when the execution is not running here. */
  stop(arn: string, error: string | undefined, cause: string | undefined): boolean {
    const running = this.running.get(arn);
    if (!running) return false;
    this.finishRunning(running, 'ABORTED', 'ExecutionAborted', { error, cause });
    running.abort();
    return true;
  }

  /** The endpoint is going away: stop every run without recording an end, so a restart redrives them. */
  detachAll(): void {
    for (const running of [...this.running.values()]) {
      running.closed = true;
      this.running.delete(running.record.executionArn);
      running.abort();
      this.options.tokens.cancelExecution(running.record.executionArn, statesRuntime('The endpoint stopped'));
    }
    this.notifyIdle();
  }

  isRunning(arn: string): boolean {
    return this.running.has(arn);
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await this.options.store.flush();
  }

  private launch(machine: LoadedMachine, record: ExecutionRecord, redriven: boolean): void {
    const running: RunningExecution = { record, machine, abort: () => {}, closed: false, minted: [] };
    this.running.set(record.executionArn, running);
    const started = redriven ? undefined : executionStartedDetails(record.input, this.options.roleArn);
    const translator = new HistoryTranslator(this.sinkFor(running), machine.states, started);
    const run = machine.runnable.run(JSON.parse(record.input) as JsonValue, {
      overrides: { taskResourceLocalHandlers: this.taskHandlers(running), ...this.retryOverrides(machine) },
      context: this.contextFor(running),
    });
    running.abort = run.abort;
    const consumed = (async () => {
      // Synchronous per event, so a macrotask boundary is enough for the history to catch up.
      for await (const event of run.eventLogs) translator.translate(event);
    })();
    void Promise.allSettled([run.result]).then(async ([outcome]) => {
      await consumed.catch((error: unknown) => this.options.log(`stepfunctions: history error: ${String(error)}`));
      if (outcome) this.settle(running, outcome);
    });
  }

  private sinkFor(running: RunningExecution): EventSink {
    return (type, details, at) => {
      if (running.closed) return;
      appendEvent(running.record, type, details, at);
      if (running.record.events.length >= maxHistoryEvents - 1) {
        const cause = `The execution reached the maximum number of history events (${maxHistoryEvents}).`;
        this.finishRunning(running, 'FAILED', 'ExecutionFailed', { error: 'States.Runtime', cause });
        running.abort();
        return;
      }
      this.options.store.save(running.record);
    };
  }

  /** The context object; `Task.Token` mints a fresh token each time a Parameters block reads `$$.Task.Token`. */
  private contextFor(running: RunningExecution): LibraryContext {
    const { record } = running;
    const tokens = this.options.tokens;
    return {
      Execution: {
        Id: record.executionArn,
        Name: record.name,
        RoleArn: this.options.roleArn,
        RedriveCount: record.redriveCount,
      },
      StateMachine: { Id: record.stateMachineArn, Name: record.stateMachineName },
      Task: {
        get Token() {
          const token = tokens.mint();
          running.minted.push(token);
          return token;
        },
      },
    };
  }

  private taskHandlers(running: RunningExecution): TaskHandlers {
    const handlers: TaskHandlers = {};
    for (const [name, state] of running.machine.states) {
      if (state.Type === 'Task') {
        handlers[name] = (input) => this.runTask(running, state, input) as Promise<JsonValue>;
      }
    }
    return handlers;
  }

  private retryOverrides(machine: LoadedMachine): Pick<NonNullable<RunOptions['overrides']>, 'retryIntervalOverrides'> {
    const ms = this.options.retryIntervalMs;
    if (ms === undefined) return {};
    const retrying = [...machine.states].filter(([, state]) => Array.isArray(state.Retry));
    return { retryIntervalOverrides: Object.fromEntries(retrying.map(([name]) => [name, ms])) };
  }

  /** Finds the token this Task's Parameters embedded; the library evaluates Parameters just before calling us. */
  private claimToken(running: RunningExecution, input: unknown): string | undefined {
    if (running.minted.length === 0) return undefined;
    const serialized = JSON.stringify(input) ?? '';
    const token = running.minted.find((candidate) => serialized.includes(candidate));
    running.minted = [];
    return token;
  }

  private async runTask(running: RunningExecution, state: AslState, input: unknown): Promise<unknown> {
    const token = this.claimToken(running, input);
    if (running.closed) throw statesRuntime('The execution is no longer running');
    await nextMacrotask();
    const resource = classifyResource(state.Resource);
    switch (resource.kind) {
      case 'lambdaArn':
        return this.invokeLambdaArn(running, resource.arn, state, input);
      case 'lambdaInvoke':
      case 'integration': {
        const base = { resourceType: resource.resourceType, resource: resource.resource };
        const result = await this.invokeIntegrated(running, base, state, input);
        if (!resource.waitForTaskToken) {
          this.sinkFor(running)('TaskSucceeded', { ...base, ...outputDetails(json(result)) });
          return result;
        }
        this.sinkFor(running)('TaskSubmitted', { ...base, ...outputDetails(json(result)) });
        return this.awaitToken(running, base, state, token);
      }
      default:
        throw statesRuntime(`Not supported by the local Step Functions endpoint: ${resource.reason}`);
    }
  }

  /** Legacy `Resource: <function ARN>`: the input is the event, the result is the handler's return value. */
  private async invokeLambdaArn(running: RunningExecution, arn: string, state: AslState, input: unknown) {
    const sink = this.sinkFor(running);
    const timeoutInSeconds = seconds(state.TimeoutSeconds);
    sink('LambdaFunctionScheduled', {
      resource: arn,
      input: json(input),
      inputDetails: noTruncation,
      timeoutInSeconds,
    });
    sink('LambdaFunctionStarted');
    try {
      const result = jsonCopy(await this.options.invokeLambda(arn, jsonCopy(input)));
      sink('LambdaFunctionSucceeded', outputDetails(json(result)));
      return result;
    } catch (thrown) {
      const error = taskErrorFromHandler(thrown);
      sink('LambdaFunctionFailed', { error: error.name, cause: error.message });
      throw error;
    }
  }

  /** `arn:aws:states:::lambda:invoke` (Invoke API response) or another integration through invokeIntegration. */
  private async invokeIntegrated(running: RunningExecution, base: TaskEventBase, state: AslState, input: unknown) {
    const sink = this.sinkFor(running);
    const timeouts = {
      timeoutInSeconds: seconds(state.TimeoutSeconds),
      heartbeatInSeconds: seconds(state.HeartbeatSeconds),
    };
    sink('TaskScheduled', { ...base, region: this.options.scope.region, parameters: json(input), ...timeouts });
    sink('TaskStarted', base);
    try {
      return await this.callTarget(base, state, input);
    } catch (thrown) {
      const error = base.resourceType === 'lambda' ? taskErrorFromHandler(thrown) : integrationError(thrown);
      sink('TaskFailed', { ...base, error: error.name, cause: error.message });
      throw error;
    }
  }

  private async callTarget(base: TaskEventBase, state: AslState, input: unknown): Promise<unknown> {
    if (base.resourceType === 'lambda') {
      const { FunctionName, Payload } = (input ?? {}) as { FunctionName?: unknown; Payload?: unknown };
      if (typeof FunctionName !== 'string') throw statesRuntime('lambda:invoke needs Parameters.FunctionName');
      return invokeResponse(await this.options.invokeLambda(FunctionName, jsonCopy(Payload ?? {})));
    }
    if (this.options.invokeIntegration) {
      return jsonCopy(await this.options.invokeIntegration(String(state.Resource), jsonCopy(input)));
    }
    // A callback integration (SQS, SNS, EventBridge ...) can still be completed with the token from the history.
    if (base.resource.endsWith('.waitForTaskToken')) return {};
    throw statesRuntime(`No local handler for Resource '${String(state.Resource)}' (pass invokeIntegration)`);
  }

  private async awaitToken(running: RunningExecution, base: TaskEventBase, state: AslState, claimed?: string) {
    const sink = this.sinkFor(running);
    const token = claimed ?? this.options.tokens.mint();
    if (!claimed) this.options.log(`stepfunctions: a waitForTaskToken task does not pass $$.Task.Token on`);
    const options = {
      heartbeatSeconds: seconds(state.HeartbeatSeconds),
      timeoutSeconds: seconds(state.TimeoutSeconds),
    };
    try {
      const output = await this.options.tokens.wait(token, running.record.executionArn, options);
      sink('TaskSucceeded', { ...base, ...outputDetails(json(output)) });
      return output;
    } catch (thrown) {
      const error = thrown instanceof StatesError ? thrown : statesRuntime(String(thrown));
      const timedOut = error.name === 'States.Timeout' || error.name === 'States.HeartbeatTimeout';
      sink(timedOut ? 'TaskTimedOut' : 'TaskFailed', { ...base, error: error.name, cause: error.message || undefined });
      throw error;
    }
  }

  /** The run's result decides the terminal status; the event log alone lacks the failing error's details. */
  private settle(running: RunningExecution, outcome: PromiseSettledResult<unknown>): void {
    if (running.closed) return;
    if (outcome.status === 'fulfilled') {
      const output = json(outcome.value);
      this.finishRunning(running, 'SUCCEEDED', 'ExecutionSucceeded', outputDetails(output), { output });
      return;
    }
    const reason: unknown = outcome.reason;
    if (reason instanceof ExecutionTimeoutError) {
      this.finishRunning(running, 'TIMED_OUT', 'ExecutionTimedOut', { error: 'States.Timeout' });
    } else if (reason instanceof ExecutionAbortedError) {
      this.finishRunning(running, 'ABORTED', 'ExecutionAborted', {});
    } else {
      this.finishRunning(running, 'FAILED', 'ExecutionFailed', this.failureOf(running, reason));
    }
  }

  /** Error and Cause as AWS reports them; a Fail state without Error/Cause reports none. */
  private failureOf(running: RunningExecution, reason: unknown): { error?: string; cause?: string } {
    const inner = reason instanceof ExecutionError && reason.cause instanceof Error ? reason.cause : reason;
    if (!(inner instanceof Error)) return { error: 'States.Runtime', cause: String(inner) };
    if (inner.constructor.name !== 'FailStateError') return { error: inner.name, cause: inner.message };
    const failState = [...running.record.events].reverse().find((event) => event.type === 'FailStateEntered');
    const name = (failState?.stateEnteredEventDetails as { name?: string } | undefined)?.name;
    const definition = name === undefined ? undefined : running.machine.states.get(name);
    return {
      error: definition?.Error !== undefined || definition?.ErrorPath !== undefined ? inner.name : undefined,
      cause: definition?.Cause !== undefined || definition?.CausePath !== undefined ? inner.message : undefined,
    };
  }

  private finishRunning(
    running: RunningExecution,
    status: ExecutionStatus,
    eventType: string,
    details: Record<string, unknown>,
    fields: Partial<ExecutionRecord> = {},
  ): void {
    if (running.closed) return;
    running.closed = true;
    this.running.delete(running.record.executionArn);
    const fromDetails = { error: details.error as string | undefined, cause: details.cause as string | undefined };
    this.close(running.record, status, eventType, details, { ...fromDetails, ...fields });
    // Waiting tasks of a closed execution end here, so no promise or timer outlives it.
    this.options.tokens.cancelExecution(running.record.executionArn, statesRuntime('The execution is closed'));
    this.notifyIdle();
  }

  private close(
    record: ExecutionRecord,
    status: ExecutionStatus,
    eventType: string,
    details: Record<string, unknown>,
    fields: Partial<ExecutionRecord> = {},
  ): void {
    appendEvent(record, eventType, details);
    Object.assign(record, fields, { status, stopDate: Date.now() });
    this.options.store.closed(record);
  }

  private notifyIdle(): void {
    if (this.running.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** A non-Lambda integration's failure: its error name and message become Error and Cause. */
function integrationError(thrown: unknown): StatesError {
  if (thrown instanceof StatesError) return thrown;
  if (thrown instanceof Error) return new StatesError(thrown.name, thrown.message);
  return new StatesError('States.TaskFailed', String(thrown));
}
