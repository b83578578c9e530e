import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bgnbdExpectedOrders, bgnbdPAlive, fitBgNbd } from '../src/bgnbd';
import { fitParetoNbd, paretoNbdPAlive } from '../src/pareto-nbd';
import type { CustomerSummaries } from '../src/summary';

/**
 * The 1/10 CDNOW sample of Fader, Hardie and Lee (2005), summarised per customer in weeks over a
 * 39-week calibration period (data/cdnow/cdnow_sample_summary.csv, from the `lifetimes` repository).
 */
function sample(): CustomerSummaries {
  const path = fileURLToPath(new URL('../../../data/cdnow/cdnow_sample_summary.csv', import.meta.url));
  const rows = readFileSync(path, 'utf8').trim().split('\n').slice(1).map((line) => line.split(',').map(Number));
  return {
    x: Float64Array.from(rows, (r) => r[1]!),
    tx: Float64Array.from(rows, (r) => r[2]!),
    T: Float64Array.from(rows, (r) => r[3]!),
    weight: new Float64Array(rows.length).fill(1),
  };
}

describe('BG/NBD on the published CDNOW sample', () => {
  const fit = fitBgNbd(sample());

  it('finds the paper\'s parameters to 3 decimals and its log-likelihood', () => {
    // Fader, Hardie and Lee (2005), "Counting your customers the easy way", section 5.
    expect(fit.customers).toBe(2357);
    expect(fit.params.r).toBeCloseTo(0.243, 3);
    expect(fit.params.alpha).toBeCloseTo(4.414, 3);
    expect(fit.params.a).toBeCloseTo(0.793, 3);
    expect(fit.params.b).toBeCloseTo(2.426, 3);
    expect(fit.logLikelihood).toBeCloseTo(-9582.4, 1);
  });

  it('gives the worked example\'s conditional expectation and P(alive)', () => {
    // The paper's customer with x = 2, t_x = 30.43, T = 38.86: 1.226 purchases in the next 39 weeks, P(alive) 0.727.
    expect(bgnbdExpectedOrders(fit.params, 2, 30.43, 38.86, 39)).toBeCloseTo(1.226, 3);
    expect(bgnbdPAlive(fit.params, 2, 30.43, 38.86)).toBeCloseTo(0.727, 3);
  });

  it('reaches the same optimum from far-apart starting points', () => {
    for (const start of [{ r: 10, alpha: 0.01, a: 5, b: 0.1 }, { r: 0.01, alpha: 300, a: 0.05, b: 40 }]) {
      const other = fitBgNbd(sample(), start);
      expect(other.logLikelihood).toBeCloseTo(fit.logLikelihood, 3);
      expect(other.params.r).toBeCloseTo(fit.params.r, 3);
      expect(other.params.b).toBeCloseTo(fit.params.b, 2);
    }
  });

  it('is the same fit in days as in weeks, the time unit scaling alpha only', () => {
    const weeks = sample();
    const days = { ...weeks, tx: weeks.tx.map((v) => v * 7), T: weeks.T.map((v) => v * 7) };
    const inDays = fitBgNbd(days);
    expect(inDays.params.alpha / 7).toBeCloseTo(fit.params.alpha, 2);
    expect(inDays.params.r).toBeCloseTo(fit.params.r, 3);
    // Densities of event times pick up a 1/7 per repeat purchase.
    let repeats = 0;
    for (const x of weeks.x) repeats += x;
    expect(inDays.logLikelihood + repeats * Math.log(7)).toBeCloseTo(fit.logLikelihood, 2);
  });
});

describe('Pareto/NBD on the published CDNOW sample', () => {
  it('finds the published parameters and log-likelihood', () => {
    const fit = fitParetoNbd(sample());
    // Fader, Hardie and Lee (2005) report r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669 for this
    // sample (also asserted by lifetimes' test_params_out_is_close_to_Hardie_paper, to 2 decimals); R's
    // BTYD walkthrough gets 0.5534, 10.5802, 0.6061, 11.6562 with log-likelihood -9594.98. The
    // likelihood is flat along beta: the published fits differ by 0.013 there, so 2 decimals.
    expect(fit.params.r).toBeCloseTo(0.553, 2);
    expect(fit.params.alpha).toBeCloseTo(10.578, 1);
    expect(fit.params.s).toBeCloseTo(0.606, 2);
    expect(fit.params.beta).toBeCloseTo(11.669, 1);
    expect(Math.abs(fit.params.beta - 11.669)).toBeLessThan(0.02);
    expect(Math.abs(fit.params.alpha - 10.578)).toBeLessThan(0.01);
    expect(fit.logLikelihood).toBeCloseTo(-9594.98, 1);
  });

  it('gives the BTYD walkthrough\'s P(alive) for its customer 1516', () => {
    // BTYD-walkthrough (R package BTYD), section 2: x = 26, t_x = 30.86, T = 31 at its parameters: 0.9979.
    expect(paretoNbdPAlive({ r: 0.5534, alpha: 10.5802, s: 0.6061, beta: 11.6562 }, 26, 30.86, 31)).toBeCloseTo(0.9979, 4);
  });
});
