/**
 * Concurrency: hundreds of buyers order at once while the group can make only a third of what they ask for. Whatever
 * the interleaving, no factory-month is overbooked and every order ends allocated in full, rejected or unfilled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack';
import { inParallel, scenarioOrders, scenarioSize, submitWithRetry } from './scenario';
import { expectInvariantsHold, scarceCapacity, startScenarioStack } from './stack';

const size = scenarioSize(500);
let stack: LocalStack;

beforeAll(async () => {
  stack = await startScenarioStack();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe(`${size} concurrent orders against a third of the demand in capacity`, () => {
  it('overbooks no factory-month and leaves every order allocated in full, rejected or unfilled', async () => {
    const orders = scenarioOrders(size, 7);
    const capacityKg = await scarceCapacity(stack, orders);

    const accepted = await inParallel(orders, size, (order) => submitWithRetry(stack.urls.api, order));
    expect(new Set(accepted.map((a) => a.orderId)).size).toBe(size);
    await stack.idle();

    const { found, executions, mails } = await expectInvariantsHold(stack, orders, capacityKg);
    // Nothing failed here, so no order needed a second route.
    expect([...executions.values()].filter((names) => names.length !== 1)).toEqual([]);
    console.info(
      `${size} orders: ${JSON.stringify(found.byStatus)}; ${found.reservedKg} of ${found.capacityKg} kg reserved; ${mails.length} e-mails`,
    );
  }, 180_000);
});
