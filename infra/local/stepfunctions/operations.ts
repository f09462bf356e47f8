/** The Step Functions API operations the project uses, with AWS's validation, errors and pagination. */
import { randomUUID } from 'node:crypto';
import { assertValidName, parseStatesArn } from './arns.js';
import type { Engine, LoadedMachine } from './engine.js';
import { SfnApiError } from './errors.js';
import type { HistoryEvent } from './history.js';
import type { Operation } from './protocol.js';
import type { ExecutionRecord, ExecutionStore } from './store.js';
import type { TaskTokens } from './tokens.js';

export interface OperationDeps {
  engine: Engine;
  store: ExecutionStore;
  tokens: TaskTokens;
  machines: Map<string, LoadedMachine>;
  roleArn: string;
}

const statuses = new Set(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);
// AWS caps inputs and outputs at 256 KiB.
const maxPayloadBytes = 262_144;

/** AWS sends dates as epoch seconds in JSON. */
function epochSeconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

function requireString(params: Record<string, unknown>, key: string): string {
  const value = params[key];
  if (typeof value !== 'string' || value === '') {
    throw new SfnApiError(
      'ValidationException',
      `1 validation error detected: Value at '${key}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

function optionalString(params: Record<string, unknown>, key: string): string | undefined {
  const value = params[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new SfnApiError('ValidationException', `'${key}' must be a string`);
  return value;
}

/** maxResults: 0 or absent means the default page of 100; AWS allows up to 1000. */
function pageSize(params: Record<string, unknown>): number {
  const value = params.maxResults;
  if (value === undefined || value === null || value === 0) return 100;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 1000) {
    throw new SfnApiError(
      'ValidationException',
      "Value at 'maxResults' failed to satisfy constraint: Member must be <= 1000",
    );
  }
  return value;
}

function encodeToken(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

function decodeToken<T>(params: Record<string, unknown>, isValid: (value: unknown) => value is T): T | undefined {
  const token = params.nextToken;
  if (token === undefined || token === null) return undefined;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8'));
    if (isValid(decoded)) return decoded;
  } catch {
    // Falls through to InvalidToken, which is what AWS says about a token it did not issue.
  }
  throw new SfnApiError('InvalidToken', 'Invalid Token');
}

function paginate<T>(items: T[], size: number, key: (item: T) => unknown): { page: T[]; nextToken?: string } {
  const page = items.slice(0, size);
  const last = page[page.length - 1];
  return items.length > size && last !== undefined ? { page, nextToken: encodeToken(key(last)) } : { page };
}

function machineByArn(deps: OperationDeps, arn: string): LoadedMachine {
  const [name] = parseStatesArn(arn, 'stateMachine');
  const machine = name === undefined ? undefined : deps.machines.get(name);
  if (!machine || machine.arn !== arn)
    throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  return machine;
}

async function executionByArn(deps: OperationDeps, arn: string): Promise<ExecutionRecord> {
  parseStatesArn(arn, 'execution');
  const record = await deps.store.get(arn);
  if (!record) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
  return record;
}

function validInput(params: Record<string, unknown>): string {
  const input = optionalString(params, 'input') ?? '{}';
  if (Buffer.byteLength(input) > maxPayloadBytes) {
    throw new SfnApiError('InvalidExecutionInput', 'Input is larger than the maximum of 262144 bytes');
  }
  try {
    JSON.parse(input);
  } catch {
    throw new SfnApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${input}'`);
  }
  return input;
}

function describe(record: ExecutionRecord): Record<string, unknown> {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: epochSeconds(record.startDate),
    stopDate: epochSeconds(record.stopDate),
    input: record.input,
    inputDetails: { included: true },
    output: record.output,
    outputDetails: record.output === undefined ? undefined : { included: true },
    error: record.error,
    cause: record.cause,
    redriveCount: record.redriveCount,
    redriveDate: epochSeconds(record.redriveDate),
    redriveStatus: record.status === 'RUNNING' || record.status === 'SUCCEEDED' ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
  };
}

function summary(record: ExecutionRecord): Record<string, unknown> {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: epochSeconds(record.startDate),
    stopDate: epochSeconds(record.stopDate),
    redriveCount: record.redriveCount,
    redriveDate: epochSeconds(record.redriveDate),
  };
}

/** Without execution data AWS leaves out inputs and outputs, which can be large or sensitive. */
function wireEvent(event: HistoryEvent, includeData: boolean): Record<string, unknown> {
  const wire: Record<string, unknown> = { ...event, timestamp: epochSeconds(event.timestamp) };
  if (includeData) return wire;
  for (const [key, value] of Object.entries(wire)) {
    if (key.endsWith('EventDetails') && typeof value === 'object' && value !== null) {
      const { input: _input, output: _output, ...rest } = value as Record<string, unknown>;
      wire[key] = rest;
    }
  }
  return wire;
}

