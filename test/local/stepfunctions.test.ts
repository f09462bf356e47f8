/** The local Step Functions endpoint, driven by the real @aws-sdk/client-sfn (and the aws CLI when present). */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  DescribeExecutionCommand,
  type DescribeExecutionOutput,
  DescribeStateMachineCommand,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalStepFunctions, startLocalStepFunctions } from '../../infra/local/stepfunctions/index.js';

const fixture = async (file: string): Promise<object> =>
  JSON.parse(await readFile(new URL(`./fixtures/${file}`, import.meta.url), 'utf8')) as object;

const functionArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

/** A custom error type, so the test sees its name travel as Error and errorType. */
class CapacityError extends Error {
  override name = 'CapacityError';
}

/** Stand-in handlers; each order's input says how it should behave. */
class FakeLambdas {
  readonly calls: { functionName: string; payload: Record<string, unknown> }[] = [];
  readonly reviewTokens = new Map<string, string[]>();
  private readonly throttled = new Map<string, number>();

  invoke = async (functionName: string, payload: unknown): Promise<unknown> => {
    const event = payload as Record<string, unknown>;
    this.calls.push({ functionName, payload: event });
    const orderId = String(event.orderId);
    switch (functionName) {
      case functionArn('checkOrder'):
        return this.checkOrder(orderId, event);
      case functionArn('allocateOrder'):
        if (orderId.startsWith('no-capacity')) throw new CapacityError(`no capacity for ${orderId}`);
        return { orderId, outcome: 'ALLOCATED', allocationIds: ['al-1', 'al-2', 'al-3'] };
      case functionArn('notifyFactory'):
        return { allocationId: event.allocationId, messageId: `m-${String(event.allocationId)}` };
      case functionArn('recordOutcome'):
        if (typeof event.taskToken === 'string') {
          this.reviewTokens.set(orderId, [...(this.reviewTokens.get(orderId) ?? []), event.taskToken]);
        }
        return { orderId, status: event.status };
      case functionArn('releaseReservations'):
        return { orderId, released: 3 };
      case functionArn('checkTrademark'):
        return { trademark: 'ok', orderId };
      case functionArn('checkCompliance'):
        return { compliance: 'ok' };
      default:
        throw Object.assign(new Error(`Function not found: ${functionName}`), {
          name: 'Lambda.ResourceNotFoundException',
        });
    }
  };

  callsTo(name: string) {
    return this.calls.filter((call) => call.functionName === functionArn(name));
  }

  /** `throttle-<n>-...` orders are throttled n times before they pass; `hold-...` wait for review. */
  private checkOrder(orderId: string, event: Record<string, unknown>) {
    const throttle = /^throttle-(\d+)-/.exec(orderId);
    const seen = (this.throttled.get(orderId) ?? 0) + 1;
    this.throttled.set(orderId, seen);
    if (throttle && seen <= Number(throttle[1])) {
      throw Object.assign(new Error('Rate Exceeded.'), { name: 'Lambda.TooManyRequestsException' });
    }
    if (orderId.startsWith('broken')) throw new TypeError("Cannot read properties of undefined (reading 'lines')");
    const decision = orderId.startsWith('hold') ? 'HOLD' : orderId.startsWith('reject') ? 'REJECT' : 'PASS';
    return { orderId: event.orderId, decision };
  }
}

interface Harness {
  sfn: LocalStepFunctions;
  client: SFNClient;
  lambdas: FakeLambdas;
  routingArn: string;
}

const started: Harness[] = [];
const tempDirs: string[] = [];

