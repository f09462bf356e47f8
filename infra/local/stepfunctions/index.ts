/** A local AWS Step Functions endpoint (JSON 1.0 protocol) that runs CDK-rendered ASL with aws-local-stepfunctions. */
import type { AddressInfo } from 'node:net';
import { type ArnScope, stateMachineArn } from './arns.js';
import { classifyResource, forEachState } from './definition.js';
import { Engine, type LoadedMachine, loadMachine } from './engine.js';
import { createOperations } from './operations.js';
import { createJsonServer } from './protocol.js';
import { ExecutionStore } from './store.js';
import { TaskTokens } from './tokens.js';

export interface LocalStepFunctionsOptions {
  port: number; // 0 = pick a free port
  host?: string; // default 127.0.0.1
  region?: string; // default 'us-east-1'
  accountId?: string; // default '000000000000'
  dataDir?: string; // when set, executions (description + history) persist here as files, so a restart keeps them
  stateMachines: { name: string; definition: object /* ASL */ }[];
  /** Called for every LambdaInvoke task: FunctionName as in the ASL (an ARN like arn:aws:lambda:us-east-1:000000000000:function:checkOrder), and the Payload. Returns what the handler returned, or throws what it threw. */
  invokeLambda: (functionName: string, payload: unknown) => Promise<unknown>;
  /** Optional override of Retry intervals for speed in tests (passed to aws-local-stepfunctions' retryIntervalOverrides); default: faithful intervals. */
  retryIntervalMs?: number;
  /** Optional: runs other service integrations (`arn:aws:states:::<service>:<action>`); without it they fail with States.Runtime, except `.waitForTaskToken` ones, which just wait. */
  invokeIntegration?: (resource: string, parameters: unknown) => Promise<unknown>;
  /** How many closed executions stay in memory (and in ListExecutions); older ones stay readable from dataDir. Default 1000. */
  retainClosedExecutions?: number;
  /** Receives the few lines worth reading (redrives, unsupported resources, persistence problems). Default: silent. */
  log?: (line: string) => void;
}

export interface LocalStepFunctions {
  url: string;
  port: number;
  stateMachineArn(name: string): string;
  stop(): Promise<void>;
  /** resolves when no execution is running */
  idle(): Promise<void>;
}

function loadMachines(scope: ArnScope, options: LocalStepFunctionsOptions, log: (line: string) => void) {
  const machines = new Map<string, LoadedMachine>();
  for (const { name, definition } of options.stateMachines) {
    if (machines.has(name)) throw new Error(`state machine '${name}' is defined twice`);
    const machine = loadMachine(stateMachineArn(scope, name), name, definition);
    machines.set(name, machine);
    warnAboutUnsupported(name, definition, options, log);
  }
  return machines;
}

/** Said once at start, so a workflow that will fail locally does not surprise anyone mid-run. */
function warnAboutUnsupported(
  name: string,
  definition: object,
  options: LocalStepFunctionsOptions,
  log: (line: string) => void,
) {
  forEachState(definition as never, (stateName, state) => {
    if (state.Type !== 'Task') return;
    const resource = classifyResource(state.Resource);
    if (resource.kind === 'unsupported') log(`stepfunctions: ${name}.${stateName} will fail: ${resource.reason}`);
    if (resource.kind === 'integration' && !resource.waitForTaskToken && !options.invokeIntegration) {
      log(`stepfunctions: ${name}.${stateName} needs invokeIntegration for '${String(state.Resource)}'`);
    }
  });
}

function listen(server: ReturnType<typeof createJsonServer>, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startLocalStepFunctions(options: LocalStepFunctionsOptions): Promise<LocalStepFunctions> {
  const log = options.log ?? (() => {});
  const scope: ArnScope = { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '000000000000' };
  const host = options.host ?? '127.0.0.1';
  const roleArn = `arn:aws:iam::${scope.accountId}:role/local-stepfunctions`;
  const machines = loadMachines(scope, options, log);
  const store = new ExecutionStore(options.dataDir, options.retainClosedExecutions ?? 1000, log);
  const tokens = new TaskTokens();
  const engine = new Engine({
    scope,
    roleArn,
    store,
    tokens,
    invokeLambda: options.invokeLambda,
    invokeIntegration: options.invokeIntegration,
    retryIntervalMs: options.retryIntervalMs,
    log,
  });

  for (const record of await store.load()) {
    const machine = machines.get(record.stateMachineName);
    if (machine && machine.arn === record.stateMachineArn) engine.redrive(machine, record);
    else engine.abandon(record, `State machine '${record.stateMachineName}' is not defined any more`);
  }

  const server = createJsonServer(createOperations({ engine, store, tokens, machines, roleArn }), log);
  const port = await listen(server, options.port, host);
  let stopped: Promise<void> | undefined;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    stateMachineArn: (name) => stateMachineArn(scope, name),
    idle: () => engine.idle(),
    stop: () => {
      stopped ??= (async () => {
        // Running executions stay RUNNING on disk: the next start redrives them, as after a crash.
        engine.detachAll();
        tokens.clear();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await store.flush();
      })();
      return stopped;
    },
  };
}
