// Builds or pushes a nextbuy image: `node docker/image.mjs build|push trainer|inference [--gpu]`.
// Run through Nx (`nx run trainer:docker`, `nx run trainer:docker-push`), which builds the app first.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const IMAGES = {
  trainer: { dockerfile: 'docker/trainer.Dockerfile', repository: 'nextbuy-trainer' },
  inference: { dockerfile: 'docker/inference.Dockerfile', repository: 'nextbuy-inference' },
};

function fail(sentence) {
  console.error(sentence);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) fail(`${command} could not be started: ${result.error.message}`);
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const [action, name, ...flags] = process.argv.slice(2);
const image = IMAGES[name];
if (!['build', 'push'].includes(action) || !image) fail('usage: node docker/image.mjs build|push trainer|inference [--gpu]');

const engine = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 15_000 });
if (engine.error || engine.status !== 0) {
  fail(`No Docker engine answers on this machine, so the ${name} image cannot be ${action === 'build' ? 'built' : 'pushed'} here: install Docker (or start its daemon) and run this target again.`);
}

const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
const revision = spawnSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).stdout.trim() || 'unknown';
const gpu = flags.includes('--gpu');
const repository = `${image.repository}${gpu ? '-gpu' : ''}`;
const tags = [`${repository}:${version}`, `${repository}:${revision}`];

if (action === 'build') {
  const args = ['build', '-f', image.dockerfile, '--build-arg', `VERSION=${version}`, '--build-arg', `GIT_REVISION=${revision}`];
  if (gpu) args.push('--build-arg', 'VARIANT=gpu');
  for (const tag of tags) args.push('-t', tag);
  run('docker', [...args, '.']);
  console.log(`built ${tags.join(', ')}`);
} else {
  // ECR_REGISTRY: <account>.dkr.ecr.<region>.amazonaws.com; extra tags (latest, dev) from IMAGE_TAGS.
  const registry = process.env.ECR_REGISTRY;
  if (!registry) fail('Set ECR_REGISTRY to the ECR registry host (<account>.dkr.ecr.<region>.amazonaws.com) to push.');
  const region = registry.split('.')[3];
  const login = spawnSync('aws', ['ecr', 'get-login-password', '--region', region], { encoding: 'utf8' });
  if (login.error || login.status !== 0) fail(`Could not get an ECR login from the AWS CLI: ${(login.error?.message ?? login.stderr).trim()}`);
  run('docker', ['login', '--username', 'AWS', '--password-stdin', registry], { input: login.stdout, stdio: ['pipe', 'inherit', 'inherit'] });
  // The revision tag is immutable in ECR; IMAGE_TAGS adds the moving branch tags (latest, dev).
  const extra = (process.env.IMAGE_TAGS ?? '').split(',').filter(Boolean);
  for (const tag of [revision, ...extra]) {
    const remote = `${registry}/${repository}:${tag}`;
    run('docker', ['tag', `${repository}:${revision}`, remote]);
    run('docker', ['push', remote]);
  }
}