async function startHarness(dataDir?: string, lambdas = new FakeLambdas()): Promise<Harness> {
  const sfn = await startLocalStepFunctions({
    port: 0,
    dataDir,
    retryIntervalMs: 1,
    stateMachines: [
      { name: 'order-routing', definition: await fixture('order-routing.asl.json') },
      { name: 'direct-lambda', definition: await fixture('direct-lambda.asl.json') },
      { name: 'callback-heartbeat', definition: await fixture('callback-heartbeat.asl.json') },
      { name: 'execution-timeout', definition: await fixture('execution-timeout.asl.json') },
    ],
    invokeLambda: lambdas.invoke,
  });
  const client = new SFNClient({
    endpoint: sfn.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const harness = { sfn, client, lambdas, routingArn: sfn.stateMachineArn('order-routing') };
  started.push(harness);
  return harness;
}

async function stopHarness(harness: Harness): Promise<void> {
  started.splice(started.indexOf(harness), 1);
  harness.client.destroy();
  await harness.sfn.stop();
}

afterEach(async () => {
  for (const harness of [...started]) await stopHarness(harness);
  for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const pollMs = 10;
const pause = () => new Promise((resolve) => setTimeout(resolve, pollMs));

/** Polls until the execution reaches `expected`; any other terminal status fails at once with its error. */
async function waitForStatus(
  client: SFNClient,
  executionArn: string,
  expected: ExecutionStatus,
  deadlineMs = 10_000,
): Promise<DescribeExecutionOutput> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const description = await client.send(new DescribeExecutionCommand({ executionArn }));
    if (description.status === expected) return description;
    if (description.status !== 'RUNNING') {
      throw new Error(`expected ${expected}, got ${description.status}: ${description.error} ${description.cause}`);
    }
    if (Date.now() > deadline) throw new Error(`${executionArn} still RUNNING after ${deadlineMs} ms`);
    await pause();
  }
}

/** Polls until the review task of `orderId` has handed out its n-th token, failing fast if the execution ends. */
async function waitForReviewToken(harness: Harness, executionArn: string, orderId: string, nth = 1): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const token = harness.lambdas.reviewTokens.get(orderId)?.[nth - 1];
    if (token) return token;
    const { status } = await harness.client.send(new DescribeExecutionCommand({ executionArn }));
    if (status !== 'RUNNING') throw new Error(`execution ended ${status} before the review task started`);
    if (Date.now() > deadline) throw new Error(`no review token for ${orderId}`);
    await pause();
  }
}

async function startOrder(harness: Harness, orderId: string, extra: object = {}) {
  return harness.client.send(
    new StartExecutionCommand({
      stateMachineArn: harness.routingArn,
      name: orderId,
      input: JSON.stringify({ orderId, ...extra }),
    }),
  );
}

async function fullHistory(client: SFNClient, executionArn: string, pageSize = 1000): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: pageSize, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

async function expectApiError(promise: Promise<unknown>, name: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ name, $metadata: { httpStatusCode: 400 } });
}

