import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const DOCKERFILES = ['docker/trainer.Dockerfile', 'docker/inference.Dockerfile'];

/** Instructions of a Dockerfile with line continuations joined. */
function instructions(path: string): string[] {
  return readFileSync(join(root, path), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

describe.each(DOCKERFILES)('%s', (dockerfile) => {
  it('has no lint errors', () => {
    const errors = validate(readFileSync(join(root, dockerfile), 'utf8')).filter((d) => d.severity === 1);
    expect(errors.map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('copies only files the Nx build produces (or the repo holds)', () => {
    const copies = instructions(dockerfile).filter((l) => /^COPY /i.test(l) && !/--from=/.test(l));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const parts = copy.split(/\s+/).slice(1).filter((p) => !p.startsWith('--'));
      for (const source of parts.slice(0, -1)) expect(existsSync(join(root, source)), `${copy}: ${source}`).toBe(true);
    }
  });

  it('runs as a non-root user, through the entrypoint, with version labels', () => {
    const lines = instructions(dockerfile);
    const lastFrom = lines.map((l) => /^FROM /i.test(l)).lastIndexOf(true);
    const finalStage = lines.slice(lastFrom);
    const user = finalStage.filter((l) => /^USER /i.test(l)).pop();
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER\s+(root|0)(:|\s|$)/i);
    expect(finalStage.some((l) => l.startsWith('ENTRYPOINT ["/usr/local/bin/nextbuy-entrypoint"]'))).toBe(true);
    expect(finalStage.join('\n')).toMatch(/org\.opencontainers\.image\.revision="\$\{GIT_REVISION\}"/);
    // No secrets or caches in layers.
    expect(lines.join('\n')).not.toMatch(/AWS_SECRET|AWS_ACCESS_KEY|NPM_TOKEN/);
    for (const run of lines.filter((l) => /^RUN .*npm (ci|install)/.test(l))) expect(run).toMatch(/npm cache clean --force/);
    for (const run of lines.filter((l) => /^RUN .*apt-get install/.test(l))) expect(run).toMatch(/rm -rf \/var\/lib\/apt\/lists/);
  });
});

describe('the images', () => {
  it('have a GPU variant of the trainer selected by a build argument', () => {
    const lines = instructions('docker/trainer.Dockerfile');
    expect(lines).toContain('ARG VARIANT=cpu');
    expect(lines.some((l) => /^FROM runtime-\$\{VARIANT\} AS trainer/.test(l))).toBe(true);
    expect(lines.some((l) => /^FROM nvidia\/cuda:.* AS runtime-gpu/.test(l))).toBe(true);
    expect(lines.join('\n')).toContain('@tensorflow/tfjs-node-gpu@4.22.0');
  });

  it('ship an executable, shellcheck-clean entrypoint', () => {
    const entrypoint = join(root, 'docker/entrypoint.sh');
    expect(statSync(entrypoint).mode & 0o111).not.toBe(0);
    const git = spawnSync('git', ['ls-files', '-s', 'docker/entrypoint.sh'], { cwd: root, encoding: 'utf8' });
    if (git.stdout) expect(git.stdout).toMatch(/^100755 /);
    const check = spawnSync('shellcheck', [entrypoint], { encoding: 'utf8' });
    expect(check.error, 'shellcheck must be installed (Debian package shellcheck)').toBeUndefined();
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('say in one sentence that no Docker engine answers, when none does', () => {
    const result = spawnSync(process.execPath, ['docker/image.mjs', 'build', 'trainer'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(/^No Docker engine answers on this machine, so the trainer image cannot be built here: .*\.$/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
