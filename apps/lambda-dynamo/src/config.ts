import { z } from 'zod';
import { parseConfiguration } from '@nextbuy/contracts';

/**
 * Every environment variable lambda-dynamo reads. Region, credentials and endpoints are the AWS
 * SDK's own (`AWS_REGION`, `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_DYNAMODB`, ...).
 */
const configSchema = z
  .object({
    /** The pipeline bucket (design.md "Storage"). */
    DATA_BUCKET: z.string().min(3),
    /** Partition key `dataset` (S), sort key `customer_id` (S). */
    PREDICTIONS_TABLE: z.string().min(3),
    /** Powertools idempotency records: partition key `id` (S), TTL attribute `expiration`. */
    IDEMPOTENCY_TABLE: z.string().min(3),
    /** How long a finished (dataset, run) answers retries from its stored result. */
    IDEMPOTENCY_EXPIRES_AFTER_SECONDS: z.coerce.number().int().positive().default(3600),
    /** Conditional puts in flight at once (see handler.ts for why bounded). */
    WRITE_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(16),
    /** Attempts per put before a throttled or transient failure fails the step. */
    WRITE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(10),
    /** Path-style S3 addresses, for S3-compatible servers without virtual-host buckets. */
    S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
  })
  .transform((env) => ({
    bucket: env.DATA_BUCKET,
    predictionsTable: env.PREDICTIONS_TABLE,
    idempotencyTable: env.IDEMPOTENCY_TABLE,
    idempotencyExpiresAfterSeconds: env.IDEMPOTENCY_EXPIRES_AFTER_SECONDS,
    writeConcurrency: env.WRITE_CONCURRENCY,
    writeMaxAttempts: env.WRITE_MAX_ATTEMPTS,
    s3ForcePathStyle: env.S3_FORCE_PATH_STYLE === 'true',
  }));

export type DynamoConfig = z.output<typeof configSchema>;

/** Reads and validates the configuration; ConfigurationError names the variable at fault. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): DynamoConfig {
  return parseConfiguration(configSchema, env);
}
