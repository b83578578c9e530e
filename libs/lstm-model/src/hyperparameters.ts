import { type HyperparameterSpec, type Hyperparameters, parseHyperparameters as parseBySpec, RETURN_HORIZON_DAYS_SPEC } from '@nextbuy/contracts';

/** The LSTM's settings, parsed from hyperparameters with the seed's names. */
export interface LstmSettings {
  /** Orders per window (the seed's `time_series_length`). */
  timeSeriesLength: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  hiddenSize: number;
  dropout: number;
  lstmLayers: number;
  /** Share of customers held out for early stopping and the inner cutoff's choice when fit() gets no validation table (raised on small bases: heldOutCount). */
  validationSplit: number;
  /** Epochs without a better validation loss before training stops. */
  patience: number;
  seed: number;
  /** The predicted gap is the median among customers who order within this many days after the as-of date. */
  returnHorizonDays: number;
}

/**
 * Every hyperparameter of the `lstm` model type (the seed's names), with its range and default; a
 * module of its own, so the registry and the CLIs read it without loading TensorFlow.js. Defaults:
 * batch 256 and learning rate 3e-3 train CDNOW-sized data (30k-150k windows) in a few seconds per
 * epoch on wasm and converge in ~10-20 epochs; early stopping on 10% of customers picks the
 * epoch, so `epochs` is a ceiling.
 */
export const LSTM_HYPERPARAMETER_SPECS: readonly HyperparameterSpec[] = [
  { name: 'time_series_length', type: 'integer', min: 1, default: 3, doc: 'orders per input window (the last N orders of a customer)' },
  { name: 'epochs', type: 'integer', min: 1, default: 30, doc: 'training epochs at most (early stopping picks the best)' },
  { name: 'batch_size', type: 'integer', min: 1, default: 256, doc: 'windows per training batch' },
  { name: 'learning_rate', type: 'number', min: 0, minExclusive: true, default: 0.003, doc: 'Adam learning rate' },
  { name: 'hidden_size', type: 'integer', min: 1, default: 32, doc: 'LSTM units per layer' },
  { name: 'dropout', type: 'number', min: 0, max: 1, maxExclusive: true, default: 0.1, doc: 'dropout on the LSTM output' },
  { name: 'lstm_layers', type: 'integer', min: 1, default: 1, doc: 'stacked LSTM layers' },
  { name: 'validation_split', type: 'number', min: 0, max: 1, maxExclusive: true, default: 0.1, doc: 'share of customers held out for early stopping and the inner cutoff\'s choice (raised to 100 customers, at most a third, on small bases)' },
  { name: 'patience', type: 'integer', min: 1, default: 3, doc: 'epochs without a better validation loss before training stops' },
  { name: 'seed', type: 'integer', min: 0, max: 0xffffffff, default: 42, doc: 'seed of weight initialisation, shuffling and dropout' },
  RETURN_HORIZON_DAYS_SPEC,
];

const KEYS: Record<string, keyof LstmSettings> = {
  time_series_length: 'timeSeriesLength',
  epochs: 'epochs',
  batch_size: 'batchSize',
  learning_rate: 'learningRate',
  hidden_size: 'hiddenSize',
  dropout: 'dropout',
  lstm_layers: 'lstmLayers',
  validation_split: 'validationSplit',
  patience: 'patience',
  seed: 'seed',
  return_horizon_days: 'returnHorizonDays',
};

/** The hyperparameter names the LSTM accepts. */
export const LSTM_HYPERPARAMETERS = LSTM_HYPERPARAMETER_SPECS.map((spec) => spec.name);

/**
 * Parses hyperparameters (numbers, or strings as SageMaker passes them) over the defaults.
 * An unknown name or a bad value is an InputDataError naming the hyperparameter.
 */
export function parseHyperparameters(hyperparameters: Hyperparameters): LstmSettings {
  const parsed = parseBySpec(LSTM_HYPERPARAMETER_SPECS, hyperparameters, 'lstm');
  return Object.fromEntries(Object.entries(KEYS).map(([name, key]) => [key, parsed[name]])) as unknown as LstmSettings;
}

/** The settings back under their hyperparameter names (what the manifest records). */
export function settingsToHyperparameters(settings: LstmSettings): Hyperparameters {
  return Object.fromEntries(Object.entries(KEYS).map(([name, key]) => [name, settings[key]]));
}

/** The losses each epoch reports (`FitProgress.metrics`, the trainer's per-epoch metric lines): `EpochMetrics` less the epoch. */
export const LSTM_FIT_METRICS = ['loss', 'val_loss'] as const;
