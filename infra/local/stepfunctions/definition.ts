/** Reading an ASL definition: walking nested states, classifying Task resources, and faithful defaults. */

export type AslState = { Type: string } & Record<string, unknown>;
export interface AslMachine {
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
}

/** How a Task state's Resource is run locally. */
export type TaskResource =
  | { kind: 'lambdaInvoke'; resourceType: 'lambda'; resource: string; waitForTaskToken: boolean }
  | { kind: 'lambdaArn'; arn: string }
  | { kind: 'integration'; resourceType: string; resource: string; waitForTaskToken: boolean }
  | { kind: 'unsupported'; reason: string };

// setTimeout holds at most 2^31-1 ms; the library's 60 s default would cut a human review short.
export const longestLocalTimeoutSeconds = 2_147_483;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asMachine(value: unknown, where: string): AslMachine {
  if (!isRecord(value) || typeof value.StartAt !== 'string' || !isRecord(value.States)) {
    throw new Error(`${where}: not an ASL definition (StartAt and States are required)`);
  }
  return value as unknown as AslMachine;
}

/** Nested machines of a Map (ItemProcessor, or the older Iterator) or a Parallel (Branches). */
function childMachines(state: AslState, where: string): AslMachine[] {
  if (state.Type === 'Map') return [asMachine(state.ItemProcessor ?? state.Iterator, `${where}.ItemProcessor`)];
  if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
    return state.Branches.map((branch, i) => asMachine(branch, `${where}.Branches[${i}]`));
  }
  return [];
}

/** Visits every state, nested ones included. */
export function forEachState(machine: AslMachine, visit: (name: string, state: AslState) => void, where = '$'): void {
  for (const [name, state] of Object.entries(machine.States)) {
    visit(name, state);
    for (const child of childMachines(state, `${where}.${name}`)) forEachState(child, visit, `${where}.${name}`);
  }
}

/** States by name; AWS requires names to be unique across the whole machine, and overrides rely on it. */
export function indexStates(machine: AslMachine): Map<string, AslState> {
  const index = new Map<string, AslState>();
  forEachState(machine, (name, state) => {
    if (index.has(name)) throw new Error(`state name '${name}' is used twice; AWS requires unique state names`);
    index.set(name, state);
  });
  return index;
}

/**
 * The copy the library runs. A Task without a timeout gets the longest local one instead of the library's 60 s
 * (AWS has no default). A `.waitForTaskToken` Task always does: the token wait enforces its own TimeoutSeconds, so
 * that it can record TaskTimedOut and release the token before the state moves on.
 */
export function withFaithfulTaskTimeouts(machine: AslMachine): AslMachine {
  const copy = structuredClone(machine);
  forEachState(copy, (_name, state) => {
    if (state.Type !== 'Task' || state.TimeoutSecondsPath !== undefined) return;
    const resource = classifyResource(state.Resource);
    const waits = resource.kind !== 'lambdaArn' && resource.kind !== 'unsupported' && resource.waitForTaskToken;
    if (waits || state.TimeoutSeconds === undefined) state.TimeoutSeconds = longestLocalTimeoutSeconds;
  });
  return copy;
}

/** Whether a Task waits for SendTaskSuccess/SendTaskFailure. */
export function waitsForTaskToken(state: AslState | undefined): boolean {
  const resource = classifyResource(state?.Resource);
  return (resource.kind === 'lambdaInvoke' || resource.kind === 'integration') && resource.waitForTaskToken;
}

const waitSuffix = '.waitForTaskToken';

export function classifyResource(resource: unknown): TaskResource {
  if (typeof resource !== 'string') return { kind: 'unsupported', reason: 'Resource is not a string' };
  const parts = resource.split(':');
  if (parts[0] === 'arn' && parts[2] === 'lambda' && parts[5] === 'function')
    return { kind: 'lambdaArn', arn: resource };
  const integration = /^arn:[^:]+:states:::([^:]+):(.+)$/.exec(resource);
  if (!integration?.[1] || !integration[2]) return { kind: 'unsupported', reason: `unknown Resource '${resource}'` };
  const resourceType = integration[1];
  const action = integration[2];
  if (action.endsWith('.sync') || action.includes('.sync:')) {
    return { kind: 'unsupported', reason: `'.sync' integrations are not run locally ('${resource}')` };
  }
  const waitForTaskToken = action.endsWith(waitSuffix);
  if (resourceType === 'lambda' && (action === 'invoke' || action === `invoke${waitSuffix}`)) {
    return { kind: 'lambdaInvoke', resourceType, resource: action, waitForTaskToken };
  }
  return { kind: 'integration', resourceType, resource: action, waitForTaskToken };
}
