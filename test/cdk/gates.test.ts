/** The infrastructure gates (issue 7): cdk-nag packs, protections every resource of a kind must have, the WAF, and the rendered ASL. */
import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Code, Function as LambdaFn, Runtime } from 'aws-cdk-lib/aws-lambda';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { aslPath } from '../../workflows/render-asl';
import { addNagPacks, type PluginReport, type SynthesizedApp, synthesizeApp, validationReports } from './synth-app';
import {
  asArray,
  asyncTargetGaps,
  iamWildcardGaps,
  props,
  type Resource,
  type Resources,
  referencedId,
} from './template-checks';

let app: SynthesizedApp;
/** Every stack's resources, keyed `<stack>/<logical id>` so findings name where they are. */
let templates: { stack: string; resources: Resources }[];
let reports: PluginReport[];

const nagPacks = ['AwsSolutions', 'Serverless'];

beforeAll(() => {
  // Structure only (no bundling): the packs judge the templates, not the bundles. One synth for this whole file.
  app = synthesizeApp({ full: false, nag: true });
  templates = [app.stateful, app.stateless].map((stack) => ({
    stack: stack.stackName,
    resources: Template.fromStack(stack).toJSON().Resources as Resources,
  }));
  reports = validationReports(app.app);
});

const ofType = (resources: Resources, type: string): [string, Resource][] =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);
const allOfType = (type: string): [string, Resource][] =>
  templates.flatMap(({ stack, resources }) =>
    ofType(resources, type).map(([id, resource]): [string, Resource] => [`${stack}/${id}`, resource]),
  );
/**
 * The nag packs' unacknowledged findings, one line each ("rule (severity) at construct"). Acknowledged findings never
 * reach the report (the packs drop them), and a pack with no findings leaves no entry at all.
 */
function findings(pluginReports: PluginReport[]): string[] {
  return pluginReports
    .filter((report) => nagPacks.includes(report.pluginName))
    .flatMap((report) => report.violations)
    .flatMap((violation) =>
      (violation.violatingConstructs ?? [{}]).map(
        (construct) => `${violation.ruleName} (${violation.severity}) at ${construct.constructPath ?? '?'}`,
      ),
    );
}

describe('cdk-nag: AwsSolutions and Serverless packs', () => {
  it('leaves 0 unacknowledged findings, errors and warnings alike', () => {
    expect(findings(reports)).toEqual([]);
  });

  it('has a specific written reason on every acknowledgement', () => {
    const acknowledgements = app.app.node
      .findAll()
      .flatMap((construct) =>
        construct.node.metadata
          .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
          .map(([id, reason]) => ({ at: construct.node.path, id: id.replace(/^annotation::/i, ''), reason })),
      )
      .filter(({ id }) => nagPacks.some((pack) => id.startsWith(`${pack}-`)));
    // Today's app acknowledges findings (e.g. the anonymous routes); none would mean the metadata was misread.
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const { at, id, reason } of acknowledgements) {
      expect(reason.length, `${id} at ${at}`).toBeGreaterThanOrEqual(60);
      expect(reason, `${id} at ${at}`).not.toMatch(/^(todo|tbd|n\/a|ok|suppress|ignore|not needed|fine)\b/i);
    }
  });

  it('reports a finding nobody acknowledged (control: the packs run and the report is read)', () => {
    const control = new App({
      context: { '@aws-cdk/core:failSynthOnValidationErrors': false },
      builtinCloudFormationValidation: false,
    });
    const stack = new Stack(control, 'Control');
    new Table(stack, 'Unprotected', { partitionKey: { name: 'id', type: AttributeType.STRING } });
    new LambdaFn(stack, 'Untraced', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('export const handler = async () => {};'),
    });
    addNagPacks(control);
    control.synth();
    const lines = findings(validationReports(control)).join('\n');
    expect(lines).toMatch(/AwsSolutions-DDB3 \(warning\) at Control\/Unprotected\/Resource/);
    expect(lines).toMatch(/Serverless-LambdaTracing \(warning\) at Control\/Untraced\/Resource/);
  });
});

