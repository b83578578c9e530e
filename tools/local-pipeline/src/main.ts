import { join, relative } from 'node:path';
import { NextBuyError } from '@nextbuy/contracts';
import { CommanderError } from 'commander';
import { localRunId, parseCli, type CliOptions } from './cli';
import { callEndpoints, formatEndpointCalls } from './endpoint-calls';
import { LocalPipeline } from './pipeline';
import type { SourceLoad } from './source-database';
import { displayPath, formatSummary, summarizeDatasets } from './summary';
import { aslFile, defaultRunsDir, workspaceRoot } from './workspace';

/** The table a dataset's generated data goes to (dataset names may hold dashes, SQL names may not). */
function generatedTable(dataset: string): string {
  return `transactions_${dataset.replaceAll('-', '_')}`;
}

/** A progress callback for a table load: a line every 100,000 rows. */
function loadProgress(progress: (line: string) => void, label: string): (rows: number) => void {
  let reported = 0;
  return (rows) => {
    if (rows - reported < 100_000) return;
    reported = rows;
    progress(`${label}: ${rows.toLocaleString('en-US')} rows loaded`);
  };
}

/** Loads the source tables: the given file once for every dataset, or generated data per dataset with its own seed. */
async function loadSources(pipeline: LocalPipeline, options: CliOptions, progress: (line: string) => void): Promise<Map<string, SourceLoad>> {
  const loads = new Map<string, SourceLoad>();
  if (options.filePath) {
    progress(`loading ${options.filePath} into postgres table transactions`);
    const load = await pipeline.source.loadCsv('transactions', options.filePath, loadProgress(progress, 'transactions'));
    for (const dataset of options.datasets) {
      pipeline.useSourceTable(dataset, load.table);
      loads.set(dataset, load);
    }
    return loads;
  }
  for (const [i, dataset] of options.datasets.entries()) {
    const table = generatedTable(dataset);
    progress(`[${dataset}] generating ${options.rows.toLocaleString('en-US')} rows (seed ${options.seed + i}) into postgres table ${table}`);
    const load = await pipeline.source.loadGenerated(table, { rows: options.rows, seed: options.seed + i }, loadProgress(progress, `[${dataset}] ${table}`));
    pipeline.useSourceTable(dataset, table);
    loads.set(dataset, load);
  }
  return loads;
}

/** Runs the local pipeline once; returns the exit code (0 only if the execution succeeded). */
async function main(argv: string[]): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCli(argv, defaultRunsDir);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      console.error(`local-pipeline: ${error.message.replace(/^error: /, '')}\nRun with --help to see every flag.`);
      return 2;
    }
    throw error;
  }
  const run = options.run ?? localRunId(new Date());
  const runDir = join(options.runsDir, run);
  const started = Date.now();
  const progress = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);

  let pipeline: LocalPipeline | undefined;
  // Ctrl-C still stops every server and child process before the process goes.
  const interrupt = (signal: NodeJS.Signals) => {
    progress(`${signal}: stopping every server`);
    void (pipeline?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    pipeline = await LocalPipeline.start({ logDir: join(runDir, 'logs'), progress, endpoints: options.endpoints });
    const sources = await loadSources(pipeline, options, progress);
    progress(`running ${relative(workspaceRoot, aslFile)} as execution ${run} for ${options.datasets.join(', ')}`);
    const report = await pipeline.execute({
      datasets: options.datasets,
      run,
      hyperparameters: { model_backend: options.modelBackend, ...options.hyperparameters },
    });
    const summaries = await summarizeDatasets(pipeline, report, runDir, sources);
    console.log(`\n${formatSummary(report, summaries, workspaceRoot).join('\n')}`);
    console.log(`logs: ${displayPath(join(runDir, 'logs'), workspaceRoot)}/`);
    // As a user's code would: the endpoints through the AWS SDK, DescribeEndpoint then InvokeEndpoint.
    const calls = await callEndpoints(pipeline.apiUrl, pipeline.aws.s3, report);
    for (const line of formatEndpointCalls(calls)) console.log(line);
    if (options.keepServing && calls.length > 0) {
      const { endpointName } = calls[0]!;
      console.log(
        `\nserving until Ctrl-C; from another terminal:\n  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local npx nx run inference-api:invoke -- ` +
          `--endpoint ${endpointName} --endpoint-url ${pipeline.apiUrl} --file <customers.jsonl>`,
      );
      // Ctrl-C is the way out here, not an interruption: the `finally` below stops every server and the exit code is the run's.
      process.off('SIGINT', interrupt);
      await new Promise((resolve) => process.once('SIGINT', resolve));
      progress('SIGINT: stopping the endpoints and every server');
    }
    return report.status === 'SUCCEEDED' ? 0 : 1;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`local-pipeline: ${message}`);
    if (!(error instanceof NextBuyError) && error instanceof Error && error.stack) console.error(error.stack);
    return 1;
  } finally {
    await pipeline?.stop();
  }
}

process.exitCode = await main(process.argv.slice(2));
