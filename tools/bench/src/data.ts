// bench:data: generated Online Retail data (540 thousand and 5.4 million rows) through read,
// clean, orders and features; rows per second and peak memory per stage, and the same steps in
// pandas (the seed's stack) on the same file as the peer. Each size runs in its own process so
// peak memory is that size's alone.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeOnlineRetailCsv } from '@nextbuy/datagen';
import { orderDaySpan } from '@nextbuy/contracts';
import { buildTrainingTable } from '@nextbuy/features';
import { ingest } from '@nextbuy/ingestion';
import { measure, printTable } from './measure';

const SIZES = (process.env.BENCH_DATA_ROWS ?? '540000,5400000').split(',').map(Number);
const CACHE = join(tmpdir(), 'nextbuy-bench-data');
const PANDAS_PEER = resolve(import.meta.dirname, '../peers/pandas_data.py');

async function datasetPath(rows: number): Promise<string> {
  const path = join(CACHE, `online-retail-${rows}.csv`);
  if (!existsSync(path)) {
    await mkdir(CACHE, { recursive: true });
    process.stderr.write(`generating ${rows} rows into ${path} (cached for later runs)\n`);
    await writeOnlineRetailCsv(path, { rows, seed: 1 });
  }
  return path;
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

function pandasPeer(path: string): { seconds: number; peakRssMb: number } | string {
  const result = spawnSync('/usr/bin/python3', [PANDAS_PEER, path], { encoding: 'utf8' });
  if (result.status !== 0) return `pandas peer unavailable (${(result.stderr || result.error?.message || '').trim().split('\n').pop()})`;
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as { seconds: number; peakRssMb: number };
}

async function main(): Promise<void> {
  if (process.argv[2] === '--one') return runOne(process.argv[3]!);
  const rows: Array<Array<string | number>> = [];
  const notes: string[] = [];
  for (const size of SIZES) {
    const path = await datasetPath(size);
    const child = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, '--one', path], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (child.status !== 0) throw new Error(`bench of ${size} rows failed: ${child.stderr}`);
    const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as { rows: number; orders: number; read: { seconds: number; peakRssMb: number }; features: { seconds: number; peakRssMb: number } };
    const total = r.read.seconds + r.features.seconds;
    const peer = pandasPeer(path);
    const peerSeconds = typeof peer === 'string' ? NaN : peer.seconds;
    if (typeof peer === 'string') notes.push(peer);
    rows.push([`${size.toLocaleString('en-US')} rows: read+clean+orders`, r.read.seconds, r.rows / r.read.seconds, r.read.peakRssMb, '', '']);
    rows.push([`  features (${r.orders.toLocaleString('en-US')} orders)`, r.features.seconds, r.orders / r.features.seconds, r.features.peakRssMb, '', '']);
    rows.push([`  total`, total, r.rows / total, r.features.peakRssMb, peerSeconds, peerSeconds / total]);
  }
  console.log('\nbench:data (generated Online Retail data, seed 1)\n');
  printTable(['stage', 'seconds', 'rows/s', 'peak RSS MB', 'pandas s', 'pandas/ours'], rows);
  for (const note of notes) console.log(`note: ${note}`);
}

await main();
