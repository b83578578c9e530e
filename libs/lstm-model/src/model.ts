import { readFile, writeFile } from 'node:fs/promises';
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
  type ModelHorizons,
  NextBuyError,
  type NextPurchaseModel,
  type PredictOptions,
  type ScoringTable,
  type TrainingTable,
} from '@nextbuy/contracts';
import {
  type Answers,
  blendFits,
  blendProbability,
  blendWait,
  btydAnswers,
  type BtydFamily,
  type BtydFits,
  chooseAtInnerCutoff,
  familiesUsed,
  fitBgNbdIfPossible,
  heldOutShare,
  geometricLandmarkDays,
  horizonOutcomes,
  type InnerCutoff,
  landmarkTable,
  lognormalConditional,
  lognormalConditionalWithin,
} from '@nextbuy/features';
import * as tf from '@tensorflow/tfjs';
import { type BackendChoice, modelBackend } from './backend';
import { applyCalibration, type Calibration, fitCalibration, landmarkSpanDays } from './calibration';
import { type LstmSettings, parseHyperparameters, settingsToHyperparameters } from './hyperparameters';
import { fromLayersModel, toLayersModel } from './layers-model';
import { directoryHandler, MODEL_JSON, WEIGHTS_BIN } from './model-files';
import { LstmNetwork } from './network';
import { type BtydBlend, fitPreprocessing, parsePreprocessing, PREPROCESSING_FILE, type Preprocessing } from './preprocessing';
import { createRng, type Rng, shuffle } from '@nextbuy/random';
import { type LabelledWindows, trainNetwork } from './train';
import { buildWindows, scoringWindows, trainingWindows } from './windows';

/**
 * Next-purchase model on a TensorFlow.js LSTM over each customer's last `time_series_length`
 * orders: the gap to the next order is log-normal, log T ~ N(mu, sigma), with mu and log sigma
 * from the network, trained with the censored likelihood (loss.ts). Predictions condition on the
 * days already elapsed; the gap is the median among customers who order within
 * `return_horizon_days` (lognormalConditionalWithin).
 */
export class LstmGapModel implements NextPurchaseModel {
  readonly type = 'lstm';
  private network: LstmNetwork | undefined;
  private preprocessing: Preprocessing | undefined;
  /** What it was fitted with: this build's for a new model, the manifest's (if recorded) for a loaded one. */
  private horizons: ModelHorizons = { orderWithinDays: HORIZON_DAYS, landmarkDays: [...CALIBRATION_LANDMARK_DAYS] };

  private constructor(
    private readonly settings: LstmSettings,
    private readonly backend: BackendChoice,
  ) {}

  /** A fresh model; bad hyperparameters are an InputDataError naming the hyperparameter. */
  static async create(hyperparameters: Hyperparameters = {}): Promise<LstmGapModel> {
    const settings = parseHyperparameters(hyperparameters);
    return new LstmGapModel(settings, await modelBackend());
  }

