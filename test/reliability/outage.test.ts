/**
 * An outage longer than every retry: DynamoDB and SES refuse every request for a while, in the middle of routing.
 * Routes give up and leave their orders resumable; once the dependencies are back, the documented redrive
 * (`npm run redrive`) brings every order home without double-booking a factory or e-mailing anyone twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redriveStalledOrders } from '../../functions/redrive/redrive-stalled';
import type { LocalStack } from '../../infra/local/stack';
import {
  directTable,
  duplicateBuyerMails,
  duplicateFactoryMails,
  executionsPerOrder,
  inParallel,
  readInbox,
  readInvariants,
  scenarioOrders,
  submitWithRetry,
} from './scenario';
import { lastRouteErrors, localSfn, scarceCapacity, startScenarioStack } from './stack';

const size = 60;
let stack: LocalStack;

beforeAll(async () => {
  stack = await startScenarioStack(0, 42);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('an outage that outlasts every retry', () => {
  it('leaves routes resumable, and the redrive finishes every order exactly once', async () => {
    const orders = scenarioOrders(size, 23);
    await scarceCapacity(stack, orders);
    const accepted = await inParallel(orders, size, (order) => submitWithRetry(stack.urls.api, order));

    // The outage starts while the routes are under way: every request is throttled or answered 5xx.
    stack.faults?.setRate(1, ['throttle', 'server-error']);
    await stack.idle();
    stack.faults?.setRate(0);

    const table = directTable(stack.urls.dynamodb);
    const before = await readInvariants(table, stack.env.ORDERS_TABLE ?? '');
    // Some routes must really have given up, or this test proves nothing about the redrive.
    expect(before.notRouted.length).toBeGreaterThan(0);
    expect(before.overbooked).toEqual([]);

    const deps = {
      dynamoDb: table,
      stepFunctions: localSfn(stack),
      ordersTable: stack.env.ORDERS_TABLE ?? '',
      stateMachineArn: stack.stateMachineArn,
    };
    const report = await redriveStalledOrders(deps);
    expect(report.started.map((s) => s.orderId).sort()).toEqual(before.notRouted.map((n) => n.split(' ')[0]).sort());
    expect(report.started.every((s) => s.execution.endsWith('-r1'))).toBe(true);
    await stack.idle();
    // A second redrive finds nothing left to do.
    const again = await redriveStalledOrders(deps);
    expect(
      again,
      (
        await lastRouteErrors(
          stack,
          again.started.map((s) => ({ ...s, execution: s.execution.replace(/-r\d+$/, '-r1') })),
        )
      ).join('\n'),
    ).toEqual({ started: [], running: [] });

    const after = await readInvariants(table, stack.env.ORDERS_TABLE ?? '');
    const { ALLOCATED = 0, REJECTED = 0, UNFILLED = 0 } = after.byStatus;
    expect(after.notRouted).toEqual([]);
    expect(ALLOCATED + REJECTED + UNFILLED).toBe(size);
    expect(after.overbooked).toEqual([]);
    expect(after.cellMismatches).toEqual([]);
    expect(after.partlyAllocated).toEqual([]);
    expect(after.strayReservations).toEqual([]);

    const executions = await executionsPerOrder(localSfn(stack), stack.stateMachineArn);
    for (const orderId of report.started.map((s) => s.orderId)) {
      const names = executions.get(orderId) ?? [];
      expect(names).toHaveLength(2);
      expect(names).toEqual(expect.arrayContaining([`${orderId}:FAILED`, `${orderId}-r1:SUCCEEDED`]));
    }
    expect(accepted).toHaveLength(size);
    const mails = await readInbox(stack.urls.ses);
    expect(duplicateFactoryMails(mails)).toEqual([]);
    expect(duplicateBuyerMails(mails)).toEqual([]);
    console.info(`outage: ${report.started.length} of ${size} routes redriven; ${JSON.stringify(after.byStatus)}`);
  }, 180_000);
});
