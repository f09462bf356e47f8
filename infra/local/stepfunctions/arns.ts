/** ARNs and names for local state machines and executions, in the formats AWS uses. */
import { SfnApiError } from './errors.js';

export interface ArnScope {
  region: string;
  accountId: string;
}

export function stateMachineArn(scope: ArnScope, name: string): string {
  return `arn:aws:states:${scope.region}:${scope.accountId}:stateMachine:${name}`;
}

export function executionArn(scope: ArnScope, stateMachineName: string, name: string): string {
  return `arn:aws:states:${scope.region}:${scope.accountId}:execution:${stateMachineName}:${name}`;
}

/** Splits `arn:aws:states:<region>:<account>:<kind>:<rest>`; anything else is an InvalidArn, as AWS says. */
export function parseStatesArn(arn: unknown, kind: 'stateMachine' | 'execution'): string[] {
  if (typeof arn !== 'string') throw new SfnApiError('InvalidArn', `Invalid Arn: '${String(arn)}'`);
  const parts = arn.split(':');
  if (parts.length < 7 || parts[0] !== 'arn' || parts[2] !== 'states' || parts[5] !== kind) {
    throw new SfnApiError('InvalidArn', `Invalid Arn: '${arn}'`);
  }
  return parts.slice(6);
}

// AWS forbids whitespace, brackets, wildcards, these punctuation marks and control characters in names.
const forbiddenNameCharacters = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/u;

function hasControlCharacter(name: string): boolean {
  return [...name].some((char) => {
    const code = char.codePointAt(0) ?? 0;
    return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
  });
}

export function assertValidName(name: string): void {
  if (name.length < 1 || name.length > 80 || forbiddenNameCharacters.test(name) || hasControlCharacter(name)) {
    throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
  }
}
