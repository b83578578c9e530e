import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ArtifactError,
  type FitOptions,
  type FitReport,
  type GapPrediction,
  type Hyperparameters,
  InputDataError,
  type ModelDescription,
  type ModelFactory,
  NextBuyError,
  type NextPurchaseModel,
  type ScoringTable,
  type TrainingTable,
} from '@nextbuy/contracts';
import { lognormalConditional } from '@nextbuy/features';
import { Booster, type ParamValue } from './booster';
import { DMatrix } from './dmatrix';
import type { EvalsLog } from './eval-log';
import { xgboostVersion } from './native';
import { type TrainingCallback, train } from './train';

/** The file `save` writes: XGBoost's own JSON model, loadable by any XGBoost >= 1.0. */
export const MODEL_FILE = 'model.json';

/** XGBoostGapModel's defaults; each can be overridden by a hyperparameter of the same (XGBoost) name. */
export const DEFAULT_HYPERPARAMETERS: Readonly<Hyperparameters> = {
  objective: 'survival:aft',
  aft_loss_distribution: 'normal',
  aft_loss_distribution_scale: 1.0,
  tree_method: 'hist',
  // Gentler than XGBoost's 0.3: 200 rounds leave room for small steps. max_depth is XGBoost's own default.
  eta: 0.1,
  max_depth: 6,
  num_boost_round: 200,
};

/**
 * AFT takes log() of both label bounds, and log(0) is -Infinity. Two orders of a customer
 * are on different days, so a real gap is at least 1 day; half a day changes none of them
 * but keeps a 0-day gap (bad input, or a censoring bound on the as-of day) finite.
 */
export const MIN_GAP_DAYS = 0.5;

const SOURCE = { source: 'hyperparameters' };

/** An integer hyperparameter (SageMaker passes every value as a string), at least `min`. */
function integerOf(hyperparameters: Hyperparameters, key: string, min: number): number | undefined {
  const value = hyperparameters[key];
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) throw new InputDataError(`must be an integer >= ${min}, got "${value}"`, { ...SOURCE, column: key });
  return number;
}

interface Settings {
  params: Record<string, ParamValue>;
  numBoostRound: number;
  earlyStoppingRounds: number | undefined;
  /** The log-normal scale, equal to `aft_loss_distribution_scale`. */
  sigma: number;
  /** XGBoost's `nthread`, also used to build the matrices (unset: all cores, as in XGBoost). */
  nthread: number | undefined;
}

/** Splits hyperparameters into XGBoost's params (unchanged) and the training loop's settings. */
function settingsOf(hyperparameters: Hyperparameters): Settings {
  const { num_boost_round: _rounds, early_stopping_rounds: _stopping, ...params } = hyperparameters;
  // The conditional median and 90-day probability come from a log-normal: only AFT with a normal error gives one.
  if (params.objective !== 'survival:aft') throw new InputDataError(`must be survival:aft, got "${params.objective}"`, { ...SOURCE, column: 'objective' });
  if (params.aft_loss_distribution !== 'normal') {
    throw new InputDataError(`must be normal (the gap is read as log-normal), got "${params.aft_loss_distribution}"`, { ...SOURCE, column: 'aft_loss_distribution' });
  }
  const sigma = Number(params.aft_loss_distribution_scale);
  if (!(sigma > 0) || !Number.isFinite(sigma)) {
    throw new InputDataError(`must be a positive number, got "${params.aft_loss_distribution_scale}"`, { ...SOURCE, column: 'aft_loss_distribution_scale' });
  }
  return {
    params,
    numBoostRound: integerOf(hyperparameters, 'num_boost_round', 1)!,
    earlyStoppingRounds: integerOf(hyperparameters, 'early_stopping_rounds', 1),
    sigma,
    // XGBoost reads nthread <= 0 as all cores.
    nthread: integerOf(hyperparameters, 'nthread', Number.MIN_SAFE_INTEGER),
  };
}

