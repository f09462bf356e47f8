/** Entry point of `npm run rules`: the rules tool against DynamoDB (the local stack's unless told otherwise). */
import { localNames } from '../infra/local/stack';

// Only this entry point defaults to the local stack: AWS_ENDPOINT_URL_DYNAMODB (or its absence in a shell with AWS
// credentials and ORDERS_TABLE set) decides where the rules go. The SDK reads the variable when its client is made.
process.env.AWS_ENDPOINT_URL_DYNAMODB ??= 'http://127.0.0.1:8000';
process.env.AWS_REGION ??= localNames.region;
if (process.env.AWS_ENDPOINT_URL_DYNAMODB.startsWith('http://127.0.0.1')) {
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
}

const { createRulesStore } = await import('../functions/adapters/rules-store');
const { isoDate } = await import('../functions/adapters/today');
const { runRulesCommand } = await import('./rules-command');

process.exitCode = await runRulesCommand(process.argv.slice(2), {
  store: createRulesStore(process.env.ORDERS_TABLE ?? localNames.ordersTable),
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  today: isoDate(new Date()),
});
