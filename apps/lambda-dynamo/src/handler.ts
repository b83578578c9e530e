import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import { datasetNameSchema, parseS3Uri, runIdSchema, runPrefixes, s3Uri, parseStepInput } from '@nextbuy/contracts';
import { z } from 'zod';
import { DEFAULT_BACKOFF } from './backoff';
import type { DynamoConfig } from './config';
import { PredictionsNotFoundError } from './errors';
import { parsePredictionLine } from './prediction-lines';
import { predictionItem, putPrediction } from './predictions-table';
import { TaskPool } from './task-pool';
import { listTransformOutputs, openLines } from './transform-output';

/**
 * The output holds at most this many rejected lines (all are counted in `rejectedCount` and
 * logged per object): a Step Functions state's data is limited to 256 KiB.
 */
export const MAX_REPORTED_REJECTIONS = 100;

/** The WritePredictions step's input: the run whose transform output to store (other keys are ignored). */
export const writePredictionsEventSchema = z.object({
  dataset: datasetNameSchema,
  run: runIdSchema,
  /** Where the transform wrote; default `s3://<DATA_BUCKET>/<dataset>/predictions/<run>/`. */
  predictionsUri: z
    .string()
    .refine((uri) => {
      try {
        parseS3Uri(uri);
        return uri.endsWith('/');
      } catch {
        return false;
      }
    }, 'an s3://bucket/prefix/ URI ending with "/"')
    .optional(),
});
export type WritePredictionsEvent = z.infer<typeof writePredictionsEventSchema>;

export interface RejectedLine {
  uri: string;
  line: number;
  reason: string;
}

export interface WritePredictionsOutput {
  /** Transform output objects read. */
  objects: number;
  /** Predictions stored (including ones equal to what was stored, as on a rerun). */
  written: number;
  /** Predictions older than the one stored for the customer, left out. */
  skipped: number;
  /** Lines that are not valid prediction records: the first MAX_REPORTED_REJECTIONS of them. */
  rejected: RejectedLine[];
  rejectedCount: number;
}

/** The parts of the Lambda context this function uses. */
export interface LambdaContext {
  awsRequestId: string;
  functionName: string;
  getRemainingTimeInMillis(): number;
}

/** Validates the step input; InvalidEventError names the field at fault. */
export function parseWritePredictionsEvent(event: unknown): WritePredictionsEvent {
  return parseStepInput('WritePredictions', writePredictionsEventSchema, event);
}

export interface WritePredictionsDeps {
  config: DynamoConfig;
  s3: S3Client;
  /** Sends the conditional puts; it should not retry on its own (the puts' backoff does). */
  predictions: DynamoDBDocumentClient;
  /** Holds the idempotency records. */
  idempotency: DynamoDBClient;
  logger: Logger;
}

/**
 * The WritePredictions step: every transform output line of a run, validated, into the
 * predictions table, never replacing a newer prediction. Idempotent on (dataset, run): a retry of
 * a finished step returns the stored result without reading or writing anything again.
 */
export function writePredictionsStep(deps: WritePredictionsDeps) {
  const { config, s3, predictions, logger } = deps;
  const policy = { ...DEFAULT_BACKOFF, maxAttempts: config.writeMaxAttempts };

  // The context parameter is for Powertools: from it, an invocation that times out mid-write
  // leaves an in-progress record that expires with the invocation, so a retry is not locked out.
  const writeRun = async (event: WritePredictionsEvent, _context?: LambdaContext): Promise<WritePredictionsOutput> => {
    const { dataset, run } = event;
    const { bucket, key: prefix } = event.predictionsUri
      ? parseS3Uri(event.predictionsUri)
      : { bucket: config.bucket, key: runPrefixes.predictions(dataset, run) };
    const { outputs, others } = await listTransformOutputs(s3, { bucket, prefix });
    if (others.length > 0) logger.warn('objects that are not transform output were not read', { keys: others.slice(0, 20), count: others.length });
    if (outputs.length === 0) throw new PredictionsNotFoundError(s3Uri(bucket, prefix));

    const result: WritePredictionsOutput = { objects: outputs.length, written: 0, skipped: 0, rejected: [], rejectedCount: 0 };
    // One conditional PutItem per prediction (BatchWriteItem cannot carry a condition). In
    // sequence, 100k customers would wait 100k round trips; all at once, they would open as many
    // sockets and burst far past the table's write capacity. A bounded number in flight gets most
    // of the throughput while throttling stays a retried exception, not a storm.
    const pool = new TaskPool(config.writeConcurrency);
    try {
      for (const key of outputs) {
        const uri = s3Uri(bucket, key);
        const object = await openLines(s3, { bucket, key });
        const predictedAt = object.lastModified.toISOString();
        let lineNumber = 0;
        let rejectedHere = 0;
        try {
          for await (const text of object.lines) {
            const parsed = parsePredictionLine(text, ++lineNumber);
            if (!parsed.ok) {
              rejectedHere++;
              if (result.rejected.length < MAX_REPORTED_REJECTIONS) result.rejected.push({ uri, line: parsed.line, reason: parsed.reason });
              continue;
            }
            const item = predictionItem(parsed.record, { dataset, run, predictedAt });
            await pool.submit(async () => {
              result[await putPrediction(predictions, config.predictionsTable, item, policy)]++;
            });
          }
        } finally {
          object.close();
        }
        result.rejectedCount += rejectedHere;
        if (rejectedHere > 0) logger.warn('rejected transform output lines', { uri, lines: lineNumber, rejected: rejectedHere });
      }
    } finally {
      // Never return, or fail, while puts are still in flight.
      await pool.settle();
    }
    await pool.drain();
    logger.info('predictions stored', { dataset, run, ...result, rejected: undefined });
    return result;
  };

  const idempotentWriteRun = makeIdempotent(writeRun, {
    // One persistence layer per function (and one DynamoDB client), as Powertools expects.
    persistenceStore: new DynamoDBPersistenceLayer({ tableName: config.idempotencyTable, awsSdkV3Client: deps.idempotency }),
    config: new IdempotencyConfig({
      eventKeyJmesPath: '[dataset, run]',
      // The same run pointed at another prefix is a mistake to report, not a result to replay.
      payloadValidationJmesPath: 'predictionsUri',
      expiresAfterSeconds: config.idempotencyExpiresAfterSeconds,
    }),
  });

  return async (event: unknown, context?: LambdaContext): Promise<WritePredictionsOutput> => {
    if (context) logger.addContext(context);
    const parsed = parseWritePredictionsEvent(event);
    return idempotentWriteRun(parsed, context);
  };
}
