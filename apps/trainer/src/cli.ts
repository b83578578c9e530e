import { describeHyperparameter, type HyperparameterSpec, type Hyperparameters, isoToEpochDay, parseHyperparameter } from '@nextbuy/contracts';
import { DEFAULT_MODEL_TYPE, MODEL_TYPE_NAMES, MODEL_TYPES, type ModelType } from '@nextbuy/model-registry';
import { Command, Option } from 'commander';
import { TrainingInputError } from './errors';

/** The trainer's settings, from command-line flags (the seed's names) or SageMaker hyperparameters. */
export interface TrainerOptions {
  /** Local CSV (.csv, .csv.gz, .txt) or Parquet file, or s3:// URI (Parquet when it ends in .parquet); undefined: generated data. */
  filePath?: string;
  /** `online-retail`, `cdnow`, or a path to a column-mapping JSON file. */
  mapping: string;
  strict: boolean;
  /** Rows of generated data when no file is given. */
  rows: number;
  modelBackend: ModelType;
  cutoff?: string;
  modelDir: string;
  seed: number;
  useGpu: boolean;
  /** Share of customers the Isolation Forest removes; 0 turns the filter off. */
  outlierContamination: number;
  /** Hyperparameters given explicitly for the model (checked against its specs); its own defaults fill the rest. */
  hyperparameters: Hyperparameters;
  uploadArtifact?: string;
  uploadBatchInput?: string;
}

/** The trainer's own `--seed` (data generation, outlier filter) is passed on to models that declare one. */
const SEED = 'seed';

/** Every model hyperparameter flag, with the model types that declare it: read off the registry. */
export function hyperparameterFlags(): Map<string, { spec: HyperparameterSpec; types: ModelType[] }> {
  const flags = new Map<string, { spec: HyperparameterSpec; types: ModelType[] }>();
  for (const type of MODEL_TYPE_NAMES) {
    for (const spec of MODEL_TYPES[type].hyperparameters) {
      if (spec.name === SEED) continue;
      const flag = flags.get(spec.name);
      if (flag) flag.types.push(type);
      else flags.set(spec.name, { spec, types: [type] });
    }
  }
  return flags;
}

function flagHelp({ spec, types }: { spec: HyperparameterSpec; types: ModelType[] }): string {
  const where = types.length === MODEL_TYPE_NAMES.length ? 'every model' : types.join(', ');
  const fallback = spec.default === undefined ? '' : `, default ${spec.default}`;
  return `[${where}] ${spec.doc} (${describeHyperparameter(spec)}${fallback})`;
}

/** The command line, compatible with the seed's flags; model flags come from the model registry. */
export function buildProgram(env: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command('trainer')
    .description(
      'Train a next-purchase model from transactions: clean, build leak-free features, filter outlier customers,\n' +
        'backtest against baselines, fit on all data and write the model artifact (manifest, model, batch input, report).\n' +
        `Model types: ${MODEL_TYPE_NAMES.map((type) => `\n  ${type.padEnd(11)} ${MODEL_TYPES[type].doc}`).join('')}`,
    )
    .option('--file_path <path>', 'transactions: a local CSV (.csv, .csv.gz) or Parquet file, or s3://bucket/key (.parquet for Parquet); or a folder of them, read as one: a local directory or s3://bucket/prefix/ (ending in /); default: generated data')
    .option('--mapping <name|file>', 'column mapping: online-retail, cdnow, a mapping JSON file, or the mapping itself as JSON ({"columns": ...}, as a SageMaker hyperparameter)', 'online-retail')
    // An optional value, so that SageMaker's hyperparameter "strict": "true" (passed as --strict true) works.
    .option('--strict [bool]', 'an unparseable date is an error instead of a dropped row', false)
    .option('--rows <n>', 'rows of generated data when no --file_path is given', '200000')
    .addOption(new Option('--model_backend <type>', 'model type').choices(MODEL_TYPE_NAMES).default(DEFAULT_MODEL_TYPE))
    .option('--cutoff <YYYY-MM-DD>', 'backtest cutoff; default: the day at the 80th percentile of order dates')
    .option('--model_dir <dir>', 'where the artifact is written', env.SM_MODEL_DIR || './model')
    .option('--seed <n>', 'random seed (generated data, outlier filter, and the model\'s own seed where it has one)', '42')
    .option('--use_gpu [bool]', 'prefer the TensorFlow.js GPU backend for the LSTM (falls back when absent)', false)
    .option('--outlier_contamination <share>', 'share of customers the Isolation Forest removes before training; 0 turns it off', '0.01')
    .option('--upload_artifact <s3-prefix>', 'also upload model.tar.gz under this s3:// prefix')
    .option('--upload_batch_input <s3-prefix>', 'also upload the batch input (one customer per line) under this s3:// prefix');
  for (const [name, flag] of hyperparameterFlags()) program.option(`--${name} <value>`, flagHelp(flag));
  return program.exitOverride().configureOutput({ writeErr: () => undefined });
}

