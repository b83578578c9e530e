import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ArtifactError,
  type FitOptions,
  type FitReport,
  type GapPrediction,
  HORIZON_DAYS,
  type Hyperparameters,
  InputDataError,
  type ModelDescription,
  type ModelFactory,
  NextBuyError,
  type NextPurchaseModel,
  type OrderFeatureTable,
  parseHyperparameters,
  type PredictOptions,
  type ScoringTable,
  type TrainingTable,
} from '@nextbuy/contracts';
import { horizonOutcomes, landmarkTable, scoringLandmarks, type LandmarkTable } from '@nextbuy/features';
import { Booster, type ParamValue } from './booster';
import { DMatrix } from './dmatrix';
import { XGBOOST_HYPERPARAMETERS } from './hyperparameters';
import type { EvalsLog } from './eval-log';
import { fitWaitScale, medianWaitWithin, waitLocation } from './lognormal-wait';
import { xgboostVersion } from './native';
import { type TrainingCallback, train } from './train';

/** The file `save` writes: XGBoost's own JSON model (with the fitted wait scale as an attribute), loadable by any XGBoost >= 1.0. */
export const MODEL_FILE = 'model.json';

/** The booster attribute holding the fitted scale of the log-normal wait. */
export const WAIT_SCALE_ATTRIBUTE = 'lognormal_wait_scale';

/** XGBoostGapModel's defaults, read off its hyperparameter specs. */
export const DEFAULT_HYPERPARAMETERS: Readonly<Hyperparameters> = parseHyperparameters(XGBOOST_HYPERPARAMETERS, {}, 'xgboost');

/**
 * Waits are floored at half a day before their logarithm is taken: a wait of 0 (an order on
 * the landmark day itself) or a censoring bound of 0 would otherwise be -Infinity.
 */
export const MIN_GAP_DAYS = 0.5;

/** Probabilities within about 1e-13 of 0 or 1 are as good as certain; keeping them off the ends keeps the log-normal finite. */
const MAX_MARGIN = 30;

const MODEL_KEYS = ['num_boost_round', 'early_stopping_rounds', 'landmark_step_days', 'landmark_max_days', 'return_horizon_days', 'validation_fraction'] as const;

interface Settings {
  params: Record<string, ParamValue>;
  numBoostRound: number;
  earlyStoppingRounds: number | undefined;
  landmarkDays: number[];
  returnHorizonDays: number;
  validationFraction: number;
  /** XGBoost's `nthread`, also used to build the matrices (unset: all cores, as in XGBoost). */
  nthread: number | undefined;
}

/** Splits checked hyperparameters into XGBoost's params (unchanged) and the model's own settings. */
function settingsOf(hyperparameters: Hyperparameters): Settings {
  const params: Record<string, ParamValue> = {};
  for (const [key, value] of Object.entries(hyperparameters)) if (!(MODEL_KEYS as readonly string[]).includes(key)) params[key] = value;
  const step = Number(hyperparameters.landmark_step_days);
  const maxDays = Number(hyperparameters.landmark_max_days);
  if (maxDays < step) {
    throw new InputDataError(`must be an integer >= ${step} (landmark_step_days), got "${maxDays}"`, { source: 'hyperparameters', column: 'landmark_max_days' });
  }
  return {
    params,
    numBoostRound: Number(hyperparameters.num_boost_round),
    earlyStoppingRounds: hyperparameters.early_stopping_rounds === undefined ? undefined : Number(hyperparameters.early_stopping_rounds),
    landmarkDays: Array.from({ length: Math.floor(maxDays / step) }, (_, i) => (i + 1) * step),
    returnHorizonDays: Number(hyperparameters.return_horizon_days),
    validationFraction: Number(hyperparameters.validation_fraction),
    // XGBoost reads nthread <= 0 as all cores.
    nthread: hyperparameters.nthread === undefined ? undefined : Number(hyperparameters.nthread),
  };
}

/**
 * Whether a customer is held out for early stopping and for fitting the wait scale: a hash of
 * the id, so the split is the same on every run and keeps all of a customer's rows together.
 */
function heldOut(customerId: string, fraction: number): boolean {
  return createHash('sha256').update(customerId).digest().readUInt32BE(0) / 2 ** 32 < fraction;
}

/** The rows `rows` of a table's row-major values. */
function selectRows(table: OrderFeatureTable, rows: ArrayLike<number>): Float32Array {
  const ncol = table.featureNames.length;
  const values = new Float32Array(rows.length * ncol);
  for (let i = 0; i < rows.length; i++) values.set(table.values.subarray(rows[i]! * ncol, (rows[i]! + 1) * ncol), i * ncol);
  return values;
}

