/**
 * Faults: the concurrency scenario with a fault-injecting proxy in front of DynamoDB Local and the SES emulator
 * (throttling, 5xx, timeouts and dropped connections on 10 % of requests). Every invariant still holds, no e-mail goes
 * out twice, and an order whose route gave up is brought home by the documented redrive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redriveStalledOrders } from '../../functions/redrive/redrive-stalled';
import type { LocalStack } from '../../infra/local/stack';
import { directTable, inParallel, scenarioOrders, scenarioSize, submitWithRetry } from './scenario';
import { expectInvariantsHold, lastRouteErrors, localSfn, scarceCapacity, startScenarioStack } from './stack';

const size = scenarioSize(200);
const faultRate = Number(process.env.RELIABILITY_FAULT_RATE ?? '0.1');
let stack: LocalStack;

beforeAll(async () => {
  stack = await startScenarioStack(0, 1989, 250);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe(`${size} concurrent orders with ${faultRate * 100} % of DynamoDB and SES requests failing`, () => {
  it('keeps every invariant, sends no e-mail twice, and ends every order (after a redrive if need be)', async () => {
    const orders = scenarioOrders(size, 11);
    const capacityKg = await scarceCapacity(stack, orders);
    stack.faults?.setRate(faultRate);

    const accepted = await inParallel(orders, size, (order) => submitWithRetry(stack.urls.api, order));
    expect(new Set(accepted.map((a) => a.orderId)).size).toBe(size);
    await stack.idle();

    // A route that exhausted its retries is left resumable; the redrive (npm run redrive) resumes it, faults and all.
    const redriven: string[] = [];
    for (let round = 0; round < 5; round += 1) {
      const report = await redriveStalledOrders({
        dynamoDb: directTable(stack.urls.dynamodb),
        stepFunctions: localSfn(stack),
        ordersTable: stack.env.ORDERS_TABLE ?? '',
        stateMachineArn: stack.stateMachineArn,
      });
      if (report.started.length === 0 && report.running.length === 0) break;
      redriven.push(...report.started.map((s) => s.execution));
      await stack.idle();
    }

    const stats = stack.faults?.stats();
    stack.faults?.setRate(0);
    expect(stats?.dynamodb.requests).toBeGreaterThan(size * 10);
    const injected = (s: { faults: Record<string, number> } | undefined) =>
      Object.values(s?.faults ?? {}).reduce((a, b) => a + b, 0);
    // The proxy really got in the way: about the configured share of requests failed, of every kind.
    expect(injected(stats?.dynamodb)).toBeGreaterThan((stats?.dynamodb.requests ?? 0) * faultRate * 0.7);
    for (const count of Object.values(stats?.dynamodb.faults ?? {})) expect(count).toBeGreaterThan(0);

    // Why routes gave up (a histogram of their errors), so the log says what the redrive had to repair.
    const reasons = new Map<string, number>();
    for (const line of await lastRouteErrors(
      stack,
      redriven.map((execution) => ({ orderId: '', execution: execution.replace(/-r\d+$/, '') })),
    )) {
      const reason = line
        .split(' ')
        .slice(2)
        .join(' ')
        .replace(/01[0-9A-Z]{24}/g, '<id>')
        .slice(0, 160);
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    const { found, mails } = await expectInvariantsHold(stack, orders, capacityKg);
    const retries = accepted.reduce((sum, a) => sum + a.attempts - 1, 0);
    console.info(
      `${size} orders at ${faultRate} faults: ${JSON.stringify(found.byStatus)}; ${found.reservedKg} of ${found.capacityKg} kg; ` +
        `${mails.length} e-mails; POST retries ${retries}; redriven ${redriven.length}; proxy ${JSON.stringify(stats)}; routes gave up on ${JSON.stringify([...reasons])}`,
    );
  }, 180_000);
});
