/** The Step Functions client, created once per cold start; its endpoint comes from AWS_ENDPOINT_URL_SFN when set. */
import { SFNClient } from '@aws-sdk/client-sfn';
import { sdkClientConfig } from './sdk-config';

export const stepFunctions = new SFNClient(sdkClientConfig);
