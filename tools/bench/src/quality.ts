// bench:quality: the model against every baseline runBacktest reports, on CDNOW and every
// scenario of the datagen zoo, at rolling-origin cutoffs, each backtest exactly as the trainer
// runs it (1% Isolation Forest filter on the training orders). One table per dataset with each
// column's winner marked, then per cutoff the bootstrap intervals of the model's margins and what
// the model chose while fitting; a summary that marks the verdicts within noise, and the line
// `columns won: W of N`. `--customers 60,120,200` runs each dataset cut to small customer bases
// instead (evenly spaced customers, `small-bases.ts`), named `dataset/60`. `--oracle` scores, in
// the model's place, the process that drew each scenario with its own parameters (those that have
// a closed form, `process-oracle.ts`): what the best possible model would score. Progress on stderr.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { epochDayToIso, type Hyperparameters, type ModelSelection, type OrderTable } from '@nextbuy/contracts';
import { findScenario, SCENARIOS, scenarioOrders } from '@nextbuy/datagen';
import { type BacktestModel, backtestModel, runBacktest } from '@nextbuy/features';
import { CDNOW_MAPPING, ingest } from '@nextbuy/ingestion';
import { hyperparameterSpecs, isModelType, MODEL_TYPES, modelFactory } from '@nextbuy/model-registry';
import { filterOutlierCustomers } from '@nextbuy/outliers';
import { processOracle } from './process-oracle';
import { BOOTSTRAP, marginIntervals } from './quality-noise';
import { columnsWon, coverage, cutoffNotes, datasetTable, summaryTable, WITHIN_NOISE_MARK, type CutoffResult } from './quality-scoring';
import { rollingCutoffDays } from './rolling-origin';
import { evenlySpacedCustomers } from './small-bases';

const ROOT = resolve(import.meta.dirname, '../../..');
/** The repository's copy of CDNOW (data/cdnow, shipped with its attribution). */
const CDNOW_PATHS = [resolve(ROOT, 'data/cdnow/CDNOW_master.txt')];
const CDNOW = 'cdnow';
const DATASETS = [CDNOW, ...SCENARIOS.map((s) => s.name)];
/** The trainer's defaults: --seed 42 seeds the model and the filter, --outlier_contamination 0.01. The bootstrap's seed too, the same at every cutoff. */
const SEED = 42;
const OUTLIER_CONTAMINATION = 0.01;

function hyperparameterValue(text: string): string | number | boolean {
  if (text === 'true' || text === 'false') return text === 'true';
  return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
}

function parseHyperparameters(text: string): Hyperparameters {
  const pairs = text.split(',').filter(Boolean);
  const hyperparameters: Hyperparameters = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new InvalidArgumentError(`expected name=value pairs separated by commas, got "${pair}"`);
    hyperparameters[pair.slice(0, at)] = hyperparameterValue(pair.slice(at + 1));
  }
  return hyperparameters;
}

function parseDatasets(text: string): string[] {
  const names = text.split(',').filter(Boolean);
  const unknown = names.filter((n) => !DATASETS.includes(n));
  if (unknown.length > 0 || names.length === 0) throw new InvalidArgumentError(`unknown dataset ${unknown.join(', ') || '(none given)'}; known: ${DATASETS.join(', ')}`);
  return names;
}

function parseSizes(text: string): number[] {
  const sizes = text.split(',').filter(Boolean).map(Number);
  if (sizes.length === 0 || !sizes.every((n) => Number.isInteger(n) && n >= 2)) throw new InvalidArgumentError(`expected whole numbers of customers (2 or more) separated by commas, got "${text}"`);
  return sizes;
}

function parseDraw(text: string): number {
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0) throw new InvalidArgumentError(`must be a whole number (a seed) of 0 or more, got "${text}"`);
  return seed;
}

function parseCutoffs(text: string): number {
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1 || count > 12) throw new InvalidArgumentError(`must be a whole number from 1 to 12, got "${text}"`);
  return count;
}

