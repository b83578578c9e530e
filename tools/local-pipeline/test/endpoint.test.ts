// The real-time endpoint path of the local run, with every server real: the synthesized state
// machine's endpoint steps against the local SageMaker endpoints, served by the real inference
// server processes and called through @aws-sdk/client-sagemaker-runtime. Dataset "shop" has a
// serverless endpoint; "plain" has none.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { extractArtifact, packArtifact } from '@nextbuy/artifact';
import { parseS3Uri, predictionRecordSchema } from '@nextbuy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callEndpoints, localSageMakerClients } from '../src/endpoint-calls';
import { LOCAL_RESOURCES } from '../src/local-aws';
import type { DatasetOutcome } from '../src/outcomes';
import { LocalPipeline, type ExecutionReport } from '../src/pipeline';
import { downloadObject, objectStream, uploadObject } from '../src/s3-objects';

const FAST = { num_boost_round: '10' };

let workdir: string;
let pipeline: LocalPipeline;
let runtime: SageMakerRuntimeClient;

beforeAll(async () => {
  workdir = await mkdtemp(join(tmpdir(), 'local-endpoint-test-'));
  pipeline = await LocalPipeline.start({
    logDir: join(workdir, 'logs'),
    endpoints: { shop: { serverless: { memorySizeMb: 2048, maxConcurrency: 5 }, keepConfigs: 2 } },
    // A model that never answers /ping fails its deployment after this long (SageMaker's health check).
    endpointReadyTimeoutMs: 10_000,
  });
  await pipeline.source.loadGenerated('transactions_shop', { rows: 20_000, seed: 5 });
  pipeline.useSourceTable('shop', 'transactions_shop');
  runtime = localSageMakerClients(pipeline.apiUrl).runtime;
});

afterAll(async () => {
  runtime?.destroy();
  await pipeline?.stop();
  await rm(workdir, { recursive: true, force: true });
});

function outcome(report: ExecutionReport): DatasetOutcome {
  return report.datasets.find((entry) => entry.dataset === 'shop')!;
}

async function firstCustomers(run: string, count: number): Promise<string> {
  const text: Buffer[] = [];
  for await (const chunk of await objectStream(pipeline.aws.s3, LOCAL_RESOURCES.bucket, `shop/batch-input/${run}/customers.jsonl`)) text.push(chunk as Buffer);
  return `${Buffer.concat(text).toString('utf8').split('\n').slice(0, count).join('\n')}\n`;
}

/** One InvokeEndpoint as a user's code sends it; the model_version of each prediction. */
async function invoke(body: string): Promise<string[]> {
  const answer = await runtime.send(new InvokeEndpointCommand({ EndpointName: 'nextbuy-shop', ContentType: 'application/jsonlines', Accept: 'application/jsonlines', Body: Buffer.from(body) }));
  return answer.Body.transformToString()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => predictionRecordSchema.parse(JSON.parse(line)).model_version);
}

const endpointTasks = (report: ExecutionReport) => outcome(report).states.map((state) => state.state).filter((state) => /Endpoint/.test(state));

