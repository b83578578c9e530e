import { Stack, ArnFormat } from 'aws-cdk-lib';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { modelsPrefix } from '@nextbuy/contracts';
import { keyPatterns } from './layout';
import { acknowledgeWildcard, fixLogicalId } from './nag';

export interface SageMakerRoleProps {
  bucket: s3.IBucket;
  repositories: ecr.IRepository[];
  /** Some endpoint captures requests and responses into `<dataset>/capture/`. */
  dataCapture?: boolean;
}

/**
 * The execution role of the training and transform jobs: read the input prefixes (raw extracts,
 * batch input, model artifacts), write model output and predictions, pull the images, log.
 */
export function createSageMakerRole(scope: Construct, id: string, props: SageMakerRoleProps): iam.Role {
  const { bucket } = props;
  const stack = Stack.of(scope);
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    description: 'nextbuy SageMaker training and batch transform jobs',
  });
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'ListInputPrefixes',
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [keyPatterns.raw, keyPatterns.batchInput, keyPatterns.models] } },
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'ReadInputs',
      actions: ['s3:GetObject'],
      resources: [keyPatterns.raw, keyPatterns.batchInput, keyPatterns.models].map((pattern) => bucket.arnForObjects(pattern)),
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'WriteModelsAndPredictions',
      actions: ['s3:PutObject'],
      resources: [keyPatterns.models, keyPatterns.predictions].map((pattern) => bucket.arnForObjects(pattern)),
    }),
  );
  if (props.dataCapture) {
    role.addToPolicy(new iam.PolicyStatement({ sid: 'WriteDataCapture', actions: ['s3:PutObject'], resources: [bucket.arnForObjects(keyPatterns.capture)] }));
  }
  for (const repository of props.repositories) repository.grantPull(role);
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'JobLogs',
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'JobMetrics',
      actions: ['cloudwatch:PutMetricData'],
      // PutMetricData has no resource-level permissions; the namespace condition narrows it.
      resources: ['*'],
      conditions: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
    }),
  );
  fixLogicalId(role, 'SageMakerRole');
  const anyRun = 'the dataset and run of a job are only known when the state machine runs';
  acknowledgeWildcard(role, 'Resource::<DataBucket.Arn>/*/raw/*/*', `training reads the raw extract of its run: ${anyRun}`);
  acknowledgeWildcard(role, 'Resource::<DataBucket.Arn>/*/batch-input/*/*', `batch transform reads the batch input of its run: ${anyRun}`);
  acknowledgeWildcard(role, `Resource::<DataBucket.Arn>/${keyPatterns.models}`, `training writes, and the model reads, ${modelsPrefix('<dataset>')}<job>/: ${anyRun}`);
  acknowledgeWildcard(role, 'Resource::<DataBucket.Arn>/*/predictions/*/*', `batch transform writes the predictions of its run: ${anyRun}`);
  if (props.dataCapture) acknowledgeWildcard(role, 'Resource::<DataBucket.Arn>/*/capture/*', 'an endpoint writes the requests and responses it samples under <dataset>/capture/, one object per hour and instance');
  acknowledgeWildcard(role, 'Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/sagemaker/*', 'SageMaker writes job logs to /aws/sagemaker/TrainingJobs and /aws/sagemaker/TransformJobs, one stream per job');
  acknowledgeWildcard(role, 'Resource::*', 'ecr:GetAuthorizationToken and cloudwatch:PutMetricData have no resource-level permissions (AWS requires "*"); PutMetricData is held to the /aws/sagemaker/ namespaces by a condition');
  return role;
}
