/** Lambda weight: each handler bundled as the house construct bundles it, its size, largest inputs, and module init time against a bare handler. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { lambdaEntries } from '../functions/lambdas';
import { median, round } from './stats';

const root = resolve(import.meta.dirname, '..');

/** The same options as infra/constructs/channel-function.ts, so sizes and init times are the deployed ones. */
async function bundle(entry: string, outfile: string): Promise<Metafile> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: false,
    keepNames: true,
    metafile: true,
    logLevel: 'silent',
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  });
  return result.metafile;
}

/** Wall time of `node` importing the bundle, measured inside the child so process start-up is excluded. */
function initMs(file: string, env: NodeJS.ProcessEnv): number {
  const script = `const t=process.hrtime.bigint();await import(${JSON.stringify(file)});console.log(Number(process.hrtime.bigint()-t)/1e6)`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
  return Number(out.trim().split('\n').pop());
}

/** node_modules/@aws-sdk/client-sfn/dist-es/x.js → @aws-sdk/client-sfn; project files → their folder. */
function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return input.split('/').slice(0, 2).join('/');
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  return (parts[0]?.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

export interface BundleFigure {
  name: string;
  bytes: number;
  top: { input: string; bytes: number }[];
  initMs: number;
}

export async function measureBundles(runs: number) {
  const dir = join(root, '.local/bench/bundles');
  mkdirSync(dir, { recursive: true });
  const bare = join(dir, 'bare.mjs');
  writeFileSync(join(dir, 'bare-handler.ts'), 'export const handler = async () => ({ statusCode: 200, body: "" });\n');
  await bundle(join(dir, 'bare-handler.ts'), bare);
  const env = {
    ...process.env,
    AWS_REGION: 'us-east-1',
    ORDERS_TABLE: 't',
    IDEMPOTENCY_TABLE: 't',
    LEDGER_TABLE: 't',
    STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:x',
    EVENT_BUS_NAME: 'b',
    MAIL_FROM: 'm@example.com',
    PUBLIC_BASE_URL: 'https://example.com',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const figures: BundleFigure[] = [];
  const bareTimes: number[] = [];
  const times = new Map<string, number[]>();
  const files = new Map<string, string>();
  for (const [name, entry] of Object.entries(lambdaEntries)) {
    const outfile = join(dir, `${name}.mjs`);
    const meta = await bundle(join(root, entry), outfile);
    files.set(name, outfile);
    const output = Object.values(meta.outputs)[0];
    const inputs = Object.entries(output?.inputs ?? {}).map(([input, info]) => ({
      input: packageOf(input),
      bytes: info.bytesInOutput,
    }));
    const byPackage = new Map<string, number>();
    for (const { input, bytes } of inputs) byPackage.set(input, (byPackage.get(input) ?? 0) + bytes);
    figures.push({
      name,
      bytes: output?.bytes ?? 0,
      top: [...byPackage.entries()]
        .map(([input, bytes]) => ({ input, bytes }))
        .sort((a, b) => b.bytes - a.bytes)
        .slice(0, 4),
      initMs: 0,
    });
    times.set(name, []);
  }
  // Interleave bare and real imports so load on the machine hits both alike.
  for (let run = 0; run < runs; run += 1) {
    for (const [name, file] of files) {
      bareTimes.push(initMs(bare, env));
      times.get(name)?.push(initMs(file, env));
    }
  }
  for (const figure of figures) figure.initMs = round(median(times.get(figure.name) ?? []));
  return { figures, bareInitMs: round(median(bareTimes)) };
}