describe('the endpoint path of the local run', () => {
  let firstVersion: string;

  it('creates the endpoint on the first run, waits until it is InService, and serves the new model to the runtime SDK', async () => {
    const report = await pipeline.execute({ datasets: ['shop'], run: 'e1', hyperparameters: FAST });
    expect(outcome(report).data?.failure).toBeUndefined();
    expect(report.status).toBe('SUCCEEDED');
    expect(endpointTasks(report)).toEqual(['CreateEndpointConfig', 'FindEndpoint', 'CreateEndpoint', 'DescribeEndpoint', 'ListEndpointConfigs']);
    expect(outcome(report).data?.endpoint).toEqual({ deployed: true, name: 'nextbuy-shop', configName: 'nextbuy-shop--e1', status: 'InService' });

    const described = pipeline.endpoints.describeEndpoint('nextbuy-shop');
    expect(described).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'nextbuy-shop--e1' });
    const calls = await callEndpoints(pipeline.apiUrl, pipeline.aws.s3, report, 3);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ endpointName: 'nextbuy-shop', status: 'InService', configName: 'nextbuy-shop--e1' });
    expect(calls[0]!.answers).toHaveLength(3);
    const body = await firstCustomers('e1', 3);
    const customers = body.trim().split('\n').map((line) => (JSON.parse(line) as { customer_id: string }).customer_id);
    expect(calls[0]!.answers.map((line) => (JSON.parse(line) as { customer_id: string }).customer_id)).toEqual(customers);
    firstVersion = (await invoke(body))[0]!;
    expect(firstVersion).toBeTruthy();
  });

  it('updates the endpoint in place to a newer model while a client keeps calling it: no call fails, and the answers move to the new model', async () => {
    const body = await firstCustomers('e1', 5);
    const versions: string[] = [];
    const failures: unknown[] = [];
    let calling = true;
    const client = (async () => {
      while (calling) {
        try {
          versions.push(...(await invoke(body)));
        } catch (error) {
          failures.push(error);
        }
      }
    })();
    const report = await pipeline.execute({ datasets: ['shop'], run: 'e2', hyperparameters: { ...FAST, seed: '7' } });
    // A few more calls once the run is over: they must reach the new model.
    const afterwards = versions.length;
    while (versions.length < afterwards + 10 && failures.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    calling = false;
    await client;

    expect(outcome(report).data?.failure).toBeUndefined();
    expect(report.status).toBe('SUCCEEDED');
    expect(endpointTasks(report)).toEqual(['CreateEndpointConfig', 'FindEndpoint', 'UpdateEndpoint', 'DescribeEndpoint', 'ListEndpointConfigs']);
    expect(failures).toEqual([]);
    const newVersion = versions.at(-1)!;
    expect(newVersion).not.toBe(firstVersion);
    // The client saw the old model, then the new one, never a gap or a step back.
    expect(versions[0]).toBe(firstVersion);
    expect(versions.lastIndexOf(firstVersion)).toBeLessThan(versions.indexOf(newVersion));
    expect(pipeline.endpoints.describeEndpoint('nextbuy-shop')).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'nextbuy-shop--e2' });
  });

  it('keeps the newest keepConfigs configurations (a third run deletes the first), and runs no endpoint step for a dataset without an endpoint', async () => {
    pipeline.useSourceTable('plain', 'transactions_shop');
    const report = await pipeline.execute({ datasets: ['shop', 'plain'], run: 'e3', hyperparameters: FAST });
    expect(report.status).toBe('SUCCEEDED');
    const plain = report.datasets.find((entry) => entry.dataset === 'plain')!;
    expect(plain.states.map((state) => state.state)).toEqual(['Extract', 'Train', 'CreateModel', 'Transform', 'WritePredictions']);
    expect(plain.data?.endpoint).toEqual({ deployed: false });
    expect(() => pipeline.endpoints.describeEndpoint('nextbuy-plain')).toThrow(/Could not find endpoint/);
    const names = pipeline.endpoints.listEndpointConfigs({ NameContains: 'nextbuy-shop--', MaxResults: 100 }).EndpointConfigs.map((config) => config.EndpointConfigName);
    expect(names).toEqual(['nextbuy-shop--e3', 'nextbuy-shop--e2']);
  });

  it('reports a failing update (a model that never answers /ping), leaving the previous model serving', async () => {
    const servingBefore = pipeline.endpoints.describeEndpoint('nextbuy-shop').EndpointConfigName;
    const versionBefore = (await invoke(await firstCustomers('e1', 1)))[0];
    const report = await pipeline.execute({
      datasets: ['shop'],
      run: 'e4',
      hyperparameters: FAST,
      retryIntervalMs: 0,
      interceptTask: async (task, proceed) => {
        if (task.state !== 'CreateEndpointConfig') return proceed();
        // The endpoint gets a copy of the new model whose artifact no longer matches its checksums: the server never becomes ready.
        const variant = (task.input as { ProductionVariants: Array<{ ModelName: string }> }).ProductionVariants[0]!;
        variant.ModelName = await brokenCopyOf(variant.ModelName);
        return proceed();
      },
    });

    expect(report.status).toBe('FAILED');
    expect(report.error).toEqual({ error: 'DatasetsFailed', cause: 'datasets ["shop"] ended ["ENDPOINT_FAILED"]' });
    const shop = outcome(report);
    expect(shop.status).toBe('ENDPOINT_FAILED');
    // The predictions of the run were written all the same.
    expect(shop.data?.writePredictions?.written).toBeGreaterThan(0);
    expect(shop.data?.endpointFailure?.Error).toBe('EndpointUpdateFailed');
    expect(shop.data?.endpointFailure?.Cause).toMatch(new RegExp(`^endpoint nextbuy-shop still serves ${servingBefore}, not nextbuy-shop--e4: .*did not pass the ping health check`));
    expect(endpointTasks(report)).not.toContain('ListEndpointConfigs');
    expect(pipeline.endpoints.describeEndpoint('nextbuy-shop')).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: servingBefore });
    expect(await invoke(await firstCustomers('e1', 1))).toEqual([versionBefore]);
  });
});

/** A model like `modelName` whose artifact has one model file changed after its checksums were written. */
async function brokenCopyOf(modelName: string): Promise<string> {
  const model = pipeline.sagemaker.describeModel(modelName);
  const source = parseS3Uri(model.PrimaryContainer!.ModelDataUrl!);
  const dir = await mkdtemp(join(workdir, 'broken-'));
  await downloadObject(pipeline.aws.s3, source.bucket, source.key, join(dir, 'model.tar.gz'));
  await extractArtifact(join(dir, 'model.tar.gz'), join(dir, 'model'));
  const manifest = JSON.parse(await readFile(join(dir, 'model', 'manifest.json'), 'utf8')) as { files: Record<string, string> };
  const file = Object.keys(manifest.files).find((name) => name.endsWith('.json') && name !== 'manifest.json')!;
  await writeFile(join(dir, 'model', file), `${await readFile(join(dir, 'model', file), 'utf8')} `);
  await packArtifact(join(dir, 'model'), join(dir, 'broken.tar.gz'));
  const key = `shop/models/broken/${modelName}/model.tar.gz`;
  await uploadObject(pipeline.aws.s3, { bucket: LOCAL_RESOURCES.bucket, key, contentType: 'application/gzip' }, { path: join(dir, 'broken.tar.gz') });
  const name = `${modelName.slice(0, 50)}-broken`;
  pipeline.sagemaker.createModel({ ModelName: name, ExecutionRoleArn: model.ExecutionRoleArn, PrimaryContainer: { ...model.PrimaryContainer, ModelDataUrl: `s3://${LOCAL_RESOURCES.bucket}/${key}` } });
  return name;
}
