import { type Hyperparameters, InputDataError } from '@nextbuy/contracts';

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
  /** Share of customers held out for early stopping when fit() gets no validation table. */
  validationSplit: number;
  /** Epochs without a better validation loss before training stops. */
  patience: number;
  seed: number;
  /** The predicted gap is the median among customers who order within this many days after the as-of date. */
  returnHorizonDays: number;
}

type Kind = 'positiveInteger' | 'nonNegativeInteger' | 'positiveNumber' | 'fraction';

interface Definition {
  key: keyof LstmSettings;
  kind: Kind;
  default: number;
}

/**
 * Every hyperparameter, its parsing and its default. Defaults: batch 256 and learning rate 3e-3
 * train CDNOW-sized data (30k-150k windows) in a few seconds per epoch on wasm and converge in
 * ~10-20 epochs; early stopping on 10% of customers picks the epoch, so `epochs` is a ceiling.
 */
const DEFINITIONS: Record<string, Definition> = {
  time_series_length: { key: 'timeSeriesLength', kind: 'positiveInteger', default: 3 },
  epochs: { key: 'epochs', kind: 'positiveInteger', default: 30 },
  batch_size: { key: 'batchSize', kind: 'positiveInteger', default: 256 },
  learning_rate: { key: 'learningRate', kind: 'positiveNumber', default: 0.003 },
  hidden_size: { key: 'hiddenSize', kind: 'positiveInteger', default: 32 },
  dropout: { key: 'dropout', kind: 'fraction', default: 0.1 },
  lstm_layers: { key: 'lstmLayers', kind: 'positiveInteger', default: 1 },
  validation_split: { key: 'validationSplit', kind: 'fraction', default: 0.1 },
  patience: { key: 'patience', kind: 'positiveInteger', default: 3 },
  seed: { key: 'seed', kind: 'nonNegativeInteger', default: 42 },
  return_horizon_days: { key: 'returnHorizonDays', kind: 'positiveInteger', default: 365 },
};

/** The hyperparameter names the LSTM accepts. */
export const LSTM_HYPERPARAMETERS = Object.keys(DEFINITIONS);

const RULES: Record<Kind, { test: (x: number) => boolean; says: string }> = {
  positiveInteger: { test: (x) => Number.isInteger(x) && x > 0, says: 'a positive integer' },
  nonNegativeInteger: { test: (x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff, says: 'an integer in 0..4294967295' },
  positiveNumber: { test: (x) => Number.isFinite(x) && x > 0, says: 'a positive number' },
  fraction: { test: (x) => x >= 0 && x < 1, says: 'a number in [0, 1)' },
};

/**
 * Parses hyperparameters (numbers, or strings as SageMaker passes them) over the defaults.
 * An unknown name or a bad value is an InputDataError naming the hyperparameter.
 */
export function parseHyperparameters(hyperparameters: Hyperparameters): LstmSettings {
  const settings = Object.fromEntries(Object.values(DEFINITIONS).map((d) => [d.key, d.default])) as unknown as LstmSettings;
  for (const [name, value] of Object.entries(hyperparameters)) {
    const definition = DEFINITIONS[name];
    if (!definition) throw new InputDataError(`unknown LSTM hyperparameter (expected one of ${LSTM_HYPERPARAMETERS.join(', ')})`, { source: 'hyperparameters', column: name });
    const rule = RULES[definition.kind];
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : typeof value === 'number' ? value : Number.NaN;
    if (!rule.test(number)) throw new InputDataError(`must be ${rule.says}, got ${JSON.stringify(value)}`, { source: 'hyperparameters', column: name });
    settings[definition.key] = number;
  }
  return settings;
}

/** The settings back under their hyperparameter names (what the manifest records). */
export function settingsToHyperparameters(settings: LstmSettings): Hyperparameters {
  return Object.fromEntries(Object.entries(DEFINITIONS).map(([name, d]) => [name, settings[d.key]]));
}
