/** Builds the CDK app the way `cdk synth` does (same stacks, same cdk.json context), for the assertion tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { LambdaName } from '../../functions/lambdas';
import { addExportChannelStacks, type ExportChannelStacks } from '../../infra/stacks/export-channel';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

export interface SynthesizedApp extends ExportChannelStacks {
  readonly app: App;
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
export function synthesizeApp(options: { full: boolean; nag?: boolean }): SynthesizedApp {
  const context = {
    ...cdkJson.context,
    ...(options.full ? { '@aws-cdk/core:validateAgainstDefaultRules': true } : { 'aws:cdk:bundling-stacks': [] }),
    // With the nag packs on, findings are read from the validation report (see nagReports) rather than thrown.
    ...(options.nag ? { '@aws-cdk/core:failSynthOnValidationErrors': false } : {}),
  };
  const app = new App({ context, builtinCloudFormationValidation: options.full });
  const stacks = addExportChannelStacks(app);
  // After the stacks: a pack registered on an empty app finds nothing to check.
  if (options.nag) addNagPacks(app);
  const functionLogicalIds = Object.fromEntries(
    Object.entries(stacks.stateless.functions).map(([name, fn]) => [
      name,
      Stack.of(fn).getLogicalId(fn.node.defaultChild as CfnElement),
    ]),
  ) as Record<LambdaName, string>;
  return {
    ...stacks,
    app,
    statefulTemplate: Template.fromStack(stacks.stateful),
    statelessTemplate: Template.fromStack(stacks.stateless),
    functionLogicalIds,
  };
}

/** The cdk-nag packs the infrastructure gate runs: AWS Solutions and Serverless. */
export function addNagPacks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}

export interface ValidationViolation {
  ruleName: string;
  severity: string;
  description: string;
  violatingConstructs?: { constructPath?: string }[];
}

export interface PluginReport {
  pluginName: string;
  conclusion: string;
  violations: ValidationViolation[];
}

/** The validation plugins' reports CDK wrote into the (already synthesized) app's cloud assembly. */
export function validationReports(app: App): PluginReport[] {
  const report = JSON.parse(readFileSync(join(app.synth().directory, 'validation-report.json'), 'utf8')) as {
    pluginReports: PluginReport[];
  };
  return report.pluginReports;
}
