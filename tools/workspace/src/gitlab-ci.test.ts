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
  image?: string;
  cache?: Array<{ key?: unknown; paths?: string[] }>;
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
    expect(runs.length).toBeGreaterThanOrEqual(1);
    for (const [project, target] of runs) expect(targets.get(project)?.has(target), `${project}:${target}`).toBe(true);
    const many = commands.flatMap((c) => [...c.matchAll(/nx (?:affected|run-many) -t ((?:[a-z][\w-]* ?)+)/g)].flatMap((m) => m[1]!.trim().split(' ')));
    expect(many).toEqual(expect.arrayContaining(['lint', 'typecheck', 'test', 'build']));
    for (const target of many) expect([...targets.values()].some((t) => t.has(target)), target).toBe(true);
  });

  it('builds and pushes the images with the same commands as the Nx docker targets', () => {
    const project = (name: string) => JSON.parse(readFileSync(join(root, 'apps', name, 'project.json'), 'utf8')) as { targets: Record<string, { options?: { command?: string } }> };
    for (const [job, app] of [['trainer-image', 'trainer'], ['inference-image', 'inference-api']] as const) {
      const script = resolved(jobs.find(([name]) => name === job)![1]).script!;
      const { targets } = project(app);
      expect(script, job).toEqual([targets.docker!.options!.command, targets['docker-push']!.options!.command]);
    }
  });

  it('runs every job in an image that can run what the job calls', () => {
    // What each image offers. node_modules (from the install job) holds native bindings for the
    // libc of the image that installed it, so a job using it must run on that same libc.
    const IMAGES: Array<{ pattern: RegExp; libc: 'glibc' | 'musl'; commands: string[]; installer: 'apt-get' | 'apk' }> = [
      // The official node:<version>-bookworm image (buildpack-deps: git, curl, apt).
      { pattern: /^node:(\d+)\.\d+\.\d+-bookworm$/, libc: 'glibc', commands: ['node', 'npm', 'npx', 'git', 'apt-get', 'curl', 'bash'], installer: 'apt-get' },
      // docker:<version> is Alpine with the Docker CLI; nothing else of ours.
      { pattern: /^docker:\d+(\.\d+)*$/, libc: 'musl', commands: ['docker', 'apk'], installer: 'apk' },
    ];
    // Commands the packages installed in a job bring (Debian and Alpine names).
    const PROVIDES: Record<string, string[]> = { 'aws-cli': ['aws'], nodejs: ['node'], npm: ['npm', 'npx'], git: ['git'], shellcheck: ['shellcheck'], rsync: ['rsync'] };
    const BUILTINS = new Set(['echo', 'exit', 'test', '[', 'cd', 'export', 'set', 'true', 'false', ':']);
    const KEYWORDS = /^(if|then|else|elif|fi|do|done|\{|\}|!)$/;
    const nodeMajor = readFileSync(join(root, '.nvmrc'), 'utf8').trim().split('.')[0];

    /** The commands a shell line runs: first words of each pipeline part and of each $(...). */
    const commandsOf = (line: string): string[] => {
      const substitutions = [...line.matchAll(/\$\(([^()]*)\)/g)].map((m) => m[1]!);
      const outer = line.replace(/\$\([^()]*\)/g, 'SUBST');
      return [outer, ...substitutions].flatMap((part) =>
        part.split(/&&|\|\||;|\||\n/).flatMap((segment) => {
          const words = segment.trim().split(/\s+/).filter(Boolean);
          while (words.length && (KEYWORDS.test(words[0]!) || /^[A-Z_][A-Z0-9_]*=/.test(words[0]!))) words.shift();
          return words.length && !words[0]!.startsWith('>') ? [words[0]!] : [];
        }),
      );
    };

    const imageOf = (job: Job) => job.image ?? (config.default as { image: string }).image;
    const specOf = (image: string) => IMAGES.find((spec) => spec.pattern.test(image));
    const install = jobs.find(([name]) => name === 'install')![1];
    const installSpec = specOf(imageOf(install))!;
    for (const [name, raw] of jobs) {
      const job = resolved(raw);
      const image = imageOf(job);
      const spec = specOf(image);
      expect(spec, `${name}: image ${image} is not one this test knows`).toBeDefined();
      const nodeVersion = spec!.pattern.exec(image)![1];
      if (nodeVersion) expect(nodeVersion, `${name}: ${image} is not the Node of .nvmrc`).toBe(nodeMajor);
      const available = new Set([...spec!.commands, ...BUILTINS]);
      const lines = [...(job.before_script ?? []), ...(job.script ?? [])];
      for (const line of lines) {
        // Packages installed by the job itself, with the image's own installer.
        const installed = new RegExp(`${spec!.installer === 'apk' ? 'apk add' : 'apt-get install'}((?:\\s+[\\w.+-]+)+)`).exec(line.replace(/\s--?[\w-]+/g, ''));
        for (const pkg of installed?.[1]!.trim().split(/\s+/) ?? []) for (const command of PROVIDES[pkg] ?? []) available.add(command);
        for (const command of commandsOf(line)) expect(available.has(command), `${name} (${image}) calls ${command}: ${line}`).toBe(true);
      }
      const usesNodeModules = (job.cache ?? []).some((c) => (c.paths ?? []).includes('node_modules/')) || lines.some((l) => /\bnpx\b/.test(l));
      if (usesNodeModules) expect(spec!.libc, `${name} (${image}) uses node_modules installed on ${imageOf(install)}`).toBe(installSpec.libc);
    }
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
    // As a pipeline of the default branch sees it, whatever branch this checkout is on: the
    // image and deploy jobs only exist there (and on dev).
    const result = spawnSync('npx', ['gitlab-ci-local', '--list', '--variable', 'CI_COMMIT_BRANCH=main', '--variable', 'CI_DEFAULT_BRANCH=main'], { cwd: root, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    // It colours its table when the environment asks for colour (Nx sets FORCE_COLOR for its tasks).
    const [stdout, stderr] = [stripVTControlCharacters(result.stdout), stripVTControlCharacters(result.stderr)];
    expect(stdout + stderr).toMatch(/json schema validated/);
    for (const [name] of jobs) expect(stdout).toMatch(new RegExp(`^${name}\\s`, 'm'));
  }, 60_000);
});