  /** Restores a model written by `save`: the tfjs Layers model in `dir` and its preprocessing.json. */
  static async load(dir: string, hyperparameters: Hyperparameters = {}, horizons?: ModelHorizons): Promise<LstmGapModel> {
    const model = await LstmGapModel.create(hyperparameters);
    if (horizons) model.horizons = horizons;
    const preprocessingPath = join(dir, PREPROCESSING_FILE);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(preprocessingPath, 'utf8'));
    } catch (error) {
      throw new ArtifactError(`${preprocessingPath}: cannot read the LSTM's preprocessing (${(error as Error).message})`, { cause: error });
    }
    const preprocessing = parsePreprocessing(json, preprocessingPath);
    let layersModel: tf.LayersModel;
    try {
      layersModel = await tf.loadLayersModel(directoryHandler(dir));
    } catch (error) {
      if (error instanceof ArtifactError) throw error;
      throw new ArtifactError(`${join(dir, MODEL_JSON)}: cannot load the tfjs model (${(error as Error).message})`, { cause: error });
    }
    try {
      const network = fromLayersModel(layersModel);
      const { steps, inputSize } = network.shape;
      if (steps !== preprocessing.timeSeriesLength || inputSize !== preprocessing.features.length + 1) {
        throw new ArtifactError(
          `${dir}: the tfjs model takes ${steps} steps x ${inputSize} channels, preprocessing.json describes ${preprocessing.timeSeriesLength} x ${preprocessing.features.length} features + 1`,
        );
      }
      model.network = network;
      model.preprocessing = preprocessing;
      return model;
    } catch (error) {
      if (error instanceof NextBuyError) throw error;
      throw new ArtifactError(`${join(dir, MODEL_JSON)}: ${(error as Error).message}`, { cause: error });
    } finally {
      layersModel.dispose();
    }
  }

  async fit(train: TrainingTable, options: FitOptions = {}): Promise<FitReport> {
    const { settings } = this;
    if (train.nRows === 0) throw new InputDataError('has no rows to train on', { source: 'TrainingTable' });
    const random = createRng(settings.seed);
    // Independent streams, so that changing the split does not change the initial weights.
    const [splitRng, initRng, trainRng] = [0, 1, 2].map(() => createRng(Math.floor(random() * 2 ** 32)));
    const preprocessing = fitPreprocessing(train, settings.timeSeriesLength);
    let data: LabelledWindows;
    let validation: LabelledWindows | undefined;
    // The customers early stopping held out of `train` (none with a validation table, or a split of 0).
    let held: ReadonlySet<string> = new Set();
    if (options.validation) {
      data = trainingWindows(train, preprocessing);
      validation = trainingWindows(options.validation, preprocessing, 'validation TrainingTable');
    } else {
      ({ data, validation, held } = splitByCustomer(train, preprocessing, settings.validationSplit, splitRng!));
    }
    const network = LstmNetwork.initialise(
      { inputSize: preprocessing.features.length + 1, hiddenSize: settings.hiddenSize, layers: settings.lstmLayers, steps: settings.timeSeriesLength },
      initRng!,
      initialHeadBias(data),
    );
    const { history, bestEpoch } = trainNetwork(network, data, validation, settings, trainRng!, (metrics) => {
      const { epoch: _epoch, ...losses } = metrics;
      options.onProgress?.({ step: metrics.epoch, total: settings.epochs, metrics: losses as Record<string, number> });
    });
    this.network = network;
    const calibration = calibrationFor(network, train, preprocessing);
    const calibrated = calibration ? { ...preprocessing, calibration } : preprocessing;
    // The choice scores the held-out customers, so its calibration is fitted without their
    // outcomes (which run past the inner cutoff); the model keeps the one fitted on all.
    const forChoice = held.size > 0 ? calibrationFor(network, train, preprocessing, (id) => !held.has(id)) : calibration;
    // The inner cutoff scores the held-out customers (all of them when none were held out).
    const heldOut = held.size > 0 ? (id: string) => held.has(id) : () => true;
    const btydBlend = chooseNetworkBlend(network, forChoice ? { ...preprocessing, calibration: forChoice } : preprocessing, train, options.validation, heldOut);
    this.preprocessing = { ...calibrated, btydBlend };
    return { history: history.map((m) => ({ ...m })), ...(bestEpoch === undefined ? {} : { bestIteration: bestEpoch - 1 }) };
  }

  async predict(input: ScoringTable, options: PredictOptions = {}): Promise<GapPrediction> {
    const returnHorizonDays = options.returnHorizonDays ?? this.settings.returnHorizonDays;
    const { network, preprocessing } = this.fitted();
    const count = input.lastRow.length;
    if (input.elapsedDays.length !== count) {
      throw new InputDataError(`has ${input.elapsedDays.length} entries for ${count} customers`, { source: 'ScoringTable', column: 'elapsedDays' });
    }
    if (count === 0) return { predictedGapDays: new Float64Array(0), pOrder90d: new Float64Array(0) };
    const { predictedGapDays, pOrder90d } = networkAnswers(network, preprocessing, input, returnHorizonDays);
    const chosen = preprocessing.btydBlend;
    if (!chosen) return { predictedGapDays, pOrder90d };
    const { blend } = chosen;
    const btyd = btydAnswers(input, blendFits(blend, chosen.bgnbd), returnHorizonDays, familiesUsed(blend));
    const [p, wait] = [blend.pOrder90d, blend.wait];
    for (let i = 0; i < count; i++) {
      // A family not computed (weight 1) is NaN, which the blends read as the network alone; at
      // weight 1 the gap is left as computed, so a network-alone choice predicts as before blending.
      if (wait.weight < 1) {
        const elapsed = input.elapsedDays[i]!;
        predictedGapDays[i] = elapsed + blendWait(predictedGapDays[i]! - elapsed, btyd[wait.family]?.wait[i] ?? Number.NaN, wait.weight);
      }
      pOrder90d[i] = blendProbability(pOrder90d[i]!, btyd[p.family]?.pOrder90d[i] ?? Number.NaN, p.weight);
    }
    return { predictedGapDays, pOrder90d };
  }

  async save(dir: string): Promise<string[]> {
    const { network, preprocessing } = this.fitted();
    const layersModel = toLayersModel(network, this.settings.dropout);
    try {
      await layersModel.save(directoryHandler(dir));
    } finally {
      layersModel.dispose();
    }
    await writeFile(join(dir, PREPROCESSING_FILE), `${JSON.stringify(preprocessing, null, 2)}\n`);
    return [MODEL_JSON, WEIGHTS_BIN, PREPROCESSING_FILE];
  }

  /** Hyperparameters in effect, tfjs versions, the backend this process runs on and, once fitted (or loaded with it), the inner cutoff's choice of blend. */
  describe(): ModelDescription {
    const description: ModelDescription = {
      hyperparameters: settingsToHyperparameters(this.settings),
      libraries: { '@tensorflow/tfjs': tf.version.tfjs, [`tfjs backend ${this.backend.name}`]: this.backend.version },
      backend: this.backend.name,
      horizons: this.horizons,
    };
    const chosen = this.preprocessing?.btydBlend;
    if (chosen) description.selection = { ...chosen.selection };
    return description;
  }

  /** Drops the weights; the model holds no tensors between calls, so nothing else needs freeing. */
  dispose(): void {
    this.network = undefined;
    this.preprocessing = undefined;
  }

  private fitted(): { network: LstmNetwork; preprocessing: Preprocessing } {
    if (!this.network || !this.preprocessing) throw new NextBuyError('LstmGapModel has no trained network: call fit() or load it first');
    return { network: this.network, preprocessing: this.preprocessing };
  }
}

