import { DeleteTableCommand, ProvisionedThroughputExceededException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { IdempotencyValidationError } from '@aws-lambda-powertools/idempotency';
import { Logger } from '@aws-lambda-powertools/logger';
import type { PredictionRecord } from '@nextbuy/contracts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { PredictionsNotFoundError } from '../src/errors';
import { writePredictionsStep } from '../src/handler';
import { predictionItem, putPrediction } from '../src/predictions-table';
import { listTransformOutputs } from '../src/transform-output';
import { startDynamo, startS3, type LocalDynamo, type LocalS3 } from '@nextbuy/local-aws';

const BUCKET = 'nextbuy-data';
const config = loadConfig({
  DATA_BUCKET: BUCKET,
  PREDICTIONS_TABLE: 'predictions',
  IDEMPOTENCY_TABLE: 'idempotency',
  WRITE_CONCURRENCY: '4',
});
const logger = new Logger({ serviceName: 'lambda-dynamo', logLevel: 'SILENT' });

let s3Server: LocalS3;
let dynamoServer: LocalDynamo;
let s3: S3Client;
let reader: DynamoDBDocumentClient;

function prediction(customer: number, asOf: string, modelVersion = 'xgb-1'): PredictionRecord {
  return {
    customer_id: String(customer),
    last_order_date: '2011-11-01',
    as_of_date: asOf,
    predicted_gap_days: 40 + customer,
    predicted_next_order_date: '2011-12-20',
    p_order_90d: 0.5,
    p_alive: 0.8,
    expected_orders_365d: 1.25,
    model_version: modelVersion,
  };
}

/** A record as releases before the customer-base fields wrote it. */
function olderRelease(customer: number): string {
  const { p_alive: _alive, expected_orders_365d: _expected, ...older } = prediction(customer, '2011-12-10');
  return JSON.stringify(older);
}

function jsonLines(records: PredictionRecord[]): string {
  return records.map((record) => JSON.stringify(record) + '\n').join('');
}

async function putOutput(key: string, body: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

async function storedItems(dataset: string): Promise<Array<Record<string, unknown>>> {
  const result = await reader.send(new QueryCommand({ TableName: 'predictions', KeyConditionExpression: 'dataset = :d', ExpressionAttributeValues: { ':d': dataset } }));
  return result.Items ?? [];
}

/** A step with its own clients; `faults` sees every predictions-table command before it is sent. */
function stepWith(options: { faults?: (commandName: string | undefined) => void; writeMaxAttempts?: number; s3?: S3Client } = {}) {
  const predictionsClient: DynamoDBClient = dynamoServer.client({ maxAttempts: 1 });
  const puts = { count: 0 };
  predictionsClient.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PutItemCommand') puts.count++;
      options.faults?.(context.commandName);
      return next(args);
    },
    { step: 'initialize', name: 'countAndFaultPuts' },
  );
  const step = writePredictionsStep({
    config: { ...config, writeMaxAttempts: options.writeMaxAttempts ?? config.writeMaxAttempts },
    s3: options.s3 ?? s3,
    predictions: DynamoDBDocumentClient.from(predictionsClient),
    idempotency: dynamoServer.client(),
    logger,
  });
  // Invoked as Lambda would, with a context (Powertools reads the remaining time from it).
  const context = { awsRequestId: 'test', functionName: 'lambda-dynamo', getRemainingTimeInMillis: () => 60_000 };
  return { step: (event: unknown) => step(event, context), puts };
}

beforeAll(async () => {
  [s3Server, dynamoServer] = await Promise.all([startS3([BUCKET]), startDynamo()]);
  s3 = s3Server.client();
  reader = DynamoDBDocumentClient.from(dynamoServer.client());
});

beforeEach(async () => {
  // Fresh tables per test: the idempotency records of one test must not answer another's calls.
  const admin = dynamoServer.client();
  for (const table of ['predictions', 'idempotency']) await admin.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
  await dynamoServer.createTable('predictions', 'dataset', 'customer_id');
  await dynamoServer.createTable('idempotency', 'id');
});

afterAll(async () => {
  s3?.destroy();
  await Promise.all([s3Server?.stop(), dynamoServer?.stop()]);
});

