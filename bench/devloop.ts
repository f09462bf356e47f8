/** Developer loop: `npm start` until it prints that it is ready, and the wall time of `npm test`. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { round } from './stats';

const root = resolve(import.meta.dirname, '..');

/** A fresh data folder and free ports, so the figure is a first start on a clean machine state. */
export async function startToReadyMs(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'channel-bench-'));
  const env = {
    ...process.env,
    CHANNEL_DATA_DIR: dataDir,
    CHANNEL_HTTP_PORT: '0',
    CHANNEL_DYNAMODB_PORT: '0',
    CHANNEL_SFN_PORT: '0',
    CHANNEL_SES_PORT: '0',
    CHANNEL_EVENTS_PORT: '0',
  };
  const started = performance.now();
  const child = spawn('npm', ['start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  try {
    return await new Promise<number>((resolveReady, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`npm start not ready in 60 s:\n${output}`)), 60_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Press Ctrl-C')) {
          clearTimeout(timer);
          resolveReady(round(performance.now() - started, 0));
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`npm start exited ${code}:\n${output}`)));
    });
  } finally {
    const exited = new Promise((done) => child.once('exit', done));
    if (child.pid) process.kill(-child.pid, 'SIGINT');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function npmTestSeconds(): Promise<number> {
  const started = performance.now();
  await new Promise<void>((done, reject) => {
    const child = spawn('npm', ['test'], { cwd: root, stdio: 'ignore' });
    child.once('exit', (code) => (code === 0 ? done() : reject(new Error(`npm test failed (${code})`))));
  });
  return round((performance.now() - started) / 1000, 1);
}
