/** `npm start`: the channel on this machine with embedded defaults, data kept under .local/ across restarts. */
import { resolve } from 'node:path';
import { validFaultRate } from './fault-proxy';
import { type LocalStack, startLocalStack } from './stack';

const dataDir = process.env.CHANNEL_DATA_DIR ?? resolve(import.meta.dirname, '../../.local');
const started = Date.now();
let stack: LocalStack | undefined;
let stopping = false;

/** Stops what we started; a second signal, or a stop that hangs for 10 s, exits at once (DynamoDB Local dies with us). */
async function shutdown(code: number) {
  if (stopping) process.exit(code);
  stopping = true;
  setTimeout(() => {
    console.error('stopping took over 10 s; exiting anyway');
    process.exit(code || 1);
  }, 10_000).unref();
  await stack?.stop();
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('uncaughtException', (error) => {
  console.error(error);
  void shutdown(1);
});
process.on('unhandledRejection', (error) => {
  console.error(error);
  void shutdown(1);
});

try {
  // CHANNEL_FAULT_RATE=0.1 puts the fault-injecting proxy in front of DynamoDB and SES (see README, Reliability).
  const faultRate = validFaultRate(process.env.CHANNEL_FAULT_RATE);
  stack = await startLocalStack({
    dataDir,
    log: (line) => console.log(line),
    ...(faultRate > 0 ? { faults: { rate: faultRate, seed: Number(process.env.CHANNEL_FAULT_SEED ?? 1989) } } : {}),
  });
  const { urls } = stack;
  console.log(
    [
      '',
      `Unified export channel is running (ready in ${Date.now() - started} ms). Data: ${dataDir}`,
      `  Order form          ${urls.web}/`,
      `  JSON API            ${urls.api}  (GET /catalogue, POST /quotes, POST /orders, GET /orders/{id})`,
      `  SES inbox           ${urls.sesInbox}`,
      `  DynamoDB Local      ${urls.dynamodb}   e.g. aws dynamodb scan --table-name channel-orders --endpoint-url ${urls.dynamodb}`,
      `  Step Functions      ${urls.stepFunctions}   e.g. aws stepfunctions list-executions --state-machine-arn ${stack.stateMachineArn} --endpoint-url ${urls.stepFunctions}`,
      `  EventBridge         ${urls.eventBridge}   events kept in ${stack.eventsFile}`,
      '  (the AWS CLI needs any credentials and a region: AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1)',
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );
} catch (error) {
  console.error(`npm start failed: ${(error as Error).message}`);
  await shutdown(1);
}
