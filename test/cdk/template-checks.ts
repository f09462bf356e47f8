/** Checks over a synthesized template's resources, shared by the gate tests and their negative controls. */

export type Resource = { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown };
export type Resources = Record<string, Resource>;

export const props = (resource: Resource): Record<string, unknown> => resource.Properties ?? {};
export const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** The logical id a `Ref` or `Fn::GetAtt` points at, if the value is one. */
export function referencedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const ref = (value as { Ref?: unknown }).Ref;
  if (typeof ref === 'string') return ref;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  return Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
}

/**
 * Where an asynchronous delivery could fail with nobody waiting for the answer, and the resource gives the failure
 * nowhere to go: EventBridge rule targets, EventBridge Scheduler targets, SNS subscriptions, event source mappings,
 * and functions invoked asynchronously (through a Lambda permission for an event-source service, or as a schedule
 * target). CloudFormation custom resources are not counted: CloudFormation waits for them and fails the deploy.
 */
export function asyncTargetGaps(resources: Resources): string[] {
  const gaps: string[] = [];
  const asyncInvokers = new Set(['events.amazonaws.com', 'sns.amazonaws.com', 's3.amazonaws.com', 'ses.amazonaws.com']);
  const asyncFunctions = new Map<string, string>();
  for (const [id, resource] of Object.entries(resources)) {
    const p = props(resource);
    switch (resource.Type) {
      case 'AWS::Events::Rule':
        for (const target of asArray(p.Targets as Record<string, unknown>[])) {
          if (!(target.DeadLetterConfig as { Arn?: unknown } | undefined)?.Arn) {
            gaps.push(`${id}: EventBridge rule target ${String(target.Id)} has no DeadLetterConfig`);
          }
        }
        break;
      case 'AWS::Scheduler::Schedule': {
        const target = p.Target as { Arn?: unknown; DeadLetterConfig?: { Arn?: unknown } } | undefined;
        if (!target?.DeadLetterConfig?.Arn) gaps.push(`${id}: schedule target has no DeadLetterConfig`);
        const fn = referencedId(target?.Arn);
        if (fn !== undefined && resources[fn]?.Type === 'AWS::Lambda::Function') asyncFunctions.set(fn, id);
        break;
      }
      case 'AWS::SNS::Subscription':
        if (!p.RedrivePolicy) gaps.push(`${id}: SNS subscription has no RedrivePolicy`);
        break;
      case 'AWS::Lambda::EventSourceMapping': {
        const onFailure = (p.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure;
        const queue = resources[referencedId(p.EventSourceArn) ?? ''];
        const queueRedrive = queue?.Type === 'AWS::SQS::Queue' && props(queue).RedrivePolicy !== undefined;
        if (!onFailure?.Destination && !queueRedrive)
          gaps.push(`${id}: event source mapping has no failure destination`);
        break;
      }
      case 'AWS::Lambda::Permission':
        if (asyncInvokers.has(String(p.Principal))) {
          const fn = referencedId(p.FunctionName);
          if (fn !== undefined) asyncFunctions.set(fn, id);
        }
        break;
    }
  }
  for (const [fn, invoker] of asyncFunctions) {
    const hasDlq = Boolean(
      (props(resources[fn] ?? { Type: '' }).DeadLetterConfig as { TargetArn?: unknown })?.TargetArn,
    );
    const hasOnFailure = Object.values(resources).some(
      (r) =>
        r.Type === 'AWS::Lambda::EventInvokeConfig' &&
        referencedId(props(r).FunctionName) === fn &&
        Boolean((props(r).DestinationConfig as { OnFailure?: { Destination?: unknown } })?.OnFailure?.Destination),
    );
    if (!hasDlq && !hasOnFailure) {
      gaps.push(`${fn}: invoked asynchronously (${invoker}) without a DLQ or an on-failure destination`);
    }
  }
  return gaps;
}

/** Actions that have no resource-level permissions, the only ones allowed on Resource "*". */
const resourceless = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  // The Service Authorization Reference lists no resource type for ListExports (unlike DescribeExport, which takes
  // an export ARN); it returns export ARNs and statuses only, never table data.
  'dynamodb:ListExports',
]);

/** Allow statements with a `*` or `service:*` action, or with Resource "*" for an action that has resources. */
export function iamWildcardGaps(resources: Resources): string[] {
  const gaps: string[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    const p = props(resource);
    const documents = [
      p.PolicyDocument,
      ...asArray(p.Policies as { PolicyDocument?: unknown }[]).map((policy) => policy.PolicyDocument),
    ].filter((doc): doc is { Statement: unknown } => typeof doc === 'object' && doc !== null);
    for (const document of documents) {
      for (const statement of asArray(document.Statement as Record<string, unknown>[])) {
        if (statement.Effect !== 'Allow') continue;
        const actions = asArray(statement.Action as string | string[]);
        for (const action of actions) {
          if (action === '*' || /^[\w-]+:\*$/.test(action)) gaps.push(`${id}: Allow ${action}`);
        }
        if (asArray(statement.Resource).includes('*')) {
          for (const action of actions.filter((a) => !resourceless.has(a))) gaps.push(`${id}: Allow ${action} on "*"`);
        }
      }
    }
  }
  return gaps;
}
