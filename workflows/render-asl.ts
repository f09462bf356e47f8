/** Renders the order-routing definition to plain ASL, the file the local Step Functions endpoint runs; `npm run asl` rewrites it. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { type WorkflowLambda, workflowLambdas } from '../functions/lambdas';
import { OrderRouting } from './order-routing';

export const aslPath = fileURLToPath(new URL('./order-routing.asl.json', import.meta.url));

const fakeAccount = '000000000000';
const fakeRegion = 'us-east-1';

/** The stand-in ARN for a workflow Lambda; the local stack maps it back to the handler by its last segment. */
export function fakeFunctionArn(lambdaName: string): string {
  return `arn:aws:lambda:${fakeRegion}:${fakeAccount}:function:${lambdaName}`;
}

/** Resolves Fn::GetAtt in a template; the CDK tests use it to swap real function ARNs for fake ones. */
export type GetAttResolver = (logicalId: string, attribute: string) => string;

const pseudoParameters: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': fakeRegion,
  'AWS::AccountId': fakeAccount,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Evaluates the few intrinsics a DefinitionString contains; anything else is a new dependency and should fail loudly. */
export function resolveIntrinsics(value: unknown, getAtt?: GetAttResolver): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, getAtt));
  if (value === null || typeof value !== 'object') return value;

  const entries = Object.entries(value);
  const [first] = entries;
  if (entries.length === 1 && first !== undefined && first[0].startsWith('Fn::')) {
    const [fn, args] = first;
    if (fn === 'Fn::Join' && Array.isArray(args) && typeof args[0] === 'string' && Array.isArray(args[1])) {
      return args[1].map((part) => String(resolveIntrinsics(part, getAtt))).join(args[0]);
    }
    if (fn === 'Fn::GetAtt' && getAtt && Array.isArray(args) && typeof args[0] === 'string') {
      return getAtt(args[0], String(args[1]));
    }
    throw new Error(`Cannot evaluate ${fn} ${JSON.stringify(args)} in a state machine definition`);
  }
  if (entries.length === 1 && first !== undefined && first[0] === 'Ref') {
    const resolved = pseudoParameters[String(first[1])];
    if (resolved === undefined) throw new Error(`Cannot evaluate Ref ${JSON.stringify(first[1])}`);
    return resolved;
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolveIntrinsics(item, getAtt)]));
}

/** Turns a synthesized DefinitionString (a string or an Fn::Join) into the ASL object. */
export function aslFromDefinitionString(definitionString: unknown, getAtt?: GetAttResolver): object {
  const text = resolveIntrinsics(definitionString, getAtt);
  if (typeof text !== 'string') throw new Error('DefinitionString did not resolve to a string');
  return JSON.parse(text) as object;
}

/** Builds the real OrderRouting construct around fake functions, so the ASL is exactly what CDK deploys. */
export function renderOrderRoutingAsl(): object {
  const stack = new Stack(new App(), 'OrderRoutingAsl', { env: { account: fakeAccount, region: fakeRegion } });
  const fns = Object.fromEntries(
    workflowLambdas.map((name) => [name, LambdaFunction.fromFunctionArn(stack, name, fakeFunctionArn(name))]),
  ) as Record<WorkflowLambda, ReturnType<typeof LambdaFunction.fromFunctionArn>>;
  const routing = new OrderRouting(stack, 'OrderRouting', { fns });
  const cfn = routing.stateMachine.node.defaultChild as CfnStateMachine;
  return aslFromDefinitionString(stack.resolve(cfn.definitionString));
}

export function formatAsl(asl: object): string {
  return `${JSON.stringify(asl, null, 2)}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(aslPath, formatAsl(renderOrderRoutingAsl()));
  console.log(`wrote ${aslPath}`);
}
