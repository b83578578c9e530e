// bench:data: generated Online Retail data (540 thousand and 5.4 million rows) through read,
// clean, orders and features; rows per second and peak memory per stage, and the same work by two
// peers on the same file: DuckDB (an embedded engine, one SQL query, the result read back into
// JavaScript, duckdb-peer.ts) and pandas (the seed's stack). nextbuy (bundled, as the apps ship it)
// and each peer run each size in a process of their own, so each peak memory is that run's alone.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { duckdbTargetLine, medianRun, peerSecondsLine, spread } from './data-summary';
import { cachedOnlineRetailCsv } from './datasets';
import { printTable } from './measure';

const SIZES = (process.env.BENCH_DATA_ROWS ?? '540000,5400000').split(',').map(Number);
const REPEATS = Number(process.env.BENCH_DATA_REPEATS ?? 3);
const PANDAS_PEER = resolve(import.meta.dirname, '../peers/pandas_data.py');
const DUCKDB_PEER = resolve(import.meta.dirname, 'duckdb-peer.ts');
const NEXTBUY_SIDE = resolve(import.meta.dirname, 'nextbuy-data.ts');
const WORKSPACE = resolve(import.meta.dirname, '../../..');
const BLOCK_WORKER = resolve(WORKSPACE, 'libs/ingestion/src/block-worker.ts');

interface NxJson {
  targetDefaults: { '@nx/esbuild:esbuild': { options: { target: string; esbuildOptions: { banner: Record<string, string> } } } };
}

interface PeerRun {
  seconds: number;
  peakRssMb: number;
  orders: number;
}

/**
 * nextbuy's side (nextbuy-data.ts) bundled as the apps are (esbuild, nx.json's options), with the
 * ingestion library's block-reading worker beside it where the library looks for it. Run from
 * source under tsx instead, each worker thread would first compile the library's TypeScript: about
 * half a second on 540k rows that no user of a built app pays.
 */
async function bundleNextbuySide(outdir: string): Promise<string> {
  const nxEsbuild = (JSON.parse(await readFile(resolve(WORKSPACE, 'nx.json'), 'utf8')) as NxJson).targetDefaults['@nx/esbuild:esbuild'].options;
  await build({
    entryPoints: { 'nextbuy-data': NEXTBUY_SIDE, 'block-worker': BLOCK_WORKER },
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: nxEsbuild.target,
    banner: nxEsbuild.esbuildOptions.banner,
    logLevel: 'warning',
  });
  await writeFile(join(outdir, 'package.json'), '{"type": "module"}\n');
  return join(outdir, 'nextbuy-data.js');
}

function pandasPeer(path: string): PeerRun | string {
  const result = spawnSync('/usr/bin/python3', [PANDAS_PEER, path], { encoding: 'utf8' });
  if (result.status !== 0) return `pandas peer unavailable (${(result.stderr || result.error?.message || '').trim().split('\n').pop()})`;
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as PeerRun;
}

function duckdbPeer(path: string): PeerRun & { threads: number } {
  const result = spawnSync(process.execPath, [...process.execArgv, DUCKDB_PEER, path], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`DuckDB peer failed on ${path}: ${result.stderr || result.error?.message}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as PeerRun & { threads: number };
}

async function main(): Promise<void> {
  const bundleDir = await mkdtemp(join(tmpdir(), 'nextbuy-bench-data-bundle-'));
  try {
    await compare(await bundleNextbuySide(bundleDir));
  } finally {
    await rm(bundleDir, { recursive: true, force: true });
  }
}

interface NextbuyRun {
  rows: number;
  orders: number;
  read: { seconds: number; peakRssMb: number };
  features: { seconds: number; peakRssMb: number };
}

function nextbuyRun(nextbuySide: string, path: string): NextbuyRun & { seconds: number } {
  const child = spawnSync(process.execPath, [nextbuySide, path], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (child.status !== 0) throw new Error(`nextbuy on ${path} failed: ${child.stderr}`);
  const run = JSON.parse(child.stdout.trim().split('\n').pop()!) as NextbuyRun;
  return { ...run, seconds: run.read.seconds + run.features.seconds };
}

async function compare(nextbuySide: string): Promise<void> {
  const rows: Array<Array<string | number>> = [];
  const notes = new Set<string>();
  const summary: string[] = [];
  for (const size of SIZES) {
    const path = await cachedOnlineRetailCsv(size);
    // nextbuy and DuckDB both use both cores, so other jobs' load moves them a lot: they take turns,
    // REPEATS times, and the run of median time stands for each.
    const nextbuyRuns: Array<NextbuyRun & { seconds: number }> = [];
    const duckdbRuns: Array<ReturnType<typeof duckdbPeer>> = [];
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      nextbuyRuns.push(nextbuyRun(nextbuySide, path));
      duckdbRuns.push(duckdbPeer(path));
    }
    const r = medianRun(nextbuyRuns);
    const duckdb = medianRun(duckdbRuns);
    // A peer that found other orders did other work: its time would compare nothing.
    if (duckdb.orders !== r.orders) throw new Error(`DuckDB peer found ${duckdb.orders} orders in ${path}, nextbuy ${r.orders}`);
    const pandas = pandasPeer(path);
    if (typeof pandas === 'string') notes.add(pandas);
    else if (pandas.orders !== r.orders) throw new Error(`pandas peer found ${pandas.orders} orders in ${path}, nextbuy ${r.orders}`);
    const pandasSeconds = typeof pandas === 'string' ? NaN : pandas.seconds;
    const total = r.seconds;
    rows.push([`${size.toLocaleString('en-US')} rows: read+clean+orders`, r.read.seconds, r.rows / r.read.seconds, r.read.peakRssMb, '']);
    rows.push([`  features (${r.orders.toLocaleString('en-US')} orders)`, r.features.seconds, r.orders / r.features.seconds, r.features.peakRssMb, '']);
    rows.push([`  total`, total, r.rows / total, r.features.peakRssMb, '']);
    rows.push([`  duckdb peer (${duckdb.threads} threads)`, duckdb.seconds, r.rows / duckdb.seconds, duckdb.peakRssMb, duckdb.seconds / total]);
    rows.push([`  pandas peer`, pandasSeconds, r.rows / pandasSeconds, typeof pandas === 'string' ? NaN : pandas.peakRssMb, pandasSeconds / total]);
    summary.push(peerSecondsLine(size, { nextbuy: total, duckdb: duckdb.seconds, pandas: pandasSeconds }));
    summary.push(duckdbTargetLine(size, { nextbuy: total, duckdb: duckdb.seconds }));
    if (REPEATS > 1) summary.push(`  (median of ${REPEATS} runs each; nextbuy ${spread(nextbuyRuns)}, duckdb ${spread(duckdbRuns)})`);
  }
  console.log('\nbench:data (generated Online Retail data, seed 1)\n');
  printTable(['stage', 'seconds', 'rows/s', 'peak RSS MB', 'peer/ours'], rows);
  console.log('');
  for (const line of summary) console.log(line);
  for (const note of notes) console.log(`note: ${note}`);
}

await main();
