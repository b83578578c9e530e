import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SFNClient } from '@aws-sdk/client-sfn';
import { datasetNameSchema, runIdSchema } from '@nextbuy/contracts';
import { Command, CommanderError } from 'commander';
import { stackName } from '../naming';
import { followExecution, startPipeline } from '../pipeline-run/execution';

/** Where `nx run infra:deploy` writes the stack outputs (cdk deploy --outputs-file). */
export const outputsFile = fileURLToPath(new URL('../../cdk-outputs.json', import.meta.url));

/** Thrown for a command line the pipeline cannot be started from. */
export class RunPipelineUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunPipelineUsageError';
  }
}

export interface RunPipelineDeps {
  /** The Step Functions client; by default one for the state machine's own region. */
  client?: SFNClient;
  write?: (line: string) => void;
  writeError?: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
  env?: NodeJS.ProcessEnv;
}

interface RunPipelineFlags {
  datasets: string;
  stateMachineArn?: string;
  name?: string;
  pollSeconds: string;
  outputsFile: string;
}

/**
 * `run-pipeline --datasets a,b [--state-machine-arn arn] [--name run-id] [--poll-seconds 15]`:
 * starts the state machine, prints every state's outcome as it ends, and resolves to the exit
 * code: 0 when the execution succeeded, 1 when it did not, 2 for a bad command line.
 */
export async function runPipelineCli(argv: string[], deps: RunPipelineDeps = {}): Promise<number> {
  const write = deps.write ?? ((line: string) => console.log(line));
  const writeError = deps.writeError ?? ((line: string) => console.error(line));
  const program = new Command('run-pipeline')
    .description('Start the nextbuy state machine on some datasets and follow the execution to its end.')
    .requiredOption('--datasets <names>', 'comma-separated dataset names, e.g. cdnow,online-retail')
    .option('--state-machine-arn <arn>', 'default: $NEXTBUY_STATE_MACHINE_ARN, else StateMachineArn in infra/cdk-outputs.json')
    .option('--name <run>', "the execution's name, which becomes the run id in S3 keys; default: one Step Functions picks")
    .option('--poll-seconds <n>', 'seconds between history polls', '15')
    .option('--outputs-file <path>', 'cdk deploy --outputs-file output to read the ARN from', outputsFile)
    .exitOverride()
    .configureOutput({ writeOut: (text) => write(text.trimEnd()), writeErr: (text) => writeError(text.trimEnd()) });

  let request: { stateMachineArn: string; datasets: string[]; name?: string; pollIntervalMs: number };
  try {
    program.parse(argv, { from: 'user' });
    request = checkFlags(program.opts<RunPipelineFlags>(), deps.env ?? process.env);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof RunPipelineUsageError) {
      writeError(`run-pipeline: ${error.message}`);
      return 2;
    }
    throw error;
  }

  const client = deps.client ?? new SFNClient({ region: request.stateMachineArn.split(':')[3] });
  const executionArn = await startPipeline(client, request);
  write(`started ${executionArn} on ${request.datasets.join(', ')}`);
  const outcome = await followExecution(client, executionArn, { pollIntervalMs: request.pollIntervalMs, write, ...(deps.sleep ? { sleep: deps.sleep } : {}) });
  return outcome.status === 'SUCCEEDED' ? 0 : 1;
}

function checkFlags(flags: RunPipelineFlags, env: NodeJS.ProcessEnv) {
  const datasets = flags.datasets.split(',').map((name) => name.trim()).filter(Boolean);
  if (datasets.length === 0) throw new RunPipelineUsageError('--datasets names no dataset');
  for (const dataset of datasets) {
    const result = datasetNameSchema.safeParse(dataset);
    if (!result.success) throw new RunPipelineUsageError(`--datasets: "${dataset}" is not a dataset name: ${result.error.issues[0]!.message}`);
  }
  if (flags.name !== undefined) {
    const result = runIdSchema.safeParse(flags.name);
    if (!result.success) throw new RunPipelineUsageError(`--name "${flags.name}" cannot be a run id: ${result.error.issues[0]!.message}`);
  }
  const pollSeconds = Number(flags.pollSeconds);
  if (!Number.isFinite(pollSeconds) || pollSeconds < 0) throw new RunPipelineUsageError(`--poll-seconds must be a number of seconds, got "${flags.pollSeconds}"`);
  const stateMachineArn = flags.stateMachineArn ?? env.NEXTBUY_STATE_MACHINE_ARN ?? stateMachineArnFromOutputs(flags.outputsFile);
  if (!/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[\w-]+$/.test(stateMachineArn)) {
    throw new RunPipelineUsageError(`"${stateMachineArn}" is not a Step Functions state machine ARN`);
  }
  return { stateMachineArn, datasets, ...(flags.name ? { name: flags.name } : {}), pollIntervalMs: pollSeconds * 1000 };
}

function stateMachineArnFromOutputs(file: string): string {
  const hint = 'pass --state-machine-arn, set NEXTBUY_STATE_MACHINE_ARN, or deploy with `npx nx run infra:deploy` (it writes infra/cdk-outputs.json)';
  if (!existsSync(file)) throw new RunPipelineUsageError(`no state machine given and ${file} does not exist: ${hint}`);
  let outputs: Record<string, Record<string, unknown> | undefined>;
  try {
    outputs = JSON.parse(readFileSync(file, 'utf8')) as typeof outputs;
  } catch (error) {
    throw new RunPipelineUsageError(`${file} is not JSON (${(error as Error).message}): ${hint}`);
  }
  const arn = outputs[stackName]?.StateMachineArn;
  if (typeof arn !== 'string') throw new RunPipelineUsageError(`${file} has no ${stackName}.StateMachineArn: ${hint}`);
  return arn;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await runPipelineCli(process.argv.slice(2));
}
