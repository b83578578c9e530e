import {
  CreateModelCommand,
  DescribeModelCommand,
  DescribeTrainingJobCommand,
  SageMakerClient,
  SageMakerServiceException,
} from '@aws-sdk/client-sagemaker';
import { Logger } from '@aws-lambda-powertools/logger';
import { ArtifactError } from '@nextbuy/contracts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config';
import { InvalidEventError, ModelConflictError, TrainingJobNotCompletedError } from './errors';
import { createModelStep } from './handler';

const ARTIFACT = 's3://nextbuy-data/cdnow/models/cdnow-r1-train/output/model.tar.gz';
const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/nextbuy-inference:1.0.0';
const config = loadConfig({
  DATA_BUCKET: 'nextbuy-data',
  INFERENCE_IMAGE_URI: IMAGE,
  SAGEMAKER_ROLE_ARN: 'arn:aws:iam::123456789012:role/nextbuy-sagemaker',
  SAGEMAKER_MODEL_SERVER_WORKERS: '3',
  MODEL_ENVIRONMENT: '{"TFJS_BACKEND":"wasm"}',
  TRANSFORM_INSTANCE_TYPE: 'ml.c5.xlarge',
  TRANSFORM_INSTANCE_COUNT: '2',
  TRANSFORM_MAX_PAYLOAD_MB: '4',
});
const event = { dataset: 'cdnow', run: 'r1', trainingJobName: 'cdnow-r1-train' };
const expectedCreateModel = {
  ModelName: 'cdnow-r1-train-model',
  ExecutionRoleArn: 'arn:aws:iam::123456789012:role/nextbuy-sagemaker',
  PrimaryContainer: {
    Image: IMAGE,
    ModelDataUrl: ARTIFACT,
    Environment: { TFJS_BACKEND: 'wasm', SAGEMAKER_MODEL_SERVER_WORKERS: '3' },
  },
};

