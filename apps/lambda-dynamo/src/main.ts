import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { loadConfig } from './config';
import { writePredictionsStep, type LambdaContext, type WritePredictionsOutput } from './handler';

let step: ReturnType<typeof writePredictionsStep> | undefined;

/**
 * The Lambda entry point (`main.handler`). Configuration is read and clients are made on the
 * first invocation, not at import, so a missing variable fails the invocation with
 * ConfigurationError instead of the whole module load.
 */
export async function handler(event: unknown, context?: LambdaContext): Promise<WritePredictionsOutput> {
  if (!step) {
    const config = loadConfig();
    step = writePredictionsStep({
      config,
      s3: new S3Client({ forcePathStyle: config.s3ForcePathStyle }),
      // One attempt per send: the puts' own backoff is their only retry policy. The SDK's standard
      // strategy shares one retry quota per client (500 tokens, 5 per retry), which a bulk load
      // under sustained throttling drains, after which every put fails at once.
      predictions: DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 1 })),
      idempotency: new DynamoDBClient({}),
      logger: new Logger({ serviceName: 'lambda-dynamo' }),
    });
  }
  return step(event, context);
}
