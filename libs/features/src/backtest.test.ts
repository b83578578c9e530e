import { backtestReportSchema, HORIZON_DAYS, selectOrders, type GapPrediction, type NextPurchaseModel, type OrderTable, type ScoringTable, type TrainingTable } from '@nextbuy/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderTable, type OrderRow } from '../test/fixtures';
import { BtydGapModel } from '@nextbuy/btyd-model';
import { alignTruth, type BacktestPrediction, backtestModel, backtestSplit, clipToHorizon, defaultCutoffDay, evaluate, evaluateCustomers, runBacktest, selectTruth } from './backtest';
import { lognormalConditional } from './lognormal';

describe('defaultCutoffDay', () => {
  it('is the day at the 80th percentile of order days', () => {
    // Days 0..9: position 0.8 * 9 = 7.2 -> between 7 and 8 -> day 7.
    const orders = orderTable(Array.from({ length: 10 }, (_, d): OrderRow => [`c${d}`, d]));
    expect(defaultCutoffDay(orders)).toBe(7);
    expect(defaultCutoffDay(orderTable([['a', 3], ['a', 50], ['b', 7], ['c', 7], ['d', 7]]))).toBe(7 + Math.floor(0.2 * 43));
  });
});

describe('backtestSplit', () => {
  const orders = orderTable([
    ['A', 10], ['A', 20], ['A', 95], ['A', 130], // returns 95 - 20 = 75 after, 5 days after the cutoff
    ['B', 5], // never returns: censored at the end of the data, 200 - 5
    ['C', 90], ['C', 200], // first order on the cutoff day is its truth; returned 110 days after it
    ['D', 150], // no order before the cutoff: not scored
  ]);
  const split = backtestSplit(orders, 90);

  it('trains on the orders before the cutoff only', () => {
    expect(split.trainOrders.customerIds).toEqual(['A', 'A', 'B']);
    expect(Math.max(...split.trainOrders.day)).toBeLessThan(90);
  });

  it("takes each customer's first order on or after the cutoff as the truth, censored at the end of the data", () => {
    const { truth } = split;
    expect(truth.customerIds).toEqual(['A', 'B']);
    expect(split.endDay).toBe(200);
    expect(split.coversHorizon).toBe(true);
    expect(Array.from(truth.lastOrderDay)).toEqual([20, 5]);
    expect(Array.from(truth.gapDays)).toEqual([75, 195]);
    expect(Array.from(truth.returned)).toEqual([1, 0]);
    expect(Array.from(truth.orderedWithin90d!)).toEqual([1, 0]);
  });

  it('counts an order on the cutoff day as a return, and one 90 days after it as outside the horizon', () => {
    const { truth } = backtestSplit(orderTable([['A', 0], ['A', 10], ['B', 0], ['B', 99], ['C', 0], ['C', 100], ['D', 0], ['D', 189]]), 10);
    expect(Array.from(truth.returned)).toEqual([1, 1, 1, 1]);
    expect(Array.from(truth.gapDays)).toEqual([10, 99, 100, 189]);
    expect(Array.from(truth.orderedWithin90d!)).toEqual([1, 1, 0, 0]);
  });

  it('has no 90-day labels when the data ends less than 90 days after the cutoff', () => {
    expect(backtestSplit(orders, 150).coversHorizon).toBe(false);
    expect(backtestSplit(orders, 150).truth.orderedWithin90d).toBeNull();
  });
});

