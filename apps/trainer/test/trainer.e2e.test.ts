import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readArtifact } from '@nextbuy/artifact';
import { customerHistorySchema, ONLINE_RETAIL_COLUMNS } from '@nextbuy/contracts';
import { writeOnlineRetailCsv } from '@nextbuy/datagen';
import { fingerprintOrders, ingest, readCleanedTransactions } from '@nextbuy/ingestion';
import { trainingMetricDefinitions } from '@nextbuy/model-registry';
import { beforeAll, describe, expect, it } from 'vitest';
import { csvToParquet } from './parquet';
import { runTrainer, TRAINER_BIN } from './run-trainer';

let work: string;
let transactions: string;

beforeAll(async () => {
  expect(existsSync(TRAINER_BIN), `${TRAINER_BIN} missing: run npx nx run trainer:build`).toBe(true);
  work = await mkdtemp(join(tmpdir(), 'trainer-e2e-'));
  transactions = join(work, 'transactions.csv');
  await writeOnlineRetailCsv(transactions, { rows: 30_000, seed: 11 });
});

const QUICK = ['--num_boost_round', '40'];

/** Customer, date and order value: the shape of most CLV data, mapped with a constant quantity. */
const ORDER_VALUES = { columns: { CustomerID: 'customer', InvoiceDate: 'day', UnitPrice: 'value' }, derive: { Quantity: { constant: 1 }, InvoiceNo: 'lineNumber' } };

/** The kept lines of the generated transactions as `customer,day,value` (ISO day, quantity x price). */
async function orderValueLines(): Promise<{ rows: string[] }> {
  const rows: string[] = [];
  for await (const batch of readCleanedTransactions(transactions)) {
    for (const t of batch) rows.push(`${t.customerId},${t.invoiceDate.toISOString()},${t.quantity * t.unitPrice}`);
  }
  return { rows };
}

