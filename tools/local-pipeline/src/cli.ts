import { datasetNameSchema, endpointsSettingSchema, parseHyperparameters, runIdSchema, type EndpointsSetting } from '@nextbuy/contracts';
import { DEFAULT_MODEL_TYPE, hyperparameterSpecs, MODEL_TYPE_NAMES, type ModelType } from '@nextbuy/model-registry';
import { MAX_ROWS, MIN_ROWS } from '@nextbuy/datagen';
import { Command, InvalidArgumentError, Option } from 'commander';

/** What `npm start` runs, from its flags. */
export interface CliOptions {
  datasets: string[];
  /** An Online Retail CSV to load instead of generated data. */
  filePath?: string;
  /** Rows of generated data per dataset. */
  rows: number;
  /** Seed of the first dataset's generated data; the next datasets take the following seeds. */
  seed: number;
  modelBackend: ModelType;
  /** More training hyperparameters (`key=value`), as the CDK context `hyperparameters` sets them. */
  hyperparameters: Record<string, string>;
  /** The execution name (run id); default: `local-<UTC time>`. */
  run?: string;
  runsDir: string;
  /** The real-time endpoints by dataset (the CDK context `endpoints`); default: a serverless one for every dataset. */
  endpoints: EndpointsSetting;
  /** Keep the endpoints serving after the run, until Ctrl-C. */
  keepServing: boolean;
}

/** What `npm start` deploys when --endpoints is not given: each dataset's endpoint on serverless defaults. */
export function defaultEndpoints(datasets: readonly string[]): EndpointsSetting {
  return endpointsSettingSchema.parse(Object.fromEntries(datasets.map((dataset) => [dataset, { serverless: {} }])));
}

function endpoints(text: string): EndpointsSetting {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError('not JSON');
  }
  const result = endpointsSettingSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new InvalidArgumentError(`${issue.path.map(String).join('.')}: ${issue.message}`);
  }
  return result.data;
}

/** The default data set: big enough to mean something, small enough for a minute or two on two cores. */
export const DEFAULT_ROWS = 200_000;

function datasets(text: string): string[] {
  const names = text.split(',').map((name) => name.trim());
  for (const name of names) {
    const result = datasetNameSchema.safeParse(name);
    if (!result.success) throw new InvalidArgumentError(`"${name}": ${result.error.issues[0]!.message}`);
  }
  if (new Set(names).size !== names.length) throw new InvalidArgumentError('each dataset once');
  return names;
}

function integer(min: number, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) throw new InvalidArgumentError(`an integer from ${min} to ${max}`);
    return value;
  };
}

function hyperparameters(text: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(pair.trim());
    if (!match) throw new InvalidArgumentError(`"${pair}" is not key=value`);
    pairs[match[1]!] = match[2]!;
  }
  return pairs;
}

function runId(text: string): string {
  const result = runIdSchema.safeParse(text);
  if (!result.success) throw new InvalidArgumentError(result.error.issues[0]!.message);
  return text;
}

/** The command line. */
export function buildProgram(defaultRunsDir: string): Command {
  return new Command('local-pipeline')
    .description(
      'Runs the pipeline\'s state machine on this machine: generated (or given) transactions in a local Postgres,\n' +
        'Extract -> Train -> CreateModel -> Transform -> WritePredictions over local S3, DynamoDB and SageMaker stand-ins.',
    )
    .option('--datasets <a,b>', 'datasets to run, in parallel as the Map state runs them (each gets its own source table)', datasets, ['retail'])
    .option('--file_path <csv>', 'an Online Retail CSV (.csv or .csv.gz) to load instead of generated data')
    .option('--rows <n>', 'rows of generated data per dataset', integer(MIN_ROWS, MAX_ROWS), DEFAULT_ROWS)
    .option('--seed <n>', 'seed of the generated data (the next datasets take the next seeds)', integer(0, 2 ** 31 - 1), 1)
    .addOption(new Option('--model_backend <type>', 'model type trained').choices(MODEL_TYPE_NAMES).default(DEFAULT_MODEL_TYPE))
    .option('--hyperparameters <k=v,...>', 'more training hyperparameters, e.g. num_boost_round=100', hyperparameters, {})
    .option('--run <id>', 'the execution name, used as run id (default: local-<time>)', runId)
    .option('--runs_dir <dir>', 'where reports and logs go', defaultRunsDir)
    .option(
      '--endpoints <json>',
      'real-time endpoints by dataset, as the CDK context "endpoints" ({"<dataset>":{"serverless":{...}}|{"instances":{...}}}); \'{}\' for none (default: a serverless endpoint per dataset)',
      endpoints,
    )
    .option('--keep_serving', 'keep the endpoints up after the run (call them with inference-api:invoke) until Ctrl-C', false)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
}

/** Parses the flags; throws commander's CommanderError on bad ones (its message says which). */
export function parseCli(argv: string[], defaultRunsDir: string): CliOptions {
  const program = buildProgram(defaultRunsDir).parse(argv, { from: 'user' });
  const flags = program.opts();
  try {
    // Checked here, as the training job will check them, so a typo fails before any work starts.
    parseHyperparameters(hyperparameterSpecs(flags.model_backend), flags.hyperparameters, flags.model_backend);
  } catch (error) {
    program.error(`--hyperparameters: ${(error as Error).message}`, { code: 'commander.invalidArgument', exitCode: 1 });
  }
  return {
    datasets: flags.datasets,
    filePath: flags.file_path,
    rows: flags.rows,
    seed: flags.seed,
    modelBackend: flags.model_backend,
    hyperparameters: flags.hyperparameters,
    run: flags.run,
    runsDir: flags.runs_dir,
    endpoints: flags.endpoints ?? defaultEndpoints(flags.datasets),
    keepServing: flags.keep_serving,
  };
}

/** `local-20261126-081500`: a run id from a time, sorting as runs started. */
export function localRunId(time: Date): string {
  return `local-${time.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}`;
}