const program = new Command()
  .name('bench:quality')
  .description('The model against every baseline on CDNOW and every datagen scenario, at rolling-origin cutoffs, on the four metrics of evaluation.md.')
  .option('--model <type>', `model type: ${Object.keys(MODEL_TYPES).join(', ')}`, 'xgboost')
  .option('--datasets <a,b>', `datasets to run (default all): ${DATASETS.join(', ')}`, parseDatasets, DATASETS)
  .option('--cutoffs <n>', 'cutoffs per dataset (rolling origin)', parseCutoffs, 3)
  .option('--hyperparameters <k=v,...>', "the model's hyperparameters by their own names (the seed is 42 unless given)", parseHyperparameters, {})
  .option('--customers <n,n,...>', 'small customer bases instead: each dataset cut to that many customers, evenly spaced in order of first purchase (named dataset/n)', parseSizes)
  .option('--draw <seed>', "every generated scenario drawn again with this seed (same process and settings, customers the defaults were never tried on); CDNOW is real and stays as it is", parseDraw)
  .option('--oracle', "instead of a model, the process that drew each scenario with its own parameters (the scenarios of BG/NBD, Pareto/NBD or BG/CNBD-k without seasonality; the others are left out, saying why): what no model can beat in expectation")
  .option('--json <path>', 'also write every result as JSON')
  .showHelpAfterError('(run with --help for usage)');

const flags = program.parse().opts<{ model: string; datasets: string[]; cutoffs: number; hyperparameters: Hyperparameters; customers?: number[]; draw?: number; oracle?: boolean; json?: string }>();
if (!isModelType(flags.model)) program.error(`error: --model must be one of ${Object.keys(MODEL_TYPES).join(', ')}, got "${flags.model}"`);
if (flags.oracle && (program.getOptionValueSource('model') === 'cli' || program.getOptionValueSource('hyperparameters') === 'cli')) {
  program.error('error: --oracle scores the generating process in the model\'s place: leave out --model and --hyperparameters');
}
/** With --oracle, each dataset's oracle, or why it is left out. */
const oracles = new Map(flags.oracle ? flags.datasets.map((name) => [name, name === CDNOW ? { why: 'real data: the process behind it is not known' } : processOracle(findScenario(name))] as const) : []);
const skipped = [...oracles].flatMap(([name, oracle]) => ('why' in oracle ? [`${name} (${oracle.why})`] : []));
const datasets = flags.oracle ? flags.datasets.filter((name) => 'model' in oracles.get(name)!) : flags.datasets;
if (flags.oracle && datasets.length === 0) program.error(`error: --oracle: no dataset here has a known process: ${skipped.join('; ')}`);
const modelName = flags.oracle ? 'oracle' : flags.model;

async function datasetOrders(name: string): Promise<OrderTable> {
  if (name !== CDNOW) return scenarioOrders(name, flags.draw);
  const path = CDNOW_PATHS.find((p) => existsSync(p));
  if (!path) throw new Error(`CDNOW_master.txt not found at ${CDNOW_PATHS.join(' or ')}`);
  return (await ingest(path, { mapping: CDNOW_MAPPING })).orders;
}

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const factory = flags.oracle ? undefined : await modelFactory(flags.model);
// As the trainer does: its seed goes to the model types that declare one.
const seeded = hyperparameterSpecs(flags.model).some((spec) => spec.name === 'seed');
const hyperparameters: Hyperparameters = flags.oracle ? {} : { ...(seeded ? { seed: SEED } : {}), ...flags.hyperparameters };
const filterTraining = (orders: OrderTable) => filterOutlierCustomers(orders, { contamination: OUTLIER_CONTAMINATION, seed: SEED }).kept;

