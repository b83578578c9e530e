import { type BtydFit, fitByMaximumLikelihood, type LikelihoodSpec } from './fit';
import { logAddExp, logSubExp, logTailIntegral } from './special';
import type { CustomerSummaries } from './summary';
import { type PreparedSummaries, prepareSummaries, risingLogs, shiftedLogs } from './prepared';

/** Pareto/NBD parameters (Schmittlein, Morrison and Colombo 1987): purchase rates ~ Gamma(r, alpha), dropout rates ~ Gamma(s, beta). Time in days. */
export type ParetoNbdParams = {
  r: number;
  alpha: number;
  s: number;
  beta: number;
};

/**
 * One customer's likelihood in two parts, as logs (Fader and Hardie's 2005 note, equation (3)):
 * `alive`, the customer still active at T, and `dropped`, dropping out between tx and T:
 * s ∫_tx^T (alpha+y)^-(r+x) (beta+y)^-(s+1) dy, both without the common factor
 * Γ(r+x) alpha^r beta^s / Γ(r).
 */
function likelihoodParts({ r, alpha, s, beta }: ParetoNbdParams, x: number, tx: number, T: number): { alive: number; dropped: number } {
  const alive = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
  if (T === tx) return { alive, dropped: -Infinity };
  const fromTx = logTailIntegral(r + x, s + 1, alpha, beta, tx);
  const fromT = logTailIntegral(r + x, s + 1, alpha, beta, T);
  return { alive, dropped: Math.log(s) + logSubExp(fromTx, fromT) };
}

/** Summed (weighted) log-likelihood of Pareto/NBD. */
export function paretoNbdLogLikelihood(params: ParetoNbdParams, s: CustomerSummaries | PreparedSummaries): number {
  const p = 'tIndex' in s ? s : prepareSummaries(s);
  const { r, alpha, s: shape, beta } = params;
  const gr = risingLogs(r, p.maxX);
  const logAlphaT = shiftedLogs(p.tValues, alpha);
  const logBetaT = shiftedLogs(p.tValues, beta);
  const base = r * Math.log(alpha) + shape * Math.log(beta);
  const logShape = Math.log(shape);
  // log ∫_y^∞ (alpha+u)^-(r+x) (beta+u)^-(s+1) du once per distinct (x, y): far fewer than rows.
  const tails = (pairs: PreparedSummaries['xtPairs']) => Float64Array.from(pairs.x, (x, j) => logTailIntegral(r + x, shape + 1, alpha, beta, pairs.y[j]!));
  const fromT = tails(p.xtPairs);
  const fromTx = tails(p.xtxPairs);
  let total = 0;
  for (let i = 0; i < p.rows; i++) {
    const x = p.x[i]!;
    const ti = p.tIndex[i]!;
    const alive = -(r + x) * logAlphaT[ti]! - shape * logBetaT[ti]!;
    const atT = fromT[p.xtPairs.rowIndex[i]!]!;
    const atTx = fromTx[p.xtxPairs.rowIndex[i]!]!;
    const dropped = p.tValues[ti]! === p.txValues[p.txIndex[i]!]! ? -Infinity : logShape + logSubExp(atTx, atT);
    total += p.weight[i]! * (gr[x]! + base + logAddExp(alive, dropped));
  }
  return total;
}

const PARETO_NBD: LikelihoodSpec<ParetoNbdParams> = { name: 'Pareto/NBD', names: ['r', 'alpha', 's', 'beta'], timeScaled: ['alpha', 'beta'], logLikelihood: paretoNbdLogLikelihood };

/** Pareto/NBD fitted by maximum likelihood on customer summaries (days). */
export function fitParetoNbd(summaries: CustomerSummaries, start?: Partial<ParetoNbdParams>): BtydFit<ParetoNbdParams> {
  return fitByMaximumLikelihood(PARETO_NBD, summaries, start);
}

/** P(still active at T | x, tx, T). */
export function paretoNbdPAlive(params: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { alive, dropped } = likelihoodParts(params, x, tx, T);
  return Math.exp(alive - logAddExp(alive, dropped));
}

/**
 * For a customer active at T, with λ ~ Gamma(r+x, alpha+T) and μ ~ Gamma(s, beta+T) a posteriori,
 * P(an order within w days) = ∫_0^w E[λ e^-λτ] E[e^-μτ] dτ = (r+x) A^(r+x) B^s ∫_0^w (A+τ)^-(r+x+1) (B+τ)^-s dτ
 * with A = alpha+T, B = beta+T. `logTail(w)` is the log of that integral from w to infinity.
 */
function activeWaits({ r, alpha, s, beta }: ParetoNbdParams, x: number, T: number) {
  const A = alpha + T;
  const B = beta + T;
  const p = r + x + 1;
  const logScale = Math.log(r + x) + (r + x) * Math.log(A) + s * Math.log(B);
  return {
    logTail: (w: number) => logTailIntegral(p, s, A, B, w),
    logDensity: (w: number) => -p * Math.log(A + w) - s * Math.log(B + w),
    logScale,
    /** The exponent of the tail's leading power law in A + w. */
    power: p + s - 1,
    A,
  };
}

/** P(at least one order in the t days after T | x, tx, T). */
export function paretoNbdPOrderWithin(params: ParetoNbdParams, x: number, tx: number, T: number, t: number): number {
  const waits = activeWaits(params, x, T);
  const within = Math.exp(waits.logScale + logSubExp(waits.logTail(0), waits.logTail(t)));
  return paretoNbdPAlive(params, x, tx, T) * Math.min(1, within);
}

/**
 * The median wait after T among customers who order within `horizon` days: the w where the tail
 * integral is halfway between its values at 0 and at the horizon (P(alive) and the scale cancel).
 * Newton's method on the log tail, which is smooth and decreasing, started from the power law that
 * leads it and kept inside the bracket [0, horizon] by bisection.
 */
export function paretoNbdMedianWaitWithin(params: ParetoNbdParams, x: number, T: number, horizon: number): number {
  const waits = activeWaits(params, x, T);
  const target = logAddExp(waits.logTail(0), waits.logTail(horizon)) - Math.LN2;
  const { A, power } = waits;
  const guess = A * Math.expm1(-Math.log((1 + Math.pow(A / (A + horizon), power)) / 2) / power);
  let lo = 0;
  let hi = horizon;
  let w = Math.min(hi, Math.max(lo, Number.isFinite(guess) ? guess : horizon / 2));
  for (let iteration = 0; iteration < 60; iteration++) {
    const g = waits.logTail(w) - target;
    if (g > 0) lo = w;
    else hi = w;
    // d/dw log tail(w) = -density(w) / tail(w)
    const slope = -Math.exp(waits.logDensity(w) - waits.logTail(w));
    let next = w - g / slope;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - w) <= 1e-9 * (1 + w) || hi - lo <= 1e-9 * (1 + w)) return next;
    w = next;
  }
  return w;
}