describe('local Step Functions endpoint', () => {
  it('runs the success path: Choice, LambdaInvoke with ResultSelector on $.Payload, Map with $$.Map.Item.Value', async () => {
    const harness = await startHarness();
    const { executionArn } = await startOrder(harness, 'ok-1');
    const done = await waitForStatus(harness.client, executionArn ?? '', 'SUCCEEDED');

    expect(JSON.parse(done.output ?? '')).toEqual({ orderId: 'ok-1', status: 'ALLOCATED' });
    expect(harness.lambdas.callsTo('checkOrder')[0]?.payload).toEqual({ orderId: 'ok-1' });
    const notified = harness.lambdas.callsTo('notifyFactory').map((call) => call.payload);
    expect(notified).toEqual(
      expect.arrayContaining(['al-1', 'al-2', 'al-3'].map((allocationId) => ({ orderId: 'ok-1', allocationId }))),
    );
    const recorded = harness.lambdas.callsTo('recordOutcome')[0]?.payload;
    expect(recorded?.notified).toEqual(
      ['al-1', 'al-2', 'al-3'].map((id) => ({ allocationId: id, messageId: `m-${id}` })),
    );

    const events = await fullHistory(harness.client, executionArn ?? '');
    const exitedCheck = events.find((e) => e.stateExitedEventDetails?.name === 'Check order');
    // ResultSelector keeps only the handler's Payload fields: no StatusCode or SDK metadata leaks into the state.
    expect(JSON.parse(exitedCheck?.stateExitedEventDetails?.output ?? '')).toEqual({
      orderId: 'ok-1',
      check: { orderId: 'ok-1', decision: 'PASS' },
    });
    const firstTask = events.find((e) => e.type === 'TaskSucceeded');
    const invokeResult = JSON.parse(firstTask?.taskSucceededEventDetails?.output ?? '');
    expect(invokeResult).toMatchObject({
      ExecutedVersion: '$LATEST',
      Payload: { orderId: 'ok-1', decision: 'PASS' },
      StatusCode: 200,
      SdkHttpMetadata: { HttpStatusCode: 200 },
      SdkResponseMetadata: { RequestId: expect.any(String) },
    });
    expect(firstTask?.taskSucceededEventDetails).toMatchObject({ resourceType: 'lambda', resource: 'invoke' });
  });

  it("reports a thrown error as Error = its name and Cause = Lambda's JSON, which a Catch hands to compensation", async () => {
    const harness = await startHarness();
    const { executionArn } = await startOrder(harness, 'no-capacity-1');
    const failed = await waitForStatus(harness.client, executionArn ?? '', 'FAILED');

    expect(failed).toMatchObject({ error: 'OrderRoutingFailed', cause: 'The order could not be routed' });
    const compensation = harness.lambdas.callsTo('releaseReservations')[0]?.payload;
    const error = compensation?.error as { Error: string; Cause: string };
    expect(error.Error).toBe('CapacityError');
    const cause = JSON.parse(error.Cause) as { errorMessage: string; errorType: string; trace: string[] };
    expect(cause).toEqual({
      errorMessage: 'no capacity for no-capacity-1',
      errorType: 'CapacityError',
      trace: expect.any(Array),
    });
    expect(cause.trace[0]).toBe('CapacityError: no capacity for no-capacity-1');

    const events = await fullHistory(harness.client, executionArn ?? '');
    const taskFailed = events.find((e) => e.type === 'TaskFailed');
    expect(taskFailed?.taskFailedEventDetails).toMatchObject({ error: 'CapacityError', cause: error.Cause });
    expect(events.at(-2)?.type).toBe('FailStateEntered');
    expect(events.at(-1)).toMatchObject({
      type: 'ExecutionFailed',
      executionFailedEventDetails: { error: 'OrderRoutingFailed', cause: 'The order could not be routed' },
    });
  });

  it('fails the execution with the error type when nothing catches it (TypeError from a handler)', async () => {
    const harness = await startHarness();
    const { executionArn } = await startOrder(harness, 'broken-1');
    const failed = await waitForStatus(harness.client, executionArn ?? '', 'FAILED');
    expect(failed.error).toBe('TypeError');
    expect(JSON.parse(failed.cause ?? '')).toMatchObject({ errorType: 'TypeError' });
  });

  it('retries Lambda.TooManyRequestsException per the Retry block, then gives up after MaxAttempts', async () => {
    const harness = await startHarness();
    const twice = await startOrder(harness, 'throttle-2-a');
    await waitForStatus(harness.client, twice.executionArn ?? '', 'SUCCEEDED');
    expect(harness.lambdas.callsTo('checkOrder').filter((c) => c.payload.orderId === 'throttle-2-a')).toHaveLength(3);
    const events = await fullHistory(harness.client, twice.executionArn ?? '');
    const checkEvents = events.slice(0, events.findIndex((e) => e.type === 'TaskStateExited') + 1).map((e) => e.type);
    expect(checkEvents).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      ...['TaskScheduled', 'TaskStarted', 'TaskFailed'],
      ...['TaskScheduled', 'TaskStarted', 'TaskFailed'],
      ...['TaskScheduled', 'TaskStarted', 'TaskSucceeded'],
      'TaskStateExited',
    ]);

    const always = await startOrder(harness, 'throttle-9-b');
    const failed = await waitForStatus(harness.client, always.executionArn ?? '', 'FAILED');
    expect(failed).toMatchObject({ error: 'Lambda.TooManyRequestsException', cause: 'Rate Exceeded.' });
    // One try plus MaxAttempts (3) retries.
    expect(harness.lambdas.callsTo('checkOrder').filter((c) => c.payload.orderId === 'throttle-9-b')).toHaveLength(4);
  });

  it('applies StartExecution name idempotency as AWS Standard does', async () => {
    const harness = await startHarness();
    const first = await startOrder(harness, 'hold-idem');
    const again = await startOrder(harness, 'hold-idem');
    expect(again).toMatchObject({ executionArn: first.executionArn, startDate: first.startDate });
    expect(first.startDate).toBeInstanceOf(Date);
    await expectApiError(startOrder(harness, 'hold-idem', { other: true }), 'ExecutionAlreadyExists');

    const token = await waitForReviewToken(harness, first.executionArn ?? '', 'hold-idem');
    await harness.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":true}' }));
    await waitForStatus(harness.client, first.executionArn ?? '', 'SUCCEEDED');
    await expectApiError(startOrder(harness, 'hold-idem'), 'ExecutionAlreadyExists');

    await expectApiError(
      harness.client.send(new StartExecutionCommand({ stateMachineArn: harness.sfn.stateMachineArn('nope') })),
      'StateMachineDoesNotExist',
    );
    await expectApiError(startOrder(harness, 'bad name'), 'InvalidName');
    await expectApiError(startOrder(harness, 'x'.repeat(81)), 'InvalidName');
    await expectApiError(
      harness.client.send(new StartExecutionCommand({ stateMachineArn: harness.routingArn, input: '{oops' })),
      'InvalidExecutionInput',
    );
    const unnamed = await harness.client.send(new StartExecutionCommand({ stateMachineArn: harness.routingArn }));
    expect(unnamed.executionArn).toMatch(/:execution:order-routing:[0-9a-f-]{36}$/);
  });

  it('answers DescribeExecution, GetExecutionHistory (paged, reversed) and ListExecutions in the AWS shape', async () => {
    const harness = await startHarness();
    const { executionArn = '' } = await startOrder(harness, 'ok-shape');
    const rejected = await startOrder(harness, 'reject-shape');
    const done = await waitForStatus(harness.client, executionArn, 'SUCCEEDED');
    await waitForStatus(harness.client, rejected.executionArn ?? '', 'SUCCEEDED');

    expect(done).toMatchObject({
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:order-routing:ok-shape',
      stateMachineArn: harness.routingArn,
      name: 'ok-shape',
      status: 'SUCCEEDED',
      input: '{"orderId":"ok-shape"}',
    });
    expect(done.startDate).toBeInstanceOf(Date);
    expect(done.stopDate?.getTime()).toBeGreaterThanOrEqual(done.startDate?.getTime() ?? Number.NaN);
    await expectApiError(
      harness.client.send(new DescribeExecutionCommand({ executionArn: `${executionArn}-missing` })),
      'ExecutionDoesNotExist',
    );

    const events = await fullHistory(harness.client, executionArn, 7);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.every((e) => e.previousEventId === (e.id ?? 0) - 1 && e.timestamp instanceof Date)).toBe(true);
    const types = events.map((e) => e.type);
    for (const type of [
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'MapStateEntered',
      'MapStateStarted',
      'MapIterationStarted',
      'MapIterationSucceeded',
      'MapStateSucceeded',
      'MapStateExited',
    ]) {
      expect(types).toContain(type);
    }
    expect(events[0]).toMatchObject({
      type: 'ExecutionStarted',
      executionStartedEventDetails: { input: '{"orderId":"ok-shape"}' },
    });
    expect(events.find((e) => e.type === 'MapStateStarted')?.mapStateStartedEventDetails).toEqual({ length: 3 });
    expect(
      events
        .filter((e) => e.type === 'MapIterationSucceeded')
        .map((e) => e.mapIterationSucceededEventDetails?.index)
        .sort(),
    ).toEqual([0, 1, 2]);
    expect(events.at(-1)).toMatchObject({
      type: 'ExecutionSucceeded',
      executionSucceededEventDetails: { output: done.output },
    });

    const newestFirst = await harness.client.send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 2 }),
    );
    expect(newestFirst.events?.map((e) => e.id)).toEqual([events.length, events.length - 1]);
    const olderPage = await harness.client.send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: true,
        maxResults: 2,
        nextToken: newestFirst.nextToken,
      }),
    );
    expect(olderPage.events?.map((e) => e.id)).toEqual([events.length - 2, events.length - 3]);

    const listed = await harness.client.send(
      new ListExecutionsCommand({ stateMachineArn: harness.routingArn, maxResults: 1 }),
    );
    expect(listed.executions).toHaveLength(1);
    const rest = await harness.client.send(
      new ListExecutionsCommand({ stateMachineArn: harness.routingArn, nextToken: listed.nextToken }),
    );
    const names = [...(listed.executions ?? []), ...(rest.executions ?? [])].map((e) => e.name).sort();
    expect(names).toEqual(['ok-shape', 'reject-shape']);
    expect(rest.nextToken).toBeUndefined();
    const running = await harness.client.send(
      new ListExecutionsCommand({ stateMachineArn: harness.routingArn, statusFilter: 'RUNNING' }),
    );
    expect(running.executions).toEqual([]);

    const firstMachines = await harness.client.send(new ListStateMachinesCommand({ maxResults: 2 }));
    const moreMachines = await harness.client.send(
      new ListStateMachinesCommand({ nextToken: firstMachines.nextToken }),
    );
    expect([...(firstMachines.stateMachines ?? []), ...(moreMachines.stateMachines ?? [])].map((m) => m.name)).toEqual([
      'callback-heartbeat',
      'direct-lambda',
      'execution-timeout',
      'order-routing',
    ]);
    const machine = await harness.client.send(new DescribeStateMachineCommand({ stateMachineArn: harness.routingArn }));
    expect(JSON.parse(machine.definition ?? '')).toEqual(await fixture('order-routing.asl.json'));
  });

  it('runs legacy direct Lambda ARN tasks in a Parallel state and records LambdaFunction* events', async () => {
    const harness = await startHarness();
    const { executionArn = '' } = await harness.client.send(
      new StartExecutionCommand({
        stateMachineArn: harness.sfn.stateMachineArn('direct-lambda'),
        name: 'direct-1',
        input: '{"orderId":"d-1"}',
      }),
    );
    const done = await waitForStatus(harness.client, executionArn, 'SUCCEEDED');
    expect(JSON.parse(done.output ?? '')).toEqual({
      orderId: 'd-1',
      checks: [{ trademark: 'ok', orderId: 'd-1' }, { compliance: 'ok' }],
      execution: 'direct-1',
    });
    const types = (await fullHistory(harness.client, executionArn)).map((e) => e.type);
    expect(types.filter((t) => t === 'LambdaFunctionSucceeded')).toHaveLength(2);
    expect(types).toEqual(
      expect.arrayContaining(['ParallelStateEntered', 'ParallelStateStarted', 'ParallelStateSucceeded']),
    );
  });

  it('completes a waitForTaskToken task with SendTaskSuccess, and fails it with SendTaskFailure', async () => {
    const harness = await startHarness();
    const approved = await startOrder(harness, 'hold-approve');
    const token = await waitForReviewToken(harness, approved.executionArn ?? '', 'hold-approve');
    await harness.client.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await harness.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approvedBy":"secretariat"}' }));
    await waitForStatus(harness.client, approved.executionArn ?? '', 'SUCCEEDED');
    const events = await fullHistory(harness.client, approved.executionArn ?? '');
    const review = events.find((e) => e.stateExitedEventDetails?.name === 'Await review');
    expect(JSON.parse(review?.stateExitedEventDetails?.output ?? '').review).toEqual({ approvedBy: 'secretariat' });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['TaskSubmitted']));
    await expectApiError(
      harness.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
      'TaskTimedOut',
    );

    const declined = await startOrder(harness, 'hold-decline');
    const declineToken = await waitForReviewToken(harness, declined.executionArn ?? '', 'hold-decline');
    await harness.client.send(
      new SendTaskFailureCommand({ taskToken: declineToken, error: 'ReviewDeclined', cause: 'grade not exportable' }),
    );
    const failed = await waitForStatus(harness.client, declined.executionArn ?? '', 'FAILED');
    expect(failed).toMatchObject({ error: 'ReviewDeclined', cause: 'grade not exportable' });

    await expectApiError(
      harness.client.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' })),
      'InvalidToken',
    );
    await expectApiError(
      harness.client.send(new SendTaskSuccessCommand({ taskToken: `AQ${'x'.repeat(86)}`, output: '{}' })),
      'TaskDoesNotExist',
    );
  });

  it('enforces HeartbeatSeconds (caught) and the execution TimeoutSeconds (TIMED_OUT)', async () => {
    const harness = await startHarness();
    const start = (machine: string) =>
      harness.client.send(
        new StartExecutionCommand({
          stateMachineArn: harness.sfn.stateMachineArn(machine),
          input: '{"orderId":"t-1"}',
        }),
      );
    const [heartbeat, timeout] = await Promise.all([start('callback-heartbeat'), start('execution-timeout')]);

    const reallocated = await waitForStatus(harness.client, heartbeat.executionArn ?? '', 'SUCCEEDED');
    expect(JSON.parse(reallocated.output ?? '')).toMatchObject({
      next: 'REALLOCATE',
      timeout: { Error: 'States.HeartbeatTimeout' },
    });
    const events = await fullHistory(harness.client, heartbeat.executionArn ?? '');
    // A callback integration without a local target still hands its token out through the history.
    const parameters = JSON.parse(
      events.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails?.parameters ?? '',
    );
    const token = parameters.Entries[0].Detail.taskToken as string;
    expect(events.find((e) => e.type === 'TaskTimedOut')?.taskTimedOutEventDetails).toMatchObject({
      resourceType: 'events',
      resource: 'putEvents.waitForTaskToken',
      error: 'States.HeartbeatTimeout',
    });
    await expectApiError(
      harness.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
      'TaskTimedOut',
    );

    const timedOut = await waitForStatus(harness.client, timeout.executionArn ?? '', 'TIMED_OUT');
    expect(timedOut.error).toBe('States.Timeout');
    const last = (await fullHistory(harness.client, timeout.executionArn ?? '')).at(-1);
    expect(last?.type).toBe('ExecutionTimedOut');
  });

  it('StopExecution aborts a waiting execution and retires its token', async () => {
    const harness = await startHarness();
    const { executionArn = '' } = await startOrder(harness, 'hold-stop');
    const token = await waitForReviewToken(harness, executionArn, 'hold-stop');
    await harness.client.send(new StopExecutionCommand({ executionArn, error: 'Cancelled', cause: 'buyer withdrew' }));
    const stopped = await waitForStatus(harness.client, executionArn, 'ABORTED');
    expect(stopped).toMatchObject({ error: 'Cancelled', cause: 'buyer withdrew' });
    const events = await fullHistory(harness.client, executionArn);
    expect(events.at(-1)).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'Cancelled' },
    });
    await expectApiError(
      harness.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
      'TaskTimedOut',
    );
    await harness.sfn.idle();
  });

  it('keeps executions across stop/start and redrives one that was RUNNING, with the same ARN', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sfn-local-'));
    tempDirs.push(dataDir);
    const lambdas = new FakeLambdas();
    const before = await startHarness(dataDir, lambdas);
    const finished = await startOrder(before, 'ok-persist');
    await waitForStatus(before.client, finished.executionArn ?? '', 'SUCCEEDED');
    const waiting = await startOrder(before, 'hold-persist');
    const oldToken = await waitForReviewToken(before, waiting.executionArn ?? '', 'hold-persist');
    await stopHarness(before);

    const after = await startHarness(dataDir, lambdas);
    const kept = await after.client.send(new DescribeExecutionCommand({ executionArn: finished.executionArn }));
    expect(kept).toMatchObject({ status: 'SUCCEEDED', output: '{"orderId":"ok-persist","status":"ALLOCATED"}' });
    const resumed = await after.client.send(new DescribeExecutionCommand({ executionArn: waiting.executionArn }));
    expect(resumed).toMatchObject({ status: 'RUNNING', redriveCount: 1, startDate: waiting.startDate });

    const newToken = await waitForReviewToken(after, waiting.executionArn ?? '', 'hold-persist', 2);
    await expectApiError(
      after.client.send(new SendTaskSuccessCommand({ taskToken: oldToken, output: '{}' })),
      'TaskDoesNotExist',
    );
    await after.client.send(new SendTaskSuccessCommand({ taskToken: newToken, output: '{"approvedBy":"restart"}' }));
    await waitForStatus(after.client, waiting.executionArn ?? '', 'SUCCEEDED');
    await after.sfn.idle();

    const types = (await fullHistory(after.client, waiting.executionArn ?? '')).map((e) => e.type);
    expect(types.filter((t) => t === 'ExecutionStarted')).toHaveLength(1);
    expect(types).toContain('ExecutionRedriven');
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    const listed = await after.client.send(new ListExecutionsCommand({ stateMachineArn: after.routingArn }));
    expect(listed.executions?.map((e) => e.name).sort()).toEqual(['hold-persist', 'ok-persist']);
    await expectApiError(startOrder(after, 'ok-persist'), 'ExecutionAlreadyExists');
  });

  it('speaks the raw JSON 1.0 protocol: unknown operations and bad bodies get AWS-shaped 400s', async () => {
    const harness = await startHarness();
    const post = (target: string, body: string) =>
      fetch(harness.sfn.url, {
        method: 'POST',
        headers: { 'X-Amz-Target': target, 'Content-Type': 'application/x-amz-json-1.0' },
        body,
      });
    const unknown = await post('AWSStepFunctions.CreateActivity', '{}');
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
    const garbage = await post('AWSStepFunctions.ListStateMachines', 'not json');
    expect(garbage.status).toBe(400);
    const listed = (await (await post('AWSStepFunctions.ListStateMachines', '{}')).json()) as {
      stateMachines: { creationDate: unknown }[];
    };
    expect(typeof listed.stateMachines[0]?.creationDate).toBe('number');
  });

  it('works with the aws CLI when it is installed (describe-execution), and through the SDK either way', async () => {
    const harness = await startHarness();
    const { executionArn = '' } = await startOrder(harness, 'ok-cli');
    const viaSdk = await waitForStatus(harness.client, executionArn, 'SUCCEEDED');
    const cli = await awsCli([
      'stepfunctions',
      'describe-execution',
      '--execution-arn',
      executionArn,
      '--endpoint-url',
      harness.sfn.url,
      '--region',
      'us-east-1',
      '--output',
      'json',
    ]);
    if (cli === undefined) {
      expect(viaSdk.status).toBe('SUCCEEDED');
      return;
    }
    const described = JSON.parse(cli) as { status: string; name: string; output: string; startDate: string | number };
    expect(described).toMatchObject({ status: 'SUCCEEDED', name: 'ok-cli', output: viaSdk.output });
    const cliStart =
      typeof described.startDate === 'number' ? described.startDate * 1000 : Date.parse(described.startDate);
    expect(Math.abs(cliStart - (viaSdk.startDate?.getTime() ?? 0))).toBeLessThan(1000);
  });
});

/** Runs the aws CLI with dummy credentials; undefined when no CLI is installed. */
async function awsCli(args: string[]): Promise<string | undefined> {
  const { AWS_PROFILE: _profile, AWS_SESSION_TOKEN: _session, ...inherited } = process.env;
  const env = {
    ...inherited,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
  };
  try {
    const { stdout } = await promisify(execFile)('aws', args, { env, timeout: 30_000 });
    return stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
