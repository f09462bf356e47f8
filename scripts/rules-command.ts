/** The secretariat's rules tool: load a versioned rule document, show what is in force on a date, diff two versions. */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { ZodError } from 'zod';
import {
  documentTypeOf,
  kindOfDocumentType,
  type RuleKind,
  RulesNotLoadedError,
  type RulesStore,
  ruleDocumentSchemas,
  ruleKinds,
} from '../functions/adapters/rules-store';
import { formatDiff, structuralDiff } from '../functions/domain/rule-versions';
import { type RuleSet, ruleSetInconsistencies } from '../functions/domain/rules';

export interface RulesCommandIo {
  store: RulesStore;
  out: (line: string) => void;
  err: (line: string) => void;
  today: string;
}

export const rulesUsage = [
  'usage: npm run rules -- load <file.json>',
  '       npm run rules -- show <kind> [--on YYYY-MM-DD]',
  '       npm run rules -- diff <kind> <versionA> <versionB>',
  `kinds: ${ruleKinds.join(', ')}`,
].join('\n');

/** "/volumeTiers/1/discountPercent: expected a percent as a decimal string", one line per problem. */
export function describeIssues(error: ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map((part) => `/${String(part)}`).join('') || '/';
    const unknown = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    return `${path}: ${issue.message}${unknown}`;
  });
}

function isKind(value: string | undefined): value is RuleKind {
  return ruleKinds.includes(value as RuleKind);
}

/** Validates, checks it against the other documents it will be used with, and stores it; 0 on success. */
async function load(file: string, io: RulesCommandIo): Promise<number> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    io.err(`refused ${file}: ${(error as Error).message}`);
    return 1;
  }
  const documentType = (json as { documentType?: unknown } | null)?.documentType;
  const kind = kindOfDocumentType(documentType);
  if (!kind) {
    const known = ruleKinds.map(documentTypeOf).join(', ');
    io.err(`refused ${file}: /documentType ${JSON.stringify(documentType)} is not one of ${known}`);
    return 1;
  }
  const parsed = ruleDocumentSchemas[kind].safeParse(json);
  if (!parsed.success) {
    io.err(`refused ${file}: not a valid ${documentTypeOf(kind)} document; nothing was stored`);
    for (const line of describeIssues(parsed.error)) io.err(`  ${line}`);
    return 1;
  }
  const document = parsed.data as { version: string; effectiveFrom: string };

  // Valid alone is not enough: e.g. a price list must price every coating the catalogue in force then offers.
  try {
    const current = await io.store.ruleSetOn(document.effectiveFrom);
    const combined = { ...current, [kind]: document } as RuleSet;
    const problems = ruleSetInconsistencies(combined);
    if (problems.length > 0) {
      io.err(`refused ${file}: inconsistent with the rules in force on ${document.effectiveFrom}; nothing was stored`);
      for (const problem of problems) io.err(`  ${problem}`);
      return 1;
    }
  } catch (error) {
    if (!(error instanceof RulesNotLoadedError)) throw error;
    io.out(`note: no complete rule set is in force on ${document.effectiveFrom}; cross-document checks skipped`);
  }

  const existing = await io.store.version(kind, document.version);
  if (existing) {
    // Compared by content, not by JSON text: DynamoDB does not keep the key order of a map (e.g. countryRegions).
    if (structuralDiff(existing, document).length === 0) {
      io.out(`${kind} ${document.version} is already loaded (identical); nothing changed`);
      return 0;
    }
    io.err(`refused ${file}: ${kind} version ${document.version} exists with other content; versions are immutable`);
    return 1;
  }
  const outcome = await io.store.put(kind, document);
  io.out(
    `${outcome === 'stored' ? 'stored' : 'already loaded'} ${kind} ${document.version}, in force from ${document.effectiveFrom}`,
  );
  return 0;
}

async function show(kind: RuleKind, date: string, io: RulesCommandIo): Promise<number> {
  try {
    const document = await io.store.documentOn(kind, date);
    io.out(
      `# ${kind} in force on ${date}: ${document.version} (from ${document.effectiveFrom}${document.effectiveTo ? ` to ${document.effectiveTo}` : ''})`,
    );
    io.out(JSON.stringify(document, null, 2));
    return 0;
  } catch (error) {
    if (!(error instanceof RulesNotLoadedError)) throw error;
    io.err(error.message);
    return 1;
  }
}

async function diff(kind: RuleKind, versionA: string, versionB: string, io: RulesCommandIo): Promise<number> {
  const [a, b] = await Promise.all([io.store.version(kind, versionA), io.store.version(kind, versionB)]);
  for (const [id, document] of [
    [versionA, a],
    [versionB, b],
  ] as const) {
    if (!document) {
      io.err(`no ${kind} version ${id} is loaded`);
      return 1;
    }
  }
  const lines = formatDiff(structuralDiff(a, b));
  io.out(`# ${kind} ${versionA} → ${versionB}: ${lines.length} difference${lines.length === 1 ? '' : 's'}`);
  for (const line of lines) io.out(line);
  return 0;
}

/** Runs one command; the exit code is 0 on success, 1 on a refused or failed command, 2 on a usage error. */
export async function runRulesCommand(argv: readonly string[], io: RulesCommandIo): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { on: { type: 'string' } },
  });
  const [command, ...rest] = positionals;
  if (command === 'load' && rest.length === 1 && rest[0]) return load(rest[0], io);
  if (command === 'show' && rest.length === 1 && isKind(rest[0])) {
    const date = values.on ?? io.today;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      io.err(`--on ${date}: expected YYYY-MM-DD`);
      return 2;
    }
    return show(rest[0], date, io);
  }
  if (command === 'diff' && rest.length === 3 && isKind(rest[0]) && rest[1] && rest[2]) {
    return diff(rest[0], rest[1], rest[2], io);
  }
  io.err(rulesUsage);
  return 2;
}
