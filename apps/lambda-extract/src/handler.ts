import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import { customerHistoryLines, datasetNameSchema, epochDayToIso, isoToEpochDay, runIdSchema, runKeys, s3Uri, type DataQualityReport, parseStepInput } from '@nextbuy/contracts';
import { formatOnlineRetailLine, ONLINE_RETAIL_CSV_HEADER, OrderAccumulator, readCleanedTransactions } from '@nextbuy/ingestion';
import pg from 'pg';
import { z } from 'zod';
import type { ExtractConfig } from './config';
import { NoCleanTransactionsError } from './errors';
import { databaseSettings, sourceSelection } from './source';
import { uploadText } from './upload';

/** A source that does not answer fails the step in time for its retry, not at the Lambda timeout. */
const CONNECT_TIMEOUT_MS = 10_000;

/** The Extract state's input: which dataset, and optionally which run id and which dates (both included). */
export const extractEventSchema = z
  .object({
    dataset: datasetNameSchema,
    run: runIdSchema.optional(),
    from: z.iso.date().optional(),
    to: z.iso.date().optional(),
  })
  .refine((event) => !event.from || !event.to || event.from <= event.to, { path: ['to'], message: 'before "from"' });
export type ExtractEvent = z.infer<typeof extractEventSchema>;

/** The Extract state's output: where the run's data went, how much of it, and the data-quality report. */
export interface ExtractOutput {
  dataset: string;
  run: string;
  /** The cleaned transactions, an Online Retail CSV, gzip. */
  transactions: { uri: string; rows: number };
  /** The batch transform input: one customer's order history per JSON line. */
  batchInput: { uri: string; customers: number; asOfDate: string };
  report: DataQualityReport;
}

/** The parts of the Lambda context this function uses. */
export interface LambdaContext {
  awsRequestId: string;
  functionName: string;
  getRemainingTimeInMillis(): number;
}

/** Validates the step input; InvalidEventError names the field at fault. */
export function parseExtractEvent(event: unknown): ExtractEvent {
  return parseStepInput('Extract', extractEventSchema, event);
}

/** A run id from a time: `YYYY-MM-DD-HH-mm-ss-SSS` in UTC, so runs sort by when they started. */
export function runIdAt(time: Date): string {
  return time.toISOString().replace(/[T:.]/g, '-').replace(/Z$/, '');
}

export interface ExtractDeps {
  config: ExtractConfig;
  s3: S3Client;
  secrets: SecretsManagerClient;
  /** Holds the idempotency records. */
  idempotency: DynamoDBClient;
  logger: Logger;
  /** The clock for default run ids. */
  now?: () => Date;
}

/**
 * The Extract step: the source's transactions, cleaned, to `raw/<run>/transactions.csv.gz` and
 * their customers' order histories to `batch-input/<run>/customers.jsonl`, both streamed.
 * Idempotent on the whole input: a retry of a finished step returns its stored result (the same
 * run id, even when the input left it to default) without reading the database again.
 */
export function extractStep(deps: ExtractDeps) {
  const { config, s3, secrets, logger, now = () => new Date() } = deps;

  // The context parameter is for Powertools: from it, an invocation that times out mid-extract
  // leaves an in-progress record that expires with the invocation, so a retry is not locked out.
  const extract = async (event: ExtractEvent, _context?: LambdaContext): Promise<ExtractOutput> => {
    const { dataset } = event;
    const run = event.run ?? runIdAt(now());
    const client = new pg.Client({ ...(await databaseSettings(config, secrets)), connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    // A connection lost between queries is reported here; one lost mid-query also fails the query.
    client.on('error', (error) => logger.error('source database connection failed', { error }));
    await client.connect();
    try {
      const cleaned = readCleanedTransactions(
        { kind: 'postgres', client, ...sourceSelection(config.source, event) },
        { mapping: config.source.mapping, batchSize: config.source.fetchRows },
      );
      // The order histories of the batch input are built while the CSV streams out, so the
      // source is read once; they are the only thing held, one entry per (customer, day).
      const orders = new OrderAccumulator();
      async function* csvLines(): AsyncGenerator<string> {
        yield ONLINE_RETAIL_CSV_HEADER;
        for await (const batch of cleaned) {
          for (const transaction of batch) {
            orders.add(transaction);
            yield formatOnlineRetailLine(transaction);
          }
        }
      }
      const transactionsKey = runKeys.transactions(dataset, run);
      await uploadText(s3, { bucket: config.bucket, key: transactionsKey, contentType: 'application/gzip' }, csvLines(), { gzip: true });
      const report = cleaned.report();
      if (report.rowsKept === 0) throw new NoCleanTransactionsError(report);

      const table = orders.finish();
      // Score as of the day after the requested range, or after the data: deterministic, unlike
      // "now" (for a live source extracted up to today the two agree). Features use the orders
      // strictly before the as-of day, so the last day's orders must fall before it.
      const asOfDate = epochDayToIso(isoToEpochDay(event.to ?? report.lastDate!) + 1);
      let customers = 0;
      function* historyLines(): Generator<string> {
        for (const line of customerHistoryLines(table, asOfDate)) {
          customers++;
          yield `${line}\n`;
        }
      }
      const batchInputKey = runKeys.batchInput(dataset, run);
      await uploadText(s3, { bucket: config.bucket, key: batchInputKey, contentType: 'application/jsonlines' }, historyLines(), { gzip: false });

      const output: ExtractOutput = {
        dataset,
        run,
        transactions: { uri: s3Uri(config.bucket, transactionsKey), rows: report.rowsKept },
        batchInput: { uri: s3Uri(config.bucket, batchInputKey), customers, asOfDate },
        report,
      };
      logger.info('extracted', { ...output, report: { rowsRead: report.rowsRead, rowsKept: report.rowsKept } });
      return output;
    } finally {
      await client.end();
    }
  };

  const idempotentExtract = makeIdempotent(extract, {
    // One persistence layer per function (and one DynamoDB client), as Powertools expects.
    persistenceStore: new DynamoDBPersistenceLayer({ tableName: config.idempotencyTable, awsSdkV3Client: deps.idempotency }),
    config: new IdempotencyConfig({
      eventKeyJmesPath: '[dataset, run, from, to]',
      expiresAfterSeconds: config.idempotencyExpiresAfterSeconds,
    }),
  });

  return async (event: unknown, context?: LambdaContext): Promise<ExtractOutput> => {
    if (context) logger.addContext(context);
    return idempotentExtract(parseExtractEvent(event), context);
  };
}
