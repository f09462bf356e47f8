/** One SDK client per service, created once per cold start; endpoints come from AWS_ENDPOINT_URL_* when set. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const dynamoDb = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});
export const stepFunctions = new SFNClient({});
export const eventBridge = new EventBridgeClient({});
export const sesV2 = new SESv2Client({});
