import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const LIBS = ['ingestion', 'features', 'outliers', 'xgb-model', 'lstm-model', 'random', 'datagen'];
const APPS = ['trainer', 'inference-api', 'lambda-extract', 'lambda-batch', 'lambda-dynamo'];

interface Graph {
  nodes: Record<string, { type: string; data: { root: string; tags?: string[]; targets: Record<string, unknown> } }>;
  dependencies: Record<string, Array<{ target: string }>>;
}
let graph: Graph;

beforeAll(() => {
  const file = join(mkdtempSync(join(tmpdir(), 'graph-')), 'graph.json');
  execFileSync('npx', ['nx', 'graph', `--file=${file}`], { cwd: root, stdio: 'ignore', env: { ...process.env, NX_DAEMON: 'false' } });
  graph = JSON.parse(readFileSync(file, 'utf8')).graph;
}, 120_000);

describe('the Nx workspace', () => {
  it('has the product projects under their own names, with test, lint and typecheck', () => {
    for (const name of [...LIBS, ...APPS]) {
      expect(graph.nodes[name], name).toBeDefined();
      expect(Object.keys(graph.nodes[name]!.data.targets)).toEqual(expect.arrayContaining(['test', 'lint', 'typecheck']));
    }
    for (const app of APPS) expect(graph.nodes[app]!.data.targets.build, app).toBeDefined();
  });

  // A cache hit replays a test's pass: its inputs must hold everything the test reads, or a
  // shared cache could replay a pass recorded on other data or another native library.
  it('hashes the data files and the runtime versions into every project\'s test target', () => {
    const nx = JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8')) as { namedInputs: Record<string, unknown[]> };
    expect(nx.namedInputs.testData).toEqual(['{workspaceRoot}/data/**/*']);
    expect(nx.namedInputs.testRuntime).toEqual(
      expect.arrayContaining([{ runtime: 'node node_modules/tsx/dist/cli.mjs tools/workspace/src/runtime-versions.ts' }, { env: 'XGBOOST_LIBRARY_PATH' }, { env: 'TFJS_BACKEND' }]),
    );
    for (const [name, node] of Object.entries(graph.nodes)) {
      const test = node.data.targets.test as { inputs?: unknown[] } | undefined;
      if (!test) continue;
      expect(test.inputs, name).toEqual(expect.arrayContaining(['testData']));
      if (name !== 'workspace') expect(test.inputs, name).toEqual(expect.arrayContaining(['testRuntime']));
    }
    // The runtime input names the versions the tests depend on (what it prints goes into the hash).
    const versions = execFileSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'tools/workspace/src/runtime-versions.ts'], { cwd: root, encoding: 'utf8' });
    expect(versions.trim()).toMatch(/^node v\d+\.\d+\.\d+; libxgboost \d+\.\d+\.\d+; python xgboost \d+\.\d+\.\d+$/);
    expect(versions).toContain(`node ${process.version};`);
  }, 60_000);

  it('has no library that depends on an application, and no cycle', () => {
    const isApp = (name: string) => graph.nodes[name]?.type === 'app';
    for (const [source, deps] of Object.entries(graph.dependencies)) {
      if (graph.nodes[source]?.type !== 'lib') continue;
      for (const dep of deps) expect(isApp(dep.target), `${source} -> ${dep.target}`).toBe(false);
    }
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string, path: string[]): void => {
      if (done.has(name)) return;
      expect(visiting.has(name), `cycle: ${[...path, name].join(' -> ')}`).toBe(false);
      visiting.add(name);
      for (const dep of graph.dependencies[name] ?? []) if (graph.nodes[dep.target]) visit(dep.target, [...path, name]);
      visiting.delete(name);
      done.add(name);
    };
    for (const name of Object.keys(graph.nodes)) visit(name, []);
  });

  // Nx links an import of a workspace package to its project only when the importing project's
  // package.json declares it: an undeclared import leaves no edge, and then `nx affected` skips the
  // dependents of a change and a cached test (inputs `^production`) replays a pass made before it.
  it('has an edge for every import of another project, each declared in the importer\'s package.json', () => {
    const byPackage = new Map<string, string>();
    for (const [name, node] of Object.entries(graph.nodes)) {
      const file = join(root, node.data.root, 'package.json');
      if (node.type !== 'npm' && node.data.root !== '.' && existsSync(file)) byPackage.set((JSON.parse(readFileSync(file, 'utf8')) as { name: string }).name, name);
    }
    const importPattern = /(?:from\s+|import\s*\(\s*|import\s+)['"](@nextbuy\/[a-z0-9-]+)/g;
    let checked = 0;
    for (const [pkg, name] of byPackage) {
      const projectRoot = join(root, graph.nodes[name]!.data.root);
      const manifest = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
      const declared = new Set(Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }));
      const targets = new Set((graph.dependencies[name] ?? []).map((d) => d.target));
      const files = readdirSync(projectRoot, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ts|mts|mjs)$/.test(f) && !/(^|\/)(node_modules|dist|test-output)\//.test(f));
      for (const file of files) {
        for (const [, imported] of readFileSync(join(projectRoot, file), 'utf8').matchAll(importPattern)) {
          if (imported === pkg) continue;
          expect(declared.has(imported!), `${name}/${file} imports ${imported} without declaring it in its package.json`).toBe(true);
          expect(targets.has(byPackage.get(imported!)!), `${name} -> ${byPackage.get(imported!)} (${file})`).toBe(true);
          checked++;
        }
      }
    }
    // The product's own chain, as a reader of design.md expects it.
    expect(checked).toBeGreaterThan(100);
    for (const [from, to] of [['trainer', 'model-registry'], ['model-registry', 'xgb-model'], ['xgb-model', 'features'], ['lstm-model', 'features'], ['features', 'btyd-model']]) {
      expect([...(graph.dependencies[from!] ?? [])].map((d) => d.target), `${from} -> ${to}`).toContain(to);
    }
  });

  it('rejects, at lint time, a library that reaches into an application', async () => {
    // Applications export nothing (no "exports" in their package.json), so a path is the only way in.
    const eslint = new ESLint({ cwd: root });
    const [result] = await eslint.lintText("import { parseTrainerArgs } from '../../../apps/trainer/src/cli';\nexport const f = parseTrainerArgs;\n", {
      filePath: join(root, 'libs/features/src/boundary-probe.ts'),
    });
    expect(result!.messages.map((m) => m.ruleId)).toContain('@nx/enforce-module-boundaries');
  }, 60_000);

  it('tags every project by its folder: libs/ type:lib, apps/ type:app, tools/, infra/ and docker/ type:tool', () => {
    const expected = (root: string) => (root.startsWith('libs/') ? 'type:lib' : root.startsWith('apps/') ? 'type:app' : 'type:tool');
    for (const [name, node] of Object.entries(graph.nodes)) {
      if (node.type === 'npm') continue;
      // Nx adds tags of its own (npm:private); ours are the type: ones.
      const types = (node.data.tags ?? []).filter((tag) => tag.startsWith('type:'));
      expect(types, `${name} (${node.data.root})`).toEqual([expected(node.data.root)]);
    }
  });

  it('has no library or application that depends on a project under tools/', () => {
    const root = (name: string) => graph.nodes[name]?.data.root ?? '';
    for (const [source, deps] of Object.entries(graph.dependencies)) {
      if (!/^(libs|apps)\//.test(root(source))) continue;
      for (const dep of deps) expect(root(dep.target), `${source} -> ${dep.target}`).not.toMatch(/^tools\//);
    }
  });

  it.each([
    ['a library', 'libs/outliers/src/boundary-probe.ts', "import { SCENARIOS } from '../../../tools/datagen-cli/src/cli';"],
    ['an application', 'apps/trainer/src/boundary-probe.ts', "import { SCENARIOS } from '../../../tools/datagen-cli/src/cli';"],
  ])('rejects, at lint time, %s importing a tool', async (_kind, filePath, line) => {
    const eslint = new ESLint({ cwd: root });
    const [result] = await eslint.lintText(`${line}\nexport const f = SCENARIOS;\n`, { filePath: join(root, filePath) });
    expect(result!.messages.map((m) => m.ruleId)).toContain('@nx/enforce-module-boundaries');
  }, 60_000);
});
