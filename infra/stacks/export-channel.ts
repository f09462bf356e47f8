/** Adds the channel's two stacks to an App; shared by infra/app.ts and the CDK tests so both synthesize the same thing. */
import { type App, CrossStackReferences, type Environment, ReferenceStrength } from 'aws-cdk-lib';
import { StatefulStack } from './stateful-stack';
import { StatelessStack } from './stateless-stack';

export interface ExportChannelStacks {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

export function addExportChannelStacks(app: App, env?: Environment): ExportChannelStacks {
  // Strong (Export/ImportValue): CloudFormation itself then refuses to delete the tables' stack while the API
  // still uses them. The stateful side changes rarely, so the strong coupling's update friction is acceptable.
  // Set on the app because it is context, which must be set before any stack exists.
  CrossStackReferences.of(app).consume(ReferenceStrength.STRONG);
  const stateful = new StatefulStack(app, 'ExportChannelStateful', {
    env,
    description: 'Unified export channel: tables, event bus and mail identity (retained on delete).',
  });
  const stateless = new StatelessStack(app, 'ExportChannelStateless', {
    env,
    description: 'Unified export channel: API, functions and the order-routing workflow.',
    ordersTable: stateful.ordersTable,
    idempotencyTable: stateful.idempotencyTable,
    ledgerTable: stateful.ledgerTable,
    exportBucket: stateful.exportBucket,
    eventBus: stateful.eventBus,
    mailIdentity: stateful.mailIdentity,
    mailFromAddress: stateful.mailFromAddress,
    linkSecret: stateful.linkSecret,
  });
  return { stateful, stateless };
}
