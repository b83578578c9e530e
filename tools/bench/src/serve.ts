// bench:serve: the built inference server (node dist/apps/inference-api/main.js, default workers,
// on loopback) under autocannon, with a model the real trainer makes for each model type:
// requests/s and p50/p99 latency for a single-customer JSON request and for the peer's
// 2-customer CSV, and customers/s for 6 MB batches (JSON Lines histories as batch transform
// sends them, and CSV feature rows). The peer is the seed's Flask+gunicorn server with 2 workers:
// 133 requests/s with p99 187 ms for a 2-customer CSV.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BATCH_INPUT_FILE, customerHistorySchema, epochDayToIso, historiesToOrderTable, isoToEpochDay, type CustomerHistory } from '@nextbuy/contracts';
import { buildScoringTable } from '@nextbuy/features';
import { printTable } from './measure';

const ROOT = resolve(import.meta.dirname, '../../..');
const SERVER = join(ROOT, 'dist/apps/inference-api/main.js');
const TRAINER = join(ROOT, 'dist/apps/trainer/bin.js');
const SECONDS = Number(process.env.BENCH_SERVE_SECONDS ?? 10);
const TRAIN_ROWS = process.env.BENCH_SERVE_TRAIN_ROWS ?? '100000';
const MODELS = (process.env.BENCH_SERVE_MODELS ?? 'xgboost,lstm').split(',');
const BATCH_BYTES = 6 * 1024 * 1024 - 4096;
const PEER = { requestsPerSecond: 133, p99Ms: 187, customersPerRequest: 2 };

interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
// autocannon ships no type declarations: the options and results used here, typed by hand.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  connections: number;
  duration: number;
  timeout?: number;
}) => Promise<AutocannonResult>;

interface Workload {
  name: string;
  contentType: string;
  body: string;
  customers: number;
  connections: number;
}

/** The feature rows of histories as headerless CSV (customer_id, order_date, features...), as the training code computes them. */
function featureRowsCsv(histories: readonly CustomerHistory[], asOfDate: string): string {
  const table = buildScoringTable(historiesToOrderTable(histories), isoToEpochDay(asOfDate));
  const width = table.featureNames.length;
  let csv = '';
  for (let row = 0; row < table.nRows; row++) {
    const values = Array.from(table.values.subarray(row * width, (row + 1) * width), (v) => (Number.isNaN(v) ? '' : String(v)));
    csv += `${table.customerIds[row]},${epochDayToIso(table.orderDay[row]!)},${values.join(',')}\n`;
  }
  return csv;
}

/** Copies of the histories under new customer ids, as many as fit in `bytes` once written by `write`. */
function fill(histories: readonly CustomerHistory[], bytes: number, write: (batch: CustomerHistory[]) => string): { body: string; customers: number } {
  const unit = Buffer.byteLength(write([...histories]));
  const copies = Math.floor(bytes / (unit * 1.01));
  const batch = Array.from({ length: copies }, (_, copy) => histories.map((h) => ({ ...h, customer_id: `${h.customer_id}-${copy}` }))).flat();
  return { body: write(batch), customers: batch.length };
}

function workloads(histories: CustomerHistory[]): Workload[] {
  const asOf = histories[0]!.as_of_date!;
  const lines = (batch: CustomerHistory[]) => `${batch.map((h) => JSON.stringify(h)).join('\n')}\n`;
  const jsonBatch = fill(histories, BATCH_BYTES, lines);
  const csvBatch = fill(histories, BATCH_BYTES, (batch) => featureRowsCsv(batch, asOf));
  return [
    { name: '1 customer, JSON history', contentType: 'application/json', body: JSON.stringify(histories[0]), customers: 1, connections: 10 },
    { name: '2 customers, CSV feature rows (peer)', contentType: 'text/csv', body: featureRowsCsv(histories.slice(0, 2), asOf), customers: 2, connections: 10 },
    { name: '6 MB JSON Lines histories', contentType: 'application/jsonlines', body: jsonBatch.body, customers: jsonBatch.customers, connections: 2 },
    { name: '6 MB CSV feature rows', contentType: 'text/csv', body: csvBatch.body, customers: csvBatch.customers, connections: 2 },
  ];
}

