import { CreateModelCommand, DescribeModelCommand, DescribeTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveSageMakerApi, withEpochDates } from './api-server';
import { SageMakerApiError, SageMakerControlPlane } from './control-plane';

const trainingRequest = {
  TrainingJobName: 'nextbuy-0123',
  RoleArn: 'arn:aws:iam::000000000000:role/sm',
  AlgorithmSpecification: { TrainingImage: 'trainer:1', TrainingInputMode: 'File' as const },
  OutputDataConfig: { S3OutputPath: 's3://bucket/retail/models/' },
  ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large' as const, VolumeSizeInGB: 30 },
  StoppingCondition: { MaxRuntimeInSeconds: 600 },
  HyperParameters: { seed: '42' },
};

let plane: SageMakerControlPlane;
let api: Awaited<ReturnType<typeof serveSageMakerApi>>;
let client: SageMakerClient;

beforeAll(async () => {
  plane = new SageMakerControlPlane('us-east-1');
  api = await serveSageMakerApi(plane);
  client = new SageMakerClient({ region: 'us-east-1', endpoint: api.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});

afterAll(async () => {
  client.destroy();
  await api.stop();
});

describe('the emulated SageMaker control plane, through the real SDK client', () => {
  it('describes a training job the local runner recorded, dates and all', async () => {
    const created = plane.createTrainingJob(trainingRequest);
    plane.updateTrainingJob('nextbuy-0123', { TrainingJobStatus: 'Completed', ModelArtifacts: { S3ModelArtifacts: 's3://bucket/retail/models/nextbuy-0123/output/model.tar.gz' } });
    const job = await client.send(new DescribeTrainingJobCommand({ TrainingJobName: 'nextbuy-0123' }));
    expect(job).toMatchObject({ TrainingJobStatus: 'Completed', HyperParameters: { seed: '42' }, TrainingJobArn: 'arn:aws:sagemaker:us-east-1:000000000000:training-job/nextbuy-0123' });
    expect(job.ModelArtifacts?.S3ModelArtifacts).toBe('s3://bucket/retail/models/nextbuy-0123/output/model.tar.gz');
    expect(job.CreationTime?.getTime()).toBe(created.CreationTime!.getTime());
  });

  it('refuses a second model of the same name with the ValidationException lambda-batch recognizes', async () => {
    const request = { ModelName: 'nextbuy-0123-model', ExecutionRoleArn: trainingRequest.RoleArn, PrimaryContainer: { Image: 'inference:1', ModelDataUrl: 's3://bucket/m.tar.gz' } };
    await client.send(new CreateModelCommand(request));
    const error = await client.send(new CreateModelCommand(request)).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/already exist/i) });
    expect((await client.send(new DescribeModelCommand({ ModelName: 'nextbuy-0123-model' }))).PrimaryContainer).toEqual(request.PrimaryContainer);
  });

  it('answers Describe* of an unknown resource as SageMaker does', async () => {
    await expect(client.send(new DescribeTrainingJobCommand({ TrainingJobName: 'nextbuy-none' }))).rejects.toMatchObject({ name: 'ValidationException', message: 'Requested resource not found.' });
    await expect(client.send(new DescribeModelCommand({ ModelName: 'nextbuy-none' }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('checks what SageMaker checks when a job is created: unique names, string hyperparameters, an existing model', () => {
    expect(() => plane.createTrainingJob(trainingRequest)).toThrow(/must be unique/);
    expect(() => plane.createTrainingJob({ ...trainingRequest, TrainingJobName: 'nextbuy-4567', HyperParameters: { seed: 42 as unknown as string } })).toThrow(SageMakerApiError);
    expect(() =>
      plane.createTransformJob({
        TransformJobName: 'retail-r1',
        ModelName: 'nextbuy-missing-model',
        TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bucket/in/' } } },
        TransformOutput: { S3OutputPath: 's3://bucket/out/' },
        TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
      }),
    ).toThrow(/Could not find model/);
  });

  it('writes dates as epoch seconds for the API and epoch milliseconds for Step Functions results', () => {
    const at = new Date('2026-01-02T03:04:05.600Z');
    expect(withEpochDates({ a: at, b: [at], c: undefined, d: 'x' }, 'seconds')).toEqual({ a: at.getTime() / 1000, b: [at.getTime() / 1000], d: 'x' });
    expect(withEpochDates({ a: at }, 'milliseconds')).toEqual({ a: at.getTime() });
  });
});
