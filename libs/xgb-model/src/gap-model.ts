import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ArtifactError,
  customerSegments,
  type FitOptions,
  type FitReport,
  type GapPrediction,
  HORIZON_DAYS,
  type Hyperparameters,
  InputDataError,
  type ModelDescription,
  type ModelSelection,
  type ModelFactory,
  NextBuyError,
  type NextPurchaseModel,
  type OrderFeatureTable,
  parseHyperparameters,
  type PredictOptions,
  type ScoringTable,
  type TrainingTable,
  trainingAsOfDay,
  trainingFirstDay,
} from '@nextbuy/contracts';
import { type BgNbdParams, BTYD_MODEL_FILE, BtydGapModel } from '@nextbuy/btyd-model';
import {
  type Answers,
  type Blend,
  blendFits,
  blendProbability,
  blendWait,
  btydAnswers,
  type BtydFamily,
  type BtydFits,
  chooseAtInnerCutoff,
  concordanceIndex,
  familiesUsed,
  fitBgNbdIfPossible,
  geometricLandmarkDays,
  heldOutShare,
  horizonOutcomes,
  landmarkTable,
  type LandmarkTable,
  MODEL_ONLY,
  normalUpperQuantile,
  scoringLandmarks,
} from '@nextbuy/features';
import { Booster, type ParamValue } from './booster';
import { CALENDAR_FEATURES, scoringCustomerBaseFeatures, withCustomerBaseFeatures } from './customer-base-features';
import { DMatrix } from './dmatrix';
import { EVAL_SETS, XGBOOST_HYPERPARAMETERS } from './hyperparameters';
import type { EvalsLog } from './eval-log';
import { fitWaitScale, medianWaitWithin, waitLocation } from './lognormal-wait';
import { xgboostVersion } from './native';
import { type TrainingCallback, train } from './train';

/** The file `save` writes for the 90-day booster: XGBoost's own JSON model (with the BG/NBD fit as an attribute), loadable by any XGBoost >= 1.0. */
export const MODEL_FILE = 'model.json';

/** The booster attribute holding the wait's scale rule chosen while fitting (JSON `WaitRule`). */
export const WAIT_RULE_ATTRIBUTE = 'wait_rule';

/** The candidates for the scale of the log-normal wait, in the order they are preferred on a tie. */
const WAIT_SCALE_CANDIDATES = ['one_scale', 'per_customer'] as const;

/**
 * How the wait's scale is set: one scale for everyone (fitted by censored maximum likelihood) or
 * each customer's own from the horizons (`waitScale`), whichever ranked the held-out customers'
 * gaps better (Harrell's c-index, as the backtest scores it); `selection` says by how much.
 */
interface WaitRule {
  oneScale: number;
  selection: ModelSelection;
}

/**
 * Waits are floored at half a day before their logarithm is taken: a wait of 0 (an order on
 * the landmark day itself) or a censoring bound of 0 would otherwise be -Infinity.
 */
export const MIN_GAP_DAYS = 0.5;

/** The booster attribute holding how much of the booster's answers the model keeps against a BTYD model's, and why (JSON `{ blend: Blend, selection }`; absent in older artifacts: the booster alone). */
export const BLEND_ATTRIBUTE = 'btyd_blend';

/** The booster attribute holding the BG/NBD parameters its customer-base features were computed with (JSON; null when none could be fitted). */
export const BGNBD_ATTRIBUTE = 'bgnbd_params';

/**
 * Horizons of the classifiers a model is fitted with, in days: each learns "orders within h days
 * after the landmark". The 90-day one is `p_order_90d`; the shorter ones give the wait its shape
 * (see `waitScale`). A loaded model serves with the horizons its manifest records; these are
 * also what an artifact written before the manifest recorded them was fitted with.
 */
export const WAIT_HORIZONS_DAYS: readonly number[] = [7, 30, HORIZON_DAYS];