function train(type: string, dir: string): void {
  process.stderr.write(`training ${type} on ${TRAIN_ROWS} generated rows ...\n`);
  const extra = type === 'lstm' ? ['--model_backend', 'lstm', '--epochs', '5'] : [];
  const run = spawnSync(process.execPath, [TRAINER, '--rows', TRAIN_ROWS, '--model_dir', dir, ...extra], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`training ${type} failed: ${run.stderr || run.stdout}`);
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as { port: number };
  await new Promise((done) => probe.close(done));
  return port;
}

async function startServer(modelDir: string, port: number): Promise<ChildProcess> {
  // The server's access log goes to /dev/null: it is still formatted and written on every request.
  const server = spawn(process.execPath, [SERVER], { env: { PATH: process.env.PATH, SM_MODEL_DIR: modelDir, SAGEMAKER_BIND_TO_PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}`);
    const status = await fetch(`http://127.0.0.1:${port}/ping`).then((r) => r.status, () => 0);
    if (status === 200) return server;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error('the server did not become ready in 60 s');
}

async function load(port: number, workload: Workload, seconds: number): Promise<AutocannonResult> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/invocations`,
    method: 'POST',
    headers: { 'content-type': workload.contentType, accept: workload.contentType },
    body: workload.body,
    connections: workload.connections,
    duration: seconds,
    timeout: 60,
  });
  if (result.non2xx || result.errors || result.timeouts) throw new Error(`${workload.name}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`);
  return result;
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0]!;
  const work = await mkdtemp(join(tmpdir(), 'nextbuy-bench-serve-'));
  const rows: Array<Array<string | number>> = [];
  try {
    for (const type of MODELS) {
      const modelDir = join(work, type);
      train(type, modelDir);
      const histories = (await readFile(join(modelDir, BATCH_INPUT_FILE), 'utf8'))
        .trimEnd()
        .split('\n')
        .map((line) => customerHistorySchema.parse(JSON.parse(line)));
      const port = await freePort();
      const server = await startServer(modelDir, port);
      try {
        for (const workload of workloads(histories)) {
          process.stderr.write(`${type}: ${workload.name} (${(Buffer.byteLength(workload.body) / 1e6).toFixed(2)} MB, ${workload.customers} customers) ...\n`);
          await load(port, workload, 2);
          const result = await load(port, workload, SECONDS);
          const perSecond = result.requests.average;
          const small = workload.customers <= PEER.customersPerRequest;
          rows.push([
            type,
            workload.name,
            String(workload.customers),
            String(workload.connections),
            perSecond,
            perSecond * workload.customers,
            result.latency.p50,
            result.latency.p99,
            small ? `${(perSecond / PEER.requestsPerSecond).toFixed(1)}x` : '',
            `${((perSecond * workload.customers) / (PEER.requestsPerSecond * PEER.customersPerRequest)).toFixed(1)}x`,
            small ? `${(PEER.p99Ms / result.latency.p99).toFixed(1)}x` : '',
          ]);
        }
      } finally {
        server.kill('SIGTERM');
        await new Promise((done) => server.once('exit', done));
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  console.log(`\nbench:serve (${SECONDS} s per workload after 2 s warm-up; ${availableParallelism()} cores, default workers; 1-minute load average before the run ${loadBefore.toFixed(1)})`);
  console.log(`peer: the seed's Flask+gunicorn (2 workers), 2-customer CSV: ${PEER.requestsPerSecond} requests/s (${PEER.requestsPerSecond * PEER.customersPerRequest} customers/s), p99 ${PEER.p99Ms} ms\n`);
  printTable(['model', 'workload', 'customers/req', 'connections', 'requests/s', 'customers/s', 'p50 ms', 'p99 ms', 'requests/s vs peer', 'customers/s vs peer', 'p99 peer/ours'], rows);
}

await main();