const results: CutoffResult[] = [];
const tables: string[] = [];
// Each dataset, or each of its small bases (--customers): the name and its orders, made when run.
const runs = datasets.flatMap((name) =>
  (flags.customers ? flags.customers.map((count) => ({ dataset: `${name}/${count}`, orders: async () => evenlySpacedCustomers(await datasetOrders(name), count) })) : [{ dataset: name, orders: () => datasetOrders(name) }]).map((run) => ({ ...run, name })),
);
if (skipped.length > 0) process.stderr.write(`bench:quality --oracle: left out ${skipped.join('; ')}\n`);
for (const [d, { dataset, name, orders: load }] of runs.entries()) {
  const orders = await load();
  const cutoffDays = rollingCutoffDays(orders, flags.cutoffs);
  const customers = new Set(orders.customerIds).size;
  process.stderr.write(`bench:quality [${d + 1}/${runs.length}] ${dataset}: ${customers} customers, ${orders.nRows} orders, cutoffs ${cutoffDays.map(epochDayToIso).join(', ')} (${elapsed()})\n`);
  const own: CutoffResult[] = [];
  const oracle = oracles.get(name);
  for (const cutoffDay of cutoffDays) {
    const chosen: { selection?: Record<string, ModelSelection> } = {};
    const model: BacktestModel = oracle && 'model' in oracle ? oracle.model : backtestModel(() => factory!.create(hyperparameters), {}, (fitted) => (chosen.selection = fitted.describe().selection));
    const backtest = await runBacktest(orders, { cutoffDay, filterTraining, model });
    const bootstrapStarted = performance.now();
    const intervals = marginIntervals(backtest, { seed: SEED });
    const bootstrapSeconds = (performance.now() - bootstrapStarted) / 1000;
    own.push({ dataset, cutoff: backtest.cutoff, scoredCustomers: backtest.scoredCustomers, returnedCustomers: backtest.returnedCustomers, metrics: backtest.metrics, intervals, ...(chosen.selection ? { selection: chosen.selection } : {}) });
    process.stderr.write(`bench:quality   ${dataset} ${backtest.cutoff}: ${backtest.scoredCustomers} scored, ${backtest.returnedCustomers} returned, bootstrap ${bootstrapSeconds.toFixed(1)} s (${elapsed()})\n`);
  }
  results.push(...own);
  const counts = own.map((r) => `${r.cutoff} ${r.scoredCustomers} scored / ${r.returnedCustomers} returned`).join('; ');
  const drawnFrom = oracle && 'process' in oracle ? `; oracle: ${oracle.process}` : '';
  tables.push(`${dataset} (${customers.toLocaleString('en-US')} customers, ${orders.nRows.toLocaleString('en-US')} orders; ${counts}${drawnFrom})`, '', ...datasetTable(own, modelName), '', ...cutoffNotes(own, BOOTSTRAP), '');
}

const seconds = (performance.now() - started) / 1000;
const drawn = flags.draw === undefined ? '' : `, scenarios drawn with seed ${flags.draw}`;
const scored = flags.oracle
  ? `the oracle (each scenario's generating process with its own parameters, in the model's place${skipped.length > 0 ? `; left out: ${skipped.join('; ')}` : ''})`
  : `model ${modelName} (${Object.entries(hyperparameters).map(([k, v]) => `${k}=${v}`).join(', ')})`;
console.log(`bench:quality: ${scored}, ${flags.cutoffs} cutoffs per dataset${drawn}, * marks each column's best (ties: all)\n`);
for (const line of tables) console.log(line);
const level = coverage(BOOTSTRAP);
console.log(
  `summary: how the model (${modelName}) did in each column against the best baseline (${seconds.toFixed(0)} s); ` +
    `${WITHIN_NOISE_MARK} marks a margin within noise, its ${level} interval over ${BOOTSTRAP.resamples} resamples of the scored customers containing 0 ` +
    `(the intervals: "margin ${level}" under each dataset's table)\n`,
);
for (const line of summaryTable(results, BOOTSTRAP)) console.log(line);

if (flags.json) {
  await mkdir(dirname(resolve(flags.json)), { recursive: true });
  const { won, tied, total, wonBeyondNoise, lostBeyondNoise } = columnsWon(results);
  const bootstrap = { ...BOOTSTRAP, seed: SEED, over: 'scored customers, paired (model and best baseline on each resample)' };
  const summary = { won, tied, total, beyondNoise: { won: wonBeyondNoise, lost: lostBeyondNoise } };
  await writeFile(flags.json, `${JSON.stringify({ model: modelName, hyperparameters, cutoffsPerDataset: flags.cutoffs, ...(flags.draw === undefined ? {} : { draw: flags.draw }), seconds, bootstrap, ...summary, results }, null, 2)}\n`);
}
