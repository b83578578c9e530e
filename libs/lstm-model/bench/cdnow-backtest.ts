/**
 * The evaluation.md backtest of the LSTM on the CDNOW data set (a benchmark, not a test: it
 * trains on ~50k windows). Usage:
 *   npx tsx bench/cdnow-backtest.ts [path/to/CDNOW_master.txt] [hyperparameter=value ...]
 * Prints the four metrics for the model and the baselines, and the seconds fit() took.
 */
import { readFileSync } from 'node:fs';
import type { OrderTable } from '@nextbuy/contracts';
import { runBacktest } from '@nextbuy/features';
import { LstmGapModel } from '../src/index';

const args = process.argv.slice(2);
const path = args.find((a) => !a.includes('=')) ?? '/work/shared/datasets/cdnow/CDNOW_master.txt';
const hyperparameters = Object.fromEntries(args.filter((a) => a.includes('=')).map((a) => a.split('=') as [string, string]));

/** CDNOW lines (customer, yyyymmdd, cds, dollars) as orders: one per customer and day. */
function cdnowOrders(text: string): OrderTable {
  const byKey = new Map<string, { customer: string; day: number; price: number; quantity: number; lines: number }>();
  for (const line of text.split('\n')) {
    const [customer, date, cds, dollars] = line.trim().split(/\s+/);
    if (!customer || !date || !/^\d{8}$/.test(date)) continue;
    const day = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8))) / 86_400_000;
    const key = `${customer}|${day}`;
    const order = byKey.get(key) ?? { customer, day, price: 0, quantity: 0, lines: 0 };
    order.price += Number(dollars);
    order.quantity += Number(cds);
    order.lines += 1;
    byKey.set(key, order);
  }
  const orders = [...byKey.values()].filter((o) => o.price > 0 && o.quantity > 0).sort((a, b) => (a.customer < b.customer ? -1 : a.customer > b.customer ? 1 : a.day - b.day));
  return {
    nRows: orders.length,
    customerIds: orders.map((o) => o.customer),
    day: Int32Array.from(orders, (o) => o.day),
    totalPrice: Float64Array.from(orders, (o) => o.price),
    quantity: Float64Array.from(orders, (o) => o.quantity),
    lines: Int32Array.from(orders, (o) => o.lines),
    invoices: Int32Array.from(orders, () => 1),
  };
}

const orders = cdnowOrders(readFileSync(path, 'utf8'));
let fitSeconds = 0;
const result = await runBacktest(orders, {
  model: {
    async fitPredict(train, score) {
      const model = await LstmGapModel.create(hyperparameters);
      const started = performance.now();
      const report = await model.fit(train, {
        onProgress: ({ step, metrics }) => console.log(`epoch ${step}: ${Object.entries(metrics).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}`),
      });
      fitSeconds = (performance.now() - started) / 1000;
      console.log(`${train.nRows} training windows; best epoch ${(report.bestIteration ?? -1) + 1}; backend ${model.describe().backend}`);
      return model.predict(score);
    },
  },
});
console.log(`cutoff ${result.cutoff}: ${result.scoredCustomers} scored, ${result.returnedCustomers} returned; fit ${fitSeconds.toFixed(1)} s`);
for (const [name, m] of Object.entries(result.metrics)) {
  const cell = (v: number | null | undefined, digits: number) => (v === null || v === undefined ? '-' : v.toFixed(digits));
  console.log(`${name.padEnd(24)} mae_days ${cell(m.mae_days, 1).padStart(6)}  c_index ${cell(m.c_index, 3)}  auc_90d ${cell(m.auc_90d, 3)}  brier_90d ${cell(m.brier_90d, 3)}`);
}
