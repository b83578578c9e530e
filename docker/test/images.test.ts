// Builds both CPU images with the engine `nx run <app>:docker` uses (Docker where its engine
// answers, else Podman) and runs them the way SageMaker does: `train` against a root-owned
// /opt/ml laid out as a training job's, `serve` on the artifact it wrote.
// Each image is built once per run, by docker/image.mjs itself, from this checkout's build
// outputs: the engine's layer cache only reuses a layer whose instruction and copied files are
// identical, so it cannot hide a broken Dockerfile.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readArtifact } from '@nextbuy/artifact';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFirstCustomerServed, freePort, modelLoaded } from './serving';

const root = resolve(import.meta.dirname, '../..');
const BUILD_TIMEOUT = 15 * 60_000;

/** The CDNOW file the repository ships (data/cdnow, with its attribution). */
function cdnowFile(): string {
  const path = join(root, 'data/cdnow/CDNOW_master.txt');
  if (!existsSync(path)) throw new Error(`${path} is missing: the repository ships it`);
  return path;
}

/** The same choice docker/image.mjs makes, so the tests run what it built. */
function engineCommand(): string {
  if (process.env.CONTAINER_ENGINE) return process.env.CONTAINER_ENGINE;
  const docker = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 15_000 });
  return !docker.error && docker.status === 0 ? 'docker' : 'podman';
}

interface Built {
  tag: string;
  seconds: number;
  megabytes: number;
  output: string;
}

