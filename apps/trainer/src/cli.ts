import { Command, Option } from 'commander';
import type { Hyperparameters } from '@nextbuy/contracts';

/** Model hyperparameters by their own names: the seed's LSTM flags and XGBoost's parameters. */
export const LSTM_FLAGS = [
  'time_series_length',
  'epochs',
  'batch_size',
  'learning_rate',
  'hidden_size',
  'dropout',
  'lstm_layers',
  'validation_split',
  'patience',
  'return_horizon_days',
] as const;
export const XGBOOST_FLAGS = [
  // The model's own settings (libs/xgb-model README).
  'num_boost_round',
  'early_stopping_rounds',
  'landmark_step_days',
  'landmark_max_days',
  'return_horizon_days',
  'validation_fraction',
  // XGBoost's parameters, passed through with XGBoost's meaning.
  'objective',
  'eval_metric',
  'eta',
  'max_depth',
  'min_child_weight',
  'subsample',
  'colsample_bytree',
  'lambda',
  'alpha',
  'gamma',
  'max_bin',
  'tree_method',
  'nthread',
] as const;

/** The trainer's settings, from command-line flags (the seed's names) or SageMaker hyperparameters. */
export interface TrainerOptions {
  /** Local CSV (.csv, .csv.gz, .txt) or s3:// URI; undefined: generated data. */
  filePath?: string;
  /** `online-retail`, `cdnow`, or a path to a column-mapping JSON file. */
  mapping: string;
  strict: boolean;
  /** Rows of generated data when no file is given. */
  rows: number;
  modelBackend: 'xgboost' | 'lstm';
  cutoff?: string;
  modelDir: string;
  seed: number;
  useGpu: boolean;
  /** Share of customers the Isolation Forest removes; 0 turns the filter off. */
  outlierContamination: number;
  /** Hyperparameters given explicitly for the model; its own defaults fill the rest. */
  hyperparameters: Hyperparameters;
  uploadArtifact?: string;
  uploadBatchInput?: string;
}

/** The command line, compatible with the seed's flags. */
export function buildProgram(env: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command('trainer')
    .description(
      'Train a next-purchase model from transactions: clean, build leak-free features, filter outlier customers,\n' +
        'backtest against baselines, fit on all data and write the model artifact (manifest, model, batch input, report).',
    )
    .option('--file_path <path>', 'transactions: a local CSV (.csv, .csv.gz) or s3://bucket/key; default: generated data')
    .option('--mapping <name|file>', 'column mapping: online-retail, cdnow, or a mapping JSON file', 'online-retail')
    .option('--strict', 'an unparseable date is an error instead of a dropped row', false)
    .option('--rows <n>', 'rows of generated data when no --file_path is given', '200000')
    .addOption(new Option('--model_backend <type>', 'model type').choices(['xgboost', 'lstm']).default('xgboost'))
    .option('--cutoff <YYYY-MM-DD>', 'backtest cutoff; default: the day at the 80th percentile of order dates')
    .option('--model_dir <dir>', 'where the artifact is written', env.SM_MODEL_DIR || './model')
    .option('--seed <n>', 'random seed', '42')
    .option('--use_gpu [bool]', 'prefer the TensorFlow.js GPU backend for the LSTM (falls back when absent)', false)
    .option('--outlier_contamination <share>', 'share of customers the Isolation Forest removes before training; 0 turns it off', '0.01')
    .option('--upload_artifact <s3-prefix>', 'also upload model.tar.gz under this s3:// prefix')
    .option('--upload_batch_input <s3-prefix>', 'also upload the batch input (one customer per line) under this s3:// prefix');
  // return_horizon_days is shared by both models: declared once, passed to whichever is chosen.
  const shared = new Set<string>(LSTM_FLAGS.filter((f) => (XGBOOST_FLAGS as readonly string[]).includes(f)));
  for (const flag of shared) program.option(`--${flag} <days>`, 'both models: the predicted gap is the median among customers who order within this many days after the as-of date');
  for (const flag of LSTM_FLAGS) if (!shared.has(flag)) program.option(`--${flag} <value>`, `LSTM hyperparameter ${flag}`);
  for (const flag of XGBOOST_FLAGS) if (!shared.has(flag)) program.option(`--${flag} <value>`, `XGBoost model setting or parameter ${flag} (XGBoost's own meaning for its parameters)`);
  return program.exitOverride().configureOutput({ writeErr: () => undefined });
}

function integerFlag(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}, got "${text}"`);
  return value;
}

function booleanFlag(name: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (/^(true|1|yes)$/i.test(String(value))) return true;
  if (/^(false|0|no)$/i.test(String(value))) return false;
  throw new Error(`--${name} must be true or false, got "${value}"`);
}

/** A flag's text as the model will see it: numbers as numbers, the rest as given. */
function hyperparameterValue(text: string): string | number {
  return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
}

export function parseTrainerArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): TrainerOptions {
  const program = buildProgram(env).parse(argv, { from: 'user' });
  const flags = program.opts<Record<string, string | boolean | undefined>>();
  const modelBackend = flags.model_backend as 'xgboost' | 'lstm';
  const own = modelBackend === 'lstm' ? LSTM_FLAGS : XGBOOST_FLAGS;
  const other = modelBackend === 'lstm' ? XGBOOST_FLAGS : LSTM_FLAGS;
  const misplaced = (other as readonly string[]).filter((f) => flags[f] !== undefined && !(own as readonly string[]).includes(f));
  if (misplaced.length) throw new Error(`--${misplaced[0]} is not a parameter of the ${modelBackend} model (did you mean --model_backend ${modelBackend === 'lstm' ? 'xgboost' : 'lstm'}?)`);
  const hyperparameters: Hyperparameters = {};
  for (const flag of own) if (typeof flags[flag] === 'string') hyperparameters[flag] = hyperparameterValue(flags[flag]);
  const contamination = Number(flags.outlier_contamination);
  if (!(contamination >= 0 && contamination <= 0.5)) throw new Error(`--outlier_contamination must be a share from 0 to 0.5, got "${flags.outlier_contamination}"`);
  if (flags.cutoff !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(flags.cutoff))) throw new Error(`--cutoff must be a date YYYY-MM-DD, got "${flags.cutoff}"`);
  return {
    filePath: flags.file_path as string | undefined,
    mapping: flags.mapping as string,
    strict: booleanFlag('strict', flags.strict),
    rows: integerFlag('rows', String(flags.rows), 1000),
    modelBackend,
    cutoff: flags.cutoff as string | undefined,
    modelDir: flags.model_dir as string,
    seed: integerFlag('seed', String(flags.seed), 0),
    useGpu: booleanFlag('use_gpu', flags.use_gpu),
    outlierContamination: contamination,
    hyperparameters,
    uploadArtifact: flags.upload_artifact as string | undefined,
    uploadBatchInput: flags.upload_batch_input as string | undefined,
  };
}
