import {
  CreateModelCommand,
  DescribeModelCommand,
  DescribeTrainingJobCommand,
  type CreateModelCommandInput,
  type CreateTransformJobCommandInput,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { Logger } from '@aws-lambda-powertools/logger';
import { ArtifactError, datasetNameSchema, runIdSchema, parseStepInput } from '@nextbuy/contracts';
import { z } from 'zod';
import type { BatchConfig } from './config';
import { ModelConflictError, TrainingJobNotCompletedError } from './errors';
import { createModelRequest, endpointDeployment, modelNameFor, transformJobRequest, type EndpointDeployment } from './requests';

/** The CreateModel step's input: the dataset's run and its finished training job (other keys are ignored). */
export const createModelEventSchema = z.object({
  dataset: datasetNameSchema,
  run: runIdSchema,
  trainingJobName: z.string().regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, 'a SageMaker training job name'),
});
export type CreateModelEvent = z.infer<typeof createModelEventSchema>;

/**
 * The CreateModel step's output: the model, the transform job request the Transform state sends,
 * and, for a dataset with a real-time endpoint, the endpoint requests the endpoint states send.
 */
export interface CreateModelOutput {
  modelName: string;
  transformJob: CreateTransformJobCommandInput & { TransformJobName: string };
  endpoint?: EndpointDeployment;
}

/** The parts of the Lambda context this function uses. */
export interface LambdaContext {
  awsRequestId: string;
  functionName: string;
}

/** Validates the step input; InvalidEventError names the field at fault. */
export function parseCreateModelEvent(event: unknown): CreateModelEvent {
  return parseStepInput('CreateModel', createModelEventSchema, event);
}

// SageMaker models no "already exists" error: CreateModel answers a ValidationException so worded.
function isModelAlreadyExisting(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException' && /already exist/i.test(error.message);
}

/**
 * Creates the model, or accepts the one a previous attempt created under the same name if it
 * serves the same image and artifact. Returns whether it was created now.
 */
async function ensureModel(sagemaker: SageMakerClient, request: CreateModelCommandInput & { ModelName: string }): Promise<boolean> {
  try {
    await sagemaker.send(new CreateModelCommand(request));
    return true;
  } catch (error) {
    if (!isModelAlreadyExisting(error)) throw error;
  }
  const existing = await sagemaker.send(new DescribeModelCommand({ ModelName: request.ModelName }));
  const wanted = request.PrimaryContainer!;
  const found = existing.PrimaryContainer;
  if (found?.Image !== wanted.Image || found?.ModelDataUrl !== wanted.ModelDataUrl) {
    throw new ModelConflictError(
      `model "${request.ModelName}" already exists with image "${found?.Image}" and artifact "${found?.ModelDataUrl}", ` +
        `not "${wanted.Image}" and "${wanted.ModelDataUrl}"; delete it or train under a new job name`,
    );
  }
  return false;
}

/** The CreateModel step: the SageMaker model of a completed training job and the transform job request. */
export function createModelStep(deps: { sagemaker: SageMakerClient; config: BatchConfig; logger: Logger }) {
  const { sagemaker, config, logger } = deps;
  return async (event: unknown, context?: LambdaContext): Promise<CreateModelOutput> => {
    if (context) logger.addContext(context);
    const { dataset, run, trainingJobName } = parseCreateModelEvent(event);
    const job = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: trainingJobName }));
    if (job.TrainingJobStatus !== 'Completed') {
      throw new TrainingJobNotCompletedError(trainingJobName, job.TrainingJobStatus ?? 'in an unknown state', job.FailureReason);
    }
    const artifactUri = job.ModelArtifacts?.S3ModelArtifacts;
    if (!artifactUri) throw new ArtifactError(`training job "${trainingJobName}" completed without a model artifact`);

    const modelName = modelNameFor(trainingJobName);
    const created = await ensureModel(sagemaker, createModelRequest(config, { modelName, artifactUri }));
    logger.info(created ? 'model created' : 'model already existed', { dataset, run, trainingJobName, modelName, artifactUri });
    const endpoint = config.endpoints[dataset];
    return {
      modelName,
      transformJob: transformJobRequest(config, { dataset, run, trainingJobName, modelName }),
      ...(endpoint ? { endpoint: endpointDeployment(config, { dataset, run, modelName }, endpoint) } : {}),
    };
  };
}
