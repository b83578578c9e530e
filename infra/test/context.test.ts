import { Match, Template } from 'aws-cdk-lib/assertions';
import { trainingMetricDefinitions } from '@nextbuy/model-registry';
import { beforeAll, describe, expect, it } from 'vitest';
import { cdkJsonContext, createApp } from '../src/app';
import { stateMachineAsl } from '../src/asl';

// A deployment that sets every knob the README lists, synthesized once (with the checks on).
const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:nextbuy-source-AbCdEf';
let template: Template;

beforeAll(() => {
  const { app, stack } = createApp({
    context: {
      ...cdkJsonContext(),
      modelBackend: 'lstm',
      hyperparameters: '{"seed": "7"}',
      trainInstanceType: 'ml.c5.xlarge',
      trainInstanceCount: '1',
      trainVolumeSizeGb: '50',
      trainMaxRuntimeSeconds: '3600',
      transformInstanceType: 'ml.c5.2xlarge',
      transformInstanceCount: '3',
      maxConcurrency: '5',
      imageTag: '1.2.3',
      sourceSecretArn: secretArn,
      sourceDatabaseUrl: 'postgres://reader@db.internal:5432/sales?sslmode=require',
      sourceTable: 'sales.transactions',
      rawRetentionDays: '30',
      scheduleEnabled: 'true',
      scheduleExpression: 'rate(1 day)',
      datasets: 'cdnow,online-retail',
    },
  });
  app.synth();
  template = Template.fromStack(stack);
});

describe('settings from CDK context', () => {
  it('size and configure the training job and the Map', () => {
    const asl = stateMachineAsl(template.toJSON());
    const datasets = asl.States.Datasets as { MaxConcurrency: number; ItemProcessor: { States: Record<string, { Parameters?: Record<string, unknown> }> } };
    expect(datasets.MaxConcurrency).toBe(5);
    expect(datasets.ItemProcessor.States.Train!.Parameters).toMatchObject({
      AlgorithmSpecification: { TrainingImage: '<TrainerRepository.RepositoryUri>:1.2.3' },
      ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.c5.xlarge', VolumeSizeInGB: 50 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      HyperParameters: { model_backend: 'lstm', seed: '7' },
    });
    // The regexes that read the lines the trainer prints for this model type (the trainer's e2e test runs them on its output).
    const definitions = (datasets.ItemProcessor.States.Train!.Parameters as { AlgorithmSpecification: { MetricDefinitions: unknown[] } }).AlgorithmSpecification.MetricDefinitions;
    expect(definitions).toEqual(trainingMetricDefinitions('lstm', { seed: '7' }).map(({ name, regex }) => ({ Name: name, Regex: regex })));
    expect(definitions).toContainEqual({ Name: 'final:val_loss', Regex: '(?:^|\\s)final:val_loss=(-?[0-9.]+(?:[eE][-+]?[0-9]+)?);' });
  });

  it('reach the functions: transform sizing, image tag, source database and table', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    expect(functions.BatchFunction!.Properties.Environment.Variables).toMatchObject({
      TRANSFORM_INSTANCE_TYPE: 'ml.c5.2xlarge',
      TRANSFORM_INSTANCE_COUNT: '3',
      INFERENCE_IMAGE_URI: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['InferenceRepository', 'RepositoryUri'] }, ':1.2.3']] },
    });
    expect(functions.ExtractFunction!.Properties.Environment.Variables).toMatchObject({
      SOURCE_SECRET_ARN: secretArn,
      SOURCE_DATABASE_URL: 'postgres://reader@db.internal:5432/sales?sslmode=require',
      SOURCE_TABLE: 'sales.transactions',
    });
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  it('turn the schedule on for the named datasets and expire their raw prefixes', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      State: 'ENABLED',
      ScheduleExpression: 'rate(1 day)',
      Targets: [Match.objectLike({ Arn: { Ref: 'StateMachine' }, Input: '{"datasets":["cdnow","online-retail"]}' })],
    });
    const buckets = Object.values(template.findResources('AWS::S3::Bucket', { Properties: { VersioningConfiguration: { Status: 'Enabled' } } }));
    const rules = buckets[0]!.Properties.LifecycleConfiguration.Rules as Array<Record<string, unknown>>;
    for (const dataset of ['cdnow', 'online-retail']) {
      expect(rules).toContainEqual({ Id: `expire-raw-${dataset}`, Status: 'Enabled', Prefix: `${dataset}/raw/`, ExpirationInDays: 30 });
    }
  });
});
