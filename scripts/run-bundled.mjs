/**
 * `node scripts/run-bundled.mjs <entry.ts> [args…]`: bundles a TypeScript entry (and the finance decode worker) to
 * plain JS with esbuild, then runs it in this process. The finance CLI and its benchmark run this way: under
 * `node --import tsx` the TypeScript loader and its thread cost ~40 MB of memory on every run. The bundling itself runs
 * in a child process: esbuild's JS API keeps a thread and ~25 MB in whatever process loads it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: node scripts/run-bundled.mjs <entry.ts> [args…]\n');
  process.exit(2);
}
const projectRoot = resolve(import.meta.dirname, '..');
// Next to node_modules (packages stay external and resolve from there), one file per entry.
const outfile = join(projectRoot, '.local/bundled', `${basename(entry).replace(/\.[cm]?ts$/, '')}.mjs`);

if (process.env.RUN_BUNDLED_BUILD === '1') {
  await build();
  process.exit(0);
}
execFileSync(process.execPath, [import.meta.filename, entry], {
  env: { ...process.env, RUN_BUNDLED_BUILD: '1' },
  stdio: 'inherit',
});

// The entry reads its arguments from process.argv as if it had been started directly.
process.argv = [process.argv[0] ?? 'node', resolve(entry), ...args];
await import(pathToFileURL(outfile).href);

async function build() {
  const { buildSync } = await import('esbuild');
  const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'error' };

  const worker = buildSync({
    ...common,
    entryPoints: [join(projectRoot, 'finance/decode-worker.ts')],
    format: 'cjs',
    write: false,
  });
  const workerCode = worker.outputFiles[0]?.text;
  if (!workerCode) throw new Error('could not bundle the decode worker');

  mkdirSync(dirname(outfile), { recursive: true });
  buildSync({
    ...common,
    entryPoints: [resolve(entry)],
    format: 'esm',
    packages: 'external',
    outfile,
    define: { FINANCE_DECODE_WORKER_CODE: JSON.stringify(workerCode) },
  });
}
