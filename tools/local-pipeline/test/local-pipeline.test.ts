// The whole local loop, with every server real and shared by the file: the synthesized state
// machine on aws-local-stepfunctions, the built Lambda bundles, the trainer and inference server
// processes, s3rver, dynalite and PGlite. A small data set and few boosting rounds keep each
// execution to seconds.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { customerHistorySchema, predictionRecordSchema } from '@nextbuy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskError } from '../src/errors';
import { LOCAL_RESOURCES } from '../src/local-aws';
import type { DatasetOutcome } from '../src/outcomes';
import { LocalPipeline, type ExecutionOptions, type ExecutionReport } from '../src/pipeline';
import { objectStream } from '../src/s3-objects';
import { formatSummary, summarizeDatasets } from '../src/summary';

const ROWS = 25_000;
const FAST = { num_boost_round: '20' };

let workdir: string;
let pipeline: LocalPipeline;

beforeAll(async () => {
  workdir = await mkdtemp(join(tmpdir(), 'local-pipeline-test-'));
  pipeline = await LocalPipeline.start({ logDir: join(workdir, 'logs') });
  await pipeline.source.loadGenerated('transactions_shop', { rows: ROWS, seed: 3 });
  pipeline.useSourceTable('shop', 'transactions_shop');
});

afterAll(async () => {
  await pipeline?.stop();
  await rm(workdir, { recursive: true, force: true });
});

