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
