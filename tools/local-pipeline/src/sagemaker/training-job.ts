import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { CreateTrainingJobRequest, DescribeTrainingJobResponse, MetricData } from '@aws-sdk/client-sagemaker';
import type { S3Client } from '@aws-sdk/client-s3';
import { packArtifact } from '@nextbuy/artifact';
import { MODEL_TARBALL, parseS3Uri, s3Uri, trainingJobModelKey } from '@nextbuy/contracts';
import { asFolder, downloadObject, keyUnderPrefix, listKeys, uploadObject } from '../s3-objects';
import type { SageMakerControlPlane } from './control-plane';

export interface TrainingJobDeps {
  s3: S3Client;
  plane: SageMakerControlPlane;
  /** The training image's `train` entry point, run here as `node <bundle>`. */
  trainerBundle: string;
  /** The job's log (its CloudWatch stream, locally) goes to `<logDir>/<job>.log`. */
  logDir: string;
  progress?: (message: string) => void;
  /** Stops the training process (the pipeline is shutting down). */
  signal?: AbortSignal;
}

/** SageMaker sends SIGTERM at MaxRuntimeInSeconds and SIGKILL this much later. */
const STOP_GRACE_MS = 120_000;
/** SageMaker shows at most this much of /opt/ml/output/failure as the FailureReason. */
const FAILURE_REASON_CHARS = 1024;

/** A job failure SageMaker reports in FailureReason (`ClientError: ...`, `AlgorithmError: ...`). */
class JobFailure extends Error {}

/** `<S3OutputPath>/<job>/output/model.tar.gz`, the key SageMaker uploads the model to. */
export function modelArtifactUri(s3OutputPath: string, jobName: string): string {
  const { bucket, key } = parseS3Uri(s3OutputPath);
  return s3Uri(bucket, trainingJobModelKey(asFolder(key), jobName));
}

/**
 * Runs a training job here as SageMaker runs its container: a fresh `/opt/ml` (under a temp
 * folder, passed as SM_OPT_ML_ROOT) with `input/config/hyperparameters.json` (string values),
 * `inputdataconfig.json`, `resourceconfig.json` and each S3Prefix channel's objects in
 * `input/data/<channel>/`; the trainer runs as a process with the request's Environment; the
 * metric definitions are matched on its log lines; on exit 0, `model/` is packed into
 * model.tar.gz and uploaded under the OutputDataConfig path; otherwise the job fails with the
 * failure file's text. Returns the DescribeTrainingJob of the finished job (Completed, Failed or
 * Stopped); the caller decides what a failure means.
 */
export async function runTrainingJob(request: CreateTrainingJobRequest, deps: TrainingJobDeps): Promise<DescribeTrainingJobResponse> {
  const { plane, s3, progress } = deps;
  const created = plane.createTrainingJob(request);
  const name = created.TrainingJobName!;
  const workdir = await mkdtemp(join(tmpdir(), `nextbuy-${name}-`));
  const root = join(workdir, 'opt', 'ml');
  const startedAt = new Date();
  plane.updateTrainingJob(name, { SecondaryStatus: 'Downloading', TrainingStartTime: startedAt });
  try {
    await layOut(request, root, s3, progress);
    plane.updateTrainingJob(name, { SecondaryStatus: 'Training' });
    progress?.(`training job ${name}: node ${deps.trainerBundle}`);
    const run = await runTrainer(request, root, deps, created.TrainingJobArn!);
    const endedAt = new Date();
    const seconds = Math.max(1, Math.round((endedAt.getTime() - startedAt.getTime()) / 1000));
    const timing = { TrainingEndTime: endedAt, TrainingTimeInSeconds: seconds, BillableTimeInSeconds: seconds, FinalMetricDataList: run.metrics };
    if (run.stopped) {
      return plane.updateTrainingJob(name, { ...timing, TrainingJobStatus: 'Stopped', SecondaryStatus: 'MaxRuntimeExceeded' });
    }
    if (run.exitCode !== 0) {
      const failure = (await readFile(join(root, 'output', 'failure'), 'utf8').catch(() => '')).slice(0, FAILURE_REASON_CHARS).trim();
      throw new JobFailure(`AlgorithmError: ${failure || 'the training process failed without a failure file'}, exit code: ${run.exitCode}`);
    }
    plane.updateTrainingJob(name, { SecondaryStatus: 'Uploading' });
    const tarball = join(workdir, MODEL_TARBALL);
    await packArtifact(join(root, 'model'), tarball);
    const artifact = modelArtifactUri(request.OutputDataConfig!.S3OutputPath!, name);
    const target = parseS3Uri(artifact);
    await uploadObject(s3, { ...target, contentType: 'application/gzip' }, { path: tarball });
    return plane.updateTrainingJob(name, { ...timing, TrainingJobStatus: 'Completed', SecondaryStatus: 'Completed', ModelArtifacts: { S3ModelArtifacts: artifact } });
  } catch (error) {
    const reason = error instanceof JobFailure ? error.message : `ClientError: ${(error as Error).message}`;
    return plane.updateTrainingJob(name, { TrainingJobStatus: 'Failed', SecondaryStatus: 'Failed', FailureReason: reason, TrainingEndTime: new Date() });
  } finally {
    await rm(workdir, { recursive: true, force: true });
  }
}

