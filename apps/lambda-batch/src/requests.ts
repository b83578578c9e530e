import { createHash } from 'node:crypto';
import type { CreateModelCommandInput, CreateTransformJobCommandInput } from '@aws-sdk/client-sagemaker';
import { runPrefixes, s3Uri } from '@nextbuy/contracts';
import type { BatchConfig } from './config';

/** SageMaker resource names: at most 63 characters of [a-zA-Z0-9-]. */
const MAX_NAME = 63;
const HASH_LENGTH = 8;

function cleaned(text: string): string {
  return text.replace(/[^a-zA-Z0-9-]/g, '-');
}

function shortHash(identity: string): string {
  return createHash('sha256').update(identity).digest('hex').slice(0, HASH_LENGTH);
}

/**
 * The SageMaker model name for a training job: deterministic, so a retried step finds the model
 * it already created.
 */
export function modelNameFor(trainingJobName: string): string {
  const suffix = '-model';
  const name = cleaned(trainingJobName);
  if (name.length + suffix.length <= MAX_NAME) return `${name}${suffix}`;
  // Truncation alone could make two long job names equal: a hash of the whole name keeps them apart.
  return `${name.slice(0, MAX_NAME - suffix.length - HASH_LENGTH - 1)}-${shortHash(trainingJobName)}${suffix}`;
}

/**
 * The transform job name of a dataset's run scored by a training job's model: deterministic, so a
 * retried Transform state meets its own job instead of starting a second one. The training job is
 * part of the identity (hashed in) because one run may be scored again by a newer model.
 */
export function transformJobNameFor(dataset: string, run: string, trainingJobName: string): string {
  const hash = shortHash(JSON.stringify([dataset, run, trainingJobName]));
  return `${cleaned(`${dataset}-${run}`).slice(0, MAX_NAME - HASH_LENGTH - 1)}-${hash}`;
}

/** The CreateModel request serving a training job's artifact with the inference image. */
export function createModelRequest(
  config: BatchConfig,
  model: { modelName: string; artifactUri: string },
): CreateModelCommandInput & { ModelName: string } {
  return {
    ModelName: model.modelName,
    ExecutionRoleArn: config.roleArn,
    PrimaryContainer: {
      Image: config.inferenceImageUri,
      ModelDataUrl: model.artifactUri,
      Environment: config.modelEnvironment,
    },
  };
}

/**
 * The CreateTransformJob request scoring a run's batch input (one customer per JSON line) into
 * its predictions prefix, for the Transform state to send as it is.
 */
export function transformJobRequest(
  config: BatchConfig,
  job: { dataset: string; run: string; trainingJobName: string; modelName: string },
): CreateTransformJobCommandInput & { TransformJobName: string } {
  return {
    TransformJobName: transformJobNameFor(job.dataset, job.run, job.trainingJobName),
    ModelName: job.modelName,
    // Many lines per request, split and reassembled on line boundaries: output line i is input line i.
    BatchStrategy: 'MultiRecord',
    MaxPayloadInMB: config.transform.maxPayloadInMB,
    MaxConcurrentTransforms: config.transform.maxConcurrentTransforms,
    TransformInput: {
      DataSource: {
        S3DataSource: { S3DataType: 'S3Prefix', S3Uri: s3Uri(config.bucket, runPrefixes.batchInput(job.dataset, job.run)) },
      },
      ContentType: 'application/jsonlines',
      SplitType: 'Line',
    },
    TransformOutput: {
      S3OutputPath: s3Uri(config.bucket, runPrefixes.predictions(job.dataset, job.run)),
      Accept: 'application/jsonlines',
      AssembleWith: 'Line',
    },
    TransformResources: {
      InstanceType: config.transform.instanceType,
      InstanceCount: config.transform.instanceCount,
    },
  };
}
