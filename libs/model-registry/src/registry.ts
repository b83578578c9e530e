import {
  backtestMetricsSchema,
  FIT_STAGES,
  prefixedMetricName,
  type Hyperparameters,
  type HyperparameterSpec,
  type Manifest,
  metricDefinition,
  type MetricDefinition,
  type ModelFactory,
  NextBuyError,
  type NextPurchaseModel,
  parseHyperparameters,
} from '@nextbuy/contracts';
import { readArtifact } from '@nextbuy/artifact';
import { BTYD_FIT_METRICS, BTYD_HYPERPARAMETERS } from '@nextbuy/btyd-model/hyperparameters';
import { LSTM_FIT_METRICS, LSTM_HYPERPARAMETER_SPECS } from '@nextbuy/lstm-model/hyperparameters';
import { XGBOOST_HYPERPARAMETERS, xgboostFitMetrics } from '@nextbuy/xgb-model/hyperparameters';

/** What the product knows of a model type before loading its code. */
export interface ModelTypeEntry {
  /** One line for `--help`. */
  readonly doc: string;
  readonly hyperparameters: readonly HyperparameterSpec[];
  /** The per-iteration metrics its fit reports (`FitProgress.metrics`) with these (checked) hyperparameters. */
  readonly fitMetrics: (hyperparameters: Hyperparameters) => readonly string[];
  /** Loads the model type's library (lazily: an XGBoost server never loads TensorFlow.js). */
  readonly factory: () => Promise<ModelFactory>;
}

/**
 * Every model type the product knows, one entry each: the single source of the trainer's
 * `--model_backend` choices and flags, SageMaker hyperparameter parsing, the local pipeline's
 * flags and the CDK settings. Adding a model type is its library plus one entry here.
 */
export const MODEL_TYPES = {
  xgboost: {
    doc: 'XGBoost classifier of an order within 90 days on landmark rows, with a log-normal wait (the default)',
    hyperparameters: XGBOOST_HYPERPARAMETERS,
    fitMetrics: xgboostFitMetrics,
    factory: () => import('@nextbuy/xgb-model').then((m) => m.xgboostFactory),
  },
  lstm: {
    doc: 'TensorFlow.js LSTM over the last orders, censored log-normal likelihood, recalibrated 90-day probability',
    hyperparameters: LSTM_HYPERPARAMETER_SPECS,
    fitMetrics: () => LSTM_FIT_METRICS,
    factory: () => import('@nextbuy/lstm-model').then((m) => m.lstmFactory),
  },
  bgnbd: {
    doc: 'BG/NBD (Fader, Hardie and Lee 2005) fitted by maximum likelihood on each customer\'s repeat orders, recency and age',
    hyperparameters: BTYD_HYPERPARAMETERS,
    fitMetrics: () => BTYD_FIT_METRICS,
    factory: () => import('@nextbuy/btyd-model').then((m) => m.bgnbdFactory),
  },
  pareto_nbd: {
    doc: 'Pareto/NBD (Schmittlein, Morrison and Colombo 1987) fitted by maximum likelihood likewise',
    hyperparameters: BTYD_HYPERPARAMETERS,
    fitMetrics: () => BTYD_FIT_METRICS,
    factory: () => import('@nextbuy/btyd-model').then((m) => m.paretoNbdFactory),
  },
  bgcnbd: {
    doc: 'BG/CNBD-k (Reutterer, Platzer and Schroeder 2021): BG/NBD with Erlang-k gaps for regular buyers, k chosen by likelihood (k = 1 is BG/NBD)',
    hyperparameters: BTYD_HYPERPARAMETERS,
    fitMetrics: () => BTYD_FIT_METRICS,
    factory: () => import('@nextbuy/btyd-model').then((m) => m.bgcnbdFactory),
  },
} as const satisfies Record<string, ModelTypeEntry>;

export type ModelType = keyof typeof MODEL_TYPES;

/** The model types' names, in registry order (the first is the default). */
export const MODEL_TYPE_NAMES = Object.keys(MODEL_TYPES) as [ModelType, ...ModelType[]];

export const DEFAULT_MODEL_TYPE: ModelType = 'xgboost';

export class UnknownModelTypeError extends NextBuyError {}

export function isModelType(type: string): type is ModelType {
  return Object.hasOwn(MODEL_TYPES, type);
}

function entry(type: string): ModelTypeEntry {
  if (!isModelType(type)) throw new UnknownModelTypeError(`unknown model type "${type}" (known: ${MODEL_TYPE_NAMES.join(', ')})`);
  return MODEL_TYPES[type];
}

/** The hyperparameters a model type declares; the error lists the known types. */
export function hyperparameterSpecs(type: string): readonly HyperparameterSpec[] {
  return entry(type).hyperparameters;
}

/** The factory of a model type; the error lists the known types. */
export async function modelFactory(type: string): Promise<ModelFactory> {
  return entry(type).factory();
}

/**
 * The metric definitions of a training job of `type` with these hyperparameters (strings, as
 * SageMaker passes them, or values): the model's backtest metrics (`mae_days=...;`) and each fit
 * stage's per-iteration losses (`final:train-logloss=...;`), exactly what the trainer prints.
 */
export function trainingMetricDefinitions(type: string, hyperparameters: Hyperparameters = {}): MetricDefinition[] {
  const { hyperparameters: specs, fitMetrics } = entry(type);
  const perIteration = fitMetrics(parseHyperparameters(specs, hyperparameters, type));
  return [
    ...Object.keys(backtestMetricsSchema.shape).map(metricDefinition),
    ...FIT_STAGES.flatMap((stage) => perIteration.map((metric) => metricDefinition(prefixedMetricName(stage, metric)))),
  ];
}

/** Verifies an artifact directory (manifest, checksums, format version, horizon) and loads its model with the horizons it was fitted with. */
export async function loadModel(dir: string): Promise<{ manifest: Manifest; model: NextPurchaseModel }> {
  const manifest = await readArtifact(dir);
  const factory = await modelFactory(manifest.modelType);
  const model = await factory.load(dir, {
    hyperparameters: manifest.hyperparameters,
    libraries: manifest.libraries,
    ...(manifest.backend ? { backend: manifest.backend } : {}),
    ...(manifest.horizons ? { horizons: manifest.horizons } : {}),
  });
  return { manifest, model };
}