/** A number flag's value; blank is refused (Number('') is 0, which would pass for a value given). */
function numberFlag(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

function integerFlag(name: string, text: string, min: number): number {
  const value = numberFlag(text);
  if (!Number.isInteger(value) || value < min) throw new TrainingInputError(`--${name} must be an integer >= ${min}, got "${text}"`);
  return value;
}

function isCalendarDate(text: string): boolean {
  try {
    isoToEpochDay(text);
    return true;
  } catch {
    return false;
  }
}

function booleanFlag(name: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (/^(true|1|yes)$/i.test(String(value))) return true;
  if (/^(false|0|no)$/i.test(String(value))) return false;
  throw new TrainingInputError(`--${name} must be true or false, got "${value}"`);
}

/** The model's hyperparameters from the flags given: each checked against the chosen type's spec. */
function modelHyperparameters(type: ModelType, flags: Record<string, unknown>, seed: number): Hyperparameters {
  const own = new Map(MODEL_TYPES[type].hyperparameters.map((spec) => [spec.name, spec]));
  const hyperparameters: Hyperparameters = own.has(SEED) ? { [SEED]: seed } : {};
  for (const [name, { types }] of hyperparameterFlags()) {
    const text = flags[name];
    if (typeof text !== 'string') continue;
    const spec = own.get(name);
    if (!spec) throw new TrainingInputError(`--${name} is not a parameter of the ${type} model (it is one of ${types.join(', ')}: did you mean --model_backend ${types[0]}?)`);
    try {
      hyperparameters[name] = parseHyperparameter(spec, text);
    } catch {
      throw new TrainingInputError(`--${name} must be ${describeHyperparameter(spec)}, got "${text}"`);
    }
  }
  return hyperparameters;
}

export function parseTrainerArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): TrainerOptions {
  const program = buildProgram(env).parse(argv, { from: 'user' });
  const flags = program.opts<Record<string, string | boolean | undefined>>();
  const modelBackend = flags.model_backend as ModelType;
  const seed = integerFlag('seed', String(flags.seed), 0);
  const contamination = numberFlag(String(flags.outlier_contamination));
  if (!(contamination >= 0 && contamination <= 0.5)) throw new TrainingInputError(`--outlier_contamination must be a share from 0 to 0.5, got "${flags.outlier_contamination}"`);
  if (flags.cutoff !== undefined && !isCalendarDate(String(flags.cutoff))) throw new TrainingInputError(`--cutoff must be a date YYYY-MM-DD, got "${flags.cutoff}"`);
  // Checked before training, not after it, when the upload would fail.
  for (const name of ['upload_artifact', 'upload_batch_input']) {
    if (flags[name] !== undefined && !/^s3:\/\/[^/]+/.test(String(flags[name]))) throw new TrainingInputError(`--${name} must be an s3://bucket/prefix, got "${flags[name]}"`);
  }
  return {
    filePath: flags.file_path as string | undefined,
    mapping: flags.mapping as string,
    strict: booleanFlag('strict', flags.strict),
    rows: integerFlag('rows', String(flags.rows), 1000),
    modelBackend,
    cutoff: flags.cutoff as string | undefined,
    modelDir: flags.model_dir as string,
    seed,
    useGpu: booleanFlag('use_gpu', flags.use_gpu),
    outlierContamination: contamination,
    hyperparameters: modelHyperparameters(modelBackend, flags, seed),
    uploadArtifact: flags.upload_artifact as string | undefined,
    uploadBatchInput: flags.upload_batch_input as string | undefined,
  };
}
