/**
 * The evaluation.md backtest of XGBoostGapModel on CDNOW with the trainer's 1% Isolation Forest
 * filter. Not a test. Usage:
 *   npx tsx bench/cdnow-backtest.ts [path/to/CDNOW_master.txt] [--no-outlier-filter] [hyperparameter=value ...]
 * Prints the four metrics for the model and the baselines, and the seconds fit+predict took.
 */
import { fileURLToPath } from 'node:url';
import type { OrderTable } from '@nextbuy/contracts';
import { runBacktest } from '@nextbuy/features';
import { CDNOW_MAPPING, ingest } from '@nextbuy/ingestion';
import { filterOutlierCustomers } from '@nextbuy/outliers';
import { XGBoostGapModel } from '../src/index';

const args = process.argv.slice(2);
const path = args.find((a) => !a.includes('=') && !a.startsWith('--')) ?? fileURLToPath(new URL('../../../data/cdnow/CDNOW_master.txt', import.meta.url));
const filter = args.includes('--no-outlier-filter') ? undefined : (o: OrderTable) => filterOutlierCustomers(o, { contamination: 0.01, seed: 42 }).kept;
const hyperparameters = Object.fromEntries(args.filter((a) => a.includes('=')).map((a) => a.split('=') as [string, string]));

const { orders } = await ingest(path, { mapping: CDNOW_MAPPING });
let seconds = 0;
let trainRows = 0;
let fitted = '';
const result = await runBacktest(orders, {
  filterTraining: filter,
  model: {
    async fitPredict(train, score, { maeHorizonDays }) {
      const started = performance.now();
      const model = new XGBoostGapModel(hyperparameters);
      try {
        const report = await model.fit(train);
        fitted = `best round of the 90-day booster ${(report.bestIteration ?? -1) + 1}`;
        const prediction = await model.predict(score);
        seconds = (performance.now() - started) / 1000;
        trainRows = train.nRows;
        return { prediction, maeGapDays: (await model.predict(score, { returnHorizonDays: maeHorizonDays })).predictedGapDays };
      } finally {
        model.dispose();
      }
    },
  },
});
console.log(`cutoff ${result.cutoff}: ${result.scoredCustomers} scored, ${result.returnedCustomers} returned; ${trainRows} training orders; fit+predict ${seconds.toFixed(2)} s; ${fitted}`);
const cell = (v: number | null | undefined, digits: number) => (v === null || v === undefined ? '-' : v.toFixed(digits));
for (const [name, m] of Object.entries(result.metrics)) {
  console.log(`${name.padEnd(24)} ${cell(m.mae_days, 1).padStart(7)} ${cell(m.c_index, 4).padStart(6)} ${cell(m.auc_90d, 4).padStart(6)} ${cell(m.brier_90d, 4).padStart(6)}`);
}