describe('tables', () => {
  it('every table, in every stack, has PITR, deletion protection, RETAIN and encryption', () => {
    const tables = [...allOfType('AWS::DynamoDB::Table'), ...allOfType('AWS::DynamoDB::GlobalTable')];
    expect(tables.length).toBeGreaterThan(0);
    for (const [id, table] of tables) {
      expect(table, id).toMatchObject({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
          SSESpecification: { SSEEnabled: true },
        },
      });
    }
  });
});

describe('buckets', () => {
  it('every bucket is encrypted, blocks public access and refuses plain HTTP', () => {
    const buckets = allOfType('AWS::S3::Bucket');
    const policies = allOfType('AWS::S3::BucketPolicy');
    for (const [id, bucket] of buckets) {
      expect(bucket, id).toMatchObject({
        Properties: {
          BucketEncryption: { ServerSideEncryptionConfiguration: [expect.anything()] },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
        },
      });
      const logicalId = id.split('/')[1];
      const policy = policies.find(([, p]) => referencedId(props(p).Bucket) === logicalId);
      expect(JSON.stringify(policy?.[1]), `${id} has no aws:SecureTransport deny`).toMatch(
        /"Effect":"Deny".*"aws:SecureTransport":"false"|"aws:SecureTransport":"false".*"Effect":"Deny"/,
      );
    }
  });
});

describe('async targets', () => {
  it('every asynchronous target has a DLQ or a failure destination', () => {
    expect(templates.flatMap(({ resources }) => asyncTargetGaps(resources))).toEqual([]);
  });

  it('catches a rule, a schedule and a function without one (control)', () => {
    const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'Control');
    const fn = new LambdaFn(stack, 'Fn', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('export const handler = async () => {};'),
    });
    new Rule(stack, 'Rule', { schedule: Schedule.rate(Duration.hours(1)), targets: [new LambdaFunction(fn)] });
    new CfnSchedule(stack, 'Schedule', {
      flexibleTimeWindow: { mode: 'OFF' },
      scheduleExpression: 'rate(1 day)',
      target: { arn: fn.functionArn, roleArn: 'arn:aws:iam::111111111111:role/scheduler' },
    });
    const withDlq = new Rule(stack, 'RuleWithDlq', { schedule: Schedule.rate(Duration.hours(1)) });
    withDlq.addTarget(new LambdaFunction(fn, { deadLetterQueue: new Queue(stack, 'Dlq') }));
    const gaps = asyncTargetGaps(Template.fromStack(stack).toJSON().Resources as Resources);
    expect(gaps).toHaveLength(3);
    expect(gaps.join('\n')).toMatch(/Rule[0-9A-F]+: EventBridge rule target/);
    expect(gaps.join('\n')).toMatch(/Schedule: schedule target has no DeadLetterConfig/);
    expect(gaps.join('\n')).toMatch(/invoked asynchronously/);
  });
});

describe('IAM', () => {
  it('grants no `*` or `service:*` action, and "*" resources only to actions that have no resources', () => {
    expect(templates.flatMap(({ resources }) => iamWildcardGaps(resources))).toEqual([]);
  });

  it('catches dynamodb:* and s3:GetObject on "*" (control)', () => {
    const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'Control');
    const fn = new LambdaFn(stack, 'Fn', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('export const handler = async () => {};'),
    });
    fn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:*'], resources: ['arn:aws:dynamodb:::table/x'] }));
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    const gaps = iamWildcardGaps(Template.fromStack(stack).toJSON().Resources as Resources);
    expect(gaps).toEqual([expect.stringMatching(/Allow dynamodb:\*$/), expect.stringMatching(/s3:GetObject on "\*"/)]);
  });
});