/** How many of `customers` to hold out for a `share`: the share, raised on small bases (`heldOutShare` of `@nextbuy/features`), at least one and one short of all. */
export function heldOutCount(customers: number, share: number): number {
  if (!(share > 0) || customers < 2) return 0;
  return Math.min(customers - 1, Math.max(1, Math.round(heldOutShare(customers, share) * customers)));
}

/**
 * Holds out whole customers (`heldOutCount` of them) for early stopping and the inner cutoff's
 * choice. Splitting rows instead would leak: a customer's consecutive windows overlap, so a
 * validation window would repeat orders the network trained on.
 */
function splitByCustomer(
  table: TrainingTable,
  preprocessing: Preprocessing,
  share: number,
  rng: Rng,
): { data: LabelledWindows; validation: LabelledWindows | undefined; held: ReadonlySet<string> } {
  const all = trainingWindows(table, preprocessing);
  const customers = [...new Set(table.customerIds)];
  const held = heldOutCount(customers.length, share);
  if (held === 0) return { data: all, validation: undefined, held: new Set() };
  const order = shuffle(Int32Array.from({ length: customers.length }, (_, i) => i), rng);
  const validationCustomers = new Set(Array.from(order.subarray(0, held), (i) => customers[i]!));
  const trainRows: number[] = [];
  const validationRows: number[] = [];
  table.customerIds.forEach((id, row) => (validationCustomers.has(id) ? validationRows : trainRows).push(row));
  return { data: subset(all, trainRows), validation: subset(all, validationRows), held: validationCustomers };
}

