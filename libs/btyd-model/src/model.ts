import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ArtifactError,
  type FitReport,
  EXPECTED_ORDERS_HORIZON_DAYS,
  type GapPrediction,
  HORIZON_DAYS,
  type Hyperparameters,
  type ModelDescription,
  type ModelFactory,
  NextBuyError,
  type NextPurchaseModel,
  parseHyperparameters,
  type PredictOptions,
  type ScoringTable,
  type TrainingTable,
} from '@nextbuy/contracts';
import { z } from 'zod';
import { type BgCnbdParams, bgcnbdScoreMany, fitBgCnbd, MAX_REGULARITY } from './bgcnbd';
import { type BgNbdParams, bgnbdExpectedOrders, bgnbdMedianWaitWithin, bgnbdPAlive, bgnbdPOrderWithin, fitBgNbd } from './bgnbd';
import type { BtydFit } from './fit';
import { BTYD_HYPERPARAMETERS } from './hyperparameters';
import { fitParetoNbd, type ParetoNbdParams, paretoNbdScoreMany } from './pareto-nbd';
import { type CustomerSummaries, scoringSummaries, trainingLogGapSum, trainingSummaries } from './summary';

/** The file `save` writes: the fitted parameters as JSON, time in days. */
export const BTYD_MODEL_FILE = 'btyd.json';

export type BtydModelType = 'bgnbd' | 'pareto_nbd' | 'bgcnbd';

const finite = z.number().positive().finite();
/** Valid BG/NBD and Pareto/NBD parameters (time in days): each one finite and positive. Other files holding a fit check it with these. */
export const BGNBD_PARAMS_SCHEMA = z.object({ r: finite, alpha: finite, a: finite, b: finite });
export const PARETO_NBD_PARAMS_SCHEMA = z.object({ r: finite, alpha: finite, s: finite, beta: finite });
export const BGCNBD_PARAMS_SCHEMA = BGNBD_PARAMS_SCHEMA.extend({ k: z.number().int().min(1).max(MAX_REGULARITY) });
const paramsFileSchema = z.discriminatedUnion('model', [
  z.object({ model: z.literal('bgnbd'), timeUnit: z.literal('days'), params: BGNBD_PARAMS_SCHEMA, logLikelihood: z.number(), customers: z.number() }),
  z.object({ model: z.literal('pareto_nbd'), timeUnit: z.literal('days'), params: PARETO_NBD_PARAMS_SCHEMA, logLikelihood: z.number(), customers: z.number() }),
  z.object({ model: z.literal('bgcnbd'), timeUnit: z.literal('days'), params: BGCNBD_PARAMS_SCHEMA, logLikelihood: z.number(), customers: z.number() }),
]);
type ParamsFile = z.infer<typeof paramsFileSchema>;

/** How one model type fits, and scores customers: P(an order within t days) and the median wait among those who order within the horizon. */
interface Family {
  fit(train: TrainingTable): BtydFit<Record<string, number>>;
  score(params: Record<string, number>, s: CustomerSummaries, t: number, horizon: number): { pOrderWithin: Float64Array; medianWait: Float64Array };
}

const FAMILIES: Record<BtydModelType, Family> = {
  bgnbd: {
    fit: (train) => fitBgNbd(trainingSummaries(train)),
    score: (p, s, t, h) => ({
      pOrderWithin: s.x.map((x, i) => bgnbdPOrderWithin(p as BgNbdParams, x, s.tx[i]!, s.T[i]!, t)),
      medianWait: s.x.map((x, i) => bgnbdMedianWaitWithin(p as BgNbdParams, x, s.T[i]!, h)),
    }),
  },
  pareto_nbd: {
    fit: (train) => fitParetoNbd(trainingSummaries(train)),
    score: (p, s, t, h) => paretoNbdScoreMany(p as ParetoNbdParams, s.x, s.tx, s.T, t, h),
  },
  bgcnbd: {
    fit: (train) => fitBgCnbd(trainingSummaries(train), trainingLogGapSum(train)),
    score: (p, s, t, h) => bgcnbdScoreMany(p as BgCnbdParams, s.x, s.tx, s.T, t, h),
  },
};

/**
 * BG/NBD, Pareto/NBD or BG/CNBD-k as a next-purchase model: fitted by maximum likelihood on each
 * customer's (x, tx, T) as of the training table's censoring day (BG/CNBD-k also reads the gaps,
 * for its k). `p_order_90d` is the chance of at least one
 * order in the 90 days after the as-of date; `predicted_gap_days` is the elapsed days plus the
 * median wait among customers who order within the return horizon, as for every model type.
 */
export class BtydGapModel implements NextPurchaseModel {
  private fitted: ParamsFile | undefined;
  private readonly hyperparameters: Hyperparameters;