function checkShape(table: TrainingTable | ScoringTable, name: string): void {
  const expected = table.nRows * table.featureNames.length;
  if (table.values.length !== expected) {
    throw new InputDataError(`has ${table.values.length} values, expected ${table.nRows} rows x ${table.featureNames.length} features`, { source: name, column: 'values' });
  }
}

/** AFT label bounds of a training table: [gap, gap] when observed, [gap, +Infinity) when censored. */
export function aftLabelBounds(table: TrainingTable, name = 'TrainingTable'): { lower: Float32Array; upper: Float32Array } {
  if (table.gapDays.length !== table.nRows || table.censored.length !== table.nRows) {
    throw new InputDataError(`gapDays/censored have ${table.gapDays.length}/${table.censored.length} entries for ${table.nRows} rows`, { source: name });
  }
  const lower = new Float32Array(table.nRows);
  const upper = new Float32Array(table.nRows);
  for (let row = 0; row < table.nRows; row++) {
    const gap = table.gapDays[row]!;
    if (!Number.isFinite(gap) || gap < 0) throw new InputDataError(`gap of row ${row} is ${gap}`, { source: name, line: row, column: 'gapDays' });
    lower[row] = Math.max(gap, MIN_GAP_DAYS);
    upper[row] = table.censored[row] ? Number.POSITIVE_INFINITY : lower[row]!;
  }
  return { lower, upper };
}

function trainingMatrix(table: TrainingTable, name: string, nthread: number | undefined): DMatrix {
  checkShape(table, name);
  const { lower, upper } = aftLabelBounds(table, name);
  return new DMatrix(
    { values: table.values, nrow: table.nRows, ncol: table.featureNames.length },
    { label_lower_bound: lower, label_upper_bound: upper, feature_names: table.featureNames, nthread },
  );
}

/** The feature rows of each scored customer's last order. */
function lastOrderMatrix(input: ScoringTable, nthread: number | undefined): DMatrix {
  checkShape(input, 'ScoringTable');
  const ncol = input.featureNames.length;
  const values = new Float32Array(input.lastRow.length * ncol);
  input.lastRow.forEach((row, i) => {
    if (!(row >= 0 && row < input.nRows)) throw new InputDataError(`lastRow[${i}] = ${row} is outside 0..${input.nRows - 1}`, { source: 'ScoringTable', column: 'lastRow' });
    values.set(input.values.subarray(row * ncol, (row + 1) * ncol), i * ncol);
  });
  return new DMatrix({ values, nrow: input.lastRow.length, ncol }, { feature_names: input.featureNames, nthread });
}

/** The metrics of the latest round, keyed like XGBoost prints them (`validation-aft-nloglik`). */
function latestMetrics(log: EvalsLog): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const [data, byMetric] of Object.entries(log)) {
    for (const [metric, values] of Object.entries(byMetric)) metrics[`${data}-${metric}`] = values[values.length - 1]!;
  }
  return metrics;
}

/**
 * Next-purchase model on XGBoost `survival:aft`: the gap is log-normal with location mu (the
 * booster's margin) and scale `aft_loss_distribution_scale`; censored gaps are interval labels
 * [elapsed, +Infinity).
 */
export class XGBoostGapModel implements NextPurchaseModel {
  readonly type = 'xgboost';
  private readonly hyperparameters: Hyperparameters;
  private readonly settings: Settings;
  private booster: Booster | undefined;

  constructor(hyperparameters: Hyperparameters = {}) {
    this.hyperparameters = { ...DEFAULT_HYPERPARAMETERS, ...hyperparameters };
    this.settings = settingsOf(this.hyperparameters);
  }

  /** Restores a model written by `save` (XGBoost's JSON in `dir/model.json`). */
  static load(dir: string, hyperparameters: Hyperparameters): XGBoostGapModel {
    const model = new XGBoostGapModel(hyperparameters);
    const path = join(dir, MODEL_FILE);
    try {
      model.booster = new Booster({}, [], path);
    } catch (error) {
      throw new ArtifactError(`${path}: cannot load the XGBoost model (${(error as Error).message})`, { cause: error });
    }
    return model;
  }

