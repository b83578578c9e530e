// bench:models: training and prediction time and peak memory of each model type on the CDNOW
// backtest and on 1 million generated rows, each run in its own process, with the backend named;
// then the BTYD models' fit time and scoring rate on every CDNOW customer (`--btyd` runs only that).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { backtestSplit, buildScoringTable, buildTrainingTable, defaultCutoffDay } from '@nextbuy/features';
import { CDNOW_MAPPING, ingest } from '@nextbuy/ingestion';
import {
  bgnbdExpectedOrders,
  bgnbdMedianWaitWithin,
  bgnbdPAlive,
  bgnbdPOrderWithin,
  type CustomerSummaries,
  fitBgNbd,
  fitParetoNbd,
  paretoNbdPAlive,
  paretoNbdScore,
  paretoNbdScoreMany,
  trainingSummaries,
} from '@nextbuy/btyd-model';
import { hyperparameterSpecs, MODEL_TYPES, modelFactory } from '@nextbuy/model-registry';
import { filterOutlierCustomers } from '@nextbuy/outliers';
import { cachedOnlineRetailCsv } from './datasets';
import { measure, printTable } from './measure';

const CDNOW = resolve(import.meta.dirname, '../../../data/cdnow/CDNOW_master.txt');
const GENERATED_ROWS = Number(process.env.BENCH_MODELS_ROWS ?? 1_000_000);
const MODELS = (process.env.BENCH_MODELS ?? Object.keys(MODEL_TYPES).join(',')).split(',');

interface Result {
  dataset: string;
  model: string;
  backend: string;
  trainRows: number;
  scored: number;
  fitSeconds: number;
  predictSeconds: number;
  peakRssMb: number;
}

/** One dataset and model in this process: the backtest's training and scoring tables, fit, predict. */
async function runOne(dataset: string, model: string): Promise<void> {
  const path = dataset === 'cdnow' ? CDNOW : await cachedOnlineRetailCsv(GENERATED_ROWS);
  const { orders } = await ingest(path, dataset === 'cdnow' ? { mapping: CDNOW_MAPPING } : {});
  const cutoff = defaultCutoffDay(orders);
  const kept = filterOutlierCustomers(backtestSplit(orders, cutoff).trainOrders, { contamination: 0.01, seed: 42 }).kept;
  const train = buildTrainingTable(kept, cutoff);
  const score = buildScoringTable(kept, cutoff);
  const instance = await (await modelFactory(model)).create(hyperparameterSpecs(model).some((spec) => spec.name === 'seed') ? { seed: 42 } : {});
  const fit = await measure(() => instance.fit(train));
  const predict = await measure(() => instance.predict(score));
  const description = instance.describe();
  instance.dispose();
  const result: Result = {
    dataset,
    model,
    backend: description.backend ?? `native (${Object.entries(description.libraries).map(([k, v]) => `${k} ${v}`).join(', ')})`,
    trainRows: train.nRows,
    scored: score.lastRow.length,
    fitSeconds: fit.seconds,
    predictSeconds: predict.seconds,
    peakRssMb: predict.peakRssMb,
  };
  console.log(JSON.stringify(result));
}

/** Customers scored per second by `score` over at least a million customer evaluations. */
/** Customers scored per second, over at least a million scores of the summaries `s` (after one warm-up pass). */
function rate(s: CustomerSummaries, scoreAll: () => number): number {
  const n = s.x.length;
  if (!Number.isFinite(scoreAll())) throw new Error('a BTYD quantity was not finite'); // warm-up
  const rounds = Math.ceil(1_000_000 / n);
  let sink = 0;
  const started = performance.now();
  for (let round = 0; round < rounds; round++) sink += scoreAll();
  if (!Number.isFinite(sink)) throw new Error('a BTYD quantity was not finite');
  return (rounds * n) / ((performance.now() - started) / 1000);
}