function validationException(message: string): SageMakerServiceException {
  return new SageMakerServiceException({ name: 'ValidationException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message });
}

const sagemaker = new SageMakerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const sagemakerMock = mockClient(sagemaker);
const step = createModelStep({ sagemaker, config, logger: new Logger({ serviceName: 'lambda-batch', logLevel: 'SILENT' }) });

beforeEach(() => {
  sagemakerMock.reset();
  sagemakerMock
    .on(DescribeTrainingJobCommand, { TrainingJobName: 'cdnow-r1-train' })
    .resolves({ TrainingJobStatus: 'Completed', ModelArtifacts: { S3ModelArtifacts: ARTIFACT } });
});

describe('CreateModel step', () => {
  it('creates the model of a completed job and returns the transform job request', async () => {
    sagemakerMock.on(CreateModelCommand).resolves({ ModelArn: 'arn:aws:sagemaker:eu-west-1:123456789012:model/cdnow-r1-train-model' });

    const output = await step(event);

    expect(sagemakerMock.commandCalls(DescribeTrainingJobCommand).map((call) => call.args[0].input)).toEqual([
      { TrainingJobName: 'cdnow-r1-train' },
    ]);
    expect(sagemakerMock.commandCalls(CreateModelCommand).map((call) => call.args[0].input)).toEqual([expectedCreateModel]);
    expect(output).toEqual({
      modelName: 'cdnow-r1-train-model',
      transformJob: {
        TransformJobName: expect.stringMatching(/^cdnow-r1-[0-9a-f]{8}$/),
        ModelName: 'cdnow-r1-train-model',
        BatchStrategy: 'MultiRecord',
        MaxPayloadInMB: 4,
        MaxConcurrentTransforms: 3,
        TransformInput: {
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://nextbuy-data/cdnow/batch-input/r1/' } },
          ContentType: 'application/jsonlines',
          SplitType: 'Line',
        },
        TransformOutput: { S3OutputPath: 's3://nextbuy-data/cdnow/predictions/r1/', Accept: 'application/jsonlines', AssembleWith: 'Line' },
        TransformResources: { InstanceType: 'ml.c5.xlarge', InstanceCount: 2 },
      },
    });
  });

  it('adds the endpoint requests for a dataset that has an endpoint, and only for it', async () => {
    sagemakerMock.on(CreateModelCommand).resolves({});
    const withEndpoint = createModelStep({
      sagemaker,
      config: { ...config, endpoints: { cdnow: { serverless: { memorySizeMb: 2048, maxConcurrency: 5 }, keepConfigs: 3 } } },
      logger: new Logger({ serviceName: 'lambda-batch', logLevel: 'SILENT' }),
    });
    const output = await withEndpoint(event);
    expect(output.endpoint).toMatchObject({
      endpointName: 'nextbuy-cdnow',
      configName: 'nextbuy-cdnow--r1',
      createEndpointConfig: { EndpointConfigName: 'nextbuy-cdnow--r1', ProductionVariants: [{ ModelName: 'cdnow-r1-train-model' }] },
      updateEndpoint: { EndpointName: 'nextbuy-cdnow', EndpointConfigName: 'nextbuy-cdnow--r1' },
    });
    expect((await withEndpoint({ ...event, dataset: 'other' })).endpoint).toBeUndefined();
  });

  it('on a retry finds the model it created and returns the same result', async () => {
    sagemakerMock.on(CreateModelCommand).resolvesOnce({}).rejects(
      validationException('Cannot create already existing model "arn:aws:sagemaker:eu-west-1:123456789012:model/cdnow-r1-train-model".'),
    );
    sagemakerMock
      .on(DescribeModelCommand, { ModelName: 'cdnow-r1-train-model' })
      .resolves({ ModelName: 'cdnow-r1-train-model', PrimaryContainer: { Image: IMAGE, ModelDataUrl: ARTIFACT } });

    const first = await step(event);
    const retried = await step(event);

    expect(retried).toEqual(first);
    expect(sagemakerMock.commandCalls(CreateModelCommand)).toHaveLength(2);
    expect(sagemakerMock.commandCalls(DescribeModelCommand).map((call) => call.args[0].input)).toEqual([
      { ModelName: 'cdnow-r1-train-model' },
    ]);
  });

  it('refuses an existing model of the same name that serves another artifact', async () => {
    sagemakerMock.on(CreateModelCommand).rejects(validationException('Cannot create already existing model "x".'));
    sagemakerMock.on(DescribeModelCommand).resolves({ PrimaryContainer: { Image: IMAGE, ModelDataUrl: 's3://other/model.tar.gz' } });

    await expect(step(event)).rejects.toThrow(ModelConflictError);
  });

  it('passes on any other CreateModel failure', async () => {
    sagemakerMock.on(CreateModelCommand).rejects(validationException('Could not access model data at s3://nextbuy-data/...'));

    await expect(step(event)).rejects.toThrow(/Could not access model data/);
    expect(sagemakerMock.commandCalls(DescribeModelCommand)).toHaveLength(0);
  });

  it('refuses a training job that failed, with its reason, and creates nothing', async () => {
    sagemakerMock
      .on(DescribeTrainingJobCommand)
      .resolves({ TrainingJobStatus: 'Failed', FailureReason: 'AlgorithmError: no customers with two orders' });

    const failure = step(event);

    await expect(failure).rejects.toThrow(TrainingJobNotCompletedError);
    await expect(failure).rejects.toThrow('training job "cdnow-r1-train" is Failed, not Completed: AlgorithmError: no customers with two orders');
    expect(sagemakerMock.commandCalls(CreateModelCommand)).toHaveLength(0);
  });

  it('refuses a completed job without an artifact', async () => {
    sagemakerMock.on(DescribeTrainingJobCommand).resolves({ TrainingJobStatus: 'Completed' });

    await expect(step(event)).rejects.toThrow(ArtifactError);
    expect(sagemakerMock.commandCalls(CreateModelCommand)).toHaveLength(0);
  });

  it('names the input field at fault before calling SageMaker', async () => {
    await expect(step({ ...event, run: '../r1' })).rejects.toThrow(InvalidEventError);
    await expect(step({ dataset: 'cdnow', run: 'r1' })).rejects.toThrow(/"trainingJobName"/);
    expect(sagemakerMock.calls()).toHaveLength(0);
  });
});