  async fit(table: TrainingTable, options: FitOptions = {}): Promise<FitReport> {
    const { params, numBoostRound, earlyStoppingRounds, nthread } = this.settings;
    const dtrain = trainingMatrix(table, 'TrainingTable', nthread);
    let dvalid: DMatrix | undefined;
    try {
      dvalid = options.validation ? trainingMatrix(options.validation, 'validation TrainingTable', nthread) : undefined;
      const history: Array<Record<string, number>> = [];
      const progress: TrainingCallback = {
        after_iteration: (_model, epoch, log) => {
          const metrics = latestMetrics(log);
          history.push(metrics);
          options.onProgress?.({ step: epoch + 1, total: numBoostRound, metrics });
          return false;
        },
      };
      const booster = train(params, dtrain, numBoostRound, {
        evals: dvalid ? [[dtrain, 'train'], [dvalid, 'validation']] : [[dtrain, 'train']],
        early_stopping_rounds: earlyStoppingRounds,
        callbacks: [progress],
      });
      this.booster?.dispose();
      this.booster = booster;
      return { history, bestIteration: booster.best_iteration };
    } finally {
      dtrain.dispose();
      dvalid?.dispose();
    }
  }

  async predict(input: ScoringTable): Promise<GapPrediction> {
    const booster = this.fitted();
    const count = input.lastRow.length;
    if (input.elapsedDays.length !== count) {
      throw new InputDataError(`has ${input.elapsedDays.length} entries for ${count} customers`, { source: 'ScoringTable', column: 'elapsedDays' });
    }
    const predictedGapDays = new Float64Array(count);
    const pOrder90d = new Float64Array(count);
    if (count === 0) return { predictedGapDays, pOrder90d };
    const data = lastOrderMatrix(input, this.settings.nthread);
    try {
      const best = booster.best_iteration;
      // The margin of survival:aft is mu itself (its prediction is exp(mu)); the trees after an early stop are left out.
      const mu = booster.predict(data, { output_margin: true, iteration_range: best === undefined ? [0, 0] : [0, best + 1] });
      for (let i = 0; i < count; i++) {
        const elapsed = input.elapsedDays[i]!;
        if (!Number.isFinite(elapsed) || elapsed < 0) throw new InputDataError(`elapsed days of customer ${i} is ${elapsed}`, { source: 'ScoringTable', line: i, column: 'elapsedDays' });
        const { medianGap, pWithin } = lognormalConditional(mu[i]!, this.settings.sigma, elapsed);
        predictedGapDays[i] = medianGap;
        pOrder90d[i] = pWithin;
      }
      return { predictedGapDays, pOrder90d };
    } finally {
      data.dispose();
    }
  }

  async save(dir: string): Promise<string[]> {
    const booster = this.fitted();
    mkdirSync(dir, { recursive: true });
    booster.save_model(join(dir, MODEL_FILE));
    return [MODEL_FILE];
  }

  /** Hyperparameters in effect, the XGBoost version and, once fitted, the average gain of every feature (0 if never split on). */
  describe(): ModelDescription {
    const description: ModelDescription = { hyperparameters: { ...this.hyperparameters }, libraries: { xgboost: xgboostVersion() } };
    if (this.booster) {
      const gain = this.booster.get_score({ importance_type: 'gain' });
      const names = this.booster.feature_names ?? Object.keys(gain);
      // get_score omits unused features; the manifest lists all of them so runs compare column by column.
      description.featureImportance = Object.fromEntries(names.map((name) => [name, typeof gain[name] === 'number' ? gain[name] : 0]));
    }
    return description;
  }

  dispose(): void {
    this.booster?.dispose();
    this.booster = undefined;
  }

  private fitted(): Booster {
    if (!this.booster) throw new NextBuyError('XGBoostGapModel has no trained booster: call fit() or load it first');
    return this.booster;
  }
}

/** Registers the `xgboost` model type with the trainer and the inference server. */
export const xgboostFactory: ModelFactory = {
  type: 'xgboost',
  async create(hyperparameters) {
    return new XGBoostGapModel(hyperparameters);
  },
  async load(dir, description) {
    return XGBoostGapModel.load(dir, description.hyperparameters);
  },
};
