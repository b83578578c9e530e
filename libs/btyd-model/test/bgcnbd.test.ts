import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrderTable, ScoringTable, TrainingTable } from '@nextbuy/contracts';
import { customerBaseOrders, type CustomerBaseSettings } from '@nextbuy/datagen';
import { describe, expect, it } from 'vitest';
import { bgcnbdLogLikelihoodWithoutGaps, bgcnbdMedianWaitWithin, bgcnbdPAlive, bgcnbdPOrderWithin, fitBgCnbd } from '../src/bgcnbd';
import { bgnbdLogLikelihood, bgnbdMedianWaitWithin, bgnbdPAlive, bgnbdPOrderWithin, fitBgNbd } from '../src/bgnbd';
import { BtydGapModel } from '../src/model';
import { type CustomerSummaries, trainingLogGapSum, trainingSummaries } from '../src/summary';

/**
 * A customer base as of `cutoff` days after its start: each customer's (x, tx, T) and the log of
 * their gaps, from the orders before the cutoff; and whether they ordered in the 90 days after it.
 */
function asOf(orders: OrderTable, cutoffDay: number): { s: CustomerSummaries; logGapSum: number; orderedWithin90: number[] } {
  const byCustomer = new Map<string, number[]>();
  for (let i = 0; i < orders.nRows; i++) {
    const days = byCustomer.get(orders.customerIds[i]!) ?? [];
    days.push(orders.day[i]!);
    byCustomer.set(orders.customerIds[i]!, days);
  }
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  const orderedWithin90: number[] = [];
  let logGapSum = 0;
  for (const days of byCustomer.values()) {
    const before = days.filter((d) => d < cutoffDay);
    if (before.length === 0) continue;
    x.push(before.length - 1);
    tx.push(before.at(-1)! - before[0]!);
    T.push(cutoffDay - before[0]!);
    for (let k = 1; k < before.length; k++) logGapSum += Math.log(before[k]! - before[k - 1]!);
    orderedWithin90.push(days.some((d) => d >= cutoffDay && d < cutoffDay + 90) ? 1 : 0);
  }
  const s = { x: Float64Array.from(x), tx: Float64Array.from(tx), T: Float64Array.from(T), weight: new Float64Array(x.length).fill(1) };
  return { s, logGapSum, orderedWithin90 };
}

/** The share of (ordered, did not) pairs the scores put in the right order: the AUC. */
function auc(scores: number[], labels: number[]): number {
  let pairs = 0;
  let right = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!labels[i]) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j]) continue;
      pairs++;
      right += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return right / pairs;
}

const START = Date.UTC(2020, 0, 1) / 86_400_000;
/** Replenishment buyers: an order about every 30 days, leaving after a purchase with probability ~0.08. */
const REGULAR: CustomerBaseSettings = { process: 'bgnbd', seed: 7, days: 730, customers: 2_000, acquisitionDays: 365, frequency: { r: 4, alpha: 120 }, dropout: { a: 1, b: 11 }, regularity: 4 };

describe('BG/CNBD-k', () => {
  const regular = asOf(customerBaseOrders(REGULAR), START + 640);
  const poisson = asOf(customerBaseOrders({ ...REGULAR, regularity: 1 }), START + 640);

  it('is BG/NBD at k = 1: the same likelihood and the same answers', () => {
    const params = { r: 1.3, alpha: 40, a: 0.8, b: 3 };
    expect(bgcnbdLogLikelihoodWithoutGaps({ ...params, k: 1 }, poisson.s)).toBeCloseTo(bgnbdLogLikelihood(params, poisson.s), 6);
    for (const [x, tx, T] of [[0, 0, 100], [3, 80, 200], [12, 300, 310]] as const) {
      expect(bgcnbdPAlive({ ...params, k: 1 }, x, tx, T)).toBeCloseTo(bgnbdPAlive(params, x, tx, T), 12);
      expect(bgcnbdPOrderWithin({ ...params, k: 1 }, x, tx, T, 90)).toBeCloseTo(bgnbdPOrderWithin(params, x, tx, T, 90), 12);
      expect(bgcnbdMedianWaitWithin({ ...params, k: 1 }, x, tx, T, 365)).toBeCloseTo(bgnbdMedianWaitWithin(params, x, T, 365), 1);
    }
  });

  it('finds the k and the parameters a regular base was drawn with, and k = 1 on Poisson purchasing', () => {
    const fit = fitBgCnbd(regular.s, regular.logGapSum);
    expect(fit.params.k).toBe(4);
    expect(fit.params.r / fit.params.alpha).toBeCloseTo(4 / 120, 2);
    expect(Math.abs(fit.params.r / 4 - 1)).toBeLessThan(0.2);
    expect(Math.abs(fit.params.a / (fit.params.a + fit.params.b) / (1 / 12) - 1)).toBeLessThan(0.2);
    // The likelihood rises to k = 4 and falls after it; the search stops one k past the best.
    expect(fit.logLikelihoodByK).toHaveLength(5);
    expect(fit.logLikelihoodByK[3]).toBe(Math.max(...fit.logLikelihoodByK));
    const plain = fitBgCnbd(poisson.s, poisson.logGapSum);
    expect(plain.params.k).toBe(1);
    expect(plain.params.r).toBeCloseTo(fitBgNbd(poisson.s).params.r, 4);
  });

  it('on regular buyers, ranks who orders in the next 90 days better than BG/NBD, with a calibrated mean', () => {
    const fit = fitBgCnbd(regular.s, regular.logGapSum).params;
    const bg = fitBgNbd(regular.s).params;
    const { x, tx, T } = regular.s;
    const cnbd = Array.from(x, (xi, i) => bgcnbdPOrderWithin(fit, xi, tx[i]!, T[i]!, 90));
    const bgnbd = Array.from(x, (xi, i) => bgnbdPOrderWithin(bg, xi, tx[i]!, T[i]!, 90));
    const share = regular.orderedWithin90.reduce((a, b) => a + b, 0) / x.length;
    const mean = cnbd.reduce((a, b) => a + b, 0) / x.length;
    expect(Math.abs(mean - share)).toBeLessThan(0.02);
    const brier = (p: number[]) => p.reduce((sum, pi, i) => sum + (pi - regular.orderedWithin90[i]!) ** 2, 0) / p.length;
    expect(auc(cnbd, regular.orderedWithin90)).toBeGreaterThan(auc(bgnbd, regular.orderedWithin90) + 0.003);
    expect(brier(cnbd)).toBeLessThan(brier(bgnbd) - 0.003);
  });

  it('gives a median wait m with P(order within m) = P(order within the horizon) / 2', () => {
    const params = { r: 4, alpha: 120, a: 1, b: 11, k: 4 };
    for (const [x, tx, T] of [[0, 0, 10], [5, 150, 170], [5, 150, 400], [20, 600, 640]] as const) {
      const m = bgcnbdMedianWaitWithin(params, x, tx, T, 365);
      expect(m).toBeGreaterThan(0);
      expect(m).toBeLessThanOrEqual(365);
      expect(bgcnbdPOrderWithin(params, x, tx, T, m)).toBeCloseTo(bgcnbdPOrderWithin(params, x, tx, T, 365) / 2, 3);
    }
    // A regular buyer 20 days into a 30-day cycle is due in about 10 days, not any day.
    expect(bgcnbdMedianWaitWithin({ ...params, r: 400, alpha: 12_000, k: 10 }, 10, 300, 320, 365)).toBeCloseTo(10, -1);
  });
});

