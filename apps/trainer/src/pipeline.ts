import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeManifest } from '@nextbuy/artifact';
import {
  ARTIFACT_FORMAT_VERSION,
  BATCH_INPUT_FILE,
  customerHistoryLines,
  customerSegments,
  epochDayToIso,
  isoToEpochDay,
  type BacktestReport,
  type DataQualityReport,
  type Manifest,
  describeChoices,
  type ModelDescription,
  NextBuyError,
  orderDaySpan,
  type OrderTable,
  REPORT_FILE,
  DEFAULT_RETURN_HORIZON_DAYS,
  type TrainingTable,
} from '@nextbuy/contracts';
import { fitBgNbd, trainingSummaries } from '@nextbuy/btyd-model';
import { writeOnlineRetailCsv } from '@nextbuy/datagen';
import { backtestModel, buildTrainingTable, defaultCutoffDay, FEATURE_NAMES, runBacktest, type BacktestResult } from '@nextbuy/features';
import { CDNOW_MAPPING, fingerprintOrders, ingest, loadColumnMapping, ONLINE_RETAIL_MAPPING, parseColumnMapping, type ColumnMappingInput } from '@nextbuy/ingestion';
import { modelFactory } from '@nextbuy/model-registry';
import { filterOutlierCustomers } from '@nextbuy/outliers';
import type { TrainerOptions } from './cli';
import { TrainingInputError } from './errors';
import type { Reporter } from './progress';
import { renderReport, type BacktestCustomer } from './report';
import { s3ClientFromEnv } from './upload';

export { TrainingInputError };


export interface TrainingResult {
  manifest: Manifest;
  modelDir: string;
  backtest: BacktestReport;
}

const LABEL_DEFINITION =
  'NextGapDays: days from an order to the same customer’s next order (one order per customer-day); right-censored at the as-of date when no next order is observed';

async function mappingFor(name: string): Promise<ColumnMappingInput> {
  if (name === 'online-retail') return ONLINE_RETAIL_MAPPING;
  if (name === 'cdnow') return CDNOW_MAPPING;
  // The mapping itself, as JSON: what a SageMaker job passes as its "mapping" hyperparameter.
  if (name.trimStart().startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(name);
    } catch (error) {
      throw new TrainingInputError(`--mapping is not valid JSON: ${(error as Error).message}`);
    }
    return parseColumnMapping(value, '--mapping');
  }
  return loadColumnMapping(name);
}

