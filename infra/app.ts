/** The CDK app (`npx cdk synth|deploy`): the stateful and stateless stacks of the export channel. */
import { App } from 'aws-cdk-lib';
import { addExportChannelStacks } from './stacks/export-channel';

const app = new App();

// Environment-agnostic unless the CLI resolved an account/region; synth never needs credentials or lookups.
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
addExportChannelStacks(app, account !== undefined || region !== undefined ? { account, region } : undefined);

app.synth();