/** Landmark rows with a known 90-day outcome, split into the customers trained on and those held out. */
interface LandmarkSets {
  train: { table: LandmarkTable; rows: number[]; ordered: number[] };
  validation?: { table: LandmarkTable; rows: number[]; ordered: number[] };
  /** Landmark rows (with censored waits too) the wait scale is fitted on: the held-out customers' when there are any. */
  scale: { table: LandmarkTable; rows: number[] };
}

function landmarkSets(table: TrainingTable, validation: TrainingTable | undefined, settings: Settings): LandmarkSets {
  const landmarks = landmarkTable(table, settings.landmarkDays);
  const outcomes = horizonOutcomes(landmarks, HORIZON_DAYS);
  const everyRow = (of: LandmarkTable) => Array.from({ length: of.nRows }, (_, i) => i);
  const all = { table: landmarks, rows: Array.from(outcomes.rows), ordered: Array.from(outcomes.ordered) };
  if (validation) {
    const held = landmarkTable(validation, settings.landmarkDays);
    const heldOutcomes = horizonOutcomes(held, HORIZON_DAYS);
    return {
      train: all,
      validation: { table: held, rows: Array.from(heldOutcomes.rows), ordered: Array.from(heldOutcomes.ordered) },
      scale: held.nRows > 0 ? { table: held, rows: everyRow(held) } : { table: landmarks, rows: everyRow(landmarks) },
    };
  }
  const membership = new Map<string, boolean>();
  const isHeldOut = (row: number) => {
    const id = landmarks.customerIds[row]!;
    let held = membership.get(id);
    if (held === undefined) membership.set(id, (held = heldOut(id, settings.validationFraction)));
    return held;
  };
  const train = { table: landmarks, rows: [] as number[], ordered: [] as number[] };
  const held = { table: landmarks, rows: [] as number[], ordered: [] as number[] };
  outcomes.rows.forEach((row, i) => {
    const set = isHeldOut(row) ? held : train;
    set.rows.push(row);
    set.ordered.push(outcomes.ordered[i]!);
  });
  // Too small a table to hold customers out: train on all of it, fit the scale on it too.
  if (held.rows.length === 0 || train.rows.length === 0) return { train: all, scale: { table: landmarks, rows: everyRow(landmarks) } };
  return { train, validation: held, scale: { table: landmarks, rows: everyRow(landmarks).filter(isHeldOut) } };
}

function outcomeMatrix(set: { table: LandmarkTable; rows: number[]; ordered: number[] }, nthread: number | undefined): DMatrix {
  return new DMatrix(
    { values: selectRows(set.table, set.rows), nrow: set.rows.length, ncol: set.table.featureNames.length },
    { label: set.ordered, feature_names: set.table.featureNames, nthread },
  );
}

/** The metrics of the latest round, keyed like XGBoost prints them (`validation-logloss`). */
function latestMetrics(log: EvalsLog): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const [data, byMetric] of Object.entries(log)) {
    for (const [metric, values] of Object.entries(byMetric)) metrics[`${data}-${metric}`] = values[values.length - 1]!;
  }
  return metrics;
}

function sigmoid(margin: number): number {
  return 1 / (1 + Math.exp(-Math.min(MAX_MARGIN, Math.max(-MAX_MARGIN, margin))));
}

/**
 * Next-purchase model that separates whether a customer orders soon from when: landmark rows
 * (each order seen again 30, 60, ... days later, `ElapsedDays` a feature) train an XGBoost
 * classifier of "orders within 90 days after the landmark", which is `p_order_90d` for a customer
 * scored at their real elapsed days. The wait after the as-of date is log-normal with that
 * 90-day probability and one scale fitted by censored maximum likelihood on held-out customers;
 * `predicted_gap_days` is elapsed plus the median wait among customers who order within
 * `return_horizon_days` (see the README for why not the plain median).
 */
export class XGBoostGapModel implements NextPurchaseModel {
  readonly type = 'xgboost';
  private readonly hyperparameters: Hyperparameters;
  private readonly settings: Settings;
  private booster: Booster | undefined;
  private waitScale = Number.NaN;

  constructor(hyperparameters: Hyperparameters = {}) {
    this.hyperparameters = parseHyperparameters(XGBOOST_HYPERPARAMETERS, hyperparameters, 'xgboost');
    this.settings = settingsOf(this.hyperparameters);
  }

