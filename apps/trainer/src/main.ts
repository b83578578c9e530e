import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packArtifact } from '@nextbuy/artifact';
import { BATCH_INPUT_FILE, metricsTextTable, MODEL_TARBALL, NextBuyError, REPORT_FILE, RUN_OBJECTS } from '@nextbuy/contracts';
import { CommanderError } from 'commander';
import { parseTrainerArgs } from './cli';
import { train } from './pipeline';
import { createReporter } from './progress';
import { assertSingleInstance, hyperparametersToArgs, isTrainingJob, metricLines, sageMakerLayout, writeFailure } from './sagemaker';
import { s3ClientFromEnv, uploadFile } from './upload';

/** Runs the trainer; returns the process exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const layout = sageMakerLayout(env);
  const inJob = isTrainingJob(layout, env);
  const reporter = createReporter();
  try {
    if (inJob) await assertSingleInstance(layout);
    const args = inJob ? [...(await hyperparametersToArgs(layout)), ...argv] : argv;
    const options = parseTrainerArgs(args, env);
    reporter.info('training', { mode: inJob ? 'sagemaker' : 'cli', model: options.modelBackend, source: options.filePath ?? 'generated', modelDir: options.modelDir });
    const result = await train(options, reporter);
    for (const line of metricLines(result.backtest)) console.log(line);
    console.log(`\nbacktest, cutoff ${result.backtest.cutoff}: ${result.backtest.scoredCustomers} customers scored, ${result.backtest.returnedCustomers} returned\n`);
    console.log(metricsTextTable(result.backtest.metrics).join('\n'));
    console.log(`\nmodel ${result.manifest.modelVersion}\nartifact ${result.modelDir}\nreport ${join(result.modelDir, REPORT_FILE)}`);
    if (options.uploadArtifact || options.uploadBatchInput) {
      const client = s3ClientFromEnv(env);
      if (options.uploadArtifact) {
        const dir = await mkdtemp(join(tmpdir(), 'nextbuy-tgz-'));
        try {
          await packArtifact(result.modelDir, join(dir, MODEL_TARBALL));
          console.log(`uploaded ${await uploadFile(client, join(dir, MODEL_TARBALL), options.uploadArtifact, MODEL_TARBALL)}`);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }
      if (options.uploadBatchInput) {
        console.log(`uploaded ${await uploadFile(client, join(result.modelDir, BATCH_INPUT_FILE), options.uploadBatchInput, RUN_OBJECTS.batchInput)}`);
      }
    }
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      const message = error.message.replace(/^error: /, '');
      console.error(`trainer: ${message}\nRun with --help to see every flag.`);
      if (inJob) await writeFailure(layout, message);
      return 2;
    }
    // Errors about the user's input are one sentence; anything else keeps its stack for a bug report.
    const known = error instanceof NextBuyError;
    const message = error instanceof Error ? error.message : String(error);
    console.error(`trainer: ${message}`);
    if (!known && error instanceof Error && error.stack) console.error(error.stack);
    if (inJob) await writeFailure(layout, message);
    return 1;
  }
}
