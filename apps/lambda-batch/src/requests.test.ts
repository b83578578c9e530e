import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';
import { createModelRequest, modelNameFor, transformJobNameFor, transformJobRequest } from './requests';

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
