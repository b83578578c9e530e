import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import { loadConfig } from './config';
import { extractStep, type ExtractOutput, type LambdaContext } from './handler';

let step: ReturnType<typeof extractStep> | undefined;

/**
 * The Lambda entry point (`main.handler`). Configuration is read and clients are made on the
 * first invocation, not at import, so a missing variable fails the invocation with
 * ConfigurationError instead of the whole module load.
 */
export async function handler(event: unknown, context?: LambdaContext): Promise<ExtractOutput> {
  if (!step) {
    const config = loadConfig();
    step = extractStep({
      config,
      s3: new S3Client({ forcePathStyle: config.s3ForcePathStyle }),
      secrets: new SecretsManagerClient({}),
      idempotency: new DynamoDBClient({}),
      logger: new Logger({ serviceName: 'lambda-extract' }),
    });
  }
  return step(event, context);
}