describe('evaluate', () => {
  const truth = alignTruth(backtestSplit(orderTable([['A', 0], ['A', 30], ['B', 0], ['B', 150], ['C', 5], ['D', 1], ['D', 200]]), 10).truth, ['D', 'A', 'B', 'C']);

  it('scores predictions against the truth aligned with them', () => {
    // Truth: D 199 returned (outside 90 d), A 30 returned, B 150 returned (outside), C censored at 195.
    expect(Array.from(truth.gapDays)).toEqual([199, 30, 150, 195]);
    const prediction: GapPrediction = { predictedGapDays: Float64Array.of(190, 40, 100, 300), pOrder90d: Float64Array.of(0.2, 0.9, 0.3, 0.1) };
    const metrics = evaluate(prediction, truth);
    expect(metrics.mae_days).toBeCloseTo((9 + 10 + 50) / 3, 12);
    expect(metrics.c_index).toBe(1);
    expect(metrics.auc_90d).toBe(1);
    expect(metrics.brier_90d).toBeCloseTo((0.04 + 0.01 + 0.09 + 0.01) / 4, 12);
  });

  it('reports no 90-day metrics for a predictor without probabilities, and refuses partial ones', () => {
    const gaps = Float64Array.of(1, 2, 3, 4);
    const metrics = evaluate({ predictedGapDays: gaps, pOrder90d: new Float64Array(4).fill(NaN) }, truth);
    expect(metrics.auc_90d).toBeNull();
    expect(metrics.brier_90d).toBeNull();
    expect(metrics.c_index).not.toBeNull();
    expect(() => evaluate({ predictedGapDays: gaps, pOrder90d: Float64Array.of(0.1, NaN, 0.2, 0.3) }, truth)).toThrow(/scores\[1\] is NaN/);
    expect(() => evaluate({ predictedGapDays: gaps.subarray(1), pOrder90d: gaps.subarray(1) }, truth)).toThrow(/for 4 customers/);
  });

  it('computes mae_days over returns within the mae horizon E, with the gaps given for E', () => {
    // Returns after the cutoff (day 10): D on day 200 (offset 190), A day 30 (20), B day 150 (140).
    expect(Array.from(truth.returnOffsetDays)).toEqual([190, 20, 140, NaN]);
    const prediction: GapPrediction = { predictedGapDays: Float64Array.of(190, 40, 100, 300), pOrder90d: Float64Array.of(0.2, 0.9, 0.3, 0.1) };
    const metrics = evaluate(prediction, truth, { maeHorizonDays: 150, maeGapDays: Float64Array.of(0, 35, 160, 0) });
    // D returned 190 days after the cutoff, beyond E = 150: left out; A |35 - 30|, B |160 - 150|.
    expect(metrics.mae_days).toBeCloseTo((5 + 10) / 2, 12);
    // The other metrics keep the production prediction.
    expect(metrics.c_index).toBe(1);
  });

  it('selects the truth of a resample, repeats included', () => {
    const picked = selectTruth(truth, [1, 1, 3]);
    expect(picked.customerIds).toEqual(['A', 'A', 'C']);
    expect(Array.from(picked.gapDays)).toEqual([30, 30, 195]);
    expect(Array.from(picked.returned)).toEqual([1, 1, 0]);
    expect(Array.from(picked.orderedWithin90d!)).toEqual([1, 1, 0]);
  });

  it('clips a baseline to what it can be held to within E', () => {
    expect(Array.from(clipToHorizon(Float64Array.of(5, 50, 500), Float64Array.of(10, 10, 10), 100))).toEqual([10, 50, 110]);
  });
});

/** Synthetic customers: a regular rhythm with noise, some stopping for good after a few orders. */
function syntheticOrders(): { orders: OrderTable; histories: Map<string, number[]> } {
  const customerArb = fc.record({
    start: fc.integer({ min: 0, max: 120 }),
    meanGap: fc.integer({ min: 4, max: 80 }),
    noise: fc.array(fc.double({ min: 0.6, max: 1.4, noNaN: true }), { minLength: 30, maxLength: 30 }),
    ordersBeforeChurn: fc.integer({ min: 1, max: 40 }),
    basket: fc.double({ min: 5, max: 200, noNaN: true }),
  });
  const customers = fc.sample(customerArb, { seed: 20111209, numRuns: 400 });
  const rows: OrderRow[] = [];
  const histories = new Map<string, number[]>();
  customers.forEach((c, i) => {
    const id = `cust${String(i).padStart(3, '0')}`;
    const days: number[] = [];
    let day = c.start;
    for (let k = 0; k < Math.min(c.ordersBeforeChurn, c.noise.length) && day <= 400; k++) {
      days.push(day);
      rows.push([id, day, c.basket * c.noise[k]!, 1 + (k % 3)]);
      day += Math.max(1, Math.round(c.meanGap * c.noise[k]!));
    }
    histories.set(id, days);
  });
  return { orders: orderTable(rows), histories };
}

/**
 * A small real model for the end-to-end run: log T ~ N(log of the customer's mean gap, sigma of
 * the observed log gaps), read through the shared log-normal helper.
 */
