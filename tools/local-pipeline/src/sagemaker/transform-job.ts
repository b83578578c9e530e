import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BatchStrategy, CreateTransformJobRequest, DescribeTransformJobResponse } from '@aws-sdk/client-sagemaker';
import type { S3Client } from '@aws-sdk/client-s3';
import { parseS3Uri } from '@nextbuy/contracts';
import { asFolder, keyUnderPrefix, listKeys, objectStream, uploadObject } from '../s3-objects';
import type { SageMakerControlPlane } from './control-plane';
import { fetchModelArtifact, startModelServer, type ModelServer } from './model-server';

export interface TransformJobDeps {
  s3: S3Client;
  plane: SageMakerControlPlane;
  /** The serving image's `serve` entry point, run here as `node <bundle>`. */
  inferenceBundle: string;
  /** The job's log goes to `<logDir>/<job>.log`. */
  logDir: string;
  /** How long the model server may take to become ready. */
  readyTimeoutMs?: number;
  progress?: (message: string) => void;
  /** Stops the model server (the pipeline is shutting down). */
  signal?: AbortSignal;
}

const MIB = 1024 * 1024;
/** SageMaker's defaults when neither the request nor GET /execution-parameters sets them. */
const DEFAULTS = { MaxConcurrentTransforms: 1, MaxPayloadInMB: 6, BatchStrategy: 'MultiRecord' as BatchStrategy };
/** ModelClientConfig's defaults. */
const INVOCATION_DEFAULTS = { InvocationsTimeoutInSeconds: 600, InvocationsMaxRetries: 3 };

/** A job failure SageMaker reports in FailureReason. */
class JobFailure extends Error {}

/**
 * Mini-batches of records (lines) for MultiRecord: as many whole lines as fit in `maxBytes`
 * (newlines counted), in order; SingleRecord sends one line per request. A line larger than the
 * payload limit fails the job, as in SageMaker.
 */