async function buildImage(name: 'trainer' | 'inference'): Promise<Built> {
  const started = Date.now();
  const child = spawn(process.execPath, ['docker/image.mjs', 'build', name], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const status = await new Promise<number | null>((r) => child.on('close', r));
  if (status !== 0) throw new Error(`building the ${name} image failed (exit ${status}):\n${`${stdout}\n${stderr}`.slice(-4000)}`);
  const tag = /^built ([^,\s]+),/m.exec(stdout)?.[1];
  if (!tag) throw new Error(`docker/image.mjs build ${name} printed no "built" line:\n${stdout.slice(-2000)}`);
  const size = spawnSync(engine, ['image', 'inspect', '--format', '{{.Size}}', tag], { encoding: 'utf8' }).stdout.trim();
  const built = { tag, seconds: (Date.now() - started) / 1000, megabytes: Number(size) / 1e6, output: stdout };
  // Measured on every run: the README quotes these.
  console.log(`image ${tag}: built in ${built.seconds.toFixed(0)} s, ${built.megabytes.toFixed(0)} MB`);
  return built;
}

function run(args: string[], timeout = 300_000) {
  return spawnSync(engine, args, { encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 });
}

/** An /opt/ml as SageMaker lays it out for a training job: root-owned, 755, hyperparameters all strings. */
async function trainingLayout(hyperparameters: Record<string, string>, data: { file: string; name: string } | { text: string; name: string }): Promise<string> {
  const optMl = await mkdtemp(join(tmpdir(), 'sagemaker-opt-ml-'));
  for (const dir of ['input/config', 'input/data/train', 'model', 'output']) await mkdir(join(optMl, dir), { recursive: true });
  await writeFile(join(optMl, 'input/config/hyperparameters.json'), JSON.stringify(hyperparameters));
  const target = join(optMl, 'input/data/train', data.name);
  if ('file' in data) await copyFile(data.file, target);
  else await writeFile(target, data.text);
  for (const dir of ['', 'input', 'input/config', 'input/data', 'input/data/train', 'model', 'output']) {
    chownSync(join(optMl, dir), 0, 0);
    chmodSync(join(optMl, dir), 0o755);
  }
  return optMl;
}

const engine = engineCommand();
let trainer: Built;
let inference: Built;
const scratch: string[] = [];
let modelDir: string | undefined;

beforeAll(async () => {
  expect(process.getuid?.(), 'these tests lay out a root-owned /opt/ml, as SageMaker does: run them as root').toBe(0);
  // One after the other: two Podman builds at once block each other on the vfs store, and one
  // removing its intermediate images can fail while the other still uses them.
  trainer = await buildImage('trainer');
  inference = await buildImage('inference');
}, BUILD_TIMEOUT);

afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe('the images, built and run', () => {
  it('are built by docker/image.mjs, which says which engine it used', () => {
    for (const built of [trainer, inference]) {
      expect(built.output).toMatch(/^image\.mjs: using (Docker|Podman) \S+/m);
      expect(built.output.toLowerCase()).toContain(`using ${engine}`);
      expect(built.megabytes).toBeGreaterThan(100);
    }
    const labels = run(['image', 'inspect', '--format', '{{index .Config.Labels "org.opencontainers.image.version"}} {{.Config.User}}', trainer.tag]).stdout.trim();
    expect(labels).toMatch(/^0\.1\.0( root)?$/);
    expect(run(['image', 'inspect', '--format', '{{.Config.User}}', inference.tag]).stdout.trim()).toBe('1000:1000');
  });

  it('trains on CDNOW as a SageMaker training job: the artifact lands in /opt/ml/model', async () => {
    // CDNOW padded past three 16 MiB blocks (four blocks: fewer are read whole) with lines of no CDs (dropped), so that the image's
    // worker entry point (block-worker.js beside bin.js) reads most of it.
    const dropped = '99999 19970101 0 0.00\n';
    const padded = (await readFile(cdnowFile(), 'utf8')) + dropped.repeat(Math.ceil((49 << 20) / dropped.length));
    const optMl = await trainingLayout({ mapping: 'cdnow', model_backend: 'xgboost', num_boost_round: '50' }, { text: padded, name: 'CDNOW_master.txt' });
    scratch.push(optMl);
    const result = run(['run', '--rm', '-v', `${optMl}:/opt/ml`, trainer.tag, 'train']);
    expect(result.status, `${result.stdout.slice(-2000)}\n${result.stderr.slice(-3000)}`).toBe(0);
    expect(result.stdout).toMatch(/^mae_days=[0-9.]+;$/m);
    expect(result.stdout).toMatch(/rows read, in 4 blocks on \d threads/);
    const artifact = await readArtifact(join(optMl, 'model'));
    expect(artifact.dataQuality.dropped.non_positive_quantity.count).toBeGreaterThanOrEqual((49 << 20) / dropped.length);
    expect(artifact.hyperparameters).toMatchObject({ num_boost_round: 50 });
    // Trained by the image's Node 22 and its libxgboost0 (loaded through koffi).
    const { libraries } = JSON.parse(await readFile(join(optMl, 'model/manifest.json'), 'utf8')) as { libraries: Record<string, string> };
    expect(libraries.node).toMatch(/^22\./);
    expect(libraries.xgboost).toMatch(/^\d+\.\d+\.\d+$/);
    expect(existsSync(join(optMl, 'output/failure'))).toBe(false);
    modelDir = join(optMl, 'model');
  }, 300_000);

  it('writes /opt/ml/output/failure and exits non-zero on bad input', async () => {
    const optMl = await trainingLayout({ mapping: 'cdnow', num_boost_round: '50' }, { text: 'not,a,cdnow\nfile\n', name: 'CDNOW_master.txt' });
    scratch.push(optMl);
    const result = run(['run', '--rm', '-v', `${optMl}:/opt/ml`, trainer.tag, 'train']);
    expect(result.status, result.stderr).not.toBe(0);
    const failure = await readFile(join(optMl, 'output/failure'), 'utf8');
    expect(failure.trim().length).toBeGreaterThan(0);
    expect(existsSync(join(optMl, 'model/manifest.json'))).toBe(false);
  }, 120_000);

  it('shows why the trainer runs as root: as uid 1000 it cannot even write the failure file', async () => {
    const optMl = await trainingLayout({ model_backend: 'prophet' }, { text: 'x\n', name: 'sales.csv' });
    scratch.push(optMl);
    const result = run(['run', '--rm', '--user', '1000:1000', '-v', `${optMl}:/opt/ml`, trainer.tag, 'train']);
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/EACCES/);
    expect(existsSync(join(optMl, 'output/failure'))).toBe(false);
  }, 120_000);

  it('serves that artifact: /ping, /invocations, and exit 0 on SIGTERM', async () => {
    expect(modelDir, 'the training test must run first').toBeDefined();
    // SageMaker extracts model.tar.gz into a root-owned /opt/ml/model; the server (uid 1000) only reads it.
    const optMl = await mkdtemp(join(tmpdir(), 'sagemaker-serve-'));
    scratch.push(optMl);
    await cp(modelDir!, join(optMl, 'model'), { recursive: true });
    const port = await freePort();
    const name = `nextbuy-serve-test-${process.pid}`;
    // Host networking: no CNI bridge is needed, and the server binds the port SageMaker would map.
    const child = spawn(engine, ['run', '--rm', '--name', name, '--network', 'host', '-e', `SAGEMAKER_BIND_TO_PORT=${port}`, '-e', 'SAGEMAKER_MODEL_SERVER_WORKERS=1', '-v', `${join(optMl, 'model')}:/opt/ml/model:ro`, inference.tag, 'serve'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr.on('data', (c: Buffer) => (log += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    try {
      const base = `http://127.0.0.1:${port}`;
      await modelLoaded(child, exited);
      expect((await fetch(`${base}/ping`)).status, log).toBe(200);
      await expectFirstCustomerServed(base, join(optMl, 'model/batch-input.jsonl'));
    } finally {
      // What SageMaker does to stop a container: SIGTERM to PID 1 (node, through the entrypoint's exec).
      run(['kill', '--signal', 'TERM', name], 30_000);
    }
    expect(await exited, log).toBe(0);
  }, 180_000);
});
