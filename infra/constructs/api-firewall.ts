/** A regional WAF WebACL on the API stage: per-buyer and per-source rate limits, plus AWS's low-false-positive managed rules. */
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface ApiFirewallProps {
  readonly stage: Stage;
  /** The header CloudFront stamps with the viewer's IP (overwriting any client value); see WebHosting. */
  readonly viewerIpHeader: string;
  /** Requests per viewer IP per 5 minutes; above it the viewer gets 403 until its rate drops. @default 1000 */
  readonly viewerLimit?: number;
  /** Requests per source IP per 5 minutes, for callers of execute-api directly (and each CloudFront edge). @default 5000 */
  readonly sourceLimit?: number;
}

export class ApiFirewall extends Construct {
  public readonly webAcl: CfnWebACL;

  public constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);
    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      description: 'Export channel API: rate limits and managed rules.',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('export-channel-api'),
      rules: [
        {
          // Behind CloudFront every request comes from an edge address, so per-buyer limiting keys on the viewer IP
          // the edge function wrote. 1000 per 5 minutes leaves room for the status page's 1 s polling and the
          // debounced quotes of a busy buyer, and stops a script hammering POST /api/orders.
          name: 'RatePerViewerIp',
          priority: 0,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'FORWARDED_IP',
              forwardedIpConfig: { headerName: props.viewerIpHeader, fallbackBehavior: 'NO_MATCH' },
              limit: props.viewerLimit ?? 1000,
              evaluationWindowSec: 300,
            },
          },
          visibilityConfig: visibility('rate-per-viewer-ip'),
        },
        {
          // A direct caller of execute-api can write any viewer header, so the real source address is limited too.
          name: 'RatePerSourceIp',
          priority: 1,
          action: { block: {} },
          statement: {
            rateBasedStatement: { aggregateKeyType: 'IP', limit: props.sourceLimit ?? 5000, evaluationWindowSec: 300 },
          },
          visibilityConfig: visibility('rate-per-source-ip'),
        },
        managedRuleGroup('AWSManagedRulesAmazonIpReputationList', 2, visibility('ip-reputation')),
        managedRuleGroup('AWSManagedRulesKnownBadInputsRuleSet', 3, visibility('known-bad-inputs')),
      ],
    });

    new CfnWebACLAssociation(this, 'StageAssociation', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}

/**
 * Only rule groups that do not inspect order bodies: the common rule set's 8 KB body limit and XSS patterns would
 * block legitimate 20-line orders and free-text fields before the handler could answer with problem+json.
 */
function managedRuleGroup(
  name: string,
  priority: number,
  visibilityConfig: CfnWebACL.VisibilityConfigProperty,
): CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
    visibilityConfig,
  };
}
