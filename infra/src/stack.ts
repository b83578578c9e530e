import { CfnOutput, Fn, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { DataStore } from './data-store';
import { EndpointAlarms, grantEndpointDeployment } from './endpoint';
import { PipelineFunctions, type SourceNetwork } from './functions';
import { ImageRepositories } from './images';
import { createSageMakerRole } from './sagemaker-role';
import type { PipelineSettings } from './settings';
import { PipelineStateMachine } from './state-machine';

export interface NextbuyStackProps extends StackProps {
  settings: PipelineSettings;
}

/** Everything the pipeline needs on AWS: storage, images, functions, roles, state machine, schedule. */
export class NextbuyStack extends Stack {
  readonly dataStore: DataStore;
  readonly images: ImageRepositories;
  readonly functions: PipelineFunctions;
  readonly pipeline: PipelineStateMachine;

  constructor(scope: Construct, id: string, props: NextbuyStackProps) {
    super(scope, id, props);
    const { settings } = props;

    this.dataStore = new DataStore(this, 'Data', { rawRetentionDays: settings.rawRetentionDays, datasets: settings.datasets });
    this.images = new ImageRepositories(this, 'Images', { namePrefix: id.toLowerCase() });
    const sageMakerRole = createSageMakerRole(this, 'SageMakerRole', {
      bucket: this.dataStore.bucket,
      repositories: [this.images.trainer, this.images.inference],
      // Data capture is written with the model's execution role.
      dataCapture: Object.values(settings.endpoints).some((endpoint) => endpoint.dataCapturePercent !== undefined),
    });

    const sourceSecret = settings.sourceSecretArn
      ? secretsmanager.Secret.fromSecretCompleteArn(this, 'SourceDatabase', settings.sourceSecretArn)
      : new secretsmanager.Secret(this, 'SourceDatabase', {
          description: 'Password of the source database lambda-extract reads (or RDS-style JSON: password, username, host, port, dbname); set its value after the first deploy',
        });
    if (sourceSecret instanceof secretsmanager.Secret) {
      Validations.of(sourceSecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: "It holds the password the source database's owner issues and rotates; a deployment with a rotated secret passes it with -c sourceSecretArn.",
      });
    }

    const { sourceVpcId, sourceSubnetIds, sourceSecurityGroupIds } = settings;
    const sourceNetwork = sourceVpcId && sourceSubnetIds && sourceSecurityGroupIds ? importSourceNetwork(this, sourceVpcId, sourceSubnetIds, sourceSecurityGroupIds) : undefined;

    this.functions = new PipelineFunctions(this, 'Functions', {
      bucket: this.dataStore.bucket,
      predictions: this.dataStore.predictions,
      idempotency: this.dataStore.idempotency,
      source: {
        secret: sourceSecret,
        table: settings.sourceTable,
        ...(settings.sourceDatabaseUrl ? { databaseUrl: settings.sourceDatabaseUrl } : {}),
        ...(sourceNetwork ? { network: sourceNetwork } : {}),
      },
      sageMakerRole,
      inferenceImageUri: this.images.imageUri(this.images.inference, settings.imageTag),
      transformInstanceType: settings.transformInstanceType,
      transformInstanceCount: settings.transformInstanceCount,
      endpoints: settings.endpoints,
    });

    this.pipeline = new PipelineStateMachine(this, 'Pipeline', {
      functions: this.functions,
      bucket: this.dataStore.bucket,
      sageMakerRole,
      // The SageMaker role's own policy grants the pull (fromEcrRepository would add a second grant).
      trainerImage: tasks.DockerImage.fromRegistry(this.images.imageUri(this.images.trainer, settings.imageTag)),
      settings,
    });
    // The endpoint steps are in every definition; they run, and their role holds them, only for datasets given an endpoint.
    if (Object.keys(settings.endpoints).length > 0) {
      const { alarms } = new EndpointAlarms(this, 'EndpointAlarms', settings.endpoints);
      grantEndpointDeployment(this.pipeline.stateMachine.role);
      // SageMaker's guardrails documentation asks that the execution role may describe the auto-rollback alarms.
      if (alarms.length > 0) {
        sageMakerRole.addToPrincipalPolicy(
          new iam.PolicyStatement({ sid: 'RollbackAlarms', actions: ['cloudwatch:DescribeAlarms'], resources: alarms.map((alarm) => alarm.alarmArn) }),
        );
      }
    }

    new CfnOutput(this, 'StateMachineArn', { value: this.pipeline.stateMachine.stateMachineArn });
    new CfnOutput(this, 'BucketName', { value: this.dataStore.bucket.bucketName });
    new CfnOutput(this, 'PredictionsTableName', { value: this.dataStore.predictions.tableName });
    new CfnOutput(this, 'TrainerRepositoryUri', { value: this.images.trainer.repositoryUri });
    new CfnOutput(this, 'InferenceRepositoryUri', { value: this.images.inference.repositoryUri });
  }
}

/**
 * The source database's VPC, subnets and security groups, imported by id: no lookup, so synthesis
 * stays offline, and the operator vouches that the subnets belong to the VPC.
 */
function importSourceNetwork(scope: Construct, vpcId: string, subnetIds: string[], securityGroupIds: string[]): SourceNetwork {
  // CDK wants a VPC's zones only to choose subnets itself; these are given, so the region's zones do.
  const vpc = ec2.Vpc.fromVpcAttributes(scope, 'SourceVpc', { vpcId, availabilityZones: Fn.getAzs() });
  Validations.of(vpc).acknowledge({
    id: 'Annotation::@aws-cdk/aws-ec2:vpcAttributeIsListTokenavailabilityZones',
    reason: 'the function is given its subnets by id, so nothing needs the zone list at synthesis time',
  });
  const subnets = subnetIds.map((id, index) => {
    const subnet = ec2.Subnet.fromSubnetId(scope, `SourceSubnet${index + 1}`, id);
    Validations.of(subnet).acknowledge({
      id: 'Annotation::@aws-cdk/aws-ec2:noSubnetRouteTableId',
      reason: 'only the subnet id goes into the function configuration; its routes are the network owner\'s',
    });
    return subnet;
  });
  // Not mutable: the rules belong to whoever runs the database's network (README: what they must allow).
  const securityGroups = securityGroupIds.map((id, index) => ec2.SecurityGroup.fromSecurityGroupId(scope, `SourceSecurityGroup${index + 1}`, id, { mutable: false }));
  return { vpc, subnets, securityGroups };
}
