/** Assertions on the order-routing definition, and on the checked-in ASL staying identical to what CDK deploys. */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../../functions/adapters/transient-errors';
import { type LambdaName, workflowLambdas } from '../../functions/lambdas';
import {
  compensationStateName,
  dependencyUnavailableError,
  transientLambdaErrors,
} from '../../workflows/order-routing';
import { aslFromDefinitionString, aslPath, fakeFunctionArn, renderOrderRoutingAsl } from '../../workflows/render-asl';
import { synthesizeApp } from './synth-app';

interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Variable: string; StringEquals: string; Next: string }[];
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[]; ResultPath: string; Next: string }[];
  Parameters?: { FunctionName: string; Payload: Record<string, unknown> };
  ItemProcessor?: Asl;
  [key: string]: unknown;
}
interface Asl {
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
}

let deployed: Asl;

beforeAll(() => {
  // Structure only: no bundling or validation (stacks.test.ts does those); the definition is the same either way.
  const app = synthesizeApp({ full: false });
  const lambdaByLogicalId = new Map(Object.entries(app.functionLogicalIds).map(([name, id]) => [id, name]));
  const [stateMachine] = Object.values(app.statelessTemplate.findResources('AWS::StepFunctions::StateMachine'));
  deployed = aslFromDefinitionString(stateMachine?.Properties.DefinitionString, (logicalId, attribute) => {
    const name = lambdaByLogicalId.get(logicalId);
    if (name === undefined || attribute !== 'Arn') throw new Error(`unexpected Fn::GetAtt ${logicalId}.${attribute}`);
    return fakeFunctionArn(name);
  }) as Asl;
});

/** Every state, including those inside Map item processors. */
function allStates(asl: Asl): [string, AslState][] {
  return Object.entries(asl.States).flatMap(([name, state]) => [
    [name, state] as [string, AslState],
    ...(state.ItemProcessor ? allStates(state.ItemProcessor) : []),
  ]);
}

const lambdaOf = (state: AslState): string | undefined => state.Parameters?.FunctionName.split(':').at(-1);

