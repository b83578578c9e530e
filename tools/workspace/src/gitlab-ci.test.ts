import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = resolve(import.meta.dirname, '../../..');

interface Job {
  stage?: string;
  script?: string[];
  before_script?: string[];
  rules?: Array<{ if?: string; when?: string; variables?: Record<string, string> }>;
  extends?: string;
}

const text = readFileSync(join(root, '.gitlab-ci.yml'), 'utf8');
const config = parse(text, { merge: true }) as Record<string, unknown> & { stages: string[] };
const jobs = Object.entries(config).filter(([name, value]) => !['default', 'variables', 'stages', 'workflow'].includes(name) && !name.startsWith('.') && typeof value === 'object') as Array<[string, Job]>;
const templates = Object.fromEntries(Object.entries(config).filter(([name]) => name.startsWith('.'))) as Record<string, Job>;
const resolved = (job: Job): Job => (job.extends ? { ...templates[job.extends], ...job } : job);

let targets: Map<string, Set<string>>;
beforeAll(() => {
  const file = join(mkdtempSync(join(tmpdir(), 'graph-')), 'graph.json');
  execFileSync('npx', ['nx', 'graph', `--file=${file}`], { cwd: root, stdio: 'ignore', env: { ...process.env, NX_DAEMON: 'false' } });
  const { nodes } = JSON.parse(readFileSync(file, 'utf8')).graph as { nodes: Record<string, { data: { targets: Record<string, unknown> } }> };
  targets = new Map(Object.entries(nodes).map(([name, node]) => [name, new Set(Object.keys(node.data.targets))]));
}, 120_000);

describe('.gitlab-ci.yml', () => {
  it('has the stages install, check, build, images, deploy, and every job is in one', () => {
    expect(config.stages).toEqual(['install', 'check', 'build', 'images', 'deploy']);
    for (const [name, job] of jobs) expect(config.stages, name).toContain(resolved(job).stage);
  });

  it('calls only Nx targets that exist', () => {
    const commands = jobs.flatMap(([, job]) => [...(resolved(job).script ?? [])]);
    const runs = commands.flatMap((c) => [...c.matchAll(/nx run ([\w-]+):([\w-]+)/g)].map((m) => [m[1]!, m[2]!] as const));
    expect(runs.length).toBeGreaterThanOrEqual(5);
    for (const [project, target] of runs) expect(targets.get(project)?.has(target), `${project}:${target}`).toBe(true);
    const many = commands.flatMap((c) => [...c.matchAll(/nx (?:affected|run-many) -t ((?:[a-z][\w-]* ?)+)/g)].flatMap((m) => m[1]!.trim().split(' ')));
    expect(many).toEqual(expect.arrayContaining(['lint', 'typecheck', 'test', 'build']));
    for (const target of many) expect([...targets.values()].some((t) => t.has(target)), target).toBe(true);
  });

  it('tests what a change affects against the merge base, with full history', () => {
    const check = jobs.find(([name]) => name === 'check')![1];
    const script = check.script!.join('\n');
    expect(script).toMatch(/BASE=\$\(git merge-base "origin\/\$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" HEAD\)/);
    expect(script).toMatch(/BASE=\$\(git merge-base "origin\/\$CI_DEFAULT_BRANCH" HEAD\)/);
    // On the default branch the merge base is HEAD itself: the previous commit instead.
    expect(script).toMatch(/else BASE=\$\(git rev-parse HEAD~1\)/);
    expect(script).toMatch(/nx affected -t lint typecheck test --base="\$BASE"/);
    expect((config.variables as Record<string, string>).GIT_DEPTH).toBe('0');
  });

  it('tags images latest on main and dev on dev, and deploys by hand from main', () => {
    const rules = templates['.images']!.rules!;
    expect(rules).toContainEqual({ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', variables: { IMAGE_TAGS: 'latest' } });
    expect(rules).toContainEqual({ if: '$CI_COMMIT_BRANCH == "dev"', variables: { IMAGE_TAGS: 'dev' } });
    const deploy = jobs.find(([name]) => name === 'deploy')![1];
    expect(deploy.rules).toEqual([{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', when: 'manual' }]);
  });

  it('keeps no AWS credentials in the file', () => {
    expect(text).not.toMatch(/AKIA[0-9A-Z]{16}/);
    expect(text).not.toMatch(/AWS_SECRET_ACCESS_KEY:\s*\S/);
  });

  it('passes GitLab’s schema as gitlab-ci-local reads it', () => {
    // As on the default branch: the image and deploy jobs exist only there, and this may run on any branch.
    const result = spawnSync('npx', ['gitlab-ci-local', '--list', '--variable', 'CI_COMMIT_BRANCH=main'], { cwd: root, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    // It colours its table when the environment asks for colour (Nx sets FORCE_COLOR for its tasks).
    const [stdout, stderr] = [stripVTControlCharacters(result.stdout), stripVTControlCharacters(result.stderr)];
    expect(stdout + stderr).toMatch(/json schema validated/);
    for (const [name] of jobs) expect(stdout).toMatch(new RegExp(`^${name}\\s`, 'm'));
  }, 60_000);
});
