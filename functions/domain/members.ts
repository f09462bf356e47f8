/** The member roster: which members are producing factories, and how to reach them. */
import { UnknownFactoryError } from './errors';
import { type Member, producerRoles, type RuleSet } from './rules';

export function isProducer(member: Member): boolean {
  return producerRoles.includes(member.role);
}

export function producerFactories(rules: RuleSet): Member[] {
  return rules.members.members.filter(isProducer);
}

export function findFactory(rules: RuleSet, factoryId: string): Member | undefined {
  return producerFactories(rules).find((member) => member.id === factoryId);
}

/** The e-mail address a factory's allocations go to. */
export function factoryContact(rules: RuleSet, factoryId: string): string {
  const factory = findFactory(rules, factoryId);
  if (!factory) throw new UnknownFactoryError(factoryId);
  return factory.contactEmail;
}
