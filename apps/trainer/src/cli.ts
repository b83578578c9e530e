import { Command, Option } from 'commander';

/** The trainer's settings, from command-line flags (the seed's names) or SageMaker hyperparameters. */
export interface TrainerOptions {
  filePath?: string;
  modelBackend: 'xgboost' | 'lstm';
  cutoff?: string;
  modelDir: string;
  seed: number;
}

/** The command line, compatible with the seed's flags. */
export function buildProgram(env: NodeJS.ProcessEnv = process.env): Command {
  return new Command('trainer')
    .description('Train a next-purchase model from transactions and write the model artifact.')
    .option('--file_path <path>', 'transactions: local CSV (.csv, .csv.gz) or s3://bucket/key; default: generated data')
    .addOption(new Option('--model_backend <type>', 'model type').choices(['xgboost', 'lstm']).default('xgboost'))
    .option('--cutoff <YYYY-MM-DD>', 'backtest cutoff; default: the 80th percentile of order dates')
    .option('--model_dir <dir>', 'where the artifact is written', env.SM_MODEL_DIR ?? './model')
    .option('--seed <n>', 'random seed', '42')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
}

export function parseTrainerArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): TrainerOptions {
  const program = buildProgram(env).parse(argv, { from: 'user' });
  const flags = program.opts<{ file_path?: string; model_backend: 'xgboost' | 'lstm'; cutoff?: string; model_dir: string; seed: string }>();
  const seed = Number(flags.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got "${flags.seed}"`);
  return { filePath: flags.file_path, modelBackend: flags.model_backend, cutoff: flags.cutoff, modelDir: flags.model_dir, seed };
}