describe('the bgcnbd model type', () => {
  it('fits a training table, saves, loads and predicts the same, and its file names its k', async () => {
    // Three customers' orders (contiguous, in date order) as of day 200: their gaps and the censored last ones.
    const days = [[0, 30, 61, 90, 122, 150, 181], [10, 41, 70, 100], [5, 95]];
    const customerIds = days.flatMap((d, c) => d.map(() => `c${c}`));
    const orderDay = Int32Array.from(days.flat());
    const gapDays = Float64Array.from(days.flatMap((d) => d.map((day, k) => (k + 1 < d.length ? d[k + 1]! - day : 200 - day))));
    const censored = Uint8Array.from(days.flatMap((d) => d.map((_, k) => (k + 1 < d.length ? 0 : 1))));
    const train = { nRows: customerIds.length, customerIds, orderDay, gapDays, censored } as unknown as TrainingTable;
    expect(trainingSummaries(train).x).toEqual(Float64Array.from([6, 3, 1]));
    expect(trainingLogGapSum(train)).toBeCloseTo(Math.log(30) + Math.log(31) + Math.log(29) + Math.log(32) + Math.log(28) + Math.log(31) + Math.log(31) + Math.log(29) + Math.log(30) + Math.log(90), 10);

    const model = new BtydGapModel('bgcnbd');
    await model.fit(train);
    const scoring = { nRows: customerIds.length, customerIds, orderDay, asOfDay: 200, lastRow: Int32Array.from([6, 10, 12]), elapsedDays: Float64Array.from([19, 100, 105]) } as unknown as ScoringTable;
    const prediction = await model.predict(scoring);
    const dir = await mkdtemp(join(tmpdir(), 'bgcnbd-'));
    try {
      await model.save(dir);
      const file = JSON.parse(await readFile(join(dir, 'btyd.json'), 'utf8')) as { model: string; params: { k: number } };
      expect(file.model).toBe('bgcnbd');
      expect(Number.isInteger(file.params.k)).toBe(true);
      const loaded = await BtydGapModel.load('bgcnbd', dir, {});
      expect(await loaded.predict(scoring)).toEqual(prediction);
      expect(await BtydGapModel.withParams('bgcnbd', model.params!).predict(scoring)).toEqual(prediction);
      await expect(BtydGapModel.load('bgnbd', dir, {})).rejects.toThrow(/holds a bgcnbd model, not bgnbd/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    for (const p of prediction.pOrder90d) expect(p).toBeGreaterThanOrEqual(0);
    for (const gap of prediction.predictedGapDays) expect(Number.isFinite(gap)).toBe(true);
  });

  it('takes known parameters, checked as a saved file\'s are', () => {
    expect(() => BtydGapModel.withParams('bgnbd', { r: 0.243, alpha: 4.414 * 7, a: 0.793, b: -1 })).toThrow(/not bgnbd parameters \(params\.b: /);
    expect(() => BtydGapModel.withParams('bgcnbd', { r: 1, alpha: 30, a: 1, b: 5, k: 2.5 })).toThrow(/not bgcnbd parameters \(params\.k: /);
    expect(() => BtydGapModel.withParams('pareto_nbd', { r: 1, alpha: 30, a: 1, b: 5 })).toThrow(/not pareto_nbd parameters \(params\.s: /);
    expect(BtydGapModel.withParams('pareto_nbd', { r: 1, alpha: 30, s: 1, beta: 100 }).params).toEqual({ r: 1, alpha: 30, s: 1, beta: 100 });
  });
});
