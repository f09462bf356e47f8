/**
 * Redrive: finds orders whose route stopped before they reached a routed status (a dependency outage outlasted every
 * retry, or the machine died) and starts their route again. Safe to run at any time and as often as you like: an order
 * with a running execution is left alone, every task is idempotent, and a compensated order may reserve afresh.
 */
import { DescribeExecutionCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { type DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';

/** Statuses the route leaves behind it; an order in any other status still needs its route. */
const waitingForRoute = ['RECEIVED', 'CHECKING'];

export interface RedriveDeps {
  dynamoDb: DynamoDBDocumentClient;
  stepFunctions: SFNClient;
  ordersTable: string;
  stateMachineArn: string;
}

export interface RedriveReport {
  /** Orders started again, with the execution name used and how the previous route had ended ('none' if never started). */
  started: { orderId: string; execution: string; previous: string }[];
  /** Orders whose route is still running: nothing to do. */
  running: string[];
}

/** An execution's ARN from its state machine's and its name, as Step Functions forms it. */
export const executionArn = (stateMachineArn: string, name: string) =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

/** The order's executions are `<orderId>`, then `<orderId>-r1`, `-r2`…: the latest one's status, and the next free name. */
async function latestExecution(deps: RedriveDeps, orderId: string) {
  let status: string | undefined;
  for (let n = 0; n < 1000; n += 1) {
    const name = n === 0 ? orderId : `${orderId}-r${n}`;
    try {
      const found = await deps.stepFunctions.send(
        new DescribeExecutionCommand({ executionArn: executionArn(deps.stateMachineArn, name) }),
      );
      status = found.status;
    } catch (error) {
      if ((error as Error).name !== 'ExecutionDoesNotExist') throw error;
      return { status, nextName: name };
    }
  }
  throw new Error(`order ${orderId} has been redriven 1,000 times; look at it by hand`);
}

async function stalledOrderIds(deps: RedriveDeps): Promise<string[]> {
  const ids: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await deps.dynamoDb.send(
      new ScanCommand({
        TableName: deps.ordersTable,
        FilterExpression: '#type = :order AND #status IN (:received, :checking)',
        ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
        ExpressionAttributeValues: {
          ':order': 'order',
          ':received': waitingForRoute[0],
          ':checking': waitingForRoute[1],
        },
        ProjectionExpression: 'orderId',
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? []) ids.push(String(item.orderId));
    start = page.LastEvaluatedKey;
  } while (start);
  return ids;
}

async function stillWaiting(deps: RedriveDeps, orderId: string): Promise<boolean> {
  const found = await deps.dynamoDb.send(
    new GetCommand({
      TableName: deps.ordersTable,
      Key: { pk: `ORDER#${orderId}`, sk: 'ORDER' },
      ConsistentRead: true,
      ProjectionExpression: '#status',
      ExpressionAttributeNames: { '#status': 'status' },
    }),
  );
  return waitingForRoute.includes(String(found.Item?.status));
}

export async function redriveStalledOrders(deps: RedriveDeps): Promise<RedriveReport> {
  const report: RedriveReport = { started: [], running: [] };
  for (const orderId of await stalledOrderIds(deps)) {
    const { status, nextName } = await latestExecution(deps, orderId);
    if (status === 'RUNNING') {
      report.running.push(orderId);
      continue;
    }
    // The scan is a moment old: a route may have finished since. Its last write precedes its end, so an order read
    // now, after its route was seen ended, shows everything that route did.
    if (!(await stillWaiting(deps, orderId))) continue;
    try {
      await deps.stepFunctions.send(
        new StartExecutionCommand({
          stateMachineArn: deps.stateMachineArn,
          name: nextName,
          input: JSON.stringify({ orderId }),
        }),
      );
      report.started.push({ orderId, execution: nextName, previous: status ?? 'none' });
    } catch (error) {
      // Someone else (a buyer's retry, another redrive) started it a moment ago: the route is under way.
      if ((error as Error).name !== 'ExecutionAlreadyExists') throw error;
      report.running.push(orderId);
    }
  }
  return report;
}