describe('trainer, command-line mode', () => {
  it('trains on a CSV and writes a verified artifact with metrics, batch input and report', async () => {
    const modelDir = join(work, 'cli-model');
    const run = await runTrainer(['--file_path', transactions, '--model_dir', modelDir, '--cutoff', '2011-06-01', ...QUICK]);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^mae_days=[0-9.]+;$/m);
    expect(run.stdout).toMatch(/^baseline_km:c_index=[0-9.]+;$/m);
    expect(run.stdout).toContain(`artifact ${modelDir}`);
    // Every metric definition the CDK stack gives this job reads numbers off the lines the trainer printed.
    const lines = run.stdout.split('\n');
    for (const { name, regex } of trainingMetricDefinitions('xgboost', { num_boost_round: '40' })) {
      const values = lines.flatMap((line) => new RegExp(regex).exec(line)?.[1] ?? []).map(Number);
      expect(values.length, name).toBeGreaterThan(0);
      for (const value of values) expect(value, name).toEqual(expect.any(Number));
      // A loss line a round: the 90-day booster of each fit runs several rounds before early stopping can end it.
      if (name.includes(':')) expect(values.length, name).toBeGreaterThan(1);
    }
    // Progress against the fit's real total, three boosters of 40 rounds, logged by the structured logger.
    const logged = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    const fitProgress = logged.filter((line) => line.message === 'fit xgboost on all data progress');
    expect(fitProgress[0]).toMatchObject({ level: 'INFO', service: 'trainer', done: 1, total: 120 });
    expect(logged.filter((line) => line.message === 'backtest (cutoff 2011-06-01) progress')[0]).toMatchObject({ done: 1, total: 120 });

    const manifest = await readArtifact(modelDir);
    expect(manifest.horizons).toEqual({ orderWithinDays: 90, landmarkDays: expect.arrayContaining([1, 2, 3, 710]), classifierHorizonsDays: [7, 30, 90] });
    expect(manifest.modelType).toBe('xgboost');
    expect(manifest.backtest.cutoff).toBe('2011-06-01');
    expect(Object.keys(manifest.backtest.metrics).sort()).toEqual(['baseline_bgnbd', 'baseline_customer_mean', 'baseline_km', 'baseline_pareto_nbd', 'baseline_recency', 'model']);
    for (const btyd of ['baseline_bgnbd', 'baseline_pareto_nbd']) expect(manifest.backtest.metrics[btyd]!.auc_90d, btyd).toEqual(expect.any(Number));
    expect(run.stdout).toMatch(/^baseline_pareto_nbd:mae_days=[0-9.]+;$/m);
    // mae_days' horizon E (protocol v3) and the BG/NBD fit behind every prediction's p_alive.
    expect(manifest.backtest.maeHorizonDays).toBeGreaterThan(90);
    expect(manifest.customerBase).toMatchObject({ model: 'bgnbd', timeUnit: 'days', params: { r: expect.any(Number), alpha: expect.any(Number), a: expect.any(Number), b: expect.any(Number) } });
    for (const metric of ['mae_days', 'c_index', 'auc_90d', 'brier_90d'] as const) expect(manifest.backtest.metrics.model![metric]).toEqual(expect.any(Number));
    expect(manifest.hyperparameters).toMatchObject({ num_boost_round: 40, objective: 'binary:logistic' });
    // The default XGBoost model keeps one booster per horizon (7, 30 and 90 days).
    expect(Object.keys(manifest.files).sort()).toEqual(['batch-input.jsonl', 'model-30d.json', 'model-7d.json', 'model.json', 'report.html']);
    expect(manifest.dataQuality.rowsRead).toBeGreaterThan(29_000);
    expect(manifest.featureImportance).toBeDefined();
    // What the final model chose while fitting, logged as the manifest records it.
    const chose = logged.find((line) => typeof line.message === 'string' && line.message.startsWith('chose: '));
    expect(chose?.message).toBe(`chose: ${Object.entries(manifest.selection!).map(([name, s]) => `${name} = ${s.chosen}`).join('; ')} (why, with every candidate's figures: the manifest's selection and report.html)`);
    expect(chose?.message).toMatch(/blend_p_order_90d = .*; blend_wait = /);

    const batchInput = (await readFile(join(modelDir, 'batch-input.jsonl'), 'utf8')).trim().split('\n');
    expect(batchInput.length).toBe(manifest.dataQuality.customers);
    for (const line of batchInput.slice(0, 50)) expect(customerHistorySchema.safeParse(JSON.parse(line)).success).toBe(true);

    const report = await readFile(join(modelDir, 'report.html'), 'utf8');
    expect(report.match(/<svg/g)?.length).toBeGreaterThanOrEqual(5);
    expect(report).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);

    // A corrupted artifact is refused.
    const model = await readFile(join(modelDir, 'model.json'), 'utf8');
    await writeFile(join(modelDir, 'model.json'), model.replace(/\d/, (d) => String((Number(d) + 1) % 10)));
    await expect(readArtifact(modelDir)).rejects.toThrow(/checksum mismatch for "model.json"/);
  }, 120_000);

  it('reads a large local CSV in blocks on worker threads, from the bundle as built', async () => {
    // The 30,000 rows padded past three 16 MiB blocks (four blocks: fewer are read whole) with cancellations (dropped), so that the
    // bundle's worker entry point (block-worker.js beside bin.js) is what reads most of it.
    const padded = join(work, 'padded.csv');
    const cancellation = 'C536379,D,Discount,-1,12/1/2010 9:41,27.5,14527,United Kingdom\n';
    const padding = cancellation.repeat(Math.ceil((49 << 20) / cancellation.length));
    await writeFile(padded, (await readFile(transactions, 'utf8')) + padding);
    const run = await runTrainer(['--file_path', padded, '--model_dir', join(work, 'padded-model'), '--cutoff', '2011-06-01', '--model_backend', 'bgnbd']);
    expect(run.code, run.stderr).toBe(0);
    const threads = Math.min(availableParallelism(), 4);
    expect(run.stdout).toMatch(threads > 1 ? `rows read, in 4 blocks on ${threads} threads, ` : /rows read, \d+ kept/);
    // The same report as the library reading the file whole, on this thread.
    const whole = await ingest(padded, { threads: 1 });
    expect((await readArtifact(join(work, 'padded-model'))).dataQuality).toEqual(whole.report);
    expect(whole.report.dropped.cancellation.count).toBeGreaterThanOrEqual(padding.length / cancellation.length);
  });

  it('warns when rows are dropped for a date it cannot read, naming the lines and the way out; trains on a local folder', async () => {
    const folder = join(work, 'exports');
    await mkdir(folder, { recursive: true });
    const text = await readFile(transactions, 'utf8');
    await writeFile(join(folder, 'part-0.csv'), text);
    // A second export with dates no format reads (30 February).
    const unreadable = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n' + '999001,1,X,1,2011-02-30 9:00,2.5,17850,United Kingdom\n'.repeat(3);
    // And a mistyped year, a purchase dated 2099, and a placeholder, 1970-01-01.
    await writeFile(join(folder, 'part-1.csv'), `${unreadable}999002,1,X,1,2099-01-05 09:00,2.5,17850,United Kingdom\n999003,1,X,1,1970-01-01,2.5,17850,United Kingdom\n`);
    await writeFile(join(folder, '_SUCCESS'), '');
    const run = await runTrainer(['--file_path', folder, '--model_dir', join(work, 'folder-model'), '--cutoff', '2011-06-01', '--model_backend', 'bgnbd']);
    expect(run.code, run.stderr).toBe(0);
    const rowsRead = (await ingest(transactions)).report.rowsRead + 5;
    const warning = `3 of ${rowsRead} rows (0.01%) dropped: their date could not be read (first at ${join(folder, 'part-1.csv')}, lines 2, 3, 4); if the source writes dates another way, set the mapping's \\"dateFormat\\" (dmy for day first`;
    expect(run.stdout + run.stderr).toContain(warning);
    expect(run.stdout + run.stderr).toContain(`1 of ${rowsRead} rows (0.00%) dropped: dated after today (first at ${join(folder, 'part-1.csv')}, line 5), which no purchase can be`);
    const folderManifest = await readArtifact(join(work, 'folder-model'));
    expect(folderManifest.dataQuality.dropped.future_date.count).toBe(1);
    expect(folderManifest.dataQuality.lastDate! < '2012-01-01').toBe(true);
    expect(run.stdout + run.stderr).toContain('the first order is dated 1970-01-01: if that is a placeholder for a missing date');
    expect(run.stdout).toMatch(/rows read from 2 files, /);
    // The clean file alone: no warning. (With BG/CNBD-k, through the bundle: its file names its k.)
    const clean = await runTrainer(['--file_path', transactions, '--model_dir', join(work, 'clean-model'), '--cutoff', '2011-06-01', '--model_backend', 'bgcnbd']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout + clean.stderr).not.toContain('their date could not be read');
    expect(clean.stdout + clean.stderr).not.toContain('placeholder');
    // The same export written day first: the default dateFormat "auto" reads it month first until
    // a date can only be day first, then reads it again day first: the same orders as the original
    // (its 02/01/2011 is not kept as February 1), and says so.
    const dayFirst = text.replace(/^([^,]*,[^,]*,(?:"[^"]*"|[^,]*),[^,]*,)(\d{1,2})\/(\d{1,2})\//gm, '$1$3/$2/');
    expect(dayFirst).not.toBe(text);
    await writeFile(join(work, 'day-first.csv'), dayFirst);
    const swapped = await runTrainer(['--file_path', join(work, 'day-first.csv'), '--model_dir', join(work, 'day-first-model'), '--cutoff', '2011-06-01', '--model_backend', 'bgnbd']);
    expect(swapped.code, swapped.stderr).toBe(0);
    expect(swapped.stdout + swapped.stderr).toMatch(/dates read day first, as the mapping's \\"dateFormat\\" \\"auto\\" does once one shows it: \\"13\/1\/2010 [0-9:]+\\" \(.*day-first\.csv, line \d+\) can only be day first/);
    expect((await readArtifact(join(work, 'day-first-model'))).dataFingerprint).toEqual((await readArtifact(join(work, 'clean-model'))).dataFingerprint);
    const btyd = JSON.parse(await readFile(join(work, 'clean-model', 'btyd.json'), 'utf8')) as { model: string; params: { k: number } };
    expect(btyd.model).toBe('bgcnbd');
    expect(btyd.params.k).toBeGreaterThanOrEqual(1);
    expect((await readArtifact(join(work, 'clean-model'))).modelType).toBe('bgcnbd');
  });

  it('trains on a Parquet file written by DuckDB, reading the same orders as from its CSV', async () => {
    const parquet = join(work, 'transactions.parquet');
    await csvToParquet(transactions, parquet);
    const modelDir = join(work, 'parquet-model');
    const run = await runTrainer(['--file_path', parquet, '--model_dir', modelDir, '--cutoff', '2011-06-01', ...QUICK]);
    expect(run.code, run.stderr).toBe(0);
    const manifest = await readArtifact(modelDir);
    const csv = await ingest(transactions);
    expect(manifest.dataQuality.source).toBe(parquet);
    expect(manifest.dataQuality.rowsRead).toBe(csv.report.rowsRead);
    expect(manifest.dataQuality.rowsKept).toBe(csv.report.rowsKept);
    expect(manifest.dataFingerprint).toEqual(fingerprintOrders(csv.orders));
  }, 120_000);

  it('documents every flag in --help', async () => {
    const run = await runTrainer(['--help']);
    expect(run.code).toBe(0);
    for (const flag of ['--file_path', '--model_backend', '--time_series_length', '--epochs', '--batch_size', '--learning_rate', '--hidden_size', '--dropout', '--lstm_layers', '--use_gpu', '--cutoff', '--model_dir', '--seed', '--max_depth', '--eta']) {
      expect(run.stdout).toContain(flag);
    }
  });
});

describe('trainer, SageMaker training job mode', () => {
  async function jobRoot(hyperparameters: Record<string, string>, withData = true): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), 'opt-ml-'));
    await mkdir(join(root, 'input', 'config'), { recursive: true });
    await writeFile(join(root, 'input', 'config', 'hyperparameters.json'), JSON.stringify(hyperparameters));
    // What SageMaker writes for a one-instance job.
    await writeFile(join(root, 'input', 'config', 'resourceconfig.json'), JSON.stringify({ current_host: 'algo-1', hosts: ['algo-1'], network_interface_name: 'eth0' }));
    if (withData) {
      await mkdir(join(root, 'input', 'data', 'train'), { recursive: true });
      await writeFile(join(root, 'input', 'data', 'train', 'transactions.csv'), await readFile(transactions));
    }
    return root;
  }

  it('honours /opt/ml: string hyperparameters, the train channel, the model dir and metric lines', async () => {
    const root = await jobRoot({ model_backend: 'xgboost', num_boost_round: '30', max_depth: '4', cutoff: '2011-06-01', sagemaker_region: '"eu-west-1"' });
    const run = await runTrainer([], { SM_OPT_ML_ROOT: root, SM_MODEL_DIR: '' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^c_index=[0-9.]+;$/m);
    const manifest = await readArtifact(join(root, 'model'));
    expect(manifest.hyperparameters).toMatchObject({ num_boost_round: 30, max_depth: 4 });
    expect(existsSync(join(root, 'output', 'failure'))).toBe(false);
  }, 120_000);

  it('writes the failure reason and exits non-zero on a bad hyperparameter', async () => {
    const root = await jobRoot({ model_backend: 'prophet' });
    const run = await runTrainer([], { SM_OPT_ML_ROOT: root, SM_MODEL_DIR: '' });
    expect(run.code).not.toBe(0);
    expect(await readFile(join(root, 'output', 'failure'), 'utf8')).toMatch(/prophet/);
  });

  it('refuses a job of more than one instance before training, in one sentence', async () => {
    const root = await jobRoot({ model_backend: 'xgboost' });
    await writeFile(join(root, 'input', 'config', 'resourceconfig.json'), JSON.stringify({ current_host: 'algo-1', hosts: ['algo-1', 'algo-2', 'algo-3'] }));
    const run = await runTrainer([], { SM_OPT_ML_ROOT: root, SM_MODEL_DIR: '' });
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(await readFile(join(root, 'output', 'failure'), 'utf8')).toMatch(/resourceconfig\.json: the training job has 3 instances \(algo-1, algo-2, algo-3\) but the trainer trains on one/);
    expect(existsSync(join(root, 'model', 'manifest.json'))).toBe(false);
  });

  it('says when resourceconfig.json is malformed', async () => {
    const root = await jobRoot({ model_backend: 'xgboost' });
    await writeFile(join(root, 'input', 'config', 'resourceconfig.json'), '{"hosts": "algo-1"}');
    const run = await runTrainer([], { SM_OPT_ML_ROOT: root, SM_MODEL_DIR: '' });
    expect(run.code).toBe(1);
    expect(await readFile(join(root, 'output', 'failure'), 'utf8')).toMatch(/resourceconfig\.json: expected an object whose "hosts" is a non-empty list of host names/);
  });

  it('trains on order values (customer, date, value) from a channel of two files, with the mapping as a hyperparameter', async () => {
    // The dates are instants (ISO with Z): the retailer's zone decides their days, here UTC's own.
    const root = await jobRoot({ model_backend: 'bgnbd', cutoff: '2011-06-01', mapping: JSON.stringify({ ...ORDER_VALUES, timeZone: 'Etc/UTC' }) }, false);
    const channel = join(root, 'input', 'data', 'train');
    await mkdir(channel, { recursive: true });
    // The generated transactions as a CLV export: one line per line with a customer, its value, ISO dates, in two files.
    const { rows } = await orderValueLines();
    await writeFile(join(channel, 'values-1.csv'), ['customer,day,value', ...rows.slice(0, 5_000)].join('\n') + '\n');
    await writeFile(join(channel, 'values-2.csv'), ['customer,day,value', ...rows.slice(5_000)].join('\n') + '\n');
    const run = await runTrainer([], { SM_OPT_ML_ROOT: root, SM_MODEL_DIR: '' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).toMatch(/rows read from 2 files, \d+ kept, \d+ orders \(on days of Etc\/UTC\) of \d+ customers/);
    const manifest = await readArtifact(join(root, 'model'));
    expect(manifest.dataQuality.source).toBe(channel);
    expect(manifest.dataQuality.rowsKept).toBe(rows.length);
    // The same customers and order days as the transactions they came from.
    const original = (await ingest(transactions)).orders;
    expect(manifest.dataFingerprint.customers).toBe(new Set(original.customerIds).size);
    expect(manifest.dataFingerprint.rows).toBe(original.nRows);
    const bad = await jobRoot({ model_backend: 'bgnbd', mapping: '{"columns": ' });
    expect((await runTrainer([], { SM_OPT_ML_ROOT: bad, SM_MODEL_DIR: '' })).code).toBe(1);
    expect(await readFile(join(bad, 'output', 'failure'), 'utf8')).toMatch(/^--mapping is not valid JSON: /);
  });

  it('says when the train channel is missing', async () => {
    const root = await jobRoot({ model_backend: 'xgboost' }, false);
    const run = await runTrainer([], { SM_OPT_ML_ROOT: root, SM_MODEL_DIR: '' });
    expect(run.code).toBe(1);
    expect(await readFile(join(root, 'output', 'failure'), 'utf8')).toMatch(/train channel .* does not exist/);
  });
});

