/**
 * Restart: the whole local channel (`npm start`'s process, its DynamoDB Local JVM, the Step Functions endpoint) is
 * killed with SIGKILL while buyers are still ordering, then started again on the same data folder. No accepted order
 * is lost, every buyer's retry lands on exactly one order, and the routes that were cut short finish without
 * double-booking a factory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redriveStalledOrders } from '../../functions/redrive/redrive-stalled';
import { freePort } from '../../infra/local/ports';
import { localNames } from '../../infra/local/stack';
import {
  demandKg,
  directTable,
  inParallel,
  readInvariants,
  type SubmitResult,
  scarceRoster,
  scenarioOrders,
  scenarioSize,
  submitWithRetry,
} from './scenario';

const projectRoot = resolve(import.meta.dirname, '../..');
const size = scenarioSize(60);
const dataDir = mkdtempSync(join(tmpdir(), 'channel-restart-'));
let ports: Record<'http' | 'dynamodb' | 'stepFunctions' | 'ses' | 'eventBridge', number>;
let running: ChildProcess | undefined;

/** Starts `npm start`'s entry point in its own process group, so one signal reaches it and its JVM. */
async function startChannel(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
    cwd: projectRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      CHANNEL_DATA_DIR: dataDir,
      CHANNEL_HTTP_PORT: String(ports.http),
      CHANNEL_DYNAMODB_PORT: String(ports.dynamodb),
      CHANNEL_SFN_PORT: String(ports.stepFunctions),
      CHANNEL_SES_PORT: String(ports.ses),
      CHANNEL_EVENTS_PORT: String(ports.eventBridge),
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    },
  });
  let output = '';
  const ready = new Promise<void>((done, fail) => {
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
      if (output.includes('Unified export channel is running')) done();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => fail(new Error(`the channel exited (${code}) before it was ready:\n${output}`)));
  });
  const timeout = delay(120_000).then(() => {
    throw new Error(`the channel was not ready in 120 s:\n${output}`);
  });
  await Promise.race([ready, timeout]);
  return child;
}

/** SIGKILL to the whole group: no handler runs, nothing is flushed or stopped cleanly. */
async function killChannel(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((done) => child.once('exit', done));
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
  await exited;
}

const api = () => `http://127.0.0.1:${ports.http}/api`;

beforeAll(async () => {
  ports = {
    http: await freePort(),
    dynamodb: await freePort(),
    stepFunctions: await freePort(),
    ses: await freePort(),
    eventBridge: await freePort(),
  };
  running = await startChannel();
}, 150_000);

afterAll(async () => {
  if (running) await killChannel(running, 'SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

describe('killing the local channel in the middle of a run and starting it again', () => {
  it('loses no accepted order, makes one order per key, and finishes every route', async () => {
    const orders = scenarioOrders(size, 31);
    // This process talks to the child's DynamoDB Local directly (never through the child).
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${ports.dynamodb}`,
      AWS_REGION: localNames.region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    const { createRulesStore } = await import('../../functions/adapters/rules-store');
    const today = new Date().toISOString().slice(0, 10);
    await createRulesStore(localNames.ordersTable).put(
      'members',
      scarceRoster(Math.floor(demandKg(orders) / 3), today),
    );

    const acceptedBeforeKill: SubmitResult[] = [];
    let killed = false;
    // Buyers keep arriving, 16 at a time, so the kill lands among submissions as well as routes.
    const submissions = inParallel(orders, 16, (order) =>
      // Patient enough (60 s) to outlast the kill and the restart.
      submitWithRetry(api(), order, 60_000).then((result) => {
        if (!killed) acceptedBeforeKill.push(result);
        return result;
      }),
    );
    // Kill once a quarter of the buyers have their 202: the rest are yet to come or in flight.
    const quarter = Math.ceil(size / 4);
    const deadline = Date.now() + 60_000;
    while (acceptedBeforeKill.length < quarter && Date.now() < deadline) await delay(5);
    expect(acceptedBeforeKill.length).toBeGreaterThanOrEqual(quarter);
    killed = true;
    const victim = running;
    running = undefined;
    if (victim) await killChannel(victim);
    const acceptedIds = acceptedBeforeKill.map((a) => a.orderId);

    running = await startChannel();
    const results = await submissions;

    // Every buyer holds one order id, and the ids given before the kill are still theirs.
    const idByKey = new Map(results.map((r) => [r.key, r.orderId]));
    expect(new Set(idByKey.values()).size).toBe(size);
    for (const before of acceptedBeforeKill) expect(idByKey.get(before.key)).toBe(before.orderId);

    // Wait for the routes (re-run from their last state by the restarted endpoint) to finish; redrive any that died.
    const table = directTable(`http://127.0.0.1:${ports.dynamodb}`);
    const sfn = new SFNClient({
      endpoint: `http://127.0.0.1:${ports.stepFunctions}`,
      region: localNames.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const stateMachineArn = `arn:aws:states:${localNames.region}:000000000000:stateMachine:${localNames.stateMachine}`;
    let found = await readInvariants(table, localNames.ordersTable);
    const redriven: string[] = [];
    const routedBy = Date.now() + 90_000;
    while (found.notRouted.length > 0 && Date.now() < routedBy) {
      const report = await redriveStalledOrders({
        dynamoDb: table,
        stepFunctions: sfn,
        ordersTable: localNames.ordersTable,
        stateMachineArn,
      });
      redriven.push(...report.started.map((s) => `${s.execution} (was ${s.previous})`));
      await delay(500);
      found = await readInvariants(table, localNames.ordersTable);
    }

    expect(found.notRouted).toEqual([]);
    const { ALLOCATED = 0, REJECTED = 0, UNFILLED = 0 } = found.byStatus;
    expect(ALLOCATED + REJECTED + UNFILLED).toBe(size);
    // Not one order lost: each id a buyer was given before the kill is stored, and nothing else was added.
    expect(found.orderIds).toHaveLength(size);
    expect(found.orderIds).toEqual(expect.arrayContaining(acceptedIds));
    expect(found.overbooked).toEqual([]);
    expect(found.cellMismatches).toEqual([]);
    expect(found.partlyAllocated).toEqual([]);
    expect(found.strayReservations).toEqual([]);
    console.info(
      `restart: ${acceptedBeforeKill.length} of ${size} accepted before SIGKILL; ${JSON.stringify(found.byStatus)}; redriven ${redriven.join(' ') || 'none'}`,
    );
  }, 240_000);
});
