/** Starts one local stack (real DynamoDB Local, SES emulator, local Step Functions on the CDK-rendered ASL) for the integration suite. */
import type { TestProject } from 'vitest/node';
import { startLocalStack } from '../../infra/local/stack';

export interface ProvidedStack {
  web: string;
  api: string;
  dynamodb: string;
  stepFunctions: string;
  ses: string;
  eventBridge: string;
  stateMachineArn: string;
  ordersTable: string;
  reviewerToken: string;
  /** The handlers' environment, so a test can run a use case in-process against this stack (see support.ts). */
  env: Record<string, string>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: ProvidedStack;
  }
}

export default async function setup(project: TestProject) {
  const stack = await startLocalStack({
    ports: { http: 0, dynamodb: 0, stepFunctions: 0, ses: 0, eventBridge: 0 },
    retryIntervalMs: 10,
  });
  project.provide('stack', {
    web: stack.urls.web.replace('localhost', '127.0.0.1'),
    api: stack.urls.api.replace('localhost', '127.0.0.1'),
    dynamodb: stack.urls.dynamodb,
    stepFunctions: stack.urls.stepFunctions,
    ses: stack.urls.ses,
    eventBridge: stack.urls.eventBridge,
    stateMachineArn: stack.stateMachineArn,
    ordersTable: stack.env.ORDERS_TABLE ?? '',
    reviewerToken: stack.env.REVIEWER_TOKEN ?? '',
    env: stack.env,
  });
  return async () => {
    await stack.stop();
  };
}
