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
/** log of the `alive` part for a customer with x repeat orders observed for T days. */
function logAlive({ r, alpha, s, beta }: ParetoNbdParams, x: number, T: number): number {
  return -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
}

function likelihoodParts(params: ParetoNbdParams, x: number, tx: number, T: number): { alive: number; dropped: number } {
  const { r, alpha, s, beta } = params;
  const alive = logAlive(params, x, T);
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
  return orderWithin(params, waits, waits.logTail(0), x, tx, T, t);
}

function orderWithin(params: ParetoNbdParams, waits: ReturnType<typeof activeWaits>, logTail0: number, x: number, tx: number, T: number, t: number): number {
  return paretoNbdPAlive(params, x, tx, T) * activeOrderWithin(waits, logTail0, t);
}

/** P(an order within t days | active at T): the probability a still-active customer orders, before P(alive). */
function activeOrderWithin(waits: ReturnType<typeof activeWaits>, logTail0: number, t: number): number {
  return Math.min(1, Math.exp(waits.logScale + logSubExp(logTail0, waits.logTail(t))));
}

/**
 * The median wait after T among customers who order within `horizon` days: the w where the tail
 * integral is halfway between its values at 0 and at the horizon (P(alive) and the scale cancel).
 * Newton's method on the log tail, which is smooth and decreasing, started from the power law that
 * leads it and kept inside the bracket [0, horizon] by bisection, to a millionth of a day.
 */
export function paretoNbdMedianWaitWithin(params: ParetoNbdParams, x: number, T: number, horizon: number): number {
  const waits = activeWaits(params, x, T);
  return medianWait(waits, waits.logTail(0), horizon);
}

function medianWait(waits: ReturnType<typeof activeWaits>, logTail0: number, horizon: number): number {
  const target = logAddExp(logTail0, waits.logTail(horizon)) - Math.LN2;
  const { A, power } = waits;
  const guess = A * Math.expm1(-Math.log((1 + Math.pow(A / (A + horizon), power)) / 2) / power);
  let lo = 0;
  let hi = horizon;
  let w = Math.min(hi, Math.max(lo, Number.isFinite(guess) ? guess : horizon / 2));
  for (let iteration = 0; iteration < 60; iteration++) {
    const logTail = waits.logTail(w);
    const g = logTail - target;
    if (g > 0) lo = w;
    else hi = w;
    // d/dw log tail(w) = -density(w) / tail(w)
    const slope = -Math.exp(waits.logDensity(w) - logTail);
    let next = w - g / slope;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - w) <= 1e-6 || hi - lo <= 1e-6) return next;
    w = next;
  }
  return w;
}

/** `p_order_90d`-style probability within `t` days and the median wait within `horizon`, sharing their work. */
export function paretoNbdScore(params: ParetoNbdParams, x: number, tx: number, T: number, t: number, horizon: number): { pOrderWithin: number; medianWait: number } {
  const waits = activeWaits(params, x, T);
  const logTail0 = waits.logTail(0);
  return { pOrderWithin: orderWithin(params, waits, logTail0, x, tx, T, t), medianWait: medianWait(waits, logTail0, horizon) };
}

/** Every customer's P(alive), P(an order within `t` days) and median wait within `horizon`, aligned with the inputs. */
export interface ParetoNbdScores {
  pAlive: Float64Array;
  pOrderWithin: Float64Array;
  medianWait: Float64Array;
}

/**
 * A key for a customer's (x, day) that stays a small integer (a V8 Smi, hashed fast): orders fall
 * on whole days, so a customer base repeats the same (x, T) and (x, tx) many times (CDNOW's 23,502
 * customers as of its last day have 1,434 distinct (x, T) and 3,688 distinct (x, tx)). -1 for
 * values that do not fit (fractional days, over 2^16 days, over 2^14 repeat orders): not cached.
 */
function dayKey(x: number, day: number): number {
  return Number.isInteger(day) && day >= 0 && day < 65536 && Number.isInteger(x) && x >= 0 && x < 16384 ? x * 65536 + day : -1;
}

/** What a customer's (x, T) alone decides: the log-likelihood of being alive at T, the dropout tail from T, and the active customer's chance of an order within t days and median wait. */
interface AtT {
  alive: number;
  dropTail: number;
  within: number;
  median: number;
}

/**
 * `paretoNbdPAlive` and `paretoNbdScore` for many customers at once, with the same results to the
 * last bit. Each customer costs about nine tail integrals alone (two for P(alive), two for the
 * chance of an order, the rest for the median's Newton steps); here what depends on (x, T) or
 * (x, tx) only is computed once per distinct pair, the way the likelihood is.
 */
export function paretoNbdScoreMany(params: ParetoNbdParams, x: ArrayLike<number>, tx: ArrayLike<number>, T: ArrayLike<number>, t: number, horizon: number): ParetoNbdScores {
  const n = x.length;
  const out: ParetoNbdScores = { pAlive: new Float64Array(n), pOrderWithin: new Float64Array(n), medianWait: new Float64Array(n) };
  const { r, alpha, s, beta } = params;
  const logS = Math.log(s);
  const atT = new Map<number, AtT>();
  const dropTails = new Map<number, number>();
  const computeAtT = (xi: number, Ti: number): AtT => {
    const waits = activeWaits(params, xi, Ti);
    const logTail0 = waits.logTail(0);
    return {
      alive: logAlive(params, xi, Ti),
      dropTail: logTailIntegral(r + xi, s + 1, alpha, beta, Ti),
      within: activeOrderWithin(waits, logTail0, t),
      median: medianWait(waits, logTail0, horizon),
    };
  };
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    const txi = tx[i]!;
    const Ti = T[i]!;
    const keyT = dayKey(xi, Ti);
    let c = keyT < 0 ? undefined : atT.get(keyT);
    if (c === undefined) {
      c = computeAtT(xi, Ti);
      if (keyT >= 0) atT.set(keyT, c);
    }
    let dropped = -Infinity;
    if (Ti !== txi) {
      const keyTx = dayKey(xi, txi);
      let fromTx = keyTx < 0 ? undefined : dropTails.get(keyTx);
      if (fromTx === undefined) {
        fromTx = logTailIntegral(r + xi, s + 1, alpha, beta, txi);
        if (keyTx >= 0) dropTails.set(keyTx, fromTx);
      }
      dropped = logS + logSubExp(fromTx, c.dropTail);
    }
    const pAlive = Math.exp(c.alive - logAddExp(c.alive, dropped));
    out.pAlive[i] = pAlive;
    out.pOrderWithin[i] = pAlive * c.within;
    out.medianWait[i] = c.median;
  }
  return out;
}