/** The transactions to train on: the user's file, or generated data written to a temp file. */
async function resolveSource(options: TrainerOptions, reporter: Reporter): Promise<{ source: string; cleanup?: () => Promise<void> }> {
  if (options.filePath) return { source: options.filePath };
  const dir = await mkdtemp(join(tmpdir(), 'nextbuy-generated-'));
  const path = join(dir, 'transactions.csv');
  const step = reporter.step('generate data', options.rows, 'rows');
  await writeOnlineRetailCsv(path, { rows: options.rows, seed: options.seed, onProgress: (rows: number) => step.update(rows) });
  step.end(`no --file_path: ${options.rows} generated rows, seed ${options.seed}`);
  return { source: path, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Checks that the cleaned data can train a model, with one clear sentence when it cannot. */
function checkTrainable(orders: OrderTable, report: DataQualityReport): void {
  if (report.rowsKept === 0) {
    const reasons = Object.entries(report.dropped)
      .filter(([, d]) => d.count > 0)
      .map(([rule, d]) => `${d.count} ${rule}`)
      .join(', ');
    throw new TrainingInputError(`all ${report.rowsRead} rows of ${report.source} were filtered out by cleaning (${reasons}): check the column mapping and the data`);
  }
  if (!customerSegments(orders).some(({ start, end }) => end - start > 1)) {
    throw new TrainingInputError(`every customer in ${report.source} has fewer than two orders (on different days): there is no gap between orders to learn from`);
  }
}

/**
 * Says when rows were dropped because their date could not be read, or was after today: a source
 * writing dates in a shape the mapping's `dateFormat` does not read (day first, say), or with a
 * mistyped year, loses those rows silently otherwise, and the report is read after the fact if at all.
 */
function warnOfUnreadableDates(report: DataQualityReport, reporter: Reporter): void {
  const warn = (rule: 'unparseable_date' | 'future_date', what: string) => {
    const { count } = report.dropped[rule];
    if (count === 0) return;
    const where = [report, ...(report.files ?? [])].find((part) => part.dropped[rule].firstLines.length > 0);
    const lines = where?.dropped[rule].firstLines.slice(0, 3) ?? [];
    const word = lines.length > 1 ? 'lines' : 'line';
    const first = where ? ` (first at ${where === report ? word : `${where.source}, ${word}`} ${lines.join(', ')})` : '';
    const share = ((100 * count) / report.rowsRead).toFixed(count * 1000 < report.rowsRead ? 2 : 1);
    reporter.warn(`${count} of ${report.rowsRead} rows (${share}%) dropped: ${what.replace('%s', first)}`);
  };
  warn('unparseable_date', `their date could not be read%s; if the source writes dates another way, set the mapping's "dateFormat" (dmy for day first, unix_seconds, ...; --strict stops at the first)`);
  warn('future_date', 'dated after today%s, which no purchase can be (a mistyped year, a placeholder date)');
  // Kept, as a real order may be that old, but said: 1900-01-01 and 1970-01-01 are the placeholders
  // of spreadsheets and of Unix time 0, and one of them makes its customer's history decades long.
  if (report.firstDate !== null && report.firstDate <= PLACEHOLDER_ERA_END) {
    reporter.warn(`the first order is dated ${report.firstDate}: if that is a placeholder for a missing date (1900-01-01, 1970-01-01), those rows give their customers decades of history; drop them at the source`);
  }
}

const customersCount = (n: number) => `${n} customer${n === 1 ? '' : 's'}`;

/** Dates up to this one are more likely a placeholder than a purchase. */
const PLACEHOLDER_ERA_END = '1970-01-01';

function cutoffDayOf(options: TrainerOptions, orders: OrderTable, { first, last }: { first: number; last: number }): number {
  if (!options.cutoff) return defaultCutoffDay(orders);
  let day: number;
  try {
    day = isoToEpochDay(options.cutoff);
  } catch (error) {
    throw new TrainingInputError(`--cutoff ${(error as Error).message}`);
  }
  if (day <= first || day > last) {
    throw new TrainingInputError(
      `--cutoff ${options.cutoff} is outside the data: orders run from ${epochDayToIso(first)} to ${epochDayToIso(last)}, so the cutoff must be after the first and no later than the last`,
    );
  }
  return day;
}

/**
 * BG/NBD on the final training data, whatever the model type: its four numbers give every
 * prediction `p_alive` and `expected_orders_365d`. Data it cannot be fitted on leaves them null.
 */
function fitCustomerBase(table: TrainingTable, reporter: Reporter): Manifest['customerBase'] {
  const step = reporter.step('fit BG/NBD (p_alive, expected orders)', 1);
  try {
    const fit = fitBgNbd(trainingSummaries(table));
    step.end(`r ${fit.params.r.toPrecision(4)}, alpha ${fit.params.alpha.toPrecision(4)} days, a ${fit.params.a.toPrecision(4)}, b ${fit.params.b.toPrecision(4)}`);
    return { model: 'bgnbd', timeUnit: 'days', params: fit.params, logLikelihood: fit.logLikelihood, customers: fit.customers };
  } catch (error) {
    if (!(error instanceof NextBuyError)) throw error;
    step.end('not fitted');
    reporter.warn(`BG/NBD cannot be fitted (${error.message}): predictions carry p_alive and expected_orders_365d as null`);
    return undefined;
  }
}

/** Per-customer rows of the backtest for the report. */
function reportCustomers(backtest: BacktestResult): BacktestCustomer[] {
  const { customers } = backtest;
  const model = customers.predictions.model;
  if (!model) return [];
  return customers.customerIds.map((_, i) => ({
    predictedGapDays: model.predictedGapDays[i]!,
    actualGapDays: customers.returned[i] ? customers.actualGapDays[i]! : null,
    orderCount: customers.orderCount[i]!,
  }));
}

/**
 * The whole training job: ingest -> clean (data-quality report) -> features -> outlier filter ->
 * backtest (model and baselines) -> final fit on all data -> artifact (manifest, model files,
 * batch input, report).
 */
export async function train(options: TrainerOptions, reporter: Reporter): Promise<TrainingResult> {
  const factory = await modelFactory(options.modelBackend);
  const { hyperparameters } = options;
  await mkdir(options.modelDir, { recursive: true });
  if ((await readdir(options.modelDir)).length) {
    throw new TrainingInputError(`--model_dir ${options.modelDir} is not empty: give an empty or new directory, so no stale file ends up in the artifact`);
  }
  const { source, cleanup } = await resolveSource(options, reporter);
  try {
    const mapping = await mappingFor(options.mapping);
    const reading = reporter.step('read transactions', 0, 'rows');
    const { orders, report, readIn, dayFirst } = await ingest(source, {
      mapping,
      strict: options.strict,
      onProgress: (rows) => reading.update(rows),
      ...(source.startsWith('s3://') ? { s3Client: s3ClientFromEnv() } : {}),
    });
    const how = readIn ? `, in ${readIn.blocks} blocks on ${readIn.threads} threads` : report.files ? ` from ${report.files.length} files` : '';
    const days = mapping.timeZone === undefined ? '' : ` (on days of ${mapping.timeZone})`;
    reading.end(`${report.rowsRead} rows read${how}, ${report.rowsKept} kept, ${report.orders} orders${days} of ${customersCount(report.customers)}`);
    if (dayFirst) {
      reporter.warn(`dates read day first, as the mapping's "dateFormat" "auto" does once one shows it: ${dayFirst} (set "dmy" to say so, or "uci" if the source is month first and that date a typo)`);
    }
    checkTrainable(orders, report);
    warnOfUnreadableDates(report, reporter);

    const span = orderDaySpan(orders);
    const cutoffDay = cutoffDayOf(options, orders, span);
    const outliersOf = (o: OrderTable) => (options.outlierContamination > 0 ? filterOutlierCustomers(o, { contamination: options.outlierContamination, seed: options.seed }) : undefined);
    const filter = (o: OrderTable) => outliersOf(o)?.kept ?? o;

    // The step's total is the backtest fit's iterations, known once it starts (none for a model fitted in one solve).
    const backtestStep = reporter.step(`backtest (cutoff ${epochDayToIso(cutoffDay)})`, 0, 'iterations');
    const backtest = await runBacktest(orders, {
      cutoffDay,
      filterTraining: filter,
      model: backtestModel(() => factory.create(hyperparameters), { onProgress: reporter.fitProgress(backtestStep, 'backtest') }),
      returnHorizonDays: Number(hyperparameters.return_horizon_days ?? DEFAULT_RETURN_HORIZON_DAYS),
    }).catch((error: unknown) => {
      // The backtest's model sees only the orders before the cutoff: say so, or "no customer ordered twice" reads as false of the whole file.
      if (!(error instanceof NextBuyError)) throw error;
      const when = `the backtest's model, fitted on the orders before the cutoff ${epochDayToIso(cutoffDay)} (${epochDayToIso(span.first)} to ${epochDayToIso(cutoffDay - 1)})`;
      throw new TrainingInputError(`${when}: ${error.message}; a later --cutoff or a longer history gives it more to learn from`, { cause: error });
    });
    backtestStep.end(`${backtest.scoredCustomers} customers scored, ${backtest.returnedCustomers} returned`);

    // The final model learns from all the data, censored the day after the last order.
    const asOfDay = span.last + 1;
    const filtered = outliersOf(orders);
    const trainingOrders = filtered?.kept ?? orders;
    const removed = filtered ? `, ${filtered.outliers.length} outlier customers removed by the Isolation Forest` : '';
    const table = buildTrainingTable(trainingOrders, asOfDay);
    const model = await factory.create(hyperparameters);
    let description: ModelDescription;
    let history: Array<Record<string, number>>;
    try {
      const fitStep = reporter.step(`fit ${options.modelBackend} on all data`, 0, 'iterations');
      const fitted = await model.fit(table, { onProgress: reporter.fitProgress(fitStep, 'final') });
      history = fitted.history;
      fitStep.end(`${table.nRows} orders of ${customersCount(new Set(trainingOrders.customerIds).size)}${removed}`);
      description = model.describe();
      const choices = describeChoices(description.selection);
      if (choices) reporter.info(`chose: ${choices} (why, with every candidate's figures: the manifest's selection and report.html)`);
      if (options.useGpu && description.backend && description.backend !== 'tensorflow-gpu') {
        reporter.warn(`--use_gpu: no GPU backend could be loaded here, trained on ${description.backend}`);
      }
      await model.save(options.modelDir);
    } finally {
      model.dispose();
    }

    const customerBase = fitCustomerBase(table, reporter);
    await writeFile(join(options.modelDir, BATCH_INPUT_FILE), `${[...customerHistoryLines(orders, epochDayToIso(asOfDay))].join('\n')}\n`);
    const fingerprint = fingerprintOrders(orders);
    const createdAt = new Date().toISOString();
    const draft = {
      modelType: options.modelBackend,
      modelVersion: `${options.modelBackend}-${createdAt.replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}-${fingerprint.sha256.slice(0, 8)}`,
      createdAt,
      featureNames: [...FEATURE_NAMES],
      label: { name: 'NextGapDays' as const, unit: 'days' as const, censoring: 'right' as const, definition: LABEL_DEFINITION },
      hyperparameters: description.hyperparameters,
      ...(description.horizons ? { horizons: description.horizons } : {}),
      backtest: {
        cutoff: backtest.cutoff,
        scoredCustomers: backtest.scoredCustomers,
        returnedCustomers: backtest.returnedCustomers,
        maeHorizonDays: backtest.maeHorizonDays,
        metrics: backtest.metrics,
      },
      dataQuality: report,
      dataFingerprint: fingerprint,
      libraries: { node: process.versions.node, ...description.libraries },
      ...(description.backend ? { backend: description.backend } : {}),
      ...(description.featureImportance ? { featureImportance: description.featureImportance } : {}),
      ...(description.selection ? { selection: description.selection } : {}),
      ...(customerBase ? { customerBase } : {}),
    };
    // The report is written before the manifest so its checksum is in it too.
    const provisional: Manifest = { ...draft, formatVersion: ARTIFACT_FORMAT_VERSION, files: {} };
    await writeFile(join(options.modelDir, REPORT_FILE), await renderReport({ manifest: provisional, customers: reportCustomers(backtest), history }));
    const manifest = await writeManifest(options.modelDir, draft);
    return { manifest, modelDir: options.modelDir, backtest: manifest.backtest };
  } finally {
    await cleanup?.();
  }
}