describe('logs', () => {
  it('every log group has a retention', () => {
    const groups = allOfType('AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThan(0);
    for (const [id, group] of groups) expect(props(group).RetentionInDays, id).toEqual(expect.any(Number));
  });

  it('every function logs to a group of the template, never to an implicit one that keeps logs forever', () => {
    for (const { stack, resources } of templates) {
      for (const [id, fn] of ofType(resources, 'AWS::Lambda::Function')) {
        const group = referencedId((props(fn).LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup);
        expect(resources[group ?? '']?.Type, `${stack}/${id}`).toBe('AWS::Logs::LogGroup');
      }
    }
  });

  it("owns each logging stage's execution-log group, created before the stage starts writing to it", () => {
    for (const { stack, resources } of templates) {
      for (const [id, stage] of ofType(resources, 'AWS::ApiGateway::Stage')) {
        const logs = asArray(props(stage).MethodSettings as { LoggingLevel?: string }[]).some(
          (setting) => setting.LoggingLevel !== undefined && setting.LoggingLevel !== 'OFF',
        );
        if (!logs) continue;
        const api = referencedId(props(stage).RestApiId);
        const group = ofType(resources, 'AWS::Logs::LogGroup').find(([, g]) => {
          const name = JSON.stringify(props(g).LogGroupName) ?? '';
          return name.includes('API-Gateway-Execution-Logs_') && name.includes(`{"Ref":"${api}"}`);
        });
        expect(group, `${stack}/${id}`).toBeDefined();
        expect(asArray(stage.DependsOn as string | string[]), `${stack}/${id}`).toContain(group?.[0]);
      }
    }
  });
});

describe('API protection', () => {
  it('every REST API stage is throttled and has a regional WebACL with a blocking rate-based rule', () => {
    const stages = allOfType('AWS::ApiGateway::Stage');
    expect(stages.length).toBeGreaterThan(0);
    for (const { stack, resources } of templates) {
      for (const [id, stage] of ofType(resources, 'AWS::ApiGateway::Stage')) {
        expect(props(stage).MethodSettings, `${stack}/${id}`).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              HttpMethod: '*',
              ResourcePath: '/*',
              ThrottlingRateLimit: expect.any(Number),
              ThrottlingBurstLimit: expect.any(Number),
            }),
          ]),
        );
        const association = ofType(resources, 'AWS::WAFv2::WebACLAssociation').find(([, a]) =>
          JSON.stringify(props(a).ResourceArn).includes(`{"Ref":"${id}"}`),
        );
        expect(association, `${stack}/${id} has no WebACL association`).toBeDefined();
        const acl = resources[referencedId(props(association?.[1] ?? { Type: '' }).WebACLArn) ?? ''];
        expect(acl?.Type).toBe('AWS::WAFv2::WebACL');
        expect(props(acl ?? { Type: '' }).Scope).toBe('REGIONAL');
        const rateRules = asArray(props(acl ?? { Type: '' }).Rules as Record<string, unknown>[]).filter(
          (rule) => (rule.Statement as Record<string, unknown>).RateBasedStatement !== undefined,
        );
        expect(rateRules.length).toBeGreaterThan(0);
        for (const rule of rateRules) expect(rule.Action).toEqual({ Block: {} });
      }
    }
  });
});

describe('rendered ASL', () => {
  const asl = (): unknown => JSON.parse(readFileSync(aslPath, 'utf8'));

  it('passes asl-validator with 0 errors', () => {
    const result = aslValidator(asl());
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('is rejected by asl-validator when a transition points nowhere (control)', () => {
    const broken = asl() as { StartAt: string; States: Record<string, { Next?: string }> };
    const start = broken.States[broken.StartAt];
    if (start === undefined) throw new Error('StartAt names no state');
    start.Next = 'NoSuchState';
    expect(aslValidator(broken).isValid).toBe(false);
  });
});
