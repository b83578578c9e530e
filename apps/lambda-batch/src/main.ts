import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { Logger } from '@aws-lambda-powertools/logger';
import { loadConfig } from './config';
import { createModelStep, type CreateModelOutput, type LambdaContext } from './handler';

let step: ReturnType<typeof createModelStep> | undefined;

/**
 * The Lambda entry point (`main.handler`). Configuration is read and clients are made on the
 * first invocation, not at import, so a missing variable fails the invocation with
 * ConfigurationError instead of the whole module load.
 */
export async function handler(event: unknown, context?: LambdaContext): Promise<CreateModelOutput> {
  step ??= createModelStep({
    config: loadConfig(),
    sagemaker: new SageMakerClient({}),
    logger: new Logger({ serviceName: 'lambda-batch' }),
  });
  return step(event, context);
}
