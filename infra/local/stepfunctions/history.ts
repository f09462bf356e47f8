/** Execution history in the AWS shape, translated from aws-local-stepfunctions' event log. */
import type { StateMachine } from 'aws-local-stepfunctions';
import { type AslState, classifyResource, waitsForTaskToken } from './definition.js';

/** One event as AWS stores it; `timestamp` is kept in epoch milliseconds and sent as epoch seconds. */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

/** The library's own event type, which it does not export by name. */
export type LibraryEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** Appends one event of `type` with its `<type>EventDetails` object (AWS omits details for some types). */
export type EventSink = (type: string, details?: Record<string, unknown>, at?: number) => void;

const notTruncated = { truncated: false };

export function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** AWS names the details after the event type, except that every *StateEntered/*StateExited shares one name. */
export function detailsKey(type: string): string {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
}

export function executionStartedDetails(input: string, roleArn: string): Record<string, unknown> {
  return { input, inputDetails: notTruncated, roleArn };
}

export function outputDetails(output: string): Record<string, unknown> {
  return { output, outputDetails: notTruncated };
}

/** Only `$` and dotted names: enough to report the item count of a CDK-rendered Map, and nothing is guessed. */
function simplePath(value: unknown, path: unknown): unknown {
  if (path === undefined || path === '$') return value;
  if (typeof path !== 'string' || !/^\$(\.[A-Za-z_][\w-]*)+$/.test(path)) return undefined;
  let current = value;
  for (const key of path.slice(2).split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function mapLength(state: AslState | undefined, input: unknown): Record<string, unknown> | undefined {
  const items = simplePath(simplePath(input, state?.InputPath), state?.ItemsPath);
  return Array.isArray(items) ? { length: items.length } : undefined;
}

/** Turns library events into AWS history events. Task/Lambda events come from the task runner instead. */
export class HistoryTranslator {
  // Map/Parallel states that already reported a failure, so their exit is not also reported as a success.
  private readonly failedContainers = new Set<string>();

  constructor(
    private readonly sink: EventSink,
    private readonly states: Map<string, AslState>,
    private readonly startedDetails: Record<string, unknown> | undefined,
  ) {}

  translate(event: LibraryEvent): void {
    switch (event.type) {
      case 'ExecutionStarted':
        // A redriven execution keeps its first ExecutionStarted; the library's second one is not news.
        if (this.startedDetails) this.sink('ExecutionStarted', this.startedDetails, event.timestamp);
        return;
      case 'StateEntered':
        this.entered(event.state.name, event.state.type, event.state.input, event.timestamp);
        return;
      case 'StateExited':
        this.exited(event.state.name, event.state.type, event.state.output, event.index, event.timestamp);
        return;
      case 'StateFailed':
        this.failed(event.state.name, event.state.type, event.index, event.Error, event.timestamp);
        return;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        this.sink(event.type, { name: event.parentState.name, index: event.index }, event.timestamp);
        return;
      default:
        // StateRetried/StateCaught have no AWS event; ParallelBranch* neither; the execution's end is
        // recorded from the run's result, which carries more than the log does.
        return;
    }
  }

  private entered(name: string, type: string, input: unknown, at: number): void {
    this.sink(`${type}StateEntered`, { name, input: json(input), inputDetails: notTruncated }, at);
    if (type === 'Map') this.sink('MapStateStarted', mapLength(this.states.get(name), input), at);
    if (type === 'Parallel') this.sink('ParallelStateStarted', undefined, at);
  }

  private exited(name: string, type: string, output: unknown, index: number | undefined, at: number): void {
    const key = `${name}#${index ?? -1}`;
    if ((type === 'Map' || type === 'Parallel') && !this.failedContainers.delete(key)) {
      this.sink(`${type}StateSucceeded`, undefined, at);
    }
    this.sink(`${type}StateExited`, { name, ...outputDetails(json(output)) }, at);
  }

  private failed(name: string, type: string, index: number | undefined, error: string, at: number): void {
    if (type === 'Task') this.taskFailed(name, error, at);
    if (type !== 'Map' && type !== 'Parallel') return;
    this.failedContainers.add(`${name}#${index ?? -1}`);
    this.sink(`${type}StateFailed`, undefined, at);
  }

  /** The library enforces TimeoutSeconds of Lambda tasks; token waits record their own timeout. */
  private taskFailed(name: string, error: string, at: number): void {
    const state = this.states.get(name);
    if (error !== 'States.Timeout' || waitsForTaskToken(state)) return;
    const resource = classifyResource(state?.Resource);
    if (resource.kind === 'lambdaArn') this.sink('LambdaFunctionTimedOut', { error }, at);
    else if (resource.kind !== 'unsupported') {
      this.sink('TaskTimedOut', { resourceType: resource.resourceType, resource: resource.resource, error }, at);
    }
  }
}