describe('trainer errors a user will hit: one clear sentence, no stack trace', () => {
  const header = ONLINE_RETAIL_COLUMNS.join(',');
  const cases: Array<[string, () => Promise<string[]>, RegExp]> = [
    ['a missing file', async () => ['--file_path', join(work, 'nope.csv')], /nope\.csv: no such file/],
    ['wrong columns', async () => {
      const path = join(work, 'wrong.csv');
      await writeFile(path, 'customer,when,amount\n1,2011-01-01,3\n');
      return ['--file_path', path];
    }, /InvoiceNo/],
    ['all rows filtered out', async () => {
      const path = join(work, 'guests.csv');
      await writeFile(path, `${header}\n536365,85123A,MUG,6,12/1/2010 8:26,2.55,,United Kingdom\n536366,85123A,MUG,6,12/2/2010 8:26,2.55,,United Kingdom\n`);
      return ['--file_path', path];
    }, /all 2 rows .* were filtered out .*2 missing_customer_id/],
    ['fewer than two orders for every customer', async () => {
      const path = join(work, 'single.csv');
      await writeFile(path, `${header}\n536365,85123A,MUG,6,12/1/2010 8:26,2.55,17850,United Kingdom\n536366,85123A,MUG,6,12/2/2010 8:26,2.55,13047,United Kingdom\n`);
      return ['--file_path', path];
    }, /fewer than two orders/],
    ['a backtest whose training period has no repeat order', async () => {
      // Customers ordered twice, but only across the cutoff: the error says it is the backtest's period.
      const path = join(work, 'two-days.csv');
      const lines = [1, 2, 3, 4].flatMap((c) => [`5360${c}0,85123A,MUG,6,12/1/2010 8:26,2.55,1785${c},United Kingdom`, `5360${c}1,85123A,MUG,6,12/2/2010 8:26,2.55,1785${c},United Kingdom`]);
      await writeFile(path, `${header}\n${lines.join('\n')}\n`);
      return ['--file_path', path, '--model_backend', 'bgnbd'];
    }, /the backtest's model, fitted on the orders before the cutoff 2010-12-02 \(2010-12-01 to 2010-12-01\): BG\/NBD: no customer has a repeat order .*a later --cutoff/],
    ['a cutoff outside the data', async () => ['--file_path', transactions, '--cutoff', '2015-01-01'], /--cutoff 2015-01-01 is outside the data: orders run from 20\d\d-\d\d-\d\d to 20\d\d-\d\d-\d\d/],
    ['an unknown model backend', async () => ['--model_backend', 'prophet'], /prophet/],
    ['an XGBoost parameter given to the LSTM', async () => ['--model_backend', 'lstm', '--max_depth', '3'], /--max_depth is not a parameter of the lstm model/],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const modelDir = await mkdtemp(join(tmpdir(), 'err-model-'));
    const run = await runTrainer([...(await args()), '--model_dir', modelDir]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/^trainer: /m);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('trains on a single customer: no outlier to look for, one row to score', async () => {
    const path = join(work, 'one-customer.csv');
    const lines = Array.from({ length: 40 }, (_, i) => `${540000 + i},85123A,MUG,6,${new Date(Date.UTC(2010, 0, 1 + 9 * i)).toISOString().slice(0, 10)},2.55,17850,United Kingdom`);
    await writeFile(path, `${header}\n${lines.join('\n')}\n`);
    const modelDir = await mkdtemp(join(tmpdir(), 'one-model-'));
    const run = await runTrainer(['--file_path', path, '--model_dir', modelDir]);
    expect(run.stderr).not.toMatch(/^trainer: /m);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/40 orders of 1 customer, 0 outlier customers removed by the Isolation Forest/);
    expect((await readFile(join(modelDir, 'batch-input.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('refuses a model dir that is not empty', async () => {
    const modelDir = await mkdtemp(join(tmpdir(), 'full-model-'));
    await writeFile(join(modelDir, 'old.json'), '{}');
    const run = await runTrainer(['--file_path', transactions, '--model_dir', modelDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/is not empty/);
  });
});
