import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const DOCKERFILES = ['docker/trainer.Dockerfile', 'docker/inference.Dockerfile'];
const SCRIPTS = ['docker/entrypoint.sh', 'docker/base-image.sh', 'docker/podman-setup.sh'];
const nodeVersion = readFileSync(join(root, '.nvmrc'), 'utf8').trim();

/** Instructions of a Dockerfile with line continuations joined. */
function instructions(path: string): string[] {
  return readFileSync(join(root, path), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** The instructions of the stage named `name` (from its FROM to the next FROM). */
function stage(lines: string[], name: string): string[] {
  const start = lines.findIndex((l) => new RegExp(`^FROM \\S+ AS ${name}$`, 'i').test(l));
  expect(start, `stage ${name}`).toBeGreaterThanOrEqual(0);
  const next = lines.findIndex((l, i) => i > start && /^FROM /i.test(l));
  return lines.slice(start, next < 0 ? undefined : next);
}

describe.each(DOCKERFILES)('%s', (dockerfile) => {
  const lines = instructions(dockerfile);

  it('has no lint errors', () => {
    const errors = validate(readFileSync(join(root, dockerfile), 'utf8')).filter((d) => d.severity === 1);
    expect(errors.map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('copies only files the Nx build produces (or the repo holds), and the npm cache docker/image.mjs prepares', () => {
    const copies = lines.filter((l) => /^COPY /i.test(l) && !/--from=/.test(l));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const parts = copy.split(/\s+/).slice(1).filter((p) => !p.startsWith('--'));
      for (const source of parts.slice(0, -1)) {
        // docker/image.mjs creates npm-cache/ (empty, or the offline cache) before every build.
        if (/^dist\/apps\/[\w-]+\/npm-cache\/$/.test(source)) continue;
        expect(existsSync(join(root, source)), `${copy}: ${source}`).toBe(true);
      }
    }
    const dockerignore = readFileSync(join(root, '.dockerignore'), 'utf8');
    for (const cache of copies.map((c) => /(dist\/apps\/[\w-]+\/npm-cache)\//.exec(c)?.[1]).filter(Boolean)) expect(dockerignore).toContain(`!${cache}`);
    // .dockerignore lets through nothing it does not name: every file a COPY takes from dist/ is named.
    const allowed = new Set(dockerignore.split('\n').filter((line) => line.startsWith('!')).map((line) => line.slice(1).trim()));
    for (const copy of copies) {
      for (const source of copy.split(/\s+/).slice(1, -1).filter((p) => p.startsWith('dist/') && !p.endsWith('/'))) {
        if (statSync(join(root, source)).isFile()) expect(allowed.has(source), `${source} is not let through by .dockerignore`).toBe(true);
      }
    }
  });

  it('builds on the Node version of .nvmrc, from the official image name', () => {
    expect(lines).toContain(`ARG NODE_VERSION=${nodeVersion}`);
    expect(lines).toContain('FROM node:${NODE_VERSION}-bookworm-slim AS node');
  });

  it('installs its production dependencies from the host npm cache when there is one, else from the registry', () => {
    const install = lines.find((l) => /^RUN .*npm ci/.test(l));
    expect(install).toMatch(/npm ci --offline --cache \/tmp\/npm-cache --omit=dev/);
    expect(install).toMatch(/else npm ci --omit=dev/);
    expect(install).toMatch(/rm -rf \/tmp\/npm-cache/);
  });

  it('runs through the entrypoint, with version labels, and keeps no secrets or caches in layers', () => {
    const lastFrom = lines.map((l) => /^FROM /i.test(l)).lastIndexOf(true);
    const finalStage = lines.slice(lastFrom);
    expect(finalStage.some((l) => l.startsWith('ENTRYPOINT ["/usr/local/bin/nextbuy-entrypoint"]'))).toBe(true);
    expect(finalStage.join('\n')).toMatch(/org\.opencontainers\.image\.revision="\$\{GIT_REVISION\}"/);
    expect(lines.join('\n')).not.toMatch(/AWS_SECRET|AWS_ACCESS_KEY|NPM_TOKEN/);
    for (const run of lines.filter((l) => /^RUN .*npm (ci|install)/.test(l))) expect(run).toMatch(/npm cache clean --force/);
    for (const run of lines.filter((l) => /^RUN .*apt-get install/.test(l))) expect(run).toMatch(/rm -rf \/var\/lib\/apt\/lists/);
  });
});

describe('the users the images run as', () => {
  const userOf = (stageLines: string[]) => stageLines.filter((l) => /^USER /i.test(l)).pop();

  it('the trainer stages run as root: SageMaker mounts /opt/ml root-owned (images.test.ts shows uid 1000 failing)', () => {
    const lines = instructions('docker/trainer.Dockerfile');
    for (const name of ['trainer', 'trainer-gpu']) expect(userOf(stage(lines, name)), name).toBe('USER root');
  });

  it('the inference image serves as uid 1000: it only reads /opt/ml/model', () => {
    expect(userOf(stage(instructions('docker/inference.Dockerfile'), 'inference'))).toBe('USER 1000:1000');
  });
});

describe('the images', () => {
  it('have a GPU trainer stage reached by --target, and the CPU trainer as the default (last) stage', () => {
    const lines = instructions('docker/trainer.Dockerfile');
    const froms = lines.filter((l) => /^FROM /i.test(l));
    expect(froms.at(-1)).toBe('FROM node AS trainer');
    expect(froms).toContainEqual(expect.stringMatching(/^FROM nvidia\/cuda:.* AS trainer-gpu$/));
    // Buildah does not resolve stage names built from arguments.
    expect(froms.filter((l) => l.includes('${'))).toEqual(['FROM node:${NODE_VERSION}-bookworm-slim AS node']);
    expect(stage(lines, 'trainer-gpu').join('\n')).toContain('COPY --from=deps-gpu');
    expect(lines.join('\n')).toContain('@tensorflow/tfjs-node-gpu@4.22.0');
    const image = readFileSync(join(root, 'docker/image.mjs'), 'utf8');
    expect(image).toContain("'--target', gpu ? 'trainer-gpu' : 'trainer'");
  });

  it.each(SCRIPTS)('ship %s executable and shellcheck-clean', (script) => {
    const path = join(root, script);
    expect(statSync(path).mode & 0o111).not.toBe(0);
    const git = spawnSync('git', ['ls-files', '-s', script], { cwd: root, encoding: 'utf8' });
    // The mode git records is what a clone gets: the script must be in the index, as 100755.
    expect(git.status, git.stderr).toBe(0);
    expect(git.stdout).toMatch(/^100755 /);
    const check = spawnSync('shellcheck', [path], { encoding: 'utf8' });
    expect(check.error, 'shellcheck must be installed (Debian package shellcheck)').toBeUndefined();
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});

describe('docker/image.mjs', () => {
  const image = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, ['docker/image.mjs', 'build', 'trainer'], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });

  it('says in one sentence that CONTAINER_ENGINE names no engine it knows', () => {
    const result = image({ CONTAINER_ENGINE: 'lxc' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('CONTAINER_ENGINE is "lxc": it must be docker or podman.');
  });

  it('says in one sentence that the engine CONTAINER_ENGINE asks for does not answer', () => {
    const result = image({ CONTAINER_ENGINE: 'docker', DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(/^CONTAINER_ENGINE is docker, but docker does not answer on this machine \(`docker info` fails\): .*\.$/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('says in one sentence that neither Docker nor Podman is there', () => {
    // A PATH with node only: no docker, no podman.
    const result = spawnSync(process.execPath, ['docker/image.mjs', 'build', 'inference'], { cwd: root, encoding: 'utf8', env: { PATH: '/nonexistent', HOME: process.env.HOME } });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(/^No Docker engine answers on this machine and Podman is not installed, so the inference image cannot be built here: .*\.$/);
  });
});
