import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputDataError, metricLine, type BacktestReport } from '@nextbuy/contracts';
import { isDataName } from '@nextbuy/ingestion';
import { TrainingInputError } from './errors';

/** The `/opt/ml` layout of a SageMaker training job; the root is overridable for tests. */
export interface SageMakerLayout {
  root: string;
  hyperparameters: string;
  /** Written by SageMaker: `current_host`, `hosts` (one per training instance), network settings. */
  resourceConfig: string;
  trainChannel: string;
  modelDir: string;
  failureFile: string;
  outputDataDir: string;
}

export function sageMakerLayout(env: NodeJS.ProcessEnv = process.env): SageMakerLayout {
  const root = env.SM_OPT_ML_ROOT || '/opt/ml';
  return {
    root,
    hyperparameters: join(root, 'input', 'config', 'hyperparameters.json'),
    resourceConfig: join(root, 'input', 'config', 'resourceconfig.json'),
    trainChannel: env.SM_CHANNEL_TRAIN || join(root, 'input', 'data', 'train'),
    modelDir: env.SM_MODEL_DIR || join(root, 'model'),
    failureFile: join(root, 'output', 'failure'),
    outputDataDir: env.SM_OUTPUT_DATA_DIR || join(root, 'output', 'data'),
  };
}

/** True inside a SageMaker training job (or a faithful local emulation of one). */
export function isTrainingJob(layout: SageMakerLayout, env: NodeJS.ProcessEnv = process.env): boolean {
  return env.SM_TRAINING_ENV !== undefined || existsSync(layout.hyperparameters);
}

/**
 * Reads hyperparameters.json (every value is a string there) and turns it into the same flags
 * the command line takes, so both modes share one parser and one set of checks.
 */
export async function hyperparametersToArgs(layout: SageMakerLayout): Promise<string[]> {
  let hyperparameters: Record<string, unknown> = {};
  if (existsSync(layout.hyperparameters)) {
    try {
      hyperparameters = JSON.parse(await readFile(layout.hyperparameters, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new TrainingInputError(`${layout.hyperparameters} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    if (typeof hyperparameters !== 'object' || hyperparameters === null || Array.isArray(hyperparameters)) {
      throw new TrainingInputError(`${layout.hyperparameters} must hold a JSON object of hyperparameters`);
    }
  }
  const args: string[] = [];
  for (const [name, value] of Object.entries(hyperparameters)) {
    // SageMaker's own bookkeeping entries (sagemaker_*) are not ours to interpret.
    if (name.startsWith('sagemaker_')) continue;
    args.push(`--${name}`, String(value));
  }
  if (!('file_path' in hyperparameters)) args.push('--file_path', await channelSource(layout.trainChannel));
  if (!('model_dir' in hyperparameters)) args.push('--model_dir', layout.modelDir);
  return args;
}

/**
 * Refuses a training job of more than one instance: the trainer does not distribute training, so
 * every instance would train the same model and race to write the output. No file (a local
 * emulation without one) means one instance.
 */
export async function assertSingleInstance(layout: SageMakerLayout): Promise<void> {
  if (!existsSync(layout.resourceConfig)) return;
  const where = { source: layout.resourceConfig };
  let config: unknown;
  try {
    config = JSON.parse(await readFile(layout.resourceConfig, 'utf8'));
  } catch (error) {
    throw new InputDataError(`not valid JSON (${(error as Error).message})`, where, { cause: error });
  }
  const hosts = (config as { hosts?: unknown } | null)?.hosts;
  if (!Array.isArray(hosts) || hosts.length === 0 || !hosts.every((host) => typeof host === 'string')) {
    throw new InputDataError('expected an object whose "hosts" is a non-empty list of host names', where);
  }
  if (hosts.length > 1) {
    throw new InputDataError(
      `the training job has ${hosts.length} instances (${hosts.join(', ')}) but the trainer trains on one and does not distribute training: set the instance count to 1`,
      where,
    );
  }
}

/**
 * What to train on in a channel directory: its one data file, or, when it holds several (an S3
 * prefix of daily exports or Spark part files), the directory itself, which ingestion reads as one
 * folder source. Names starting with "." or "_" (`_SUCCESS`, `.crc` files) are not data.
 */
async function channelSource(channel: string): Promise<string> {
  let names: string[];
  try {
    names = (await readdir(channel)).filter(isDataName);
  } catch {
    throw new TrainingInputError(`the train channel ${channel} does not exist: give the training job an input channel named "train"`);
  }
  if (names.length === 0) throw new TrainingInputError(`the train channel ${channel} holds no transactions file`);
  return names.length === 1 ? join(channel, names[0]!) : channel;
}

/** The backtest's metric lines for the job's metric definitions, one metric a line: `mae_days=44.6;`, `baseline_km:mae_days=122.5;`. */
export function metricLines(backtest: BacktestReport): string[] {
  return Object.entries(backtest.metrics).flatMap(([model, metrics]) =>
    Object.entries(metrics)
      .map(([name, value]) => metricLine({ [name]: value }, model === 'model' ? undefined : model))
      .filter((line) => line !== ''),
  );
}

/** SageMaker shows the first 1024 characters of this file as the job's FailureReason. */
export async function writeFailure(layout: SageMakerLayout, message: string): Promise<void> {
  await mkdir(join(layout.failureFile, '..'), { recursive: true });
  await writeFile(layout.failureFile, message.slice(0, 1024));
}
