/** Builds the CDK app the way `cdk synth` does (same stacks, same cdk.json context), for the assertion tests. */
import { readFileSync } from 'node:fs';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { LambdaName } from '../../functions/lambdas';
import { addExportChannelStacks, type ExportChannelStacks } from '../../infra/stacks/export-channel';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

export interface SynthesizedApp extends ExportChannelStacks {
  readonly statefulTemplate: Template;
  readonly statelessTemplate: Template;
  /** Logical id of each registry function in the stateless template. */
  readonly functionLogicalIds: Record<LambdaName, string>;
}

/**
 * `full: true` synthesizes as a deploy would: esbuild bundles every handler, and CDK's built-in CloudFormation
 * validation runs with its findings as errors (cdk.json leaves them as warnings), so a handler that cannot be bundled
 * or an invalid resource fails the test. `full: false` skips both (~10 s on two cores) for structure-only tests.
 */
export function synthesizeApp(options: { full: boolean }): SynthesizedApp {
  const context = options.full
    ? { ...cdkJson.context, '@aws-cdk/core:validateAgainstDefaultRules': true }
    : { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] };
  const stacks = addExportChannelStacks(new App({ context, builtinCloudFormationValidation: options.full }));
  const functionLogicalIds = Object.fromEntries(
    Object.entries(stacks.stateless.functions).map(([name, fn]) => [
      name,
      Stack.of(fn).getLogicalId(fn.node.defaultChild as CfnElement),
    ]),
  ) as Record<LambdaName, string>;
  return {
    ...stacks,
    statefulTemplate: Template.fromStack(stacks.stateful),
    statelessTemplate: Template.fromStack(stacks.stateless),
    functionLogicalIds,
  };
}
