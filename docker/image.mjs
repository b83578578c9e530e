// Builds or pushes a nextbuy image: `node docker/image.mjs build|push trainer|inference [--gpu]`.
// Run through Nx (`nx run trainer:docker`, `nx run trainer:docker-push`), which builds the app
// first, or directly where dist/ already holds the build (the GitLab image jobs).
// Node built-ins only: the GitLab image jobs run it in the docker:* image without node_modules.
//
// Engine: CONTAINER_ENGINE=docker|podman if set; else Docker when its engine answers; else
// Podman (what works where no Docker engine runs). The choice is printed.
// Base image: when the official node image is neither present nor pullable (no container
// registry reachable), docker/base-image.sh builds a stand-in under the official name.
// Production dependencies: NPM_OFFLINE=1 prepares an npm cache on the host (dist/apps/<app>/
// npm-cache) that the Dockerfile's `npm ci --offline` installs from, for builds that cannot
// reach the npm registry; NPM_OFFLINE=0 leaves it empty (plain `npm ci` in the build); unset,
// it is 1 exactly when the base image is the stand-in (a machine without registry access).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const IMAGES = {
  trainer: { dockerfile: 'docker/trainer.Dockerfile', repository: 'nextbuy-trainer', app: 'trainer' },
  inference: { dockerfile: 'docker/inference.Dockerfile', repository: 'nextbuy-inference', app: 'inference-api' },
};

function fail(sentence) {
  console.error(sentence);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) fail(`${command} could not be started: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args[0]} failed (exit ${result.status ?? result.signal}): see its output above.`);
}

function answers(command, args, timeout = 15_000) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout });
  return !result.error && result.status === 0 ? result.stdout.trim() : undefined;
}

/** The engine to use: { command, name, version }, or a sentence saying why there is none. */
function chooseEngine() {
  const forced = process.env.CONTAINER_ENGINE;
  if (forced && !['docker', 'podman'].includes(forced)) fail(`CONTAINER_ENGINE is "${forced}": it must be docker or podman.`);
  const probes = {
    docker: () => answers('docker', ['info', '--format', '{{.ServerVersion}}']),
    // Podman's info has no .ServerVersion.
    podman: () => answers('podman', ['info', '--format', '{{.Version.Version}}']),
  };
  for (const command of forced ? [forced] : ['docker', 'podman']) {
    const version = probes[command]();
    if (version) return { command, name: command === 'docker' ? 'Docker' : 'Podman', version };
  }
  if (forced) fail(`CONTAINER_ENGINE is ${forced}, but ${forced} does not answer on this machine (\`${forced} info\` fails): install or start it, or unset CONTAINER_ENGINE.`);
  fail(`No Docker engine answers on this machine and Podman is not installed, so the ${name} image cannot be ${action === 'build' ? 'built' : 'pushed'} here: start Docker, or install Podman (docker/podman-setup.sh does it on Debian), and run this target again.`);
}

const [action, name, ...flags] = process.argv.slice(2);
const image = IMAGES[name];
if (!['build', 'push'].includes(action) || !image) fail('usage: node docker/image.mjs build|push trainer|inference [--gpu]');

const engine = chooseEngine();
console.log(`image.mjs: using ${engine.name} ${engine.version}${process.env.CONTAINER_ENGINE ? ' (CONTAINER_ENGINE)' : ''}`);

const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
const revision = process.env.GIT_REVISION || spawnSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).stdout?.trim() || 'unknown';
const gpu = flags.includes('--gpu');
const repository = `${image.repository}${gpu ? '-gpu' : ''}`;
const tags = [`${repository}:${version}`, `${repository}:${revision}`];
// One Node version for the workspace: .nvmrc; the Dockerfiles' ARG default must equal it (a test checks).
const nodeVersion = readFileSync('.nvmrc', 'utf8').trim().replace(/^v/, '');

// Generous timeouts: Podman's vfs store can be locked for a while by another build.
const imageExists = (ref) => answers(engine.command, ['image', 'inspect', '--format', '{{.Id}}', ref], 300_000) !== undefined;
const standInLabel = (ref) => answers(engine.command, ['image', 'inspect', '--format', '{{index .Config.Labels "nextbuy.stand-in"}}', ref], 300_000);

/** Makes sure the official base image is there: present, pulled, or (no registry) the stand-in. */
function ensureBaseImage() {
  const base = `docker.io/library/node:${nodeVersion}-bookworm-slim`;
  if (imageExists(base)) return base;
  console.log(`image.mjs: pulling ${base}`);
  const pull = spawnSync(engine.command, ['pull', base], { stdio: 'inherit', timeout: 600_000 });
  if (pull.status === 0) return base;
  console.log(`image.mjs: ${base} cannot be pulled here: building its stand-in (docker/base-image.sh)`);
  run('bash', ['docker/base-image.sh', nodeVersion], { env: { ...process.env, CONTAINER_ENGINE: engine.command } });
  return base;
}