const isNumber = (value: unknown): value is number => typeof value === 'number';
const isListPosition = (value: unknown): value is [number, string] =>
  Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string';

/** Newest first, as AWS lists executions; the ARN breaks ties so pages never overlap. */
function newestFirst(a: ExecutionRecord, b: ExecutionRecord): number {
  return b.startDate - a.startDate || (a.executionArn < b.executionArn ? 1 : -1);
}

export function createOperations(deps: OperationDeps): Record<string, Operation> {
  return {
    StartExecution: (params) => {
      const machine = machineByArn(deps, requireString(params, 'stateMachineArn'));
      const name = optionalString(params, 'name') ?? randomUUID();
      assertValidName(name);
      const record = deps.engine.start(machine, name, validInput(params));
      return { executionArn: record.executionArn, startDate: epochSeconds(record.startDate) };
    },

    DescribeExecution: async (params) => describe(await executionByArn(deps, requireString(params, 'executionArn'))),

    GetExecutionHistory: async (params) => {
      const record = await executionByArn(deps, requireString(params, 'executionArn'));
      const reverse = params.reverseOrder === true;
      const after = decodeToken(params, isNumber);
      const ordered = reverse ? [...record.events].reverse() : record.events;
      const remaining = after === undefined ? ordered : ordered.filter((e) => (reverse ? e.id < after : e.id > after));
      const { page, nextToken } = paginate(remaining, pageSize(params), (event) => event.id);
      const includeData = params.includeExecutionData !== false;
      return { events: page.map((event) => wireEvent(event, includeData)), nextToken };
    },

    ListExecutions: (params) => {
      const machine = machineByArn(deps, requireString(params, 'stateMachineArn'));
      const statusFilter = optionalString(params, 'statusFilter');
      if (statusFilter !== undefined && !statuses.has(statusFilter)) {
        throw new SfnApiError('ValidationException', `Value '${statusFilter}' at 'statusFilter' is not a valid status`);
      }
      const after = decodeToken(params, isListPosition);
      const records = deps.store
        .list(machine.arn)
        .filter((record) => statusFilter === undefined || record.status === statusFilter)
        .sort(newestFirst)
        .filter(
          (r) =>
            after === undefined || r.startDate < after[0] || (r.startDate === after[0] && r.executionArn < after[1]),
        );
      const { page, nextToken } = paginate(records, pageSize(params), (r) => [r.startDate, r.executionArn]);
      return { executions: page.map(summary), nextToken };
    },

    ListStateMachines: (params) => {
      const after = decodeToken(params, (value): value is string => typeof value === 'string');
      const machines = [...deps.machines.values()]
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .filter((machine) => after === undefined || machine.name > after);
      const { page, nextToken } = paginate(machines, pageSize(params), (machine) => machine.name);
      const stateMachines = page.map((machine) => ({
        stateMachineArn: machine.arn,
        name: machine.name,
        type: 'STANDARD',
        creationDate: epochSeconds(machine.creationDate),
      }));
      return { stateMachines, nextToken };
    },

    DescribeStateMachine: (params) => {
      const machine = machineByArn(deps, requireString(params, 'stateMachineArn'));
      return {
        stateMachineArn: machine.arn,
        name: machine.name,
        status: 'ACTIVE',
        definition: machine.definitionJson,
        roleArn: deps.roleArn,
        type: 'STANDARD',
        creationDate: epochSeconds(machine.creationDate),
        loggingConfiguration: { level: 'OFF', includeExecutionData: false },
        tracingConfiguration: { enabled: false },
      };
    },

    StopExecution: async (params) => {
      const arn = requireString(params, 'executionArn');
      const record = await executionByArn(deps, arn);
      deps.engine.stop(arn, optionalString(params, 'error'), optionalString(params, 'cause'));
      return { stopDate: epochSeconds(record.stopDate ?? Date.now()) };
    },

    SendTaskSuccess: (params) => {
      deps.tokens.succeed(requireString(params, 'taskToken'), params.output);
      return {};
    },

    SendTaskFailure: (params) => {
      deps.tokens.fail(requireString(params, 'taskToken'), params.error, params.cause);
      return {};
    },

    SendTaskHeartbeat: (params) => {
      deps.tokens.heartbeat(requireString(params, 'taskToken'));
      return {};
    },
  };
}