async function layOut(request: CreateTrainingJobRequest, root: string, s3: S3Client, progress?: (message: string) => void): Promise<void> {
  const config = join(root, 'input', 'config');
  await mkdir(config, { recursive: true });
  await mkdir(join(root, 'model'), { recursive: true });
  await mkdir(join(root, 'output', 'data'), { recursive: true });
  await writeFile(join(config, 'hyperparameters.json'), JSON.stringify(request.HyperParameters ?? {}));
  await writeFile(join(config, 'resourceconfig.json'), JSON.stringify({ current_host: 'algo-1', hosts: ['algo-1'], network_interface_name: 'eth0' }));
  const channels = request.InputDataConfig ?? [];
  await writeFile(
    join(config, 'inputdataconfig.json'),
    JSON.stringify(
      Object.fromEntries(
        channels.map((channel) => [
          channel.ChannelName,
          { TrainingInputMode: channel.InputMode ?? request.AlgorithmSpecification?.TrainingInputMode ?? 'File', S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None' },
        ]),
      ),
    ),
  );
  for (const channel of channels) {
    const source = channel.DataSource?.S3DataSource;
    if (!source || source.S3DataType !== 'S3Prefix') {
      throw new JobFailure(`ClientError: channel "${channel.ChannelName}": the local training runner reads S3Prefix channels only`);
    }
    const { bucket, key: prefix } = parseS3Uri(source.S3Uri!);
    const keys = await listKeys(s3, bucket, prefix);
    if (keys.length === 0) throw new JobFailure(`ClientError: Data download failed: No S3 objects found under S3 URL "${source.S3Uri}" given in input data source.`);
    progress?.(`training job ${request.TrainingJobName}: channel ${channel.ChannelName}, ${keys.length} object(s) from ${source.S3Uri}`);
    for (const key of keys) await downloadObject(s3, bucket, key, join(root, 'input', 'data', channel.ChannelName!, keyUnderPrefix(prefix, key)));
  }
}

interface TrainerRun {
  exitCode: number | null;
  stopped: boolean;
  metrics: MetricData[];
}

async function runTrainer(request: CreateTrainingJobRequest, root: string, deps: TrainingJobDeps, arn: string): Promise<TrainerRun> {
  const name = request.TrainingJobName!;
  await mkdir(deps.logDir, { recursive: true });
  const log = createWriteStream(join(deps.logDir, `${name}.log`), { flags: 'a' });
  const definitions = (request.AlgorithmSpecification?.MetricDefinitions ?? []).map((definition) => ({ name: definition.Name!, pattern: new RegExp(definition.Regex!) }));
  const metrics = new Map<string, MetricData>();
  const child = spawn(process.execPath, [deps.trainerBundle], {
    cwd: root,
    env: { ...process.env, ...request.Environment, SM_OPT_ML_ROOT: root, TRAINING_JOB_NAME: name, TRAINING_JOB_ARN: arn },
    stdio: ['ignore', 'pipe', 'pipe'],
    signal: deps.signal,
  });
  const readLines = async (stream: Readable) => {
    for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
      log.write(`${line}\n`);
      for (const { name: metric, pattern } of definitions) {
        const value = Number(pattern.exec(line)?.[1]);
        if (Number.isFinite(value)) metrics.set(metric, { MetricName: metric, Value: value, Timestamp: new Date() });
      }
    }
  };
  let stopped = false;
  let killTimer: NodeJS.Timeout | undefined;
  const maxRuntime = (request.StoppingCondition?.MaxRuntimeInSeconds ?? 86_400) * 1000;
  const stopTimer = setTimeout(() => {
    stopped = true;
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  }, maxRuntime);
  try {
    const exited = new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    });
    const [exitCode] = await Promise.all([exited, readLines(child.stdout), readLines(child.stderr)]);
    return { exitCode, stopped, metrics: [...metrics.values()] };
  } finally {
    clearTimeout(stopTimer);
    clearTimeout(killTimer);
    await new Promise<void>((resolve) => log.end(resolve));
  }
}
