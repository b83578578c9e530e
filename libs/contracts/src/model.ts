import type { ModelHorizons } from './manifest';
import type { GapPrediction, ScoringTable, TrainingTable } from './tables';

export type Hyperparameters = Record<string, string | number | boolean>;

export interface FitOptions {
  /** Held-out rows for early stopping (never the backtest's scoring period). */
  validation?: TrainingTable;
  onProgress?: (event: FitProgress) => void;
}

/**
 * One iteration of a fit. `step` of `total` counts every iteration the fit may run (all of
 * xgboost's boosters' rounds, the LSTM's epochs); early stopping skips ahead. `metrics` are the
 * iteration's losses by the model's own names (`fitMetricNames` of the model type), empty for
 * an iteration that reports none.
 */
export interface FitProgress {
  step: number;
  total: number;
  metrics: Record<string, number>;
}

export interface FitReport {
  /** Per-iteration (boosting round or epoch) training and validation losses. */
  history: Array<Record<string, number>>;
  bestIteration?: number;
}

/** What the trainer records about a fitted model in the artifact manifest. */
export interface ModelDescription {
  hyperparameters: Hyperparameters;
  libraries: Record<string, string>;
  backend?: string;
  featureImportance?: Record<string, number>;
  /** What the model chose among candidates while fitting, and the validation figures it chose by. */
  selection?: Record<string, ModelSelection>;
  /** The horizons and landmark days it was fitted with; undefined when loading an artifact written before they were recorded. */
  horizons?: ModelHorizons;
}

/** One choice a model made on data it held out: the candidates' figures on a criterion, and the one chosen. */
export interface ModelSelection {
  criterion: string;
  candidates: Record<string, number>;
  chosen: string;
}

/** A model's choices in one line, `wait_scale = per_customer; blend_wait = bgnbd`: empty when it chose nothing. */
export function describeChoices(selection: Record<string, ModelSelection> | undefined): string {
  return Object.entries(selection ?? {})
    .map(([name, { chosen }]) => `${name} = ${chosen}`)
    .join('; ');
}

export interface PredictOptions {
  /**
   * The return horizon of `predictedGapDays` for this call instead of the model's own: the
   * backtest scores `mae_days` with min(horizon, days of data after the cutoff) (evaluation.md).
   */
  returnHorizonDays?: number;
}

/** The interface every model type implements: fit, predict, save. */
export interface NextPurchaseModel {
  readonly type: string;
  fit(train: TrainingTable, options?: FitOptions): Promise<FitReport>;
  predict(input: ScoringTable, options?: PredictOptions): Promise<GapPrediction>;
  /** Writes the model's own files into `dir`; returns their paths relative to `dir`. */
  save(dir: string): Promise<string[]>;
  describe(): ModelDescription;
  /** Frees native or tensor memory held by the model. */
  dispose(): void;
}

/** Registers a model type: how to make a fresh one and how to load a saved one. */
export interface ModelFactory {
  readonly type: string;
  create(hyperparameters: Hyperparameters): Promise<NextPurchaseModel>;
  load(dir: string, description: ModelDescription): Promise<NextPurchaseModel>;
}