/** One customer at a time, as a single request is scored. */
function oneByOne(s: CustomerSummaries, score: (x: number, tx: number, T: number) => number): () => number {
  return () => {
    let sum = 0;
    for (let i = 0; i < s.x.length; i++) sum += score(s.x[i]!, s.tx[i]!, s.T[i]!);
    return sum;
  };
}

const total = (...columns: Float64Array[]) => columns.reduce((sum, column) => sum + column.reduce((a, b) => a + b, 0), 0);

/**
 * BG/NBD and Pareto/NBD on every CDNOW customer as of the last day: fit time (best of 3) and
 * scoring rate, both one customer at a time and as the model scores a batch (Pareto/NBD's batch
 * computes its integrals once per distinct (x, T) and (x, tx)).
 */
async function btydSpeed(): Promise<void> {
  const { orders } = await ingest(CDNOW, { mapping: CDNOW_MAPPING });
  const s = trainingSummaries(buildTrainingTable(orders, Math.max(...orders.day) + 1));
  const best = <T>(fit: () => T) => Math.min(...[0, 1, 2].map(() => {
    const started = performance.now();
    fit();
    return (performance.now() - started) / 1000;
  }));
  const bg = fitBgNbd(s).params;
  const pn = fitParetoNbd(s).params;
  const bgOne = oneByOne(s, (x, tx, T) => bgnbdPAlive(bg, x, tx, T) + bgnbdPOrderWithin(bg, x, tx, T, 90) + bgnbdMedianWaitWithin(bg, x, T, 365) + bgnbdExpectedOrders(bg, x, tx, T, 365));
  const pnOne = oneByOne(s, (x, tx, T) => {
    const { pOrderWithin, medianWait } = paretoNbdScore(pn, x, tx, T, 90, 365);
    return paretoNbdPAlive(pn, x, tx, T) + pOrderWithin + medianWait;
  });
  const pnBatch = () => {
    const scores = paretoNbdScoreMany(pn, s.x, s.tx, s.T, 90, 365);
    return total(scores.pAlive, scores.pOrderWithin, scores.medianWait);
  };
  const rows = [
    ['bgnbd', s.x.length, best(() => fitBgNbd(s)), rate(s, bgOne), '(same)'],
    ['pareto_nbd', s.x.length, best(() => fitParetoNbd(s)), rate(s, pnOne), rate(s, pnBatch)],
  ];
  console.log('\nBTYD models on every CDNOW customer (fit: best of 3; scoring: P(alive), P(order in 90 days), median gap within 365 days, and for BG/NBD expected orders in 365 days)\n');
  printTable(['model', 'customers', 'fit s', 'scored/s one by one', 'scored/s in a batch'], rows);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--one') return runOne(process.argv[3]!, process.argv[4]!);
  if (process.argv[2] === '--btyd') return btydSpeed();
  if (GENERATED_ROWS > 0) await cachedOnlineRetailCsv(GENERATED_ROWS);
  const results: Result[] = [];
  for (const dataset of ['cdnow', ...(GENERATED_ROWS > 0 ? ['generated'] : [])]) {
    for (const model of MODELS) {
      process.stderr.write(`${dataset} / ${model} ...\n`);
      const child = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, '--one', dataset, model], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (child.status !== 0) throw new Error(`${dataset}/${model} failed: ${child.stderr}`);
      results.push(JSON.parse(child.stdout.trim().split('\n').pop()!) as Result);
    }
  }
  console.log(`\nbench:models (backtest at the default cutoff, 1% outlier filter; generated: ${GENERATED_ROWS.toLocaleString('en-US')} rows)\n`);
  printTable(
    ['dataset', 'model', 'backend', 'train rows', 'scored', 'fit s', 'predict s', 'train rows/s', 'peak RSS MB'],
    results.map((r) => [r.dataset, r.model, r.backend, r.trainRows, r.scored, r.fitSeconds, r.predictSeconds, r.trainRows / r.fitSeconds, r.peakRssMb]),
  );
  await btydSpeed();
}

await main();