describe('order-routing definition', () => {
  it('retries every Lambda task on transient errors, TooManyRequests included', () => {
    const tasks = allStates(deployed).filter(([, state]) => state.Type === 'Task');
    expect(tasks.map(([, state]) => lambdaOf(state)).sort()).toEqual(
      expect.arrayContaining([...workflowLambdas].sort()),
    );
    for (const [name, state] of tasks) {
      const errors = state.Retry?.flatMap((retry) => retry.ErrorEquals) ?? [];
      expect(errors, name).toEqual(expect.arrayContaining(transientLambdaErrors));
      expect(errors, name).toContain('Lambda.TooManyRequestsException');
      // What a task throws when DynamoDB or SES failed for now: the same name the handlers' wrapper throws.
      expect(errors, name).toContain(new DependencyUnavailableError('x').name);
    }
    expect(dependencyUnavailableError).toBe(new DependencyUnavailableError('x').name);
  });

  it('sends every failure on the main path to ReleaseReservations, keeping the state', () => {
    const guarded = Object.entries(deployed.States).filter(
      ([name, state]) => ['Task', 'Map'].includes(state.Type) && name !== compensationStateName,
    );
    expect(guarded.map(([name]) => name).sort()).toEqual(
      [
        'AllocateOrder',
        'AwaitReview',
        'CheckOrder',
        'NotifyFactories',
        'RecordAllocated',
        'RecordHeld',
        'RecordRejected',
        'RecordReviewExpired',
        'RecordUnfilled',
      ].sort(),
    );
    for (const [name, state] of guarded) {
      // AwaitReview catches its own timeout first (an unreviewed order is cancelled); everything else compensates.
      const own =
        name === 'AwaitReview'
          ? [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'RecordReviewExpired' }]
          : [];
      expect(state.Catch, name).toEqual([
        ...own,
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: compensationStateName },
      ]);
    }
    const release = deployed.States[compensationStateName];
    expect(release?.Parameters?.Payload).toEqual({ 'orderId.$': '$.orderId', 'error.$': '$.error' });
    expect(release?.Next).toBe('RoutingFailed');
    expect(deployed.States.RoutingFailed?.Type).toBe('Fail');
  });

  it('routes each decision and allocation outcome to its recorded status', () => {
    const target = (choice: string, value: string) =>
      deployed.States[choice]?.Choices?.find((c) => c.StringEquals === value)?.Next;
    expect(target('Decide', 'REJECT')).toBe('RecordRejected');
    expect(target('Decide', 'HOLD')).toBe('RecordHeld');
    expect(deployed.States.Decide?.Default).toBe('AllocateOrder');
    expect(target('Filled?', 'UNFILLED')).toBe('RecordUnfilled');
    expect(deployed.States['Filled?']?.Default).toBe('NotifyFactories');
    expect(deployed.States.NotifyFactories?.Next).toBe('RecordAllocated');

    const recorded = {
      RecordRejected: 'REJECTED',
      RecordHeld: 'HELD',
      RecordUnfilled: 'UNFILLED',
      RecordAllocated: 'ALLOCATED',
      RecordReviewExpired: 'CANCELLED',
    };
    for (const [name, status] of Object.entries(recorded)) {
      const state = deployed.States[name];
      expect(lambdaOf(state ?? { Type: '' }), name).toBe('recordOutcome' satisfies LambdaName);
      expect(state?.Parameters?.Payload, name).toEqual({ 'orderId.$': '$.orderId', status });
      // A HELD order does not end the route: it waits for the review.
      expect(state?.Next, name).toBe(name === 'RecordHeld' ? 'AwaitReview' : 'Routed');
    }
  });

  it('waits on a HELD order with a task token, inside the execution timeout, and routes the review', () => {
    const wait = deployed.States.AwaitReview;
    expect(wait?.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(lambdaOf(wait ?? { Type: '' })).toBe('awaitReview' satisfies LambdaName);
    expect(wait?.Parameters?.Payload).toEqual({ 'orderId.$': '$.orderId', 'taskToken.$': '$$.Task.Token' });
    expect(wait?.TimeoutSeconds).toBe(14 * 24 * 3600);
    // An execution timeout cannot be caught, so the review's own (catchable) timeout must come first.
    expect(deployed.TimeoutSeconds ?? 0).toBeGreaterThan(wait?.TimeoutSeconds as number);
    expect(wait?.Next).toBe('Reviewed?');
    const target = (value: string) =>
      deployed.States['Reviewed?']?.Choices?.find((c) => c.StringEquals === value)?.Next;
    expect(target('APPROVED')).toBe('AllocateOrder');
    expect(target('REJECTED')).toBe('RecordRejected');
    expect(deployed.States['Reviewed?']?.Default).toBe('UnknownReviewDecision');
  });

  it('notifies factories one allocation at a time, at most ten at once, without growing the state', () => {
    expect(deployed.States.NotifyFactories).toMatchObject({
      ItemsPath: '$.allocation.allocationIds',
      ItemSelector: { 'orderId.$': '$.orderId', 'allocationId.$': '$$.Map.Item.Value' },
      MaxConcurrency: 10,
      ResultPath: null,
    });
    const processor = deployed.States.NotifyFactories?.ItemProcessor;
    expect(processor?.StartAt).toBe('NotifyFactory');
    expect(lambdaOf(processor?.States.NotifyFactory ?? { Type: '' })).toBe('notifyFactory');
  });

  it('only transitions to states that exist', () => {
    const check = (asl: Asl) => {
      for (const [name, state] of Object.entries(asl.States)) {
        const targets = [state.Next, state.Default, ...(state.Choices ?? []).map((c) => c.Next)];
        for (const next of [...targets, ...(state.Catch ?? []).map((c) => c.Next)].filter(Boolean)) {
          expect(asl.States, `${name} -> ${next}`).toHaveProperty([next as string]);
        }
        if (state.ItemProcessor) check(state.ItemProcessor);
      }
    };
    check(deployed);
  });
});

describe('checked-in ASL (workflows/order-routing.asl.json)', () => {
  const checkedIn = JSON.parse(readFileSync(aslPath, 'utf8')) as Asl;

  it('is what renderOrderRoutingAsl() produces now (run `npm run asl` after changing the workflow)', () => {
    expect(checkedIn).toEqual(renderOrderRoutingAsl());
  });

  it('is the definition the app deploys, once function ARNs are normalised', () => {
    expect(checkedIn).toEqual(deployed);
  });
});
