import { z } from 'zod';
import { dataQualityReportSchema } from './transactions';

/** Bumped on any change a loader of an older version could misread. */
export const ARTIFACT_FORMAT_VERSION = 1;

/** The artifact's files the pipeline knows by name (design.md "The model artifact"), beside the model's own. */
export const MANIFEST_FILE = 'manifest.json';
/** Every customer's order history, one customer per line (`customerHistoryLines`): batch transform's input. */
export const BATCH_INPUT_FILE = 'batch-input.jsonl';
/** The training run's self-contained HTML report. */
export const REPORT_FILE = 'report.html';
/** The artifact directory packed as SageMaker packs it: a training job's output, what a server is given. */
export const MODEL_TARBALL = 'model.tar.gz';

export const backtestMetricsSchema = z.object({
  mae_days: z.number().nullable(),
  c_index: z.number().nullable(),
  auc_90d: z.number().nullable(),
  brier_90d: z.number().nullable(),
});
export type BacktestMetrics = z.infer<typeof backtestMetricsSchema>;

export const backtestReportSchema = z.object({
  cutoff: z.iso.date(),
  scoredCustomers: z.number().int(),
  returnedCustomers: z.number().int(),
  /** E = min(return horizon, days of data after the cutoff): the returns `mae_days` is computed over (absent before protocol v3). */
  maeHorizonDays: z.number().optional(),
  /** Keyed by `model` and by each baseline's name (`baseline_km`, ...). */
  metrics: z.record(z.string(), backtestMetricsSchema),
});
export type BacktestReport = z.infer<typeof backtestReportSchema>;

/**
 * The horizons and landmark days a model was fitted with, in days (`ModelDescription.horizons`,
 * the manifest's `horizons`). The return horizon is the `return_horizon_days` hyperparameter.
 * An artifact written before this field was fitted with `p_order_90d`'s 90 days and, for xgboost,
 * classifiers at 7, 30 and 90 days: the loaders take those when it is absent.
 */
export const modelHorizonsSchema = z
  .object({
    /** The horizon of `p_order_90d` the model predicts: an artifact whose horizon is not `HORIZON_DAYS` is refused on load. */
    orderWithinDays: z.number().int().positive(),
    /** Days after an order at which the fit looked at it again (xgboost's classifiers, the LSTM's recalibration); absent when the model has no landmark rows. */
    landmarkDays: z.array(z.number().int().nonnegative()).min(1).optional(),
    /** xgboost: the horizon of each classifier, ascending, the last `orderWithinDays`; the model serves with these. */
    classifierHorizonsDays: z.array(z.number().int().positive()).min(1).optional(),
  })
  .refine((h) => !h.classifierHorizonsDays || (h.classifierHorizonsDays.every((d, i, all) => i === 0 || d > all[i - 1]!) && h.classifierHorizonsDays.at(-1) === h.orderWithinDays), {
    message: 'classifierHorizonsDays must be ascending and end with orderWithinDays',
    path: ['classifierHorizonsDays'],
  });
export type ModelHorizons = z.infer<typeof modelHorizonsSchema>;

export const manifestSchema = z.object({
  formatVersion: z.number().int(),
  modelType: z.string(),
  modelVersion: z.string(),
  createdAt: z.iso.datetime(),
  featureNames: z.array(z.string()),
  label: z.object({
    name: z.literal('NextGapDays'),
    unit: z.literal('days'),
    censoring: z.literal('right'),
    definition: z.string(),
  }),
  hyperparameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /** Absent in artifacts written before it: see `modelHorizonsSchema` for what they were fitted with. */
  horizons: modelHorizonsSchema.optional(),
  backtest: backtestReportSchema,
  dataQuality: dataQualityReportSchema,
  dataFingerprint: z.object({ sha256: z.string(), rows: z.number().int(), customers: z.number().int() }),
  libraries: z.record(z.string(), z.string()),
  backend: z.string().optional(),
  featureImportance: z.record(z.string(), z.number()).optional(),
  selection: z.record(z.string(), z.object({ criterion: z.string(), candidates: z.record(z.string(), z.number()), chosen: z.string() })).optional(),
  /**
   * BG/NBD fitted on the final training data whatever the model type (four numbers, time in days):
   * every prediction's `p_alive` and `expected_orders_365d`. Absent in older artifacts.
   */
  customerBase: z
    .object({
      model: z.literal('bgnbd'),
      timeUnit: z.literal('days'),
      params: z.object({ r: z.number().positive(), alpha: z.number().positive(), a: z.number().positive(), b: z.number().positive() }),
      logLikelihood: z.number(),
      customers: z.number().int(),
    })
    .optional(),
  /** sha256 (hex) of every other file of the artifact, by path relative to it. */
  files: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
});
export type Manifest = z.infer<typeof manifestSchema>;
