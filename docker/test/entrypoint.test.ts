import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readArtifact } from '@nextbuy/artifact';
import { writeOnlineRetailCsv } from '@nextbuy/datagen';
import { describe, expect, it } from 'vitest';
import { expectFirstCustomerServed, freePort, modelLoaded } from './serving';

const root = resolve(import.meta.dirname, '../..');
const ENTRYPOINT = join(root, 'docker/entrypoint.sh');
// The image's layout: /opt/nextbuy/<app>/<bundle>; here the Nx build outputs play /opt/nextbuy.
const APP_ROOT = join(root, 'dist/apps');

function entrypoint(args: string[], env: NodeJS.ProcessEnv) {
  return spawn(ENTRYPOINT, args, { env: { PATH: process.env.PATH, HOME: process.env.HOME, APP_ROOT, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

let trainedModel: string | undefined;

describe('the container entrypoint', () => {
  it('runs a SageMaker training job for `train`, under an /opt/ml root', async () => {
    expect(existsSync(join(APP_ROOT, 'trainer/bin.js')), 'build the trainer first').toBe(true);
    const optMl = await mkdtemp(join(tmpdir(), 'opt-ml-'));
    await mkdir(join(optMl, 'input/config'), { recursive: true });
    await writeFile(join(optMl, 'input/config/hyperparameters.json'), JSON.stringify({ num_boost_round: '20', cutoff: '2011-06-01' }));
    await writeOnlineRetailCsv(join(optMl, 'input/data/train/sales.csv.gz'), { rows: 20_000, seed: 5 });
    const child = entrypoint(['train'], { SM_OPT_ML_ROOT: optMl });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^mae_days=[0-9.]+;$/m);
    expect((await readArtifact(join(optMl, 'model'))).hyperparameters).toMatchObject({ num_boost_round: 20 });
    expect(existsSync(join(optMl, 'output/failure'))).toBe(false);
    trainedModel = join(optMl, 'model');
  }, 120_000);

  it('serves that model for `serve` on SAGEMAKER_BIND_TO_PORT, and stops cleanly on SIGTERM', async () => {
    expect(trainedModel, 'the train test must run first').toBeDefined();
    const port = await freePort();
    const child = entrypoint(['serve'], { SM_MODEL_DIR: trainedModel!, SAGEMAKER_BIND_TO_PORT: String(port), SAGEMAKER_MODEL_SERVER_WORKERS: '1' });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    try {
      const base = `http://127.0.0.1:${port}`;
      await modelLoaded(child, exited);
      expect((await fetch(`${base}/ping`)).status).toBe(200);
      await expectFirstCustomerServed(base, join(trainedModel!, 'batch-input.jsonl'));
    } finally {
      // exec: the signal reaches the server itself, not a shell that would leave it running.
      child.kill('SIGTERM');
    }
    expect(await exited, stderr).toBe(0);
  }, 60_000);

  it('writes the failure file and exits non-zero when training fails', async () => {
    const optMl = await mkdtemp(join(tmpdir(), 'opt-ml-'));
    await mkdir(join(optMl, 'input/config'), { recursive: true });
    await writeFile(join(optMl, 'input/config/hyperparameters.json'), JSON.stringify({ model_backend: 'prophet' }));
    await mkdir(join(optMl, 'input/data/train'), { recursive: true });
    await writeFile(join(optMl, 'input/data/train/sales.csv'), 'InvoiceNo\n');
    const child = entrypoint(['train'], { SM_OPT_ML_ROOT: optMl });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).not.toBe(0);
    expect(await readFile(join(optMl, 'output/failure'), 'utf8')).toMatch(/prophet/);
  }, 60_000);

  it('refuses an unknown mode and a mode whose app the image lacks, in one sentence', async () => {
    const unknown = spawnSync(ENTRYPOINT, ['predict'], { env: { PATH: process.env.PATH, APP_ROOT }, encoding: 'utf8' });
    expect(unknown.status).toBe(64);
    expect(unknown.stderr).toMatch(/unknown mode "predict": run the image with train or serve/);
    const empty = await mkdtemp(join(tmpdir(), 'image-'));
    const missing = spawnSync(ENTRYPOINT, ['serve'], { env: { PATH: process.env.PATH, APP_ROOT: empty }, encoding: 'utf8' });
    expect(missing.status).toBe(64);
    expect(missing.stderr).toMatch(/does not contain the inference-api app/);
  });
});