function subset(data: LabelledWindows, rows: number[]): LabelledWindows {
  const width = data.windows.values.length / data.windows.n;
  const values = new Float32Array(rows.length * width);
  rows.forEach((row, i) => values.set(data.windows.values.subarray(row * width, (row + 1) * width), i * width));
  return {
    windows: { n: rows.length, values, start: Int32Array.from(rows, (row) => data.windows.start[row]!) },
    labels: { logGap: Float32Array.from(rows, (row) => data.labels.logGap[row]!), censored: Uint8Array.from(rows, (row) => data.labels.censored[row]!) },
  };
}

/**
 * The head's starting mu and log sigma: the mean and log standard deviation of the observed log
 * gaps, so the first epochs learn differences between customers rather than the overall scale.
 */
function initialHeadBias(data: LabelledWindows): [number, number] {
  const { logGap, censored } = data.labels;
  const observed = logGap.filter((_, i) => !censored[i]);
  const values = observed.length > 1 ? observed : logGap;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, values.length - 1);
  return [mean, Math.log(Math.max(Math.sqrt(variance), 0.1))];
}

/** Registers the `lstm` model type with the trainer and the inference server. */
export const lstmFactory: ModelFactory = {
  type: 'lstm',
  create: (hyperparameters) => LstmGapModel.create(hyperparameters),
  load: (dir, description) => LstmGapModel.load(dir, description.hyperparameters, description.horizons),
};

/**
 * Landmarks of the calibration: each training order seen again 1, 2, 3, 5, 8, ..., 710 days later
 * (the XGBoost default's geometric grid, growth 1.5 up to 730 days; recorded in the manifest's
 * `horizons`). Busy customers are scored days after an order; a grid in steps of 30 days gave
 * the regression on a short busy history its elapsed-time inputs at two or three values (0, 30,
 * 60), nothing in between (README, "On every customer base").
 */
export const CALIBRATION_LANDMARK_DAYS: readonly number[] = geometricLandmarkDays(1.5, 730);
/** The weight of a landmark row at each landmark day: the days of waiting it stands for (landmarkSpanDays). */
const CALIBRATION_LANDMARK_WEIGHTS = new Map(landmarkSpanDays(CALIBRATION_LANDMARK_DAYS).map((span, k) => [CALIBRATION_LANDMARK_DAYS[k]!, span]));
/** Fewer known outcomes than this (or only one kind) leave the probabilities as the network gives them. */
const MIN_CALIBRATION_OUTCOMES = 200;

/**
 * Fits the 90-day probability's recalibration (calibration.ts) on landmark rows of the training
 * table whose 90-day outcome is known before its as-of date: the network's probability at each
 * landmark's elapsed days against whether the customer ordered within 90 days, each row weighted
 * by the days of waiting its landmark stands for.
 */
function calibrationFor(network: LstmNetwork, train: TrainingTable, preprocessing: Preprocessing, include: (customerId: string) => boolean = () => true): Calibration | undefined {
  const landmarks = landmarkTable(train, CALIBRATION_LANDMARK_DAYS);
  const outcomes = horizonOutcomes(landmarks, HORIZON_DAYS);
  const kept = Array.from(outcomes.rows.keys()).filter((i) => include(landmarks.customerIds[outcomes.rows[i]!]!));
  const rows = kept.map((i) => outcomes.rows[i]!);
  const ordered = kept.map((i) => outcomes.ordered[i]!);
  const returned = ordered.reduce((sum, y) => sum + y, 0);
  if (rows.length < MIN_CALIBRATION_OUTCOMES || returned === 0 || returned === rows.length) return undefined;
  const sources = [...new Set(Array.from(rows, (r) => landmarks.sourceRow[r]!))];
  const index = new Map(sources.map((row, i) => [row, i]));
  const { mu, logSigma } = network.predict(buildWindows(train, sources, preprocessing, 'TrainingTable'));
  const p = new Float64Array(rows.length);
  const elapsed = new Float64Array(rows.length);
  const weights = new Float64Array(rows.length);
  // The day each landmark asks its question on: the season of the 90 days after it.
  const days = new Float64Array(rows.length);
  rows.forEach((r, i) => {
    const k = index.get(landmarks.sourceRow[r]!)!;
    elapsed[i] = landmarks.elapsedDays[r]!;
    days[i] = landmarks.orderDay[r]! + elapsed[i]!;
    weights[i] = CALIBRATION_LANDMARK_WEIGHTS.get(elapsed[i]!)!;
    p[i] = lognormalConditional(mu[k]!, Math.exp(logSigma[k]!), elapsed[i]!, HORIZON_DAYS).pWithin;
  });
  return fitCalibration(p, elapsed, ordered, train, HORIZON_DAYS, weights, days);
}

