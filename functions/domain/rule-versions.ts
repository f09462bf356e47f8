/** Versioned rule documents in general: which version is in force on a date, and a readable diff of two versions. */

export interface EffectiveDates {
  version: string;
  effectiveFrom: string;
  effectiveTo?: string | undefined;
}

/**
 * The document in force on `date` (YYYY-MM-DD): of those whose effectiveFrom is on or before it and whose effectiveTo
 * (exclusive) is after it, the one with the latest effectiveFrom, so a later document supersedes an earlier one from
 * its first day. Two documents starting the same day are ordered by version id, the later id winning.
 */
export function inForce<D extends EffectiveDates>(documents: readonly D[], date: string): D | undefined {
  return documents
    .filter((d) => d.effectiveFrom <= date && (d.effectiveTo === undefined || date < d.effectiveTo))
    .sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom) || b.version.localeCompare(a.version))[0];
}

export interface DiffEntry {
  change: 'added' | 'removed' | 'changed';
  /** JSON-pointer-like path; array items that carry an identifying field are named by it, e.g. /grades[N42SH]/maxTempC. */
  path: string;
  before?: unknown;
  after?: unknown;
}

/** Fields that name an array item, so a diff says "grade N42SH" rather than "item 17" when items are inserted. */
const identifyingFields = ['grade', 'code', 'mark', 'id', 'family', 'country', 'minKg'] as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (value: unknown): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The first identifying field every item of both arrays has, unique within each array. */
function identityOf(before: readonly Json[], after: readonly Json[]): string | undefined {
  const uniqueIn = (items: readonly Json[], field: string) => {
    if (!items.every((item) => isObject(item) && item[field] !== undefined)) return false;
    const keys = items.map((item) => String((item as Record<string, Json>)[field]));
    return new Set(keys).size === keys.length;
  };
  return identifyingFields.find((field) => uniqueIn(before, field) && uniqueIn(after, field));
}

/** Every difference between two JSON documents, in document order. */
export function structuralDiff(before: unknown, after: unknown, path = ''): DiffEntry[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => {
      const here = `${path}/${key}`;
      if (!(key in after)) return [{ change: 'removed', path: here, before: before[key] }];
      if (!(key in before)) return [{ change: 'added', path: here, after: after[key] }];
      return structuralDiff(before[key], after[key], here);
    });
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const identity = before.length + after.length > 0 ? identityOf(before, after) : undefined;
    if (identity) {
      const keyed = (items: Json[]) =>
        new Map(items.map((item) => [String((item as Record<string, Json>)[identity]), item]));
      const a = keyed(before);
      const b = keyed(after);
      return [...new Set([...a.keys(), ...b.keys()])].flatMap((key) => {
        const here = `${path}[${key}]`;
        if (!b.has(key)) return [{ change: 'removed', path: here, before: a.get(key) }];
        if (!a.has(key)) return [{ change: 'added', path: here, after: b.get(key) }];
        return structuralDiff(a.get(key), b.get(key), here);
      });
    }
    if (before.every((item) => !isObject(item) && !Array.isArray(item)) && before.length !== after.length) {
      return [{ change: 'changed', path, before, after }];
    }
    const length = Math.max(before.length, after.length);
    return Array.from({ length }, (_, index) => index).flatMap((index) => {
      const here = `${path}/${index}`;
      if (index >= after.length) return [{ change: 'removed', path: here, before: before[index] }];
      if (index >= before.length) return [{ change: 'added', path: here, after: after[index] }];
      return structuralDiff(before[index], after[index], here);
    });
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ change: 'changed', path, before, after }];
}

/** One line per difference: `~ /path: before → after`, `+ /path: value`, `- /path: value`. */
export function formatDiff(entries: readonly DiffEntry[]): string[] {
  const show = (value: unknown) => JSON.stringify(value);
  const lineOf = (entry: DiffEntry): string => {
    if (entry.change === 'added') return `+ ${entry.path}: ${show(entry.after)}`;
    if (entry.change === 'removed') return `- ${entry.path}: ${show(entry.before)}`;
    return `~ ${entry.path}: ${show(entry.before)} → ${show(entry.after)}`;
  };
  return entries.map(lineOf);
}
