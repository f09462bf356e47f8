/** One in-process local stack per reliability test file (each file runs in its own worker process). */
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { expect } from 'vitest';
import { executionArn } from '../../functions/redrive/redrive-stalled';
import { type LocalStack, startLocalStack } from '../../infra/local/stack';
import {
  demandKg,
  directTable,
  duplicateBuyerMails,
  duplicateFactoryMails,
  executionsPerOrder,
  readInbox,
  readInvariants,
  type ScenarioOrder,
  scarceRoster,
} from './scenario';

/**
 * `retryIntervalMs` shortens the workflow's Retry intervals (AWS's are 1–20 s): 20 ms makes a route give up fast (the
 * outage scenario); a few hundred ms lets routes ride out a burst of faults as they would in AWS.
 */
export async function startScenarioStack(faultRate?: number, seed = 1989, retryIntervalMs = 20): Promise<LocalStack> {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  return startLocalStack({
    ports: { http: 0, dynamodb: 0, stepFunctions: 0, ses: 0, eventBridge: 0 },
    retryIntervalMs,
    ...(faultRate !== undefined ? { faults: { rate: 0, seed } } : {}),
  });
}

/** Makes total capacity a third of the scenario's demand, from today, before any order arrives. */
export async function scarceCapacity(stack: LocalStack, orders: ScenarioOrder[]): Promise<number> {
  const capacity = Math.floor(demandKg(orders) / 3);
  const today = new Date().toISOString().slice(0, 10);
  // Imported only now: handlers and adapters read their endpoints from the environment the stack has just set.
  const { createRulesStore } = await import('../../functions/adapters/rules-store');
  await createRulesStore(stack.env.ORDERS_TABLE ?? '').put('members', scarceRoster(capacity, today));
  return capacity;
}

/** Every invariant of the issue, read from DynamoDB Local, Step Functions and the SES inbox after the run. */
export async function expectInvariantsHold(stack: LocalStack, orders: ScenarioOrder[], capacityKg: number) {
  const size = orders.length;
  const found = await readInvariants(directTable(stack.urls.dynamodb), stack.env.ORDERS_TABLE ?? '');
  const { ALLOCATED = 0, REJECTED = 0, UNFILLED = 0 } = found.byStatus;
  expect(found.notRouted).toEqual([]);
  expect(ALLOCATED + REJECTED + UNFILLED).toBe(size);
  expect(REJECTED).toBe(orders.filter((o) => o.expectRejected).length);
  // Scarcity really happened: orders went unfilled and the capacity was used, up to (never past) its limit.
  expect(UNFILLED).toBeGreaterThan(0);
  expect(found.reservedKg).toBeGreaterThan(capacityKg * 0.8);
  expect(found.reservedKg).toBeLessThanOrEqual(found.capacityKg);
  expect(found.overbooked).toEqual([]);
  expect(found.cellMismatches).toEqual([]);
  expect(found.partlyAllocated).toEqual([]);
  expect(found.strayReservations).toEqual([]);

  const executions = await executionsPerOrder(localSfn(stack), stack.stateMachineArn);
  expect(executions.size).toBe(size);

  const mails = await readInbox(stack.urls.ses);
  expect(duplicateFactoryMails(mails)).toEqual([]);
  expect(duplicateBuyerMails(mails)).toEqual([]);
  return { found, executions, mails };
}

export function localSfn(stack: LocalStack): SFNClient {
  return new SFNClient({
    endpoint: stack.urls.stepFunctions,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Why the latest route of each order ended as it did, for a failure message that explains itself. */
export async function lastRouteErrors(stack: LocalStack, executions: { orderId: string; execution: string }[]) {
  const sfn = localSfn(stack);
  return Promise.all(
    executions.map(async ({ execution }) => {
      const found = await sfn.send(
        new DescribeExecutionCommand({ executionArn: executionArn(stack.stateMachineArn, execution) }),
      );
      return `${execution} ${found.status} ${found.error ?? ''} ${(found.cause ?? '').slice(0, 400)}`;
    }),
  );
}
