import { describe, expect, it } from 'vitest';
import { normal, seededRandom, uniformMatrix } from '../test/synthetic';
import { DMatrix, train } from './index';

const FAST = { tree_method: 'hist', max_depth: 3, eta: 0.3, nthread: 1 };

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

function meanAbsoluteError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return mean(Array.from(a, (value, i) => Math.abs(value - b[i]!)));
}

function medianError(predictions: ArrayLike<number>, truth: ArrayLike<number>): number {
  const errors = Array.from(predictions, (value, i) => value - truth[i]!).sort((a, b) => a - b);
  return errors[Math.floor(errors.length / 2)]!;
}

describe('objectives', () => {
  it('reg:squarederror recovers a linear signal on held-out rows', () => {
    const random = seededRandom(1);
    const signal = (x: ArrayLike<number>, i: number) => 3 * x[i * 3]! - 2 * x[i * 3 + 1]!;
    const trainX = uniformMatrix(random, 1000, 3);
    const testX = uniformMatrix(random, 300, 3);
    const label = Array.from({ length: 1000 }, (_, i) => signal(trainX.values, i) + 0.05 * normal(random));
    const truth = Array.from({ length: 300 }, (_, i) => signal(testX.values, i));
    const dtrain = new DMatrix(trainX, { label });
    const dtest = new DMatrix(testX);
    const booster = train({ ...FAST, objective: 'reg:squarederror' }, dtrain, 60);
    const predictions = booster.predict(dtest);
    // The signal spans [-2, 3]; a model that learned nothing would be off by about 1 on average.
    expect(meanAbsoluteError(predictions, truth)).toBeLessThan(0.15);
    for (const handle of [booster, dtrain, dtest]) handle.dispose();
  });

  it('reg:absoluteerror ignores outlying labels that pull reg:squarederror off', () => {
    const random = seededRandom(2);
    const x = uniformMatrix(random, 1000, 2);
    const testX = uniformMatrix(random, 300, 2);
    const label = Array.from({ length: 1000 }, (_, i) => 2 * x.values[i * 2]! + (i % 5 === 0 ? 50 : 0));
    const truth = Array.from({ length: 300 }, (_, i) => 2 * testX.values[i * 2]!);
    const data = new DMatrix(x, { label });
    const test = new DMatrix(testX);
    const absolute = train({ ...FAST, objective: 'reg:absoluteerror' }, data, 60);
    const squared = train({ ...FAST, objective: 'reg:squarederror' }, data, 60);
    // Absolute error fits the conditional median, which the outliers leave alone; squared
    // error fits the mean, which they shift by 10.
    expect(Math.abs(medianError(absolute.predict(test), truth))).toBeLessThan(0.3);
    expect(medianError(squared.predict(test), truth)).toBeGreaterThan(5);
    for (const handle of [absolute, squared, data, test]) handle.dispose();
  });

  it('count:poisson predicts positive rates that follow exp of the signal', () => {
    const random = seededRandom(3);
    const x = uniformMatrix(random, 1500, 2);
    const rate = Array.from({ length: 1500 }, (_, i) => Math.exp(0.5 + 1.5 * x.values[i * 2]!));
    // Knuth's Poisson sampler: the rates here are small.
    const label = rate.map((lambda) => {
      let count = -1;
      for (let product = 1; product > Math.exp(-lambda); product *= random()) count += 1;
      return count;
    });
    const data = new DMatrix(x, { label });
    const booster = train({ ...FAST, objective: 'count:poisson', eta: 0.1 }, data, 100);
    const predictions = booster.predict(data);
    expect(Math.min(...predictions)).toBeGreaterThan(0);
    expect(Math.abs(mean(predictions) / mean(label) - 1)).toBeLessThan(0.1);
    expect(meanAbsoluteError(predictions, rate) / mean(rate)).toBeLessThan(0.15);
    for (const handle of [booster, data]) handle.dispose();
  });

  it('survival:aft reads +Infinity upper bounds as censoring: censored rows get longer predicted times', () => {
    const random = seededRandom(4);
    const x = uniformMatrix(random, 800, 2);
    const time = Array.from({ length: 800 }, (_, i) => Math.exp(3 + x.values[i * 2]! + 0.3 * normal(random)));
    // Every other row is only known to last at least half its time.
    const lower = time.map((t, i) => (i % 2 === 0 ? t / 2 : t));
    const censoredUpper = lower.map((t, i) => (i % 2 === 0 ? Number.POSITIVE_INFINITY : t));
    const params = { ...FAST, objective: 'survival:aft', aft_loss_distribution: 'normal', aft_loss_distribution_scale: 0.5, eta: 0.1 };
    const censored = new DMatrix(x, { label_lower_bound: lower, label_upper_bound: censoredUpper });
    const observed = new DMatrix(x, { label_lower_bound: lower, label_upper_bound: lower });
    const censoredModel = train(params, censored, 100);
    const observedModel = train(params, observed, 100);
    const fromCensored = censoredModel.predict(censored);
    const fromObserved = observedModel.predict(observed);
    const evenRows = (values: Float32Array) => values.filter((_, i) => i % 2 === 0);
    expect(mean(evenRows(fromCensored))).toBeGreaterThan(1.3 * mean(evenRows(fromObserved)));
    // The prediction is exp(mu); the margin is mu itself.
    const margin = censoredModel.predict(censored, { output_margin: true });
    margin.forEach((mu, i) => expect(Math.exp(mu)).toBeCloseTo(fromCensored[i]!, 2));
    for (const handle of [censoredModel, observedModel, censored, observed]) handle.dispose();
  });
});

describe('missing values', () => {
  it('treats NaN as missing and learns where missing rows go', () => {
    const random = seededRandom(5);
    const x = uniformMatrix(random, 600, 2);
    const label = Array.from({ length: 600 }, (_, i) => (i % 4 === 0 ? 10 : x.values[i * 2]!));
    for (let i = 0; i < 600; i += 4) x.values[i * 2] = Number.NaN;
    const data = new DMatrix(x, { label });
    const booster = train({ ...FAST, objective: 'reg:squarederror' }, data, 40);
    const predictions = booster.predict(data);
    for (let i = 0; i < 600; i += 4) expect(predictions[i]).toBeCloseTo(10, 0);
    for (const handle of [booster, data]) handle.dispose();
  });

  it('honours another missing marker exactly like NaN', () => {
    const random = seededRandom(6);
    const x = uniformMatrix(random, 300, 2);
    const label = Array.from({ length: 300 }, (_, i) => x.values[i * 2 + 1]! * 3);
    const withNaN = { ...x, values: x.values.map((v, i) => (i % 7 === 0 ? Number.NaN : v)) };
    const withMarker = { ...x, values: withNaN.values.map((v) => (Number.isNaN(v) ? -999 : v)) };
    const nanData = new DMatrix(withNaN, { label });
    const markerData = new DMatrix(withMarker, { label, missing: -999 });
    const fromNaN = train({ ...FAST, objective: 'reg:squarederror' }, nanData, 20);
    const fromMarker = train({ ...FAST, objective: 'reg:squarederror' }, markerData, 20);
    expect(fromMarker.predict(markerData)).toEqual(fromNaN.predict(nanData));
    for (const handle of [fromNaN, fromMarker, nanData, markerData]) handle.dispose();
  });
});
