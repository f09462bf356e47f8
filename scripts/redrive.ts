/** `npm run redrive`: start the route again for every order whose route stopped short (see README, Reliability). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { redriveStalledOrders } from '../functions/redrive/redrive-stalled';
import { localNames } from '../infra/local/stack';

// Only this entry point defaults to the local stack (npm start's ports); in AWS set the variables to the deployed
// names and leave AWS_ENDPOINT_URL_* unset.
const local = !process.env.ORDERS_TABLE;
if (local) {
  process.env.AWS_ENDPOINT_URL_DYNAMODB ??= `http://127.0.0.1:${process.env.CHANNEL_DYNAMODB_PORT ?? 8000}`;
  process.env.AWS_ENDPOINT_URL_SFN ??= `http://127.0.0.1:${process.env.CHANNEL_SFN_PORT ?? 8083}`;
  process.env.AWS_REGION ??= localNames.region;
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
}
const ordersTable = process.env.ORDERS_TABLE ?? localNames.ordersTable;
const stateMachineArn =
  process.env.STATE_MACHINE_ARN ??
  `arn:aws:states:${localNames.region}:000000000000:stateMachine:${localNames.stateMachine}`;

const dynamoDb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const stepFunctions = new SFNClient({});
try {
  const report = await redriveStalledOrders({ dynamoDb, stepFunctions, ordersTable, stateMachineArn });
  for (const { orderId, execution, previous } of report.started) {
    console.log(`started  ${orderId}  execution ${execution}  (previous route: ${previous})`);
  }
  for (const orderId of report.running) console.log(`running  ${orderId}  (left alone)`);
  console.log(`${report.started.length} order(s) redriven, ${report.running.length} still running.`);
} catch (error) {
  console.error(`redrive failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  dynamoDb.destroy();
  stepFunctions.destroy();
}
