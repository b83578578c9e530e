/**
 * The evaluation.md backtest of the LSTM on the CDNOW data set (a benchmark, not a test: it
 * trains on ~50k windows), with the trainer's 1% outlier filter. Usage:
 *   npx tsx bench/cdnow-backtest.ts [path/to/CDNOW_master.txt] [hyperparameter=value ...]
 * Prints the four metrics for the model and the baselines, and the seconds fit() took.
 */
import { fileURLToPath } from 'node:url';
import { runBacktest } from '@nextbuy/features';
import { CDNOW_MAPPING, ingest } from '@nextbuy/ingestion';
import { filterOutlierCustomers } from '@nextbuy/outliers';
import { LstmGapModel } from '../src/index';

const args = process.argv.slice(2);
const path = args.find((a) => !a.includes('=')) ?? fileURLToPath(new URL('../../../data/cdnow/CDNOW_master.txt', import.meta.url));
const hyperparameters = Object.fromEntries(args.filter((a) => a.includes('=')).map((a) => a.split('=') as [string, string]));

const { orders } = await ingest(path, { mapping: CDNOW_MAPPING });
let fitSeconds = 0;
const result = await runBacktest(orders, {
  // The trainer's outlier filter, so these figures are the trainer's.
  filterTraining: (o) => filterOutlierCustomers(o, { contamination: 0.01, seed: 42 }).kept,
  model: {
    async fitPredict(train, score, { maeHorizonDays }) {
      const model = await LstmGapModel.create(hyperparameters);
      const started = performance.now();
      const report = await model.fit(train, {
        onProgress: ({ step, metrics }) => console.log(`epoch ${step}: ${Object.entries(metrics).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}`),
      });
      fitSeconds = (performance.now() - started) / 1000;
      console.log(`${train.nRows} training windows; best epoch ${(report.bestIteration ?? -1) + 1}; backend ${model.describe().backend}`);
      return { prediction: await model.predict(score), maeGapDays: (await model.predict(score, { returnHorizonDays: maeHorizonDays })).predictedGapDays };
    },
  },
});
console.log(`cutoff ${result.cutoff}: ${result.scoredCustomers} scored, ${result.returnedCustomers} returned; fit ${fitSeconds.toFixed(1)} s`);
for (const [name, m] of Object.entries(result.metrics)) {
  const cell = (v: number | null | undefined, digits: number) => (v === null || v === undefined ? '-' : v.toFixed(digits));
  console.log(`${name.padEnd(24)} mae_days ${cell(m.mae_days, 1).padStart(6)}  c_index ${cell(m.c_index, 3)}  auc_90d ${cell(m.auc_90d, 3)}  brier_90d ${cell(m.brier_90d, 3)}`);
}