async function text(key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await objectStream(pipeline.aws.s3, LOCAL_RESOURCES.bucket, key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function lines(key: string): Promise<string[]> {
  return (await text(key)).split('\n').filter((line) => line !== '');
}

/** Every item of the predictions table for a dataset. */
async function storedPredictions(dataset: string): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  const documents = DynamoDBDocumentClient.from(pipeline.aws.dynamo);
  for await (const page of paginateScan({ client: documents }, { TableName: LOCAL_RESOURCES.predictionsTable })) {
    items.push(...(page.Items ?? []).filter((item) => item.dataset === dataset));
  }
  return items;
}

function outcome(report: ExecutionReport, dataset: string): DatasetOutcome {
  return report.datasets.find((entry) => entry.dataset === dataset)!;
}

function attempts(report: ExecutionReport, dataset: string, state: string): number | undefined {
  return outcome(report, dataset).states.find((timing) => timing.state === state)?.attempts;
}

/** Fails with the dataset's own error and cause, which say more than the execution's summary. */
function expectSucceeded(report: ExecutionReport, dataset: string): void {
  expect(outcome(report, dataset).data?.failure, `${dataset} failed`).toBeUndefined();
  expect(outcome(report, dataset).status).toBe('SUCCEEDED');
}

/** The dataset a Task's input is about: its `dataset`, or the first segment of its S3 keys (SageMaker requests). */
function datasetOf(input: unknown): string | undefined {
  const dataset = (input as { dataset?: unknown }).dataset;
  return typeof dataset === 'string' ? dataset : /s3:\/\/[^/]+\/([^/]+)\//.exec(JSON.stringify(input))?.[1];
}

/** Runs an execution, counting each Task state's calls per dataset. */
async function execute(options: ExecutionOptions): Promise<{ report: ExecutionReport; calls: Map<string, number> }> {
  const calls = new Map<string, number>();
  const intercept = options.interceptTask;
  const report = await pipeline.execute({
    ...options,
    interceptTask: (task, proceed) => {
      const key = `${datasetOf(task.input)}:${task.state}`;
      calls.set(key, (calls.get(key) ?? 0) + 1);
      return intercept ? intercept(task, proceed) : proceed();
    },
  });
  return { report, calls };
}

describe('the local pipeline', () => {
  it('runs the whole loop: exactly one prediction per scored customer in the table, in the batch input order', async () => {
    const { report } = await execute({ datasets: ['shop'], run: 'r1', hyperparameters: FAST });
    expectSucceeded(report, 'shop');
    expect(report.status).toBe('SUCCEEDED');
    const data = outcome(report, 'shop').data!;
    expect(outcome(report, 'shop').states.map((state) => state.state)).toEqual(['Extract', 'Train', 'CreateModel', 'Transform', 'WritePredictions']);

    const customers = (await lines('shop/batch-input/r1/customers.jsonl')).map((line) => customerHistorySchema.parse(JSON.parse(line)).customer_id);
    expect(customers.length).toBe(data.extract!.batchInput.customers);
    expect(customers.length).toBeGreaterThan(100);
    // AssembleWith Line: output line i is the prediction of input line i.
    const output = (await lines('shop/predictions/r1/customers.jsonl.out')).map((line) => predictionRecordSchema.parse(JSON.parse(line)));
    expect(output.map((record) => record.customer_id)).toEqual(customers);

    const stored = await storedPredictions('shop');
    expect(stored.length).toBe(customers.length);
    expect(new Set(stored.map((item) => item.customer_id))).toEqual(new Set(customers));
    // Every item carries the artifact's BG/NBD quantities, whatever the model type.
    for (const item of stored) {
      expect(item.p_alive).toBeGreaterThanOrEqual(0);
      expect(item.p_alive).toBeLessThanOrEqual(1);
      expect(item.expected_orders_365d).toBeGreaterThanOrEqual(0);
    }
    expect(new Set(stored.map((item) => item.run))).toEqual(new Set(['r1']));
    expect(data.writePredictions).toMatchObject({ written: customers.length, skipped: 0, rejectedCount: 0 });

    // The training job as SageMaker records it: string hyperparameters, metrics from its log, the artifact where SageMaker puts it.
    const job = pipeline.sagemaker.describeTrainingJob(data.train!.trainingJobName);
    expect(job).toMatchObject({ TrainingJobStatus: 'Completed', HyperParameters: { model_backend: 'xgboost', seed: '42', num_boost_round: '20' } });
    expect(job.FinalMetricDataList?.map((metric) => metric.MetricName)).toContain('mae_days');
    expect(data.train!.modelArtifacts).toBe(`s3://${LOCAL_RESOURCES.bucket}/shop/models/${job.TrainingJobName}/output/model.tar.gz`);
    await pipeline.aws.s3.send(new HeadObjectCommand({ Bucket: LOCAL_RESOURCES.bucket, Key: `shop/models/${job.TrainingJobName}/output/model.tar.gz` }));

    const [summary] = await summarizeDatasets(pipeline, report, join(workdir, 'runs', 'r1'), new Map());
    expect(Object.keys(summary!.model!.backtest.metrics)).toEqual(expect.arrayContaining(['model', 'baseline_km', 'baseline_recency', 'baseline_customer_mean', 'baseline_bgnbd', 'baseline_pareto_nbd']));
    expect(existsSync(summary!.reportPath!)).toBe(true);
    expect(summary!.samples.length).toBe(3);
    expect(formatSummary(report, [summary!], workdir).at(-1)).toBe(`predictions written: ${customers.length}`);
  });

  it('retries a throttled Extract and a WritePredictions whose answer was lost, as the Retry says, leaving no duplicates', async () => {
    const failed = new Set<string>();
    const { report, calls } = await execute({
      datasets: ['shop'],
      run: 'r2',
      hyperparameters: FAST,
      interceptTask: async (task, proceed) => {
        if (task.state === 'Extract' && !failed.has('Extract')) {
          failed.add('Extract');
          throw new TaskError('Lambda.TooManyRequestsException', 'Rate Exceeded.');
        }
        const result = await proceed();
        if (task.state === 'WritePredictions' && !failed.has('WritePredictions')) {
          // The function ran and wrote; its answer is lost on the way back.
          failed.add('WritePredictions');
          throw new TaskError('Lambda.ServiceException', 'Lambda was unable to return the response');
        }
        return result;
      },
    });
    expectSucceeded(report, 'shop');
    expect(report.status).toBe('SUCCEEDED');
    expect(calls.get('shop:Extract')).toBe(2);
    expect(calls.get('shop:WritePredictions')).toBe(2);
    expect(attempts(report, 'shop', 'Extract')).toBe(2);
    expect(attempts(report, 'shop', 'WritePredictions')).toBe(2);
    const customers = await lines('shop/batch-input/r2/customers.jsonl');
    // The retried WritePredictions answered from its idempotency record: the first attempt's counts.
    expect(outcome(report, 'shop').data!.writePredictions).toMatchObject({ written: customers.length, skipped: 0 });
    const stored = await storedPredictions('shop');
    expect(stored.length).toBe(customers.length);
    // Same as-of date, later prediction: the rerun replaced every item of r1.
    expect(new Set(stored.map((item) => item.run))).toEqual(new Set(['r2']));
  });

  it('replays a finished run as AWS would: Extract answers from its record, the repeated training job name is refused, nothing is written', async () => {
    const before = await storedPredictions('shop');
    const { report, calls } = await execute({ datasets: ['shop'], run: 'r1', hyperparameters: FAST, retryIntervalMs: 0 });
    expect(report.status).toBe('FAILED');
    const shop = outcome(report, 'shop');
    expect(shop.data!.extract!.transactions.uri).toBe(`s3://${LOCAL_RESOURCES.bucket}/shop/raw/r1/transactions.csv.gz`);
    // A SageMaker ValidationException is a SageMaker.AmazonSageMakerException to Step Functions, which Train's Retry matches: 5 retries.
    expect(calls.get('shop:Train')).toBe(6);
    expect(shop.data!.failure!.Error).toBe('SageMaker.AmazonSageMakerException');
    expect(shop.data!.failure!.Cause).toMatch(/a training job with this name already exists.*Error Code: ValidationException/);
    expect(await storedPredictions('shop')).toEqual(before);
  });

  it('catches a failed training job into RecordFailure without retrying it, while the other dataset carries on', async () => {
    pipeline.useSourceTable('broken', 'transactions_shop');
    // A stray object under the train channel's prefix: the real trainer reads a channel of two files
    // as one folder, and the stray one, not a transactions file, fails the job naming it.
    await pipeline.aws.s3.send(new PutObjectCommand({ Bucket: LOCAL_RESOURCES.bucket, Key: 'broken/raw/r3/transactions.csv.gz.partial', Body: 'x' }));
    const { report, calls } = await execute({ datasets: ['broken', 'shop'], run: 'r3', hyperparameters: FAST });
    expectSucceeded(report, 'shop');
    expect(report.status).toBe('FAILED');
    expect(report.error).toEqual({ error: 'DatasetsFailed', cause: 'datasets ["broken","shop"] ended ["FAILED","SUCCEEDED"]' });

    const broken = outcome(report, 'broken');
    expect(broken.status).toBe('FAILED');
    expect(broken.states.map((state) => state.state)).toEqual(['Extract', 'Train']);
    expect(calls.get('broken:Train')).toBe(1);
    expect(broken.data!.failure!.Error).toBe('States.TaskFailed');
    const job = JSON.parse(broken.data!.failure!.Cause) as { TrainingJobStatus: string; FailureReason: string };
    expect(job.TrainingJobStatus).toBe('Failed');
    expect(job.FailureReason).toMatch(/^AlgorithmError: .*transactions\.csv\.gz\.partial, line 1: missing columns? /);
    expect(await storedPredictions('broken')).toEqual([]);

    expect(new Set((await storedPredictions('shop')).map((item) => item.run))).toEqual(new Set(['r3']));
  });

  it('does not overwrite newer predictions with those of a run as of an older date', async () => {
    const before = await storedPredictions('shop');
    // The source as it stood at the end of September: the same customers, less history.
    await pipeline.source.sql(`CREATE TABLE transactions_shop_september AS SELECT * FROM transactions_shop WHERE "InvoiceDate" < '2011-10-01'`);
    pipeline.useSourceTable('shop', 'transactions_shop_september');
    const { report } = await execute({ datasets: ['shop'], run: 'r4', hyperparameters: FAST });
    expectSucceeded(report, 'shop');
    const data = outcome(report, 'shop').data!;
    expect(data.extract!.batchInput.asOfDate < String(before[0]!.as_of_date)).toBe(true);
    expect(data.writePredictions).toMatchObject({ written: 0, skipped: data.extract!.batchInput.customers });
    const after = await storedPredictions('shop');
    const key = (item: Record<string, unknown>) => String(item.customer_id);
    expect(after.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(before.sort((a, b) => key(a).localeCompare(key(b))));
  });
});