  /** Restores a model written by `save` (XGBoost's JSON in `dir/model.json`). */
  static load(dir: string, hyperparameters: Hyperparameters): XGBoostGapModel {
    const model = new XGBoostGapModel(hyperparameters);
    const path = join(dir, MODEL_FILE);
    let booster: Booster;
    try {
      booster = new Booster({}, [], path);
    } catch (error) {
      throw new ArtifactError(`${path}: cannot load the XGBoost model (${(error as Error).message})`, { cause: error });
    }
    const scale = Number(booster.attr(WAIT_SCALE_ATTRIBUTE));
    if (!(scale > 0)) {
      booster.dispose();
      throw new ArtifactError(`${path}: no ${WAIT_SCALE_ATTRIBUTE} attribute: not written by this model (an older survival:aft artifact?); train it again`);
    }
    model.booster = booster;
    model.waitScale = scale;
    return model;
  }

  /** The fitted scale (sigma) of the log-normal wait; NaN before fit or load. */
  get lognormalWaitScale(): number {
    return this.waitScale;
  }

  async fit(table: TrainingTable, options: FitOptions = {}): Promise<FitReport> {
    const { params, numBoostRound, earlyStoppingRounds, nthread } = this.settings;
    const sets = landmarkSets(table, options.validation, this.settings);
    if (sets.train.rows.length === 0) {
      throw new InputDataError(`has no order followed for ${HORIZON_DAYS} days without a further order in between: nothing to learn "orders within ${HORIZON_DAYS} days" from`, { source: 'TrainingTable' });
    }
    const dtrain = outcomeMatrix(sets.train, nthread);
    const dvalid = sets.validation && sets.validation.rows.length > 0 ? outcomeMatrix(sets.validation, nthread) : undefined;
    try {
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
        early_stopping_rounds: dvalid ? earlyStoppingRounds : undefined,
        callbacks: [progress],
      });
      try {
        const { table: scaleTable, rows } = sets.scale;
        const margins = this.margins(booster, selectRows(scaleTable, rows), scaleTable.featureNames);
        const waitScale = fitWaitScale(
          {
            probability: Float64Array.from(margins, sigmoid),
            waitDays: Float64Array.from(rows, (row) => Math.max(scaleTable.gapDays[row]!, MIN_GAP_DAYS)),
            censored: Uint8Array.from(rows, (row) => scaleTable.censored[row]!),
          },
          HORIZON_DAYS,
        );
        // Kept in the model file, so that the saved model alone predicts.
        booster.set_attr({ [WAIT_SCALE_ATTRIBUTE]: String(waitScale) });
        this.booster?.dispose();
        this.booster = booster;
        this.waitScale = waitScale;
      } catch (error) {
        booster.dispose();
        throw error;
      }
      return { history, bestIteration: this.booster.best_iteration };
    } finally {
      dtrain.dispose();
      dvalid?.dispose();
    }
  }

  async predict(input: ScoringTable, options: PredictOptions = {}): Promise<GapPrediction> {
    const booster = this.fitted();
    const returnHorizonDays = options.returnHorizonDays ?? this.settings.returnHorizonDays;
    const rows = scoringLandmarks(input);
    const count = rows.nRows;
    const predictedGapDays = new Float64Array(count);
    const pOrder90d = new Float64Array(count);
    if (count === 0) return { predictedGapDays, pOrder90d };
    const margins = this.margins(booster, rows.values, rows.featureNames);
    for (let i = 0; i < count; i++) {
      const p = sigmoid(margins[i]!);
      const mu = waitLocation(p, this.waitScale, HORIZON_DAYS);
      predictedGapDays[i] = input.elapsedDays[i]! + medianWaitWithin(mu, this.waitScale, returnHorizonDays);
      pOrder90d[i] = p;
    }
    return { predictedGapDays, pOrder90d };
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

  /** The booster's margins (log-odds) for landmark rows, from the trees up to the best round. */
  private margins(booster: Booster, values: Float32Array, featureNames: readonly string[]): Float32Array {
    const data = new DMatrix({ values, nrow: values.length / featureNames.length, ncol: featureNames.length }, { feature_names: featureNames, nthread: this.settings.nthread });
    try {
      const best = booster.best_iteration;
      return booster.predict(data, { output_margin: true, iteration_range: best === undefined ? [0, 0] : [0, best + 1] });
    } finally {
      data.dispose();
    }
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