/**
 * The network's answers for the customers of `input`: the gap (elapsed days plus the median wait
 * among those who order within `returnHorizonDays`) and the recalibrated 90-day probability.
 */
function networkAnswers(network: LstmNetwork, preprocessing: Preprocessing, input: ScoringTable, returnHorizonDays: number): GapPrediction {
  const count = input.lastRow.length;
  const predictedGapDays = new Float64Array(count);
  const pOrder90d = new Float64Array(count);
  const { mu, logSigma } = network.predict(scoringWindows(input, preprocessing));
  for (let i = 0; i < count; i++) {
    const elapsed = input.elapsedDays[i]!;
    if (!Number.isFinite(elapsed) || elapsed < 0) throw new InputDataError(`elapsed days of customer ${i} is ${elapsed}`, { source: 'ScoringTable', line: i, column: 'elapsedDays' });
    const { medianGap, pWithin } = lognormalConditionalWithin(mu[i]!, Math.exp(logSigma[i]!), elapsed, HORIZON_DAYS, returnHorizonDays);
    predictedGapDays[i] = medianGap;
    pOrder90d[i] = pWithin;
  }
  if (preprocessing.calibration) pOrder90d.set(applyCalibration(preprocessing.calibration, pOrder90d, input.elapsedDays, HORIZON_DAYS, new Float64Array(count).fill(input.asOfDay)));
  return { predictedGapDays, pOrder90d };
}

/** The word naming the network's own answer in the blend's labels (`network 0.5 + bgnbd 0.5`). */
const OWN_LABEL = 'network';

/**
 * How much of the network's answers to keep against a BTYD model's, chosen at an inner cutoff
 * inside the training period (`inner-validation.ts` of `@nextbuy/features`, as the XGBoost
 * default does): on the customers of `validation` when given, else on those early stopping held
 * out of `train` (`heldOut`; all of them when none were held out, and then the network has seen
 * their orders up to the end of training). BG/NBD and Pareto/NBD are fitted on the training table
 * for the choice; the fit a chosen blend uses is kept with it.
 */
function chooseNetworkBlend(network: LstmNetwork, preprocessing: Preprocessing, train: TrainingTable, validation: TrainingTable | undefined, heldOut: (customerId: string) => boolean): BtydBlend {
  const answersAt = (inner: InnerCutoff, fits: BtydFits, families: readonly BtydFamily[]) => {
    const own = networkAnswers(network, preprocessing, inner.score, inner.followUpDays);
    const answers: Answers = { pOrder90d: own.pOrder90d, wait: own.predictedGapDays.map((gap, i) => gap - inner.score.elapsedDays[i]!) };
    return { booster: answers, btyd: btydAnswers(inner.score, fits, inner.followUpDays, families) };
  };
  const { blend, selection, bgnbd } = chooseAtInnerCutoff(train, validation, heldOut, () => fitBgNbdIfPossible(train), answersAt, OWN_LABEL);
  return { blend, selection, bgnbd: familiesUsed(blend).includes('bgnbd') ? bgnbd : null };
}
