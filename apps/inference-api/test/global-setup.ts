import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { SERVER_MAIN } from './server-process';

const root = resolve(import.meta.dirname, '../../..');
const TRAINER_BIN = join(root, 'dist/apps/trainer/bin.js');

declare module 'vitest' {
  export interface ProvidedContext {
    /** Artifact directories trained once per test run by the real trainer, by model type. */
    modelDirs: { xgboost: string; lstm: string; bgnbd: string };
  }
}

function newestSource(dir: string): number {
  return Math.max(...readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')).map((e) => statSync(join(e.parentPath, e.name)).mtimeMs));
}

/**
 * Trains one XGBoost, one LSTM and one BG/NBD artifact with the real trainer (in parallel, ~10 s) for every
 * test file, and checks that the server bundle the process tests run is built from the sources.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  for (const bin of [SERVER_MAIN, TRAINER_BIN]) {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run the tests with "npx nx run inference-api:test" (it builds first)`);
  }
  if (statSync(SERVER_MAIN).mtimeMs < newestSource(join(root, 'apps/inference-api/src'))) {
    throw new Error(`${SERVER_MAIN} is older than the sources: run "npx nx run inference-api:build" or "npx nx run inference-api:test"`);
  }
  const work = await mkdtemp(join(tmpdir(), 'inference-api-test-'));
  const train = (dir: string, args: string[]) =>
    promisify(execFile)('node', [TRAINER_BIN, '--rows', '30000', '--model_dir', dir, ...args], { cwd: work, maxBuffer: 64 * 1024 * 1024 });
  const modelDirs = { xgboost: join(work, 'xgboost'), lstm: join(work, 'lstm'), bgnbd: join(work, 'bgnbd') };
  await Promise.all([
    train(modelDirs.xgboost, ['--num_boost_round', '30']),
    train(modelDirs.lstm, ['--model_backend', 'lstm', '--epochs', '2']),
    train(modelDirs.bgnbd, ['--model_backend', 'bgnbd']),
  ]);
  project.provide('modelDirs', modelDirs);
  return () => rm(work, { recursive: true, force: true });
}
