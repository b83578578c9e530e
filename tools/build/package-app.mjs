// Turns an app's esbuild bundle in dist/apps/<app> into its deployable artifact:
// - package.json: "type": "module" and, as dependencies, only the packages the bundle leaves
//   external (native or wasm code that cannot be bundled), pinned to the workspace's versions;
// - package-lock.json for those (so a Docker image installs them with `npm ci`); Nx's own
//   generated lockfile misses overridden packages, hence this step;
// - with --worker <entry.ts> (repeatable), a bundle of that worker-thread entry point beside the
//   main file, named after it: the library that starts the worker finds it there. Built here rather
//   than as an extra entry point of the Nx bundle, which would nest every output under its source
//   path (apps/<app>/src/...), moving the main file;
// - with --zip, dist/apps/<app>.zip for Lambda: entries sorted with a fixed timestamp, so the
//   same build gives a byte-identical zip (CDK then sees no change).
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { build } from 'esbuild';
import yazl from 'yazl';

const [app, ...flags] = process.argv.slice(2);
const workers = flags.flatMap((flag, index) => (flag === '--worker' ? [flags[index + 1]] : []));
if (!app) {
  console.error('usage: package-app.mjs <app> [--zip]');
  process.exit(2);
}
const outDir = join('dist', 'apps', app);
const project = JSON.parse(readFileSync(join('apps', app, 'project.json'), 'utf8'));
const root = JSON.parse(readFileSync('package.json', 'utf8'));
const bundle = project.targets.bundle ?? project.targets.build;
const externals = bundle.options?.external ?? [];
const versions = { ...root.dependencies, ...root.devDependencies };
const dependencies = Object.fromEntries(
  externals.map((name) => {
    if (!versions[name]) throw new Error(`${app}: external "${name}" is not a dependency of the workspace`);
    return [name, versions[name]];
  }),
);
// The bundle's main file is named after the entry point; other entry points (a worker) sit beside it.
const main = basename(bundle.options?.main ?? 'main.ts').replace(/\.ts$/, '.js');
const manifest = { name: `@nextbuy/${app}`, version: root.version, private: true, type: 'module', main, dependencies };
for (const stale of ['package.json', 'package-lock.json']) rmSync(join(outDir, stale), { force: true });
writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
if (Object.keys(dependencies).length) {
  execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: outDir, stdio: 'inherit' });
}
console.log(`${outDir}: ${main}, runtime dependencies: ${Object.keys(dependencies).join(', ') || 'none'}`);

const nxEsbuild = JSON.parse(readFileSync('nx.json', 'utf8')).targetDefaults['@nx/esbuild:esbuild'].options;
for (const entry of workers) {
  if (!entry || !existsSync(entry)) throw new Error(`${app}: --worker needs an existing entry point, got ${entry}`);
  await build({
    entryPoints: [entry],
    outfile: join(outDir, basename(entry).replace(/\.ts$/, '.js')),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: nxEsbuild.target,
    external: externals,
    banner: nxEsbuild.esbuildOptions.banner,
    tsconfig: join('apps', app, 'tsconfig.json'),
    sourcemap: true,
    logLevel: 'warning',
  });
  console.log(`${outDir}: worker ${basename(entry).replace(/\.ts$/, '.js')} from ${entry}`);
}

if (flags.includes('--zip')) {
  const zipPath = `${outDir}.zip`;
  const walk = function* (dir) {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) yield* walk(path);
      else yield path;
    }
  };
  const zip = new yazl.ZipFile();
  const mtime = new Date('2000-01-01T00:00:00Z');
  let count = 0;
  for (const path of walk(outDir)) {
    if (path.endsWith('.map') || path.endsWith('package-lock.json')) continue;
    zip.addBuffer(readFileSync(path), relative(outDir, path), { mtime, mode: 0o100644 });
    count++;
  }
  zip.end();
  await new Promise((resolve, reject) => zip.outputStream.pipe(createWriteStream(zipPath)).on('close', resolve).on('error', reject));
  console.log(`${zipPath}: ${count} files, ${statSync(zipPath).size} bytes`);
}
if (!existsSync(join(outDir, main ?? ''))) throw new Error(`${outDir}: no bundle found; run the bundle target first`);
