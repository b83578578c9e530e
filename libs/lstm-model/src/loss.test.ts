import { erfc } from '@nextbuy/features';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend';
import { censoredLogNormalLoss, censoredLogNormalLossRows, censoredLogNormalNll } from './loss';

interface Row {
  mu: number;
  logSigma: number;
  gap: number;
  censored: boolean;
}

/** The likelihood by hand, in float64: log-normal density, or survival from features' erfc. */
function handNll({ mu, logSigma, gap, censored }: Row): number {
  const sigma = Math.exp(logSigma);
  const z = (Math.log(gap) - mu) / sigma;
  if (censored) return -Math.log(0.5 * erfc(z / Math.SQRT2));
  return Math.log(gap) + Math.log(sigma) + 0.5 * Math.log(2 * Math.PI) + 0.5 * z * z;
}

function tensors(rows: Row[]) {
  return [
    tf.tensor1d(rows.map((r) => r.mu)),
    tf.tensor1d(rows.map((r) => r.logSigma)),
    tf.tensor1d(rows.map((r) => Math.log(r.gap))),
    tf.tensor1d(rows.map((r) => (r.censored ? 1 : 0)), 'bool'),
  ] as const;
}

/** |actual - expected| within `relative` of the expected magnitude (or absolutely, near 0). */
function expectClose(actual: number, expected: number, relative: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.max(1, Math.abs(expected)));
}

const ROWS: Row[] = [
  { mu: 3, logSigma: 0, gap: 30, censored: false },
  { mu: 3, logSigma: Math.log(0.5), gap: 4, censored: false },
  { mu: 3, logSigma: 0, gap: 30, censored: true },
  // Bound below the median: S > 1/2, the x < 0 branch of log erfc.
  { mu: 4, logSigma: Math.log(0.7), gap: 10, censored: true },
  // Far in the tail: z = 12, where 1 - erf rounds to 0 in float32 and S is ~1e-33.
  { mu: 1, logSigma: Math.log(0.5), gap: Math.exp(7), censored: true },
];

describe('censored log-normal likelihood', () => {
  beforeAll(async () => {
    await selectBackend({ TFJS_BACKEND: 'wasm' });
  });

  it('matches a hand computation for observed and censored rows, far into the tail', () => {
    const nll = censoredLogNormalNll(...tensors(ROWS));
    const values = Array.from(nll.dataSync());
    ROWS.forEach((row, i) => expect(values[i]).toBeCloseTo(handNll(row), 4));
    expect(values[4]).toBeGreaterThan(70);
    const { loss, dMu, dLogSigma } = censoredLogNormalLoss(...tensors(ROWS));
    expect(loss.dataSync()[0]).toBeCloseTo(ROWS.map(handNll).reduce((a, b) => a + b) / ROWS.length, 4);
    tf.dispose([nll, loss, dMu, dLogSigma]);
  });

  it("gives each row's derivatives, also through tf.grads (checked against finite differences)", () => {
    const [mu, logSigma, logGap, censored] = tensors(ROWS);
    const [autoMu, autoSigma] = tf.grads((m: tf.Tensor, s: tf.Tensor) => tf.sum(censoredLogNormalNll(m as tf.Tensor1D, s as tf.Tensor1D, logGap, censored)))([mu, logSigma]);
    const { dMu, dLogSigma } = censoredLogNormalLoss(mu, logSigma, logGap, censored);
    const analytic = [...dMu.dataSync(), ...dLogSigma.dataSync()];
    const automatic = [...autoMu!.dataSync(), ...autoSigma!.dataSync()];
    analytic.forEach((g, i) => expectClose(g, automatic[i]!, 1e-5));
    // Central differences of the float64 hand computation, row by row.
    ROWS.forEach((row, i) => {
      const h = 1e-5;
      const byMu = (handNll({ ...row, mu: row.mu + h }) - handNll({ ...row, mu: row.mu - h })) / (2 * h);
      const bySigma = (handNll({ ...row, logSigma: row.logSigma + h }) - handNll({ ...row, logSigma: row.logSigma - h })) / (2 * h);
      expectClose(analytic[i]!, byMu, 1e-4);
      expectClose(analytic[ROWS.length + i]!, bySigma, 1e-4);
    });
    tf.dispose([mu, logSigma, logGap, censored, autoMu!, autoSigma!, dMu, dLogSigma]);
  });

  it('pushes the predicted median up for every censored row, whatever the bound', () => {
    const rows: Row[] = [0.5, 5, 20, 100, 1000, 1e5].map((gap) => ({ mu: Math.log(20), logSigma: 0, gap, censored: true }));
    const { dMu, loss, dLogSigma } = censoredLogNormalLoss(...tensors(rows));
    const gradient = Array.from(dMu.dataSync());
    // Gradient descent moves mu against dMu, and the median is exp(mu): dMu < 0 means a later median.
    for (const g of gradient) expect(g).toBeLessThan(0);
    // The further the bound beyond the median, the harder the push.
    for (let i = 1; i < gradient.length; i++) expect(gradient[i]!).toBeLessThan(gradient[i - 1]!);
    expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
    tf.dispose([dMu, loss, dLogSigma]);
  });

  it('pulls an observed gap towards the median from either side', () => {
    const rows: Row[] = [5, 80].map((gap) => ({ mu: Math.log(20), logSigma: 0, gap, censored: false }));
    const { dMu, loss, dLogSigma } = censoredLogNormalLoss(...tensors(rows));
    const [early, late] = Array.from(dMu.dataSync());
    expect(early).toBeGreaterThan(0);
    expect(late).toBeLessThan(0);
    tf.dispose([dMu, loss, dLogSigma]);
  });

  it('gives the same loss and derivatives in plain loops (the training step) as in tensor ops', () => {
    const rows: Row[] = [...ROWS, ...[0.5, 5, 20, 100, 1e5].map((gap, i) => ({ mu: 2 + 0.3 * i, logSigma: 0.2 - 0.15 * i, gap, censored: i % 2 === 0 }))];
    const { loss, dMu, dLogSigma } = censoredLogNormalLoss(...tensors(rows));
    const n = rows.length;
    const js = { dMu: new Float32Array(n), dLogSigma: new Float32Array(n) };
    const mean = censoredLogNormalLossRows(
      n,
      Float32Array.from(rows, (r) => r.mu),
      Float32Array.from(rows, (r) => r.logSigma),
      Float32Array.from(rows, (r) => Math.log(r.gap)),
      Uint8Array.from(rows, (r) => (r.censored ? 1 : 0)),
      js.dMu,
      js.dLogSigma,
    );
    expectClose(mean, loss.dataSync()[0]!, 1e-6);
    expect(mean).toBeCloseTo(rows.map(handNll).reduce((a, b) => a + b) / n, 4);
    dMu.dataSync().forEach((g, i) => expectClose(js.dMu[i]!, g, 1e-5));
    dLogSigma.dataSync().forEach((g, i) => expectClose(js.dLogSigma[i]!, g, 1e-5));
    tf.dispose([loss, dMu, dLogSigma]);
  });
});
