// bench:seed-spread: how far a model's backtest figures move when only the seeds change (the
// Isolation Forest filter's and, for model types that declare one, the model's). The quality
// tests (libs/*/test/*backtest.test.ts) write their no-regression floors as today's figure minus
// a tolerance of about this spread, so that a change of seed passes and a real regression fails.
// Prints each seed's figures, the min, max and spread of each column, and each seed's whole table
// (baselines too). Progress on stderr.
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { isoToEpochDay, type BacktestMetrics, type OrderTable } from '@nextbuy/contracts';
import { generateTransactions, SCENARIOS, scenarioOrders } from '@nextbuy/datagen';
import { backtestModel, runBacktest, type BacktestResult } from '@nextbuy/features';
import { CDNOW_MAPPING, ingest, ordersFromTransactions } from '@nextbuy/ingestion';
import { hyperparameterSpecs, isModelType, MODEL_TYPES, modelFactory } from '@nextbuy/model-registry';
import { filterOutlierCustomers } from '@nextbuy/outliers';

const CDNOW = resolve(import.meta.dirname, '../../../data/cdnow/CDNOW_master.txt');
/** The generated transactions of the LSTM's second backtest test: 200,000 lines, seed 7, cutoff 2011-08-01. */
const GENERATED = 'generated-200k';
const DATASETS = ['cdnow', GENERATED, ...SCENARIOS.map((s) => s.name)];
const COLUMNS: Array<keyof BacktestMetrics> = ['mae_days', 'c_index', 'auc_90d', 'brier_90d'];

function parseSeeds(text: string): number[] {
  const seeds = text.split(',').map(Number);
  if (seeds.length < 2 || seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new InvalidArgumentError(`expected two or more whole numbers separated by commas, got "${text}"`);
  return seeds;
}

const program = new Command()
  .name('bench:seed-spread')
  .description("The spread of a model's backtest figures over seeds: the run-to-run noise the quality tests' tolerances allow for.")
  .option('--model <type>', `model type: ${Object.keys(MODEL_TYPES).join(', ')}`, 'xgboost')
  .option('--dataset <name>', `one of ${DATASETS.join(', ')}`, 'cdnow')
  .option('--seeds <a,b,...>', 'seeds of the outlier filter and the model', parseSeeds, [42, 1, 2, 3, 4])
  .showHelpAfterError('(run with --help for usage)');
const flags = program.parse().opts<{ model: string; dataset: string; seeds: number[] }>();
if (!isModelType(flags.model)) program.error(`error: --model must be one of ${Object.keys(MODEL_TYPES).join(', ')}, got "${flags.model}"`);
if (!DATASETS.includes(flags.dataset)) program.error(`error: --dataset must be one of ${DATASETS.join(', ')}, got "${flags.dataset}"`);

async function datasetOrders(): Promise<{ orders: OrderTable; cutoffDay?: number }> {
  if (flags.dataset === 'cdnow') return { orders: (await ingest(CDNOW, { mapping: CDNOW_MAPPING })).orders };
  if (flags.dataset === GENERATED) return { orders: ordersFromTransactions(generateTransactions({ rows: 200_000, seed: 7 })).orders, cutoffDay: isoToEpochDay('2011-08-01') };
  return { orders: scenarioOrders(flags.dataset) };
}

const factory = await modelFactory(flags.model);
const seeded = hyperparameterSpecs(flags.model).some((spec) => spec.name === 'seed');
const { orders, cutoffDay } = await datasetOrders();
const results: Array<{ seed: number; result: BacktestResult }> = [];
for (const seed of flags.seeds) {
  const started = performance.now();
  const result = await runBacktest(orders, {
    ...(cutoffDay === undefined ? {} : { cutoffDay }),
    filterTraining: (o: OrderTable) => filterOutlierCustomers(o, { contamination: 0.01, seed }).kept,
    // nthread 1 as in the tests; XGBoost's figures do not depend on it.
    model: backtestModel(() => factory.create({ ...(seeded ? { seed } : {}), ...(flags.model === 'xgboost' ? { nthread: 1 } : {}) })),
  });
  results.push({ seed, result });
  process.stderr.write(`seed ${seed}: ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

const cell = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(4));
console.log(`bench:seed-spread: ${flags.model} on ${flags.dataset}, cutoff ${results[0]!.result.cutoff}, seeds ${flags.seeds.join(', ')}`);
console.log(`${'seed'.padEnd(8)} ${COLUMNS.map((c) => c.padStart(10)).join(' ')}`);
for (const { seed, result } of results) console.log(`${String(seed).padEnd(8)} ${COLUMNS.map((c) => cell(result.metrics['model']![c]).padStart(10)).join(' ')}`);
for (const [label, pick] of [
  ['min', Math.min],
  ['max', Math.max],
] as const) {
  console.log(`${label.padEnd(8)} ${COLUMNS.map((c) => cell(pick(...results.map((r) => r.result.metrics['model']![c] ?? Number.NaN))).padStart(10)).join(' ')}`);
}
const spread = (c: keyof BacktestMetrics) => {
  const values = results.map((r) => r.result.metrics['model']![c] ?? Number.NaN);
  return Math.max(...values) - Math.min(...values);
};
console.log(`${'spread'.padEnd(8)} ${COLUMNS.map((c) => cell(spread(c)).padStart(10)).join(' ')}`);

// Every seed's whole table, baselines included: tolerances against a baseline are on the gap.
for (const { seed, result } of results) {
  console.log(`\nseed ${seed}, every row:`);
  for (const [name, metrics] of Object.entries(result.metrics)) console.log(`${name.padEnd(24)} ${COLUMNS.map((c) => cell(metrics[c]).padStart(10)).join(' ')}`);
}
