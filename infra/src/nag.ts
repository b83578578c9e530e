import { CfnResource, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag AwsSolutions-IAM5 (wildcard) finding on `scope` and its children.
 * cdk-nag 3 matches findings one by one, e.g. `Resource::<DataBucket.Arn>/*\/raw/*` or
 * `Action::s3:*`; the reason says why AWS or the design needs that wildcard.
 */
export function acknowledgeWildcard(scope: IConstruct, finding: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
}

/**
 * Gives an L2 construct's CloudFormation resource a fixed logical id, so the template, the
 * plain-ASL placeholders (`<DataBucket>`) and the cdk-nag findings name it readably and stably.
 */
export function fixLogicalId(construct: IConstruct, logicalId: string): void {
  const resource = construct.node.defaultChild;
  if (!CfnResource.isCfnResource(resource)) throw new Error(`${construct.node.path} has no CloudFormation resource to name`);
  resource.overrideLogicalId(logicalId);
}