export function miniBatches(lines: readonly string[], strategy: BatchStrategy, maxBytes: number): string[][] {
  const batches: string[][] = [];
  let batch: string[] = [];
  let bytes = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(line) + 1;
    if (size > maxBytes) throw new JobFailure(`ClientError: a record of ${size} bytes is larger than MaxPayloadInMB (${maxBytes / MIB} MB)`);
    if (batch.length > 0 && (strategy === 'SingleRecord' || bytes + size > maxBytes)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(line);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * Runs a batch transform job here as SageMaker runs one: the model's artifact is downloaded and
 * extracted, its serving container started as a process (with the model's Environment), and each
 * object under the input S3 prefix is split into lines (SplitType Line), sent to POST /invocations
 * in mini-batches under MaxPayloadInMB (BatchStrategy), MaxConcurrentTransforms at a time, and the
 * responses assembled line by line (AssembleWith Line) into `<object>.out` under S3OutputPath.
 * Every input line must get exactly one output line. The server is stopped at the end. Returns
 * the DescribeTransformJob of the finished job (Completed or Failed).
 */
export async function runTransformJob(request: CreateTransformJobRequest, deps: TransformJobDeps): Promise<DescribeTransformJobResponse> {
  const { plane, s3, progress } = deps;
  const created = plane.createTransformJob(request);
  const name = created.TransformJobName!;
  const startedAt = new Date();
  plane.updateTransformJob(name, { TransformStartTime: startedAt });
  const workdir = await mkdtemp(join(tmpdir(), `nextbuy-${name}-`));
  let server: ModelServer | undefined;
  try {
    const input = request.TransformInput!;
    const output = request.TransformOutput!;
    if (input.SplitType !== 'Line' || (output.AssembleWith ?? 'None') !== 'Line' || input.DataSource?.S3DataSource?.S3DataType !== 'S3Prefix') {
      throw new JobFailure('ClientError: the local transform runner supports S3Prefix input with SplitType Line and AssembleWith Line only');
    }
    const container = plane.describeModel(request.ModelName!).PrimaryContainer;
    if (!container?.ModelDataUrl) throw new JobFailure(`ClientError: model "${request.ModelName}" has no ModelDataUrl`);
    const modelDir = await fetchModelArtifact(s3, container.ModelDataUrl, workdir);
    progress?.(`transform job ${name}: starting the model server for ${request.ModelName}`);
    server = await startModelServer({
      bundle: deps.inferenceBundle,
      modelDir,
      environment: {
        ...container.Environment,
        SAGEMAKER_BATCH: 'true',
        ...(request.MaxPayloadInMB !== undefined ? { SAGEMAKER_MAX_PAYLOAD_IN_MB: String(request.MaxPayloadInMB) } : {}),
        ...(request.MaxConcurrentTransforms !== undefined ? { SAGEMAKER_MAX_CONCURRENT_TRANSFORMS: String(request.MaxConcurrentTransforms) } : {}),
      },
      logFile: join(deps.logDir, `${name}.log`),
      readyTimeoutMs: deps.readyTimeoutMs ?? 120_000,
      signal: deps.signal,
    });
    const requested = definedOf({ MaxConcurrentTransforms: request.MaxConcurrentTransforms, MaxPayloadInMB: request.MaxPayloadInMB, BatchStrategy: request.BatchStrategy });
    const settings = { ...DEFAULTS, ...(await executionParameters(server.url)), ...requested };
    const client = { ...INVOCATION_DEFAULTS, ...definedOf(request.ModelClientConfig ?? {}) };
    const source = parseS3Uri(input.DataSource.S3DataSource.S3Uri!);
    const target = parseS3Uri(output.S3OutputPath!);
    const keys = await listKeys(s3, source.bucket, source.key);
    if (keys.length === 0) throw new JobFailure(`ClientError: no S3 objects found under ${input.DataSource.S3DataSource.S3Uri}`);
    for (const key of keys) {
      const lines: string[] = [];
      for await (const line of createInterface({ input: await objectStream(s3, source.bucket, key), crlfDelay: Infinity })) {
        if (line.trim() !== '') lines.push(line);
      }
      const batches = miniBatches(lines, settings.BatchStrategy, settings.MaxPayloadInMB * MIB);
      progress?.(`transform job ${name}: ${keyUnderPrefix(source.key, key)}, ${lines.length} records in ${batches.length} mini-batch(es)`);
      const responses = await inParallel(batches, settings.MaxConcurrentTransforms, (batch) =>
        invoke(server!.url, batch, { contentType: input.ContentType, accept: output.Accept, ...client }),
      );
      const outKey = `${asFolder(target.key)}${keyUnderPrefix(source.key, key)}.out`;
      await uploadObject(s3, { bucket: target.bucket, key: outKey, contentType: output.Accept ?? 'application/octet-stream' }, { text: `${responses.flat().join('\n')}\n` });
    }
    return plane.updateTransformJob(name, { TransformJobStatus: 'Completed', TransformEndTime: new Date() });
  } catch (error) {
    const reason = error instanceof JobFailure ? error.message : `ClientError: ${(error as Error).message}`;
    return plane.updateTransformJob(name, { TransformJobStatus: 'Failed', FailureReason: reason, TransformEndTime: new Date() });
  } finally {
    await server?.stop();
    await rm(workdir, { recursive: true, force: true });
  }
}

/** The request's settings that are set (an unset one falls back to the container's, then SageMaker's default). */
function definedOf<T extends object>(settings: T): Partial<T> {
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** GET /execution-parameters names the strategy in the container contract's spelling. */
const CONTAINER_STRATEGIES: Record<string, BatchStrategy> = { MULTI_RECORD: 'MultiRecord', SINGLE_RECORD: 'SingleRecord' };

/** The container's preferred settings (GET /execution-parameters), if it answers. */
async function executionParameters(url: string): Promise<Partial<typeof DEFAULTS>> {
  const response = await fetch(`${url}/execution-parameters`).catch(() => undefined);
  if (response?.status !== 200) return {};
  const body = (await response.json()) as { MaxConcurrentTransforms?: number; MaxPayloadInMB?: number; BatchStrategy?: string };
  return definedOf({
    MaxConcurrentTransforms: body.MaxConcurrentTransforms,
    MaxPayloadInMB: body.MaxPayloadInMB,
    BatchStrategy: CONTAINER_STRATEGIES[body.BatchStrategy ?? ''],
  });
}

/** Runs `work` over `items` with at most `concurrency` at once; results in item order. */
async function inParallel<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runner = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, runner));
  return results;
}

/** One POST /invocations of a mini-batch, retried as ModelClientConfig says; its output lines, one per record. */
async function invoke(
  url: string,
  records: string[],
  options: { contentType?: string; accept?: string; InvocationsTimeoutInSeconds: number; InvocationsMaxRetries: number },
): Promise<string[]> {
  let failure = '';
  for (let attempt = 0; attempt <= options.InvocationsMaxRetries; attempt++) {
    try {
      const response = await fetch(`${url}/invocations`, {
        method: 'POST',
        headers: { ...(options.contentType ? { 'content-type': options.contentType } : {}), ...(options.accept ? { accept: options.accept } : {}) },
        body: `${records.join('\n')}\n`,
        signal: AbortSignal.timeout(options.InvocationsTimeoutInSeconds * 1000),
      });
      const text = await response.text();
      if (response.status !== 200) {
        failure = `POST /invocations answered ${response.status}: ${text.slice(0, 500)}`;
        // A client error is the same on every attempt.
        if (response.status < 500) break;
        continue;
      }
      const lines = text.split('\n').filter((line) => line.trim() !== '');
      if (lines.length !== records.length) {
        throw new JobFailure(`ClientError: the model returned ${lines.length} lines for a mini-batch of ${records.length} records; AssembleWith Line needs one per record`);
      }
      return lines;
    } catch (error) {
      if (error instanceof JobFailure) throw error;
      failure = `POST /invocations failed: ${(error as Error).message}`;
    }
  }
  throw new JobFailure(`ClientError: ${failure}`);
}