/** dist/apps/<app>/npm-cache: empty, or an npm cache holding the production dependencies. */
function prepareNpmCache(offline) {
  const dist = join('dist/apps', image.app);
  const cache = join(dist, 'npm-cache');
  rmSync(cache, { recursive: true, force: true });
  mkdirSync(cache, { recursive: true });
  if (!offline) return;
  // An install in a scratch copy fills an npm cache with what `npm ci --omit=dev` needs on
  // linux-x64 glibc (the image's platform); the installed tree itself is thrown away. That cache
  // is kept per user (~/.cache/nextbuy/npm-cache), so a rebuild downloads nothing; it holds only
  // the images' production packages, and the deps stage drops it after installing.
  const shared = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'nextbuy', 'npm-cache');
  const scratch = mkdtempSync(join(tmpdir(), `nextbuy-${image.app}-deps-`));
  for (const file of ['package.json', 'package-lock.json']) cpSync(join(dist, file), join(scratch, file));
  console.log(`image.mjs: npm cache of the production dependencies in ${cache} (NPM_OFFLINE)`);
  run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', '--cache', shared], { cwd: scratch });
  rmSync(scratch, { recursive: true, force: true });
  cpSync(shared, cache, { recursive: true, filter: (source) => !source.includes(`${join(shared, '_logs')}`) });
}

if (action === 'build') {
  const started = Date.now();
  const args = ['build', '-f', image.dockerfile, '--build-arg', `NODE_VERSION=${nodeVersion}`, '--build-arg', `VERSION=${version}`, '--build-arg', `GIT_REVISION=${revision}`];
  let offline = process.env.NPM_OFFLINE === '1';
  if (gpu) {
    // Buildah does not resolve `FROM runtime-${VARIANT}`; the gpu stages are reached by target.
    args.push('--build-arg', 'VARIANT=gpu');
  } else {
    const base = ensureBaseImage();
    if (process.env.NPM_OFFLINE === undefined) offline = Boolean(standInLabel(base));
  }
  if (engine.command === 'podman') {
    // Podman/Buildah 4.3 here: RUN steps work only with chroot isolation; the dependencies
    // stage is chosen by target because Buildah does not resolve `FROM deps-${VARIANT}`.
    // --layers=false: vfs storage (the driver that works here) copies the whole file system at
    // every committed step; committing only each stage's result is about twice as fast, and no
    // intermediate image of an earlier build is reused.
    args.push('--isolation', 'chroot', '--format', 'docker', '--layers=false');
  }
  if (image.app === 'trainer') args.push('--target', gpu ? 'trainer-gpu' : 'trainer');
  prepareNpmCache(offline);
  for (const tag of tags) args.push('-t', tag);
  run(engine.command, [...args, '.']);
  const size = answers(engine.command, ['image', 'inspect', '--format', '{{.Size}}', tags[0]]);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`built ${tags.join(', ')} with ${engine.name} in ${seconds} s${size ? `, ${(Number(size) / 1e6).toFixed(0)} MB` : ''}${offline ? ', dependencies from the host npm cache' : ''}`);
} else {
  // ECR_REGISTRY: <account>.dkr.ecr.<region>.amazonaws.com; extra tags (latest, dev) from IMAGE_TAGS.
  const registry = process.env.ECR_REGISTRY;
  if (!registry) fail('Set ECR_REGISTRY to the ECR registry host (<account>.dkr.ecr.<region>.amazonaws.com) to push.');
  const region = registry.split('.')[3];
  const login = spawnSync('aws', ['ecr', 'get-login-password', '--region', region], { encoding: 'utf8' });
  if (login.error || login.status !== 0) fail(`Could not get an ECR login from the AWS CLI: ${(login.error?.message ?? login.stderr).trim()}`);
  run(engine.command, ['login', '--username', 'AWS', '--password-stdin', registry], { input: login.stdout, stdio: ['pipe', 'inherit', 'inherit'] });
  // The revision tag is immutable in ECR; IMAGE_TAGS adds the moving branch tags (latest, dev).
  const extra = (process.env.IMAGE_TAGS ?? '').split(',').filter(Boolean);
  for (const tag of [revision, ...extra]) {
    const remote = `${registry}/${repository}:${tag}`;
    run(engine.command, ['tag', `${repository}:${revision}`, remote]);
    run(engine.command, ['push', remote]);
  }
}
