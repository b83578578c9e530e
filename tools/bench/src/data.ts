// bench:data: generated Online Retail data (540 thousand and 5.4 million rows) through read,
// clean, orders and features; rows per second and peak memory per stage, and the same work by two
// peers on the same file: DuckDB (an embedded engine, one SQL query, the result read back into
// JavaScript, duckdb-peer.ts) and pandas (the seed's stack). nextbuy and each peer run each size
// in a process of their own, so each peak memory is that run's alone.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { orderDaySpan } from '@nextbuy/contracts';
import { buildTrainingTable } from '@nextbuy/features';
import { ingest } from '@nextbuy/ingestion';
import { duckdbTargetLine, peerSecondsLine } from './data-summary';
import { cachedOnlineRetailCsv } from './datasets';
import { measure, printTable } from './measure';

const SIZES = (process.env.BENCH_DATA_ROWS ?? '540000,5400000').split(',').map(Number);
const PANDAS_PEER = resolve(import.meta.dirname, '../peers/pandas_data.py');
const DUCKDB_PEER = resolve(import.meta.dirname, 'duckdb-peer.ts');

interface PeerRun {
  seconds: number;
  peakRssMb: number;
  orders: number;
}

/** One size, in this process: read+clean+orders, then features. Prints one JSON line. */
async function runOne(path: string): Promise<void> {
  const read = await measure(() => ingest(path));
  const { orders, report } = read.result;
  const features = await measure(() => buildTrainingTable(orders, orderDaySpan(orders).last + 1));
  console.log(
    JSON.stringify({
      rows: report.rowsRead,
      orders: orders.nRows,
      read: { seconds: read.seconds, peakRssMb: read.peakRssMb },
      features: { seconds: features.seconds, peakRssMb: features.peakRssMb },
    }),
  );
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
  if (process.argv[2] === '--one') return runOne(process.argv[3]!);
  const rows: Array<Array<string | number>> = [];
  const notes = new Set<string>();
  const summary: string[] = [];
  for (const size of SIZES) {
    const path = await cachedOnlineRetailCsv(size);
    const child = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, '--one', path], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (child.status !== 0) throw new Error(`bench of ${size} rows failed: ${child.stderr}`);
    const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as { rows: number; orders: number; read: { seconds: number; peakRssMb: number }; features: { seconds: number; peakRssMb: number } };
    const total = r.read.seconds + r.features.seconds;
    const duckdb = duckdbPeer(path);
    // A peer that found other orders did other work: its time would compare nothing.
    if (duckdb.orders !== r.orders) throw new Error(`DuckDB peer found ${duckdb.orders} orders in ${path}, nextbuy ${r.orders}`);
    const pandas = pandasPeer(path);
    if (typeof pandas === 'string') notes.add(pandas);
    else if (pandas.orders !== r.orders) throw new Error(`pandas peer found ${pandas.orders} orders in ${path}, nextbuy ${r.orders}`);
    const pandasSeconds = typeof pandas === 'string' ? NaN : pandas.seconds;
    rows.push([`${size.toLocaleString('en-US')} rows: read+clean+orders`, r.read.seconds, r.rows / r.read.seconds, r.read.peakRssMb, '']);
    rows.push([`  features (${r.orders.toLocaleString('en-US')} orders)`, r.features.seconds, r.orders / r.features.seconds, r.features.peakRssMb, '']);
    rows.push([`  total`, total, r.rows / total, r.features.peakRssMb, '']);
    rows.push([`  duckdb peer (${duckdb.threads} threads)`, duckdb.seconds, r.rows / duckdb.seconds, duckdb.peakRssMb, duckdb.seconds / total]);
    rows.push([`  pandas peer`, pandasSeconds, r.rows / pandasSeconds, typeof pandas === 'string' ? NaN : pandas.peakRssMb, pandasSeconds / total]);
    summary.push(peerSecondsLine(size, { nextbuy: total, duckdb: duckdb.seconds, pandas: pandasSeconds }));
    summary.push(duckdbTargetLine(size, { nextbuy: total, duckdb: duckdb.seconds }));
  }
  console.log('\nbench:data (generated Online Retail data, seed 1)\n');
  printTable(['stage', 'seconds', 'rows/s', 'peak RSS MB', 'peer/ours'], rows);
  console.log('');
  for (const line of summary) console.log(line);
  for (const note of notes) console.log(`note: ${note}`);
}

await main();
