import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';
import { createModelRequest, endpointConfigNameFor, endpointDeployment, modelNameFor, transformJobNameFor, transformJobRequest } from './requests';
import { endpointsSettingSchema } from '@nextbuy/contracts';

const config = loadConfig({
  DATA_BUCKET: 'nextbuy-data',
  INFERENCE_IMAGE_URI: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/nextbuy-inference:1.0.0',
  SAGEMAKER_ROLE_ARN: 'arn:aws:iam::123456789012:role/nextbuy-sagemaker',
});
const SAGEMAKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$/;

describe('modelNameFor', () => {
  it('is deterministic and within SageMaker naming rules', () => {
    const long = 'nextbuy-online-retail-2026-11-26-07-05-00-123-with-a-very-long-suffix';
    expect(modelNameFor(long)).toBe(modelNameFor(long));
    expect(modelNameFor(long)).toMatch(SAGEMAKER_NAME);
    expect(modelNameFor('job_1')).toBe('job-1-model');
    expect(modelNameFor(long + 'a')).not.toBe(modelNameFor(long + 'b'));
  });
});

describe('transformJobNameFor', () => {
  it('is deterministic, distinct per training job and within SageMaker naming rules', () => {
    const name = transformJobNameFor('online-retail', '2026-11-26-07-05-00-123', 'job-1');
    expect(name).toBe(transformJobNameFor('online-retail', '2026-11-26-07-05-00-123', 'job-1'));
    expect(name).toMatch(/^online-retail-2026-11-26-07-05-00-123-[0-9a-f]{8}$/);
    expect(transformJobNameFor('online-retail', '2026-11-26-07-05-00-123', 'job-2')).not.toBe(name);
    const long = transformJobNameFor('a'.repeat(63), 'run_with.dots', 'job-1');
    expect(long).toMatch(SAGEMAKER_NAME);
  });
});

describe('requests', () => {
  it('serve the artifact with the inference image and the configured container environment', () => {
    expect(createModelRequest(config, { modelName: 'm', artifactUri: 's3://b/k/model.tar.gz' })).toEqual({
      ModelName: 'm',
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/nextbuy-sagemaker',
      PrimaryContainer: {
        Image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/nextbuy-inference:1.0.0',
        ModelDataUrl: 's3://b/k/model.tar.gz',
        Environment: { SAGEMAKER_MODEL_SERVER_WORKERS: '2' },
      },
    });
  });

  it('score the run batch input into its predictions prefix, line by line', () => {
    const request = transformJobRequest(config, { dataset: 'cdnow', run: 'r1', trainingJobName: 'job-1', modelName: 'job-1-model' });
    expect(request.TransformInput).toEqual({
      DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://nextbuy-data/cdnow/batch-input/r1/' } },
      ContentType: 'application/jsonlines',
      SplitType: 'Line',
    });
    expect(request.TransformOutput).toEqual({
      S3OutputPath: 's3://nextbuy-data/cdnow/predictions/r1/',
      Accept: 'application/jsonlines',
      AssembleWith: 'Line',
    });
    expect(request).toMatchObject({
      ModelName: 'job-1-model',
      BatchStrategy: 'MultiRecord',
      MaxPayloadInMB: 6,
      MaxConcurrentTransforms: 2,
      TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
    });
  });
});

describe('endpointDeployment', () => {
  const settings = endpointsSettingSchema.parse({
    retail: { serverless: { memorySizeMb: 3072, maxConcurrency: 7 }, keepConfigs: 4 },
    cdnow: { instances: { instanceType: 'ml.c5.large', instanceCount: 2, bakeSeconds: 120 }, dataCapturePercent: 25 },
  });

  it('names the configuration after the endpoint and the run, within SageMaker naming rules', () => {
    expect(endpointConfigNameFor('retail', '2026-12-04_run.1')).toBe('nextbuy-retail--2026-12-04-run-1');
    const long = endpointConfigNameFor('retail', 'r'.repeat(80));
    expect(long).toMatch(SAGEMAKER_NAME);
    expect(long.startsWith('nextbuy-retail--')).toBe(true);
    expect(endpointConfigNameFor('retail', `${'r'.repeat(79)}a`)).not.toBe(endpointConfigNameFor('retail', `${'r'.repeat(79)}b`));
  });

  it('serves a serverless variant and updates it without a DeploymentConfig', () => {
    expect(endpointDeployment(config, { dataset: 'retail', run: 'r7', modelName: 'm' }, settings.retail!)).toEqual({
      endpointName: 'nextbuy-retail',
      configName: 'nextbuy-retail--r7',
      configPrefix: 'nextbuy-retail--',
      keepConfigs: 4,
      createEndpointConfig: {
        EndpointConfigName: 'nextbuy-retail--r7',
        ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'm', ServerlessConfig: { MemorySizeInMB: 3072, MaxConcurrency: 7 } }],
      },
      createEndpoint: { EndpointName: 'nextbuy-retail', EndpointConfigName: 'nextbuy-retail--r7' },
      updateEndpoint: { EndpointName: 'nextbuy-retail', EndpointConfigName: 'nextbuy-retail--r7' },
    });
  });

  it('serves instances with data capture under <dataset>/capture/ and updates them blue/green, rolled back by the two alarms', () => {
    const deployment = endpointDeployment(config, { dataset: 'cdnow', run: 'r7', modelName: 'm' }, settings.cdnow!);
    expect(deployment.createEndpointConfig).toEqual({
      EndpointConfigName: 'nextbuy-cdnow--r7',
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'm', InstanceType: 'ml.c5.large', InitialInstanceCount: 2, InitialVariantWeight: 1 }],
      DataCaptureConfig: {
        EnableCapture: true,
        InitialSamplingPercentage: 25,
        DestinationS3Uri: 's3://nextbuy-data/cdnow/capture/',
        CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
        CaptureContentTypeHeader: { JsonContentTypes: ['application/json', 'application/jsonlines'], CsvContentTypes: ['text/csv'] },
      },
    });
    expect(deployment.updateEndpoint).toEqual({
      EndpointName: 'nextbuy-cdnow',
      EndpointConfigName: 'nextbuy-cdnow--r7',
      DeploymentConfig: {
        BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 120 } },
        AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'nextbuy-cdnow-invocation-5xx' }, { AlarmName: 'nextbuy-cdnow-model-latency' }] },
      },
    });
  });
});
