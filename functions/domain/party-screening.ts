/** Restricted-party screening by normalised company name, strict enough that near-misses do not match. */
import type { RestrictedParty, RuleSet } from './rules';

/**
 * Legal-form words stripped from the end of a name, after punctuation is gone ("Co., Ltd." → "co ltd").
 * Only trailing ones go: "AG Industries" keeps its "ag".
 */
const legalFormWords = new Set([
  'ab',
  'ag',
  'and',
  'as',
  'bv',
  'co',
  'company',
  'corp',
  'corporation',
  'gmbh',
  'inc',
  'incorporated',
  'kg',
  'kk',
  'limited',
  'llc',
  'llp',
  'lp',
  'ltd',
  'nv',
  'oy',
  'plc',
  'pte',
  'pty',
  'sa',
  'sarl',
  'sas',
  'spa',
  'srl',
]);

/**
 * The comparable form of a company name: accents folded, case dropped, dots removed inside abbreviations ("G.m.b.H."
 * → "gmbh"), other punctuation as spaces, "&" as "and", and trailing legal forms dropped. Everything else must match
 * exactly, so "Nordwind Defence System" is not "Nordwind Defence Systems".
 */
export function normaliseCompanyName(name: string): string {
  const words = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[.'’]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter((word) => word.length > 0);
  while (words.length > 1 && legalFormWords.has(words[words.length - 1] ?? '')) words.pop();
  return words.join(' ');
}

export interface PartyMatch {
  party: RestrictedParty;
  matchedName: string;
}

/** The restricted party (or a company it owns 50 % or more, listed as its own entry) this company name is. */
export function matchRestrictedParty(company: string, rules: RuleSet): PartyMatch | undefined {
  const wanted = normaliseCompanyName(company);
  if (wanted.length === 0) return undefined;
  for (const party of rules.compliance.restrictedParties) {
    const matchedName = [party.name, ...party.aliases].find((name) => normaliseCompanyName(name) === wanted);
    if (matchedName !== undefined) return { party, matchedName };
  }
  return undefined;
}
