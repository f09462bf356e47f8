/** Stores the seed rule documents (functions/domain/reference) when absent; run on every local start and after deploy. */
import { seedRuleSet } from '../domain/rules';
import { type RuleKind, type RulesStore, ruleKinds } from './rules-store';

export async function seedRules(store: RulesStore): Promise<Record<RuleKind, 'stored' | 'exists'>> {
  const outcome = {} as Record<RuleKind, 'stored' | 'exists'>;
  for (const kind of ruleKinds) outcome[kind] = await store.put(kind, seedRuleSet[kind]);
  return outcome;
}