  constructor(
    readonly type: BtydModelType,
    hyperparameters: Hyperparameters = {},
  ) {
    this.hyperparameters = parseHyperparameters(BTYD_HYPERPARAMETERS, hyperparameters, type);
  }

  /** The fitted parameters (time in days); undefined before fit or load. */
  get params(): Readonly<Record<string, number>> | undefined {
    return this.fitted?.params;
  }

  static async load(type: BtydModelType, dir: string, hyperparameters: Hyperparameters): Promise<BtydGapModel> {
    const path = join(dir, BTYD_MODEL_FILE);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new ArtifactError(`${path}: cannot read the ${type} parameters (${(error as Error).message})`, { cause: error });
    }
    const parsed = paramsFileSchema.safeParse(json);
    if (!parsed.success) throw new ArtifactError(`${path}: not a ${type} parameters file (${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message})`);
    if (parsed.data.model !== type) throw new ArtifactError(`${path}: holds a ${parsed.data.model} model, not ${type}`);
    const model = new BtydGapModel(type, hyperparameters);
    model.fitted = parsed.data;
    return model;
  }

  /**
   * A model of known parameters (time in days), checked as a saved file's are: published
   * estimates, or the process that generated a customer base (bench:quality's `--oracle`). Its
   * `fit` would replace them.
   */
  static withParams(type: BtydModelType, params: Readonly<Record<string, number>>, hyperparameters: Hyperparameters = {}): BtydGapModel {
    // Fitted on no customer: its saved file says so (customers 0, log-likelihood 0).
    const parsed = paramsFileSchema.safeParse({ model: type, timeUnit: 'days', params, logLikelihood: 0, customers: 0 });
    if (!parsed.success) throw new RangeError(`not ${type} parameters (${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message})`);
    const model = new BtydGapModel(type, hyperparameters);
    model.fitted = parsed.data;
    return model;
  }

  async fit(train: TrainingTable): Promise<FitReport> {
    const fit = FAMILIES[this.type].fit(train);
    this.fitted = { model: this.type, timeUnit: 'days', params: fit.params, logLikelihood: fit.logLikelihood, customers: fit.customers } as ParamsFile;
    return { history: [{ 'train-loglik': fit.logLikelihood }] };
  }

  async predict(input: ScoringTable, options: PredictOptions = {}): Promise<GapPrediction> {
    const fitted = this.requireFitted();
    const horizon = options.returnHorizonDays ?? Number(this.hyperparameters.return_horizon_days);
    const family = FAMILIES[this.type];
    const { pOrderWithin, medianWait } = family.score(fitted.params, scoringSummaries(input), HORIZON_DAYS, horizon);
    return { predictedGapDays: medianWait.map((wait, i) => input.elapsedDays[i]! + wait), pOrder90d: pOrderWithin };
  }

  async save(dir: string): Promise<string[]> {
    await writeFile(join(dir, BTYD_MODEL_FILE), `${JSON.stringify(this.requireFitted(), null, 2)}\n`);
    return [BTYD_MODEL_FILE];
  }

  describe(): ModelDescription {
    return { hyperparameters: { ...this.hyperparameters }, libraries: {}, horizons: { orderWithinDays: HORIZON_DAYS } };
  }

  /** Holds no native or tensor memory: nothing to free. */
  dispose(): void {
    return;
  }

  private requireFitted(): ParamsFile {
    if (!this.fitted) throw new NextBuyError(`the ${this.type} model is not fitted: call fit() or load it first`);
    return this.fitted;
  }
}

function factory(type: BtydModelType): ModelFactory {
  return {
    type,
    create: async (hyperparameters) => new BtydGapModel(type, hyperparameters),
    load: (dir, description) => BtydGapModel.load(type, dir, description.hyperparameters),
  };
}

/** Registers the `bgnbd` model type. */
export const bgnbdFactory = factory('bgnbd');
/** Registers the `pareto_nbd` model type. */
export const paretoNbdFactory = factory('pareto_nbd');
/** Registers the `bgcnbd` model type. */
export const bgcnbdFactory = factory('bgcnbd');

/**
 * What marketers act on, for every prediction whatever the model type: P(alive) and the expected
 * number of orders in the next EXPECTED_ORDERS_HORIZON_DAYS (365) under the artifact's BG/NBD fit, aligned with `lastRow`.
 */
export function customerBaseQuantities(params: BgNbdParams, input: ScoringTable): { pAlive: Float64Array; expectedOrders365d: Float64Array } {
  const s = scoringSummaries(input);
  const n = s.x.length;
  const pAlive = new Float64Array(n);
  const expectedOrders365d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    pAlive[i] = bgnbdPAlive(params, s.x[i]!, s.tx[i]!, s.T[i]!);
    expectedOrders365d[i] = bgnbdExpectedOrders(params, s.x[i]!, s.tx[i]!, s.T[i]!, EXPECTED_ORDERS_HORIZON_DAYS);
  }
  return { pAlive, expectedOrders365d };
}