describe('WritePredictions step', () => {
  it('stores every valid line of every output object and reports each rejected line by number', async () => {
    const prefix = 'cdnow/predictions/r1/';
    await putOutput(`${prefix}customers-0.jsonl.out`, jsonLines([prediction(1, '2011-12-10'), prediction(2, '2011-12-10')]));
    await putOutput(
      `${prefix}customers-1.jsonl.out`,
      [JSON.stringify(prediction(3, '2011-12-10')), '{"customer_id": "4"', '', JSON.stringify({ ...prediction(5, '2011-12-10'), p_order_90d: 1.5 }), JSON.stringify(prediction(6, '2011-12-10')), olderRelease(7)].join('\n') + '\n',
    );
    await putOutput(`${prefix}notes.txt`, 'not transform output');
    const { step } = stepWith();

    const output = await step({ dataset: 'cdnow', run: 'r1' });

    const uri = `s3://${BUCKET}/${prefix}customers-1.jsonl.out`;
    expect(output).toEqual({
      objects: 2,
      written: 5,
      skipped: 0,
      rejectedCount: 3,
      rejected: [
        { uri, line: 2, reason: 'not JSON' },
        { uri, line: 3, reason: 'empty line' },
        { uri, line: 4, reason: expect.stringMatching(/^field "p_order_90d"/) },
      ],
    });
    const lastModified = (await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${prefix}customers-0.jsonl.out` }))).LastModified!;
    const items = await storedItems('cdnow');
    expect(items.map((item) => item.customer_id).sort()).toEqual(['1', '2', '3', '6', '7']);
    // A line from a release before p_alive and expected_orders_365d existed is stored with them null.
    expect(items.find((item) => item.customer_id === '7')).toMatchObject({ p_alive: null, expected_orders_365d: null, p_order_90d: 0.5 });
    expect(items.find((item) => item.customer_id === '1')).toEqual({
      dataset: 'cdnow',
      ...prediction(1, '2011-12-10'),
      run: 'r1',
      predicted_at: lastModified.toISOString(),
      prediction_version: `2011-12-10|${lastModified.toISOString()}`,
    });
  });

  it('does not let an older run overwrite a newer one, and lets a newer run overwrite', async () => {
    await putOutput('retail/predictions/new/customers.jsonl.out', jsonLines([prediction(1, '2011-12-10', 'new'), prediction(2, '2011-12-10', 'new')]));
    await putOutput('retail/predictions/old/customers.jsonl.out', jsonLines([prediction(1, '2011-12-01', 'old'), prediction(3, '2011-12-01', 'old')]));
    await putOutput('retail/predictions/newest/customers.jsonl.out', jsonLines([prediction(2, '2011-12-20', 'newest')]));
    const { step } = stepWith();

    expect(await step({ dataset: 'retail', run: 'new' })).toMatchObject({ written: 2, skipped: 0 });
    expect(await step({ dataset: 'retail', run: 'old' })).toMatchObject({ written: 1, skipped: 1 });
    expect(await step({ dataset: 'retail', run: 'newest' })).toMatchObject({ written: 1, skipped: 0 });

    const byCustomer = Object.fromEntries((await storedItems('retail')).map((item) => [item.customer_id, [item.run, item.model_version]]));
    expect(byCustomer).toEqual({ '1': ['new', 'new'], '2': ['newest', 'newest'], '3': ['old', 'old'] });
  });

  it('answers a second invocation with the same input from the stored result, writing nothing again', async () => {
    await putOutput('twice/predictions/r1/customers.jsonl.out', jsonLines([1, 2, 3].map((c) => prediction(c, '2011-12-10'))));
    const { step, puts } = stepWith();

    const first = await step({ dataset: 'twice', run: 'r1' });
    const putsOfFirst = puts.count;
    const second = await step({ dataset: 'twice', run: 'r1' });

    expect(second).toEqual(first);
    expect(putsOfFirst).toBe(3);
    expect(puts.count).toBe(3);
    expect(await storedItems('twice')).toHaveLength(3);
    await expect(step({ dataset: 'twice', run: 'r1', predictionsUri: `s3://${BUCKET}/elsewhere/` })).rejects.toThrow(IdempotencyValidationError);
  });

  it('completes on a retry after failing midway, losing nothing and duplicating nothing', async () => {
    const records = Array.from({ length: 30 }, (_, i) => prediction(i + 1, '2011-12-10'));
    await putOutput('retry/predictions/r1/customers.jsonl.out', jsonLines(records));
    let calls = 0;
    const broken = stepWith({
      faults: (command) => {
        if (command === 'PutItemCommand' && ++calls > 10) throw Object.assign(new Error('Access denied'), { name: 'AccessDeniedException' });
      },
    });

    await expect(broken.step({ dataset: 'retry', run: 'r1' })).rejects.toThrow('Access denied');
    const afterFailure = (await storedItems('retry')).length;
    const retried = await stepWith().step({ dataset: 'retry', run: 'r1' });

    expect(afterFailure).toBeGreaterThanOrEqual(10);
    expect(afterFailure).toBeLessThan(30);
    expect(retried).toMatchObject({ written: 30, skipped: 0, rejectedCount: 0 });
    const items = await storedItems('retry');
    expect(items.map((item) => Number(item.customer_id)).sort((a, b) => a - b)).toEqual(records.map((_, i) => i + 1));
  });

  it('retries throttled puts until every item is written once', async () => {
    const records = Array.from({ length: 40 }, (_, i) => prediction(i + 1, '2011-12-10'));
    await putOutput('throttled/predictions/r1/customers.jsonl.out', jsonLines(records));
    let calls = 0;
    const { step, puts } = stepWith({
      faults: (command) => {
        // A burst: two of every three of the first 60 puts are throttled, some items several times.
        if (command === 'PutItemCommand' && ++calls <= 60 && calls % 3 !== 0) {
          throw new ProvisionedThroughputExceededException({ message: 'The level of configured provisioned throughput for the table was exceeded', $metadata: {} });
        }
      },
    });

    const output = await step({ dataset: 'throttled', run: 'r1' });

    expect(output).toMatchObject({ written: 40, skipped: 0, rejectedCount: 0 });
    expect(puts.count).toBe(80);
    const items = await storedItems('throttled');
    expect(items).toHaveLength(40);
    expect(new Set(items.map((item) => item.customer_id)).size).toBe(40);
  });

  it('fails when the run has no transform output', async () => {
    const { step } = stepWith();
    await expect(step({ dataset: 'empty', run: 'r1' })).rejects.toThrow(PredictionsNotFoundError);
    await expect(step({ dataset: 'empty', run: 'r1' })).rejects.toThrow(`s3://${BUCKET}/empty/predictions/r1/`);
  });

  it('fails naming the object when S3 sends it without Last-Modified (what orders runs), and writes nothing', async () => {
    await putOutput('undated/predictions/r1/customers.jsonl.out', jsonLines([prediction(1, '2011-12-10'), prediction(2, '2011-12-10')]));
    // s3rver always sends Last-Modified; this client drops it from GetObject, as a store that omits it would.
    const undated = s3Server.client();
    undated.middlewareStack.add(
      (next, { commandName }) =>
        async (args) => {
          const result = await next(args);
          if (commandName === 'GetObjectCommand') delete (result.output as { LastModified?: Date }).LastModified;
          return result;
        },
      { step: 'initialize', name: 'dropLastModified' },
    );
    const { step, puts } = stepWith({ s3: undated });

    await expect(step({ dataset: 'undated', run: 'r1' })).rejects.toThrow(`s3://${BUCKET}/undated/predictions/r1/customers.jsonl.out came without a Last-Modified time`);
    expect(puts.count).toBe(0);
    expect(await storedItems('undated')).toEqual([]);
    undated.destroy();
  });

  it('reads an explicit predictions prefix', async () => {
    await putOutput('manual/scores/customers.jsonl.out', jsonLines([prediction(7, '2011-12-10')]));
    const { step } = stepWith();
    expect(await step({ dataset: 'manual', run: 'r1', predictionsUri: `s3://${BUCKET}/manual/scores/` })).toMatchObject({ objects: 1, written: 1 });
    expect(await storedItems('manual')).toHaveLength(1);
  });
});

describe('putPrediction', () => {
  it('orders predictions of the same as-of date by when they were made; an equal one is rewritten', async () => {
    const documents = DynamoDBDocumentClient.from(dynamoServer.client());
    const policy = { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 };
    const item = (predictedAt: string, model: string) => predictionItem(prediction(1, '2011-12-10', model), { dataset: 'order', run: model, predictedAt });

    expect(await putPrediction(documents, 'predictions', item('2026-11-26T10:00:00.000Z', 'b'), policy)).toBe('written');
    expect(await putPrediction(documents, 'predictions', item('2026-11-26T09:59:59.000Z', 'a'), policy)).toBe('skipped');
    expect(await putPrediction(documents, 'predictions', item('2026-11-26T10:00:00.000Z', 'b'), policy)).toBe('written');
    expect((await storedItems('order')).map((stored) => stored.model_version)).toEqual(['b']);
  });
});

describe('listTransformOutputs', () => {
  it('lists every page', async () => {
    for (let i = 0; i < 5; i++) await putOutput(`paged/predictions/r1/part-${i}.jsonl.out`, jsonLines([prediction(i, '2011-12-10')]));
    await putOutput('paged/predictions/r1/_manifest.json', '{}');
    const listed = await listTransformOutputs(s3, { bucket: BUCKET, prefix: 'paged/predictions/r1/' }, 2);
    expect(listed.outputs).toEqual([0, 1, 2, 3, 4].map((i) => `paged/predictions/r1/part-${i}.jsonl.out`));
    expect(listed.others).toEqual(['paged/predictions/r1/_manifest.json']);
  });
});