const customerLognormal = {
  seen: undefined as { train: TrainingTable; score: ScoringTable } | undefined,
  async fitPredict(train: TrainingTable, score: ScoringTable): Promise<BacktestPrediction> {
    this.seen = { train, score };
    const logs = Array.from(train.gapDays).filter((_, i) => !train.censored[i]).map(Math.log);
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    const sigma = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / (logs.length - 1));
    const meanGapColumn = score.featureNames.indexOf('MeanGap');
    const predictedGapDays = new Float64Array(score.lastRow.length);
    const pOrder90d = new Float64Array(score.lastRow.length);
    score.lastRow.forEach((row, i) => {
      const meanGap = score.values[row * score.featureNames.length + meanGapColumn]!;
      const mu = Number.isNaN(meanGap) ? mean : Math.log(meanGap);
      const { medianGap, pWithin } = lognormalConditional(mu, sigma, score.elapsedDays[i]!, HORIZON_DAYS);
      predictedGapDays[i] = medianGap;
      pOrder90d[i] = pWithin;
    });
    return { prediction: { predictedGapDays, pOrder90d }, maeGapDays: predictedGapDays };
  },
};

describe('runBacktest', () => {
  it('scores a model and every baseline on synthetic customers, end to end', async () => {
    const { orders, histories } = syntheticOrders();
    const cutoffDay = defaultCutoffDay(orders);
    const excluded = 'cust007';
    let filterSawDay = -Infinity;
    const result = await runBacktest(orders, {
      model: customerLognormal,
      filterTraining: (trainOrders) => {
        filterSawDay = Math.max(...trainOrders.day);
        return selectOrders(trainOrders, (i) => trainOrders.customerIds[i] !== excluded);
      },
    });

    // The report is the manifest's, plus per-customer details.
    expect(backtestReportSchema.parse(result)).toBeTruthy();
    expect(result.cutoffDay).toBe(cutoffDay);
    expect(filterSawDay).toBeLessThan(cutoffDay);

    // Counts, computed here straight from the generated histories.
    const scored = [...histories].filter(([id, days]) => id !== excluded && days[0]! < cutoffDay);
    const returned = scored.filter(([, days]) => days.some((d) => d >= cutoffDay));
    expect(histories.get(excluded)![0]).toBeLessThan(cutoffDay);
    expect(result.scoredCustomers).toBe(scored.length);
    expect(result.returnedCustomers).toBe(returned.length);
    expect(result.customers.customerIds).not.toContain(excluded);

    // The model saw nothing on or after the cutoff, and labels censored at it.
    const { train, score } = customerLognormal.seen!;
    expect(Math.max(...train.orderDay)).toBeLessThan(cutoffDay);
    train.censored.forEach((c, row) => {
      if (c) expect(train.gapDays[row]).toBe(cutoffDay - train.orderDay[row]!);
    });
    expect(score.asOfDay).toBe(cutoffDay);

    // Per-customer details line up with the histories.
    const [id, days] = returned[0]!;
    const at = result.customers.customerIds.indexOf(id);
    const last = days.filter((d) => d < cutoffDay).at(-1)!;
    expect(result.customers.actualGapDays[at]).toBe(days.find((d) => d >= cutoffDay)! - last);
    expect(result.customers.orderCount[at]).toBe(days.filter((d) => d < cutoffDay).length);
    expect(result.customers.elapsedDays[at]).toBe(cutoffDay - last);
    expect(result.customers.predictions['model']!.predictedGapDays).toHaveLength(scored.length);

    // Metrics: every predictor, 90-day metrics only where there are probabilities.
    const { metrics } = result;
    expect(Object.keys(metrics).sort()).toEqual(['baseline_bgnbd', 'baseline_customer_mean', 'baseline_km', 'baseline_pareto_nbd', 'baseline_recency', 'model']);
    for (const btyd of ['baseline_bgnbd', 'baseline_pareto_nbd']) {
      expect(metrics[btyd]!.auc_90d, btyd).toBeGreaterThan(0.6);
      expect(metrics[btyd]!.mae_days, btyd).toBeGreaterThan(0);
    }
    // mae_days compares like with like: returns within E = min(365, days of data after the cutoff).
    expect(result.maeHorizonDays).toBe(Math.min(365, Math.max(...orders.day) - cutoffDay + 1));
    expect(metrics['model']!.auc_90d).toBeGreaterThanOrEqual(0);
    expect(metrics['model']!.brier_90d).toBeLessThanOrEqual(1);
    expect(metrics['baseline_km']!.auc_90d).toBeGreaterThan(0.6);
    expect(metrics['baseline_km']!.brier_90d).toBeLessThan(0.25);
    expect(metrics['baseline_recency']!.auc_90d).toBeNull();
    expect(metrics['baseline_customer_mean']!.brier_90d).toBeNull();
    // These customers keep a rhythm: knowing it beats the population curve.
    expect(metrics['baseline_customer_mean']!.mae_days!).toBeLessThan(metrics['baseline_km']!.mae_days!);
    expect(metrics['model']!.c_index!).toBeGreaterThan(metrics['baseline_km']!.c_index!);
  });

  it('takes an explicit cutoff and leaves out the 90-day metrics when the data ends too soon', async () => {
    const { orders } = syntheticOrders();
    const lastDay = Math.max(...orders.day);
    const result = await runBacktest(orders, { cutoffDay: lastDay - 30 });
    expect(result.cutoff).toBe(new Date((lastDay - 30) * 86_400_000).toISOString().slice(0, 10));
    expect(Object.keys(result.metrics)).not.toContain('model');
    expect(result.metrics['baseline_km']!.auc_90d).toBeNull();
    expect(result.metrics['baseline_km']!.c_index).not.toBeNull();
  });

  it("keeps each predictor's mae gaps and the truth, so that any resample of customers is scored as the backtest scored them all", async () => {
    const { orders } = syntheticOrders();
    // The model's gaps for E differ from its production gaps, so a mix-up would show.
    const shifted = {
      async fitPredict(train: TrainingTable, score: ScoringTable): Promise<BacktestPrediction> {
        const { prediction } = await customerLognormal.fitPredict(train, score);
        return { prediction, maeGapDays: prediction.predictedGapDays.map((g) => g + 7) };
      },
    };
    const result = await runBacktest(orders, { model: shifted });
    const { customers } = result;
    expect(Object.keys(customers.maeGapDays).sort()).toEqual(Object.keys(result.metrics).sort());
    expect(Array.from(customers.maeGapDays['model']!)).toEqual(Array.from(customers.predictions['model']!.predictedGapDays, (g) => g + 7));
    const km = customers.predictions['baseline_km']!.predictedGapDays;
    expect(Array.from(customers.maeGapDays['baseline_km']!)).toEqual(Array.from(clipToHorizon(km, customers.elapsedDays, result.maeHorizonDays)));
    expect(customers.truth.gapDays).toBe(customers.actualGapDays);
    expect(customers.truth.customerIds).toEqual(customers.customerIds);

    const everyone = Array.from(customers.customerIds, (_, i) => i);
    for (const name of Object.keys(result.metrics)) expect(evaluateCustomers(result, name, everyone), name).toEqual(result.metrics[name]);
    // A resample counts a customer as often as it is drawn: twice each is the same as once.
    expect(evaluateCustomers(result, 'model', [...everyone, ...everyone]).mae_days).toBeCloseTo(result.metrics['model']!.mae_days!, 9);
    expect(() => evaluateCustomers(result, 'baseline_none', everyone)).toThrow(/no predictor "baseline_none"/);
  });

  it('lets the caller read the fitted model after it is fitted and before it is disposed', async () => {
    const { orders } = syntheticOrders();
    const events: string[] = [];
    const create = (): NextPurchaseModel => {
      const inner = new BtydGapModel('bgnbd');
      return {
        type: inner.type,
        fit: (train) => (events.push('fit'), inner.fit(train)),
        predict: (input, options) => (events.push('predict'), inner.predict(input, options)),
        save: (dir) => inner.save(dir),
        describe: () => inner.describe(),
        dispose: () => (events.push('dispose'), inner.dispose()),
      };
    };
    await runBacktest(orders, { model: backtestModel(create, {}, (model) => events.push(`fitted ${model.type}`)) });
    expect(events).toEqual(['fit', 'fitted bgnbd', 'predict', 'predict', 'dispose']);
  });
});
