/**
 * The DynamoDB document client, created once per cold start. Other services' clients live beside the one adapter that
 * uses them, so a function bundles only the SDK clients it really calls.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sdkClientConfig } from './sdk-config';

export const dynamoDb = DynamoDBDocumentClient.from(new DynamoDBClient(sdkClientConfig), {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});