/** The file of the booster of horizon h: the 90-day one is MODEL_FILE. */
export function boosterFile(horizonDays: number): string {
  return horizonDays === HORIZON_DAYS ? MODEL_FILE : `model-${horizonDays}d.json`;
}

/** Bounds of the log-normal wait's scale: wide enough for customers who in effect never return, narrow enough to stay a wait. */
const SCALE_RANGE: readonly [number, number] = [0.05, 20];

/** XGBoostGapModel's defaults, read off its hyperparameter specs. */
export const DEFAULT_HYPERPARAMETERS: Readonly<Hyperparameters> = parseHyperparameters(XGBOOST_HYPERPARAMETERS, {}, 'xgboost');

/** Probabilities within about 1e-13 of 0 or 1 are as good as certain; keeping them off the ends keeps the log-normal finite. */
const MAX_MARGIN = 30;

const MODEL_KEYS = ['num_boost_round', 'early_stopping_rounds', 'landmark_growth', 'landmark_max_days', 'return_horizon_days', 'validation_fraction'] as const;

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
  const landmarkDays = geometricLandmarkDays(Number(hyperparameters.landmark_growth), Number(hyperparameters.landmark_max_days));
  return {
    params,
    numBoostRound: Number(hyperparameters.num_boost_round),
    earlyStoppingRounds: hyperparameters.early_stopping_rounds === undefined ? undefined : Number(hyperparameters.early_stopping_rounds),
    landmarkDays,
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

/** Landmark rows with a known outcome at one horizon, split into the customers trained on and those held out. */
interface OutcomeSets {
  train: { table: LandmarkTable; rows: number[]; ordered: number[] };
  validation?: { table: LandmarkTable; rows: number[]; ordered: number[] };
}

function outcomeSets(landmarks: LandmarkTable, held: LandmarkTable | undefined, horizonDays: number, validationFraction: number): OutcomeSets {
  const outcomes = horizonOutcomes(landmarks, horizonDays);
  const all = { table: landmarks, rows: Array.from(outcomes.rows), ordered: Array.from(outcomes.ordered) };
  if (held) {
    const heldOutcomes = horizonOutcomes(held, horizonDays);
    return { train: all, validation: { table: held, rows: Array.from(heldOutcomes.rows), ordered: Array.from(heldOutcomes.ordered) } };
  }
  const membership = new Map<string, boolean>();
  const isHeldOut = (row: number) => {
    const id = landmarks.customerIds[row]!;
    let out = membership.get(id);
    if (out === undefined) membership.set(id, (out = heldOut(id, validationFraction)));
    return out;
  };
  const train = { table: landmarks, rows: [] as number[], ordered: [] as number[] };
  const validation = { table: landmarks, rows: [] as number[], ordered: [] as number[] };
  outcomes.rows.forEach((row, i) => {
    const set = isHeldOut(row) ? validation : train;
    set.rows.push(row);
    set.ordered.push(outcomes.ordered[i]!);
  });
  // Too small a table to hold customers out: train on all of it.
  if (validation.rows.length === 0 || train.rows.length === 0) return { train: all };
  return { train, validation };
}

/** Every landmark row (censored waits too) of the customers held out: of `held` when given, else of the hashed split, else all rows. */
function heldOutRows(landmarks: LandmarkTable, held: LandmarkTable | undefined, validationFraction: number): { table: LandmarkTable; rows: number[] } {
  const every = (of: LandmarkTable) => Array.from({ length: of.nRows }, (_, i) => i);
  if (held && held.nRows > 0) return { table: held, rows: every(held) };
  const rows = every(landmarks).filter((row) => heldOut(landmarks.customerIds[row]!, validationFraction));
  return rows.length > 0 && rows.length < landmarks.nRows ? { table: landmarks, rows } : { table: landmarks, rows: every(landmarks) };
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
 * The scale of the log-normal wait of one customer, from the classifiers' probabilities at the
 * horizons (ascending, the last the 90-day one): P(W < h) = p_h means ln h = mu - sigma z(p_h),
 * z the upper-tail normal quantile, a line through the 90-day point whose slope is fitted to
 * the shorter horizons by least squares. Probabilities are first made non-decreasing in the
 * horizon (separate boosters need not be).
 */
export function waitScale(probabilities: readonly number[], horizonsDays: readonly number[]): number {
  const last = probabilities.length - 1;
  const p = [...probabilities];
  for (let k = last - 1; k >= 0; k--) p[k] = Math.min(p[k]!, p[k + 1]!);
  const z = p.map((value) => normalUpperQuantile(Math.min(1 - 1e-9, Math.max(1e-9, value))));
  let across = 0;
  let spread = 0;
  for (let k = 0; k < last; k++) {
    const dz = z[k]! - z[last]!;
    across -= Math.log(horizonsDays[k]! / horizonsDays[last]!) * dz;
    spread += dz * dz;
  }
  const sigma = spread > 0 ? across / spread : SCALE_RANGE[1];
  return Math.min(SCALE_RANGE[1], Math.max(SCALE_RANGE[0], sigma));
}

/**
 * Next-purchase model that separates whether a customer orders soon from when: landmark rows
 * (each order seen again 1, 2, 3, ... days later on a geometric grid, `ElapsedDays` a feature,
 * with the customer-base and calendar features of `customer-base-features.ts`) train one XGBoost classifier
 * per horizon of `classifierHorizonsDays`, "orders within h days after the landmark". The 90-day one
 * is `p_order_90d` for a customer scored at their real elapsed days. The wait after the as-of
 * date is log-normal through those probabilities (`waitScale`), pinned to the 90-day one;
 * `predicted_gap_days` is elapsed plus its median among customers who order within
 * `return_horizon_days` (see the README for why not the plain median).
 */
export class XGBoostGapModel implements NextPurchaseModel {
  readonly type = 'xgboost';
  private readonly hyperparameters: Hyperparameters;
  private readonly settings: Settings;
  /** One booster per horizon of `classifierHorizons`, in that order. */
  private boosters: Booster[] = [];
  private customerBase: BgNbdParams | null = null;
  private waitRule: WaitRule | undefined;
  private blend: Blend = MODEL_ONLY;
  private blendSelection: Record<string, ModelSelection> = {};
  /**
   * BG/NBD in the boosters' place, when the training history is too short for them to learn
   * from (`fit`): it predicts, saves and describes instead of them.
   */
  private fallback: { model: BtydGapModel; selection: Record<string, ModelSelection> } | undefined;

  /**
   * `classifierHorizonsDays`: the horizons of the classifiers, ascending, the last `HORIZON_DAYS`
   * (`p_order_90d`): WAIT_HORIZONS_DAYS for a new model, the manifest's for a loaded one.
   */
  constructor(
    hyperparameters: Hyperparameters = {},
    readonly classifierHorizonsDays: readonly number[] = WAIT_HORIZONS_DAYS,
  ) {
    this.hyperparameters = parseHyperparameters(XGBOOST_HYPERPARAMETERS, hyperparameters, 'xgboost');
    this.settings = settingsOf(this.hyperparameters);
    const ascending = classifierHorizonsDays.every((days, k) => Number.isInteger(days) && days > 0 && (k === 0 || days > classifierHorizonsDays[k - 1]!));
    if (!ascending || classifierHorizonsDays.at(-1) !== HORIZON_DAYS) {
      throw new RangeError(`classifier horizons must be ascending whole days ending with ${HORIZON_DAYS} (p_order_90d), got ${classifierHorizonsDays.join(', ')}`);
    }
  }

  /** Restores a model `save` wrote with BG/NBD in the boosters' place (`fitFallback`): its parameters file and the manifest's selection. */
  static async loadFallback(dir: string, description: ModelDescription): Promise<XGBoostGapModel> {
    const model = new XGBoostGapModel(description.hyperparameters, description.horizons?.classifierHorizonsDays);
    const btyd = await BtydGapModel.load('bgnbd', dir, { return_horizon_days: model.settings.returnHorizonDays });
    model.fallback = { model: btyd, selection: { ...(description.selection ?? {}) } };
    return model;
  }

  /** Restores a model written by `save` (XGBoost's JSON, one file per horizon of `classifierHorizonsDays`, its manifest's). */
  static load(dir: string, hyperparameters: Hyperparameters, classifierHorizonsDays: readonly number[] = WAIT_HORIZONS_DAYS): XGBoostGapModel {
    const model = new XGBoostGapModel(hyperparameters, classifierHorizonsDays);
    const boosters: Booster[] = [];
    try {
      for (const horizon of classifierHorizonsDays) {
        const path = join(dir, boosterFile(horizon));
        try {
          boosters.push(new Booster({}, [], path));
        } catch (error) {
          throw new ArtifactError(`${path}: cannot load the XGBoost model (${(error as Error).message})`, { cause: error });
        }
      }
      const customerBase = boosters.at(-1)!.attr(BGNBD_ATTRIBUTE);
      const waitRule = boosters.at(-1)!.attr(WAIT_RULE_ATTRIBUTE);
      if (customerBase === undefined || customerBase === null || waitRule === undefined || waitRule === null) {
        throw new ArtifactError(`${join(dir, MODEL_FILE)}: no ${BGNBD_ATTRIBUTE} or ${WAIT_RULE_ATTRIBUTE} attribute: not written by this version of the model; train it again`);
      }
      model.customerBase = JSON.parse(customerBase) as BgNbdParams | null;
      model.waitRule = JSON.parse(waitRule) as WaitRule;
      const blend = boosters.at(-1)!.attr(BLEND_ATTRIBUTE);
      if (blend !== undefined && blend !== null) ({ blend: model.blend, selection: model.blendSelection } = JSON.parse(blend) as { blend: Blend; selection: Record<string, ModelSelection> });
    } catch (error) {
      for (const booster of boosters) booster.dispose();
      throw error;
    }
    model.boosters = boosters;
    return model;
  }

  async fit(table: TrainingTable, options: FitOptions = {}): Promise<FitReport> {
    const { params, numBoostRound, earlyStoppingRounds, nthread, landmarkDays } = this.settings;
    // On a small base the share is raised, so that the inner cutoff has customers to choose on.
    const validationFraction = heldOutShare(customerSegments(table).length, this.settings.validationFraction);
    const customerBase = fitBgNbdIfPossible(table);
    const landmarks = withCustomerBaseFeatures(landmarkTable(table, landmarkDays), table, customerBase, { calendar: true });
    const held = options.validation && withCustomerBaseFeatures(landmarkTable(options.validation, landmarkDays), options.validation, customerBase, { calendar: true });
    const boosters: Booster[] = [];
    const history: Array<Record<string, number>> = [];
    const horizons = this.classifierHorizonsDays;
    const setsAt = (horizon: number) => outcomeSets(landmarks, held, horizon, validationFraction);
    // A row whose 90-day outcome is known has its 7- and 30-day ones known too, so the 90-day set
    // is empty whenever any is; the others are built one at a time below, as each booster trains.
    const last = setsAt(horizons.at(-1)!);
    if (last.train.rows.length === 0) return this.fitFallback(table, horizons.find((horizon) => setsAt(horizon).train.rows.length === 0)!, customerBase !== null);
    // Progress counts every round of every booster; one that stops early skips to the next one's first.
    const total = horizons.length * numBoostRound;
    try {
      for (const [k, horizon] of horizons.entries()) {
        const sets = k === horizons.length - 1 ? last : setsAt(horizon);
        const dtrain = outcomeMatrix(sets.train, nthread);
        const dvalid = sets.validation && sets.validation.rows.length > 0 ? outcomeMatrix(sets.validation, nthread) : undefined;
        // Metrics and history are the 90-day booster's: the one p_order_90d comes from.
        const reported = k === horizons.length - 1;
        const progress: TrainingCallback = {
          after_iteration: (_model, epoch, log) => {
            const metrics = reported ? latestMetrics(log) : {};
            if (reported) history.push(metrics);
            options.onProgress?.({ step: k * numBoostRound + epoch + 1, total, metrics });
            return false;
          },
        };
        try {
          boosters[k] = train(params, dtrain, numBoostRound, {
            evals: dvalid ? [[dtrain, EVAL_SETS[0]], [dvalid, EVAL_SETS[1]]] : [[dtrain, EVAL_SETS[0]]],
            early_stopping_rounds: dvalid ? earlyStoppingRounds : undefined,
            callbacks: [progress],
          });
        } finally {
          dtrain.dispose();
          dvalid?.dispose();
        }
      }
      const waitRule = this.chooseWaitRule(boosters, heldOutRows(landmarks, held, validationFraction));
      const { blend, selection } = this.chooseBlend(boosters, customerBase, table, waitRule, options.validation, validationFraction);
      // Kept in the model file, so that the saved model alone predicts.
      boosters.at(-1)!.set_attr({ [BGNBD_ATTRIBUTE]: JSON.stringify(customerBase), [WAIT_RULE_ATTRIBUTE]: JSON.stringify(waitRule), [BLEND_ATTRIBUTE]: JSON.stringify({ blend, selection }) });
      this.dispose();
      this.boosters = boosters;
      this.customerBase = customerBase;
      this.waitRule = waitRule;
      this.blend = blend;
      this.blendSelection = selection;
    } catch (error) {
      for (const booster of boosters) booster.dispose();
      throw error;
    }
    return { history, bestIteration: boosters.at(-1)!.best_iteration };
  }

  /**
   * When no order of the training table was followed for `horizon` days without a further order
   * (a history shorter than the horizon, or customers who never wait that long), the booster of
   * that horizon has no example to learn from. BG/NBD still answers, extrapolating from each
   * customer's frequency and recency, so the model fits it in the boosters' place and says why in
   * `selection` (as the inner cutoff's choice of BG/NBD alone would), rather than failing a
   * training run on a young customer base. Fails as before when BG/NBD cannot be fitted either.
   */
  private async fitFallback(table: TrainingTable, horizon: number, bgnbdFits: boolean): Promise<FitReport> {
    const days = Math.round(trainingAsOfDay(table) - trainingFirstDay(table));
    const why = `no order was followed for ${horizon} days without a further order in between (the training table spans ${days} days), so the booster of that horizon has nothing to learn "orders within ${horizon} days" from`;
    if (!bgnbdFits) throw new InputDataError(`${why}, and no customer ordered on two different days, so BG/NBD cannot be fitted in its place either`, { source: 'TrainingTable' });
    const model = new BtydGapModel('bgnbd', { return_horizon_days: this.settings.returnHorizonDays });
    const report = await model.fit(table);
    const reason = { criterion: `${why}: BG/NBD alone, which extrapolates from each customer's frequency and recency`, candidates: {}, chosen: 'bgnbd' };
    this.dispose();
    this.fallback = { model, selection: { blend_p_order_90d: reason, blend_wait: { ...reason } } };
    return report;
  }

  async predict(input: ScoringTable, options: PredictOptions = {}): Promise<GapPrediction> {
    const returnHorizonDays = options.returnHorizonDays ?? this.settings.returnHorizonDays;
    if (this.fallback) return this.fallback.model.predict(input, { returnHorizonDays });
    const count = input.lastRow.length;
    if (count === 0) return { predictedGapDays: new Float64Array(0), pOrder90d: new Float64Array(0) };
    const { booster, btyd } = this.answers(this.fitted(), blendFits(this.blend, this.customerBase), this.waitRule!, input, returnHorizonDays, familiesUsed(this.blend));
    const predictedGapDays = new Float64Array(count);
    const pOrder90d = new Float64Array(count);
    const [p, wait] = [this.blend.pOrder90d, this.blend.wait];
    for (let i = 0; i < count; i++) {
      // A family not computed (weight 1, or no fit) is NaN, which the blends read as the booster alone.
      predictedGapDays[i] = input.elapsedDays[i]! + blendWait(booster.wait[i]!, btyd[wait.family]?.wait[i] ?? Number.NaN, wait.weight);
      pOrder90d[i] = blendProbability(booster.pOrder90d[i]!, btyd[p.family]?.pOrder90d[i] ?? Number.NaN, p.weight);
    }
    return { predictedGapDays, pOrder90d };
  }

  /**
   * The booster's answers for the customers of `input` and those of the BTYD `families` asked
   * for: the 90-day probability and the median wait among those who order within
   * `returnHorizonDays` (a family without a fit is left out).
   */
  private answers(
    boosters: readonly Booster[],
    fits: BtydFits,
    waitRule: WaitRule,
    input: ScoringTable,
    returnHorizonDays: number,
    families: readonly BtydFamily[],
  ): { booster: Answers; btyd: Partial<Record<BtydFamily, Answers>> } {
    // Boosters saved before the calendar features existed do not name them, and get rows without them.
    const calendar = boosters.every((booster) => booster.feature_names?.includes(CALENDAR_FEATURES[0]) ?? false);
    const rows = scoringCustomerBaseFeatures(scoringLandmarks(input), input, fits.bgnbd, { calendar });
    const probabilities = this.probabilities(boosters, rows.values, rows.featureNames);
    // BG/NBD's own answers in full precision, not the 32-bit feature column: rounded, its ties
    // differ from BG/NBD's, and a choice of BG/NBD alone scored below BG/NBD (0.0016 of AUC on 40 customers).
    const btyd = btydAnswers(input, fits, returnHorizonDays, families);
    return { booster: { pOrder90d: probabilities.at(-1)!, wait: this.medianWaits(probabilities, waitRule.selection.chosen, waitRule.oneScale, returnHorizonDays) }, btyd };
  }

  /**
   * How much of the booster's answers to keep against a BTYD model's (`inner-validation.ts` of `@nextbuy/features`),
   * chosen at a cutoff inside the training period on customers the boosters were not trained on:
   * those of `validation` when given, else those the hashed split holds out of `table` (all of it
   * when none is held out); `chooseAtInnerCutoff` fits Pareto/NBD on the training table for it.
   */
  private chooseBlend(boosters: readonly Booster[], bgnbd: BgNbdParams | null, table: TrainingTable, waitRule: WaitRule, validation: TrainingTable | undefined, validationFraction: number) {
    const held = validationFraction > 0 ? (id: string) => heldOut(id, validationFraction) : () => true;
    const { blend, selection } = chooseAtInnerCutoff(table, validation, held, () => bgnbd, (inner, fits, families) =>
      this.answers(boosters, fits, waitRule, inner.score, inner.followUpDays, families),
    );
    return { blend, selection };
  }

  /** Each booster's probabilities for landmark rows, in the order of `classifierHorizonsDays`. */
  private probabilities(boosters: readonly Booster[], values: Float32Array, featureNames: readonly string[]): Float64Array[] {
    return boosters.map((booster) => Float64Array.from(this.margins(booster, values, featureNames), sigmoid));
  }

  /** The median wait among those who order within the return horizon, under the log-normal pinned to the 90-day probability with the given scale rule. */
  private medianWaits(probabilities: readonly Float64Array[], rule: string, oneScale: number, returnHorizonDays: number): Float64Array {
    const p90 = probabilities.at(-1)!;
    return Float64Array.from(p90, (p, i) => {
      const sigma = rule === 'one_scale' ? oneScale : waitScale(probabilities.map((q) => q[i]!), this.classifierHorizonsDays);
      return medianWaitWithin(waitLocation(p, sigma, HORIZON_DAYS), sigma, returnHorizonDays);
    });
  }

  /**
   * Fits the one scale on the held-out customers' landmark rows and scores both scale rules on
   * them as the backtest would: the gap (elapsed plus the predicted wait) against the actual gap.
   */
  private chooseWaitRule(boosters: readonly Booster[], held: { table: LandmarkTable; rows: number[] }): WaitRule {
    const { table, rows } = held;
    const probabilities = this.probabilities(boosters, selectRows(table, rows), table.featureNames);
    const censored = Uint8Array.from(rows, (row) => table.censored[row]!);
    const oneScale = fitWaitScale(
      { probability: probabilities.at(-1)!, waitDays: Float64Array.from(rows, (row) => Math.max(table.gapDays[row]!, MIN_GAP_DAYS)), censored },
      HORIZON_DAYS,
    );
    const gaps = Float64Array.from(rows, (row) => table.elapsedDays[row]! + table.gapDays[row]!);
    const observed = Uint8Array.from(censored, (c) => 1 - c);
    const candidates: Record<string, number> = {};
    for (const rule of WAIT_SCALE_CANDIDATES) {
      const waits = this.medianWaits(probabilities, rule, oneScale, this.settings.returnHorizonDays);
      candidates[rule] = concordanceIndex(waits.map((wait, i) => table.elapsedDays[rows[i]!]! + wait), gaps, observed) ?? 0;
    }
    const chosen = WAIT_SCALE_CANDIDATES.reduce((best, rule) => (candidates[rule]! > candidates[best]! ? rule : best));
    return { oneScale, selection: { criterion: 'c_index of held-out landmark rows', candidates, chosen } };
  }

  async save(dir: string): Promise<string[]> {
    if (this.fallback) {
      mkdirSync(dir, { recursive: true });
      return this.fallback.model.save(dir);
    }
    const boosters = this.fitted();
    mkdirSync(dir, { recursive: true });
    const files = this.classifierHorizonsDays.map(boosterFile);
    boosters.forEach((booster, k) => booster.save_model(join(dir, files[k]!)));
    return files;
  }

  /** Hyperparameters in effect, the XGBoost version and, once fitted, the 90-day booster's average gain of every feature (0 if never split on). */
  describe(): ModelDescription {
    const description: ModelDescription = {
      hyperparameters: { ...this.hyperparameters },
      libraries: { xgboost: xgboostVersion() },
      horizons: { orderWithinDays: HORIZON_DAYS, landmarkDays: [...this.settings.landmarkDays], classifierHorizonsDays: [...this.classifierHorizonsDays] },
    };
    const booster = this.boosters.at(-1);
    if (booster) {
      const gain = booster.get_score({ importance_type: 'gain' });
      const names = booster.feature_names ?? Object.keys(gain);
      // get_score omits unused features; the manifest lists all of them so runs compare column by column.
      description.featureImportance = Object.fromEntries(names.map((name) => [name, typeof gain[name] === 'number' ? gain[name] : 0]));
    }
    if (this.waitRule) description.selection = { wait_scale: this.waitRule.selection, ...this.blendSelection };
    if (this.fallback) description.selection = { ...this.fallback.selection };
    return description;
  }

  dispose(): void {
    for (const booster of this.boosters) booster.dispose();
    this.boosters = [];
    this.fallback = undefined;
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

  private fitted(): Booster[] {
    if (this.boosters.length === 0) throw new NextBuyError('XGBoostGapModel has no trained booster: call fit() or load it first');
    return this.boosters;
  }
}

/** Registers the `xgboost` model type with the trainer and the inference server. */
export const xgboostFactory: ModelFactory = {
  type: 'xgboost',
  async create(hyperparameters) {
    return new XGBoostGapModel(hyperparameters);
  },
  async load(dir, description) {
    // A model fitted on too short a history holds BG/NBD's parameters in place of boosters (fitFallback).
    if (!existsSync(join(dir, MODEL_FILE)) && existsSync(join(dir, BTYD_MODEL_FILE))) return XGBoostGapModel.loadFallback(dir, description);
    return XGBoostGapModel.load(dir, description.hyperparameters, description.horizons?.classifierHorizonsDays);
  },
};
