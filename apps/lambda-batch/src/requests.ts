import { createHash } from 'node:crypto';
import type { CreateEndpointConfigCommandInput, CreateModelCommandInput, CreateTransformJobCommandInput, DeploymentConfig } from '@aws-sdk/client-sagemaker';
import { captureKeyPrefix, ENDPOINT_VARIANT, endpointAlarmNames, endpointConfigPrefix, endpointNameFor, runPrefixes, s3Uri, type EndpointSettings } from '@nextbuy/contracts';
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

/**
 * The endpoint configuration name of a dataset's run: the endpoint's configuration prefix and the
 * run id, with a hash of the run when it would not fit in 63 characters.
 */
export function endpointConfigNameFor(dataset: string, run: string): string {
  const prefix = endpointConfigPrefix(dataset);
  const name = `${prefix}${cleaned(run)}`;
  if (name.length <= MAX_NAME) return name;
  return `${name.slice(0, MAX_NAME - HASH_LENGTH - 1)}-${shortHash(run)}`;
}

/** What the state machine's endpoint states send and compare, for a dataset that has an endpoint. */
export interface EndpointDeployment {
  endpointName: string;
  configName: string;
  /** Every configuration of this endpoint starts with it (the clean-up lists them by it). */
  configPrefix: string;
  /** Configurations kept: the one in service and the newest others. */
  keepConfigs: number;
  createEndpointConfig: CreateEndpointConfigCommandInput & { EndpointConfigName: string };
  createEndpoint: { EndpointName: string; EndpointConfigName: string };
  updateEndpoint: { EndpointName: string; EndpointConfigName: string; DeploymentConfig?: DeploymentConfig };
}

/**
 * The endpoint requests serving a run's model: a new configuration named after the run, then
 * CreateEndpoint or UpdateEndpoint onto it. Instances update blue/green, all traffic at once after
 * the new fleet is up, rolled back by SageMaker if either alarm fires during the baking period;
 * serverless endpoints take no DeploymentConfig (SageMaker updates them its own way, README).
 */
export function endpointDeployment(config: BatchConfig, job: { dataset: string; run: string; modelName: string }, settings: EndpointSettings): EndpointDeployment {
  const endpointName = endpointNameFor(job.dataset);
  const configName = endpointConfigNameFor(job.dataset, job.run);
  const { serverless, instances } = settings;
  const variant = serverless
    ? { VariantName: ENDPOINT_VARIANT, ModelName: job.modelName, ServerlessConfig: { MemorySizeInMB: serverless.memorySizeMb, MaxConcurrency: serverless.maxConcurrency } }
    : { VariantName: ENDPOINT_VARIANT, ModelName: job.modelName, InstanceType: instances!.instanceType as never, InitialInstanceCount: instances!.instanceCount, InitialVariantWeight: 1 };
  const alarms = endpointAlarmNames(job.dataset);
  return {
    endpointName,
    configName,
    configPrefix: endpointConfigPrefix(job.dataset),
    keepConfigs: settings.keepConfigs,
    createEndpointConfig: {
      EndpointConfigName: configName,
      ProductionVariants: [variant],
      ...(settings.dataCapturePercent !== undefined
        ? {
            DataCaptureConfig: {
              EnableCapture: true,
              InitialSamplingPercentage: settings.dataCapturePercent,
              DestinationS3Uri: s3Uri(config.bucket, captureKeyPrefix(job.dataset)),
              CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
              CaptureContentTypeHeader: { JsonContentTypes: ['application/json', 'application/jsonlines'], CsvContentTypes: ['text/csv'] },
            },
          }
        : {}),
    },
    createEndpoint: { EndpointName: endpointName, EndpointConfigName: configName },
    updateEndpoint: {
      EndpointName: endpointName,
      EndpointConfigName: configName,
      ...(instances
        ? {
            DeploymentConfig: {
              BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: instances.bakeSeconds } },
              AutoRollbackConfiguration: { Alarms: [{ AlarmName: alarms.errors }, { AlarmName: alarms.latency }] },
            },
          }
        : {}),
    },
  };
}
