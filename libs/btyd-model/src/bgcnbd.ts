import { type BtydFit, fitByMaximumLikelihood, type LikelihoodSpec } from './fit';
import { type PreparedSummaries, prepareSummaries, risingLogs, shiftedLogs } from './prepared';
import { logAddExp } from './special';
import type { CustomerSummaries } from './summary';

/**
 * BG/CNBD-k (Reutterer, Platzer and Schröder 2021, "Leveraging purchase regularity for predicting
 * customer behavior the easy way"; BTYDplus's `bgcnbd`): BG/NBD with Erlang-k gaps between
 * purchases instead of exponential ones. While active, customer i's gaps are Gamma(shape k,
 * rate k lambda_i), of mean 1 / lambda_i and coefficient of variation 1 / sqrt(k); lambda ~
 * Gamma(r, alpha) across customers (so r / alpha is the mean purchase rate, as in BG/NBD); after
 * each repeat purchase the customer leaves for good with probability p ~ Beta(a, b). k = 1 is
 * BG/NBD. The regular buyer (consumables bought on a cycle) is due near their usual gap and
 * unlikely just after an order, which a Poisson model cannot say. Time in days.
 *
 * Written here because no JavaScript package has it (BTYDplus is R). With mu = k lambda ~
 * Gamma(r, alpha / k), a customer's likelihood after integrating mu and p is, with x repeat
 * purchases, their gaps t_1..t_x (summing to tx), u = T - tx and alpha' = alpha / k:
 *   Π t_i^(k-1) / Γ(k)^x · alpha'^r / Γ(r) · [ B(a, b+x)/B(a, b) Σ_{j<k} u^j / j! Γ(r+kx+j) / (alpha'+T)^(r+kx+j)
 *                                              + [x > 0] B(a+1, b+x-1)/B(a, b) Γ(r+kx) / (alpha'+tx)^(r+kx) ]
 * (the first term: still active, no purchase for u days, the Erlang survival; the second: left
 * after the last purchase). The gaps enter only through Σ log t_i, which does not depend on
 * (r, alpha, a, b): the four are fitted on (x, tx, T) for each k, and k is the one of the highest
 * likelihood with that term added (`fitBgCnbd`).
 */
export type BgCnbdParams = {
  r: number;
  alpha: number;
  a: number;
  b: number;
  /** Erlang shape of the gaps: a whole number from 1 (BG/NBD) to MAX_REGULARITY. */
  k: number;
};

/** The largest k tried: gaps with a coefficient of variation of 0.32 (1 / sqrt(10)). */
export const MAX_REGULARITY = 10;

/** Σ_{j<m} log j: log (m-1)!, for Γ(k) with k whole. */
function logFactorial(m: number): number {
  let sum = 0;
  for (let j = 2; j <= m; j++) sum += Math.log(j);
  return sum;
}

/**
 * The log of the still-active term of a customer's likelihood, at `u` days after their last
 * purchase: Σ_{j<k} u^j / j! Γ(r+kx+j)/Γ(r) / (alpha/k + T)^(r+kx+j), the Erlang wait surviving u
 * days (`logShiftedT` = log(alpha/k + T), `rising` = log Γ(r+m)/Γ(r) for m up to kx + k - 1).
 * The likelihood takes it at T, a prediction at T and at T + w.
 */
function logActiveTerm(r: number, k: number, x: number, u: number, logShiftedT: number, rising: Float64Array): number {
  let sum = -Infinity;
  let logTerm = 0; // log(u^j / j!)
  for (let j = 0; j < k; j++) {
    if (j > 0) logTerm += Math.log(u) - Math.log(j);
    if (logTerm === -Infinity) break;
    sum = logAddExp(sum, logTerm + rising[k * x + j]! - (r + k * x + j) * logShiftedT);
  }
  return sum;
}

/** The log of the dropped-out term (left after the last of x > 0 purchases; `logShiftedTx` = log(alpha/k + tx)). */
function logDroppedTerm({ r, a, b, k }: BgCnbdParams, x: number, logShiftedTx: number, rising: Float64Array): number {
  if (x === 0) return -Infinity;
  return Math.log(a) - Math.log(b + x - 1) + rising[k * x]! - (r + k * x) * logShiftedTx;
}

/**
 * The summed (weighted) log-likelihood of BG/CNBD-k at a fixed k over (x, tx, T), without the
 * gaps' own term Σ (k - 1) log t_i, which `fitBgCnbd` adds. The logs of alpha/k + T and + tx
 * are taken once per distinct value, as BG/NBD's are.
 */
export function bgcnbdLogLikelihoodWithoutGaps(params: BgCnbdParams, s: CustomerSummaries | PreparedSummaries): number {
  const p = 'tIndex' in s ? s : prepareSummaries(s);
  const { r, a, b, k } = params;
  const alphaK = params.alpha / k;
  const gr = risingLogs(r, p.maxX * k + k);
  const gb = risingLogs(b, p.maxX);
  const gab = risingLogs(a + b, p.maxX);
  const logT = shiftedLogs(p.tValues, alphaK);
  const logTx = shiftedLogs(p.txValues, alphaK);
  const logGammaK = logFactorial(k - 1);
  let total = 0;
  for (let i = 0; i < p.rows; i++) {
    const x = p.x[i]!;
    const u = p.tValues[p.tIndex[i]!]! - p.txValues[p.txIndex[i]!]!;
    const alive = logActiveTerm(r, k, x, u, logT[p.tIndex[i]!]!, gr);
    const dropped = logDroppedTerm(params, x, logTx[p.txIndex[i]!]!, gr);
    const constant = r * Math.log(alphaK) - x * logGammaK + gb[x]! - gab[x]!;
    total += p.weight[i]! * (constant + logAddExp(alive, dropped));
  }
  return total;
}

function spec(k: number): LikelihoodSpec<Omit<BgCnbdParams, 'k'>> {
  return {
    name: 'BG/CNBD-k',
    names: ['r', 'alpha', 'a', 'b'],
    timeScaled: ['alpha'],
    logLikelihood: (params, s) => bgcnbdLogLikelihoodWithoutGaps({ ...params, k }, s),
  };
}

/** What `fitBgCnbd` reports besides the fit: the log-likelihood (gaps' term included) at every k tried. */
export interface BgCnbdFit extends BtydFit<BgCnbdParams> {
  logLikelihoodByK: number[];
}

/**
 * BG/CNBD-k fitted by maximum likelihood: (r, alpha, a, b) for each k from 1 to `maxK`, and the k
 * of the highest likelihood, the gaps' term Σ (k - 1) log t_i included (`logGapSum`, the summed
 * (weighted) log of every customer's gaps between orders, in days; `trainingLogGapSum`), from
 * `start` (BG/NBD's fit, say; all ones by default). The likelihoods of different k are densities
 * of the same gaps, so they compare as they are.
 */
export function fitBgCnbd(summaries: CustomerSummaries, logGapSum: number, maxK = MAX_REGULARITY, start?: Partial<Omit<BgCnbdParams, 'k'>>): BgCnbdFit {
  let best: BgCnbdFit | undefined;
  const byK: number[] = [];
  for (let k = 1; k <= maxK; k++) {
    const fit = fitByMaximumLikelihood(spec(k), summaries, start);
    const logLikelihood = fit.logLikelihood + (k - 1) * logGapSum;
    byK.push(logLikelihood);
    if (!best || logLikelihood > best.logLikelihood) best = { ...fit, params: { ...fit.params, k }, logLikelihood, logLikelihoodByK: byK };
    // The likelihood rises to its best k and falls after it (on every base of the zoo): the first
    // k below the best ends the search, so Poisson data costs two fits, not ten.
    if (k > best.params.k) break;
    start = fit.params;
  }
  return { ...best!, logLikelihoodByK: byK };
}

/**
 * One customer's P(at least one order in the w days after T), as a function of w: an active
 * customer's next purchase falls in (T, T + w] when their Erlang wait survives to T and not to
 * T + w, so it is (active term at T - active term at T + w) / (active term + dropped term), both
 * at T. What does not depend on w (the rising factorials, both terms at T) is computed once.
 */
function orderWithin(params: BgCnbdParams, x: number, tx: number, T: number): { pAlive: number; within: (w: number) => number } {
  const { r, k } = params;
  const alphaK = params.alpha / k;
  const rising = risingLogs(r, k * x + k);
  const active = (w: number) => logActiveTerm(r, k, x, T - tx + w, Math.log(alphaK + T + w), rising);
  const now = active(0);
  const pAlive = Math.exp(now - logAddExp(now, logDroppedTerm(params, x, Math.log(alphaK + tx), rising)));
  return { pAlive, within: (w) => Math.max(0, pAlive * -Math.expm1(Math.min(0, active(w) - now))) };
}

/** The w with within(w) = within(horizon) / 2, by bisection (the Erlang survival has no closed-form inverse), to a hundredth of a day. */
function medianWait(within: (w: number) => number, horizon: number): number {
  const target = within(horizon) / 2;
  if (!(target > 0)) return horizon;
  let low = 0;
  let high = horizon;
  while (high - low > 0.01) {
    const mid = (low + high) / 2;
    if (within(mid) < target) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** P(still active at T | x, tx, T). */
export function bgcnbdPAlive(params: BgCnbdParams, x: number, tx: number, T: number): number {
  return orderWithin(params, x, tx, T).pAlive;
}

/** P(at least one order in the t days after T | x, tx, T). */
export function bgcnbdPOrderWithin(params: BgCnbdParams, x: number, tx: number, T: number, t: number): number {
  return orderWithin(params, x, tx, T).within(t);
}

/** The median wait after T among customers who order within `horizon` days: the w with P(order within w) = P(order within horizon) / 2. */
export function bgcnbdMedianWaitWithin(params: BgCnbdParams, x: number, tx: number, T: number, horizon: number): number {
  return medianWait(orderWithin(params, x, tx, T).within, horizon);
}

/**
 * Every customer's P(an order within t days) and median wait among those who order within
 * `horizon`, each customer's fixed parts computed once for both (what `predict` and the inner
 * cutoff's choice use, as `paretoNbdScoreMany` for Pareto/NBD).
 */
export function bgcnbdScoreMany(params: BgCnbdParams, x: ArrayLike<number>, tx: ArrayLike<number>, T: ArrayLike<number>, t: number, horizon: number): { pOrderWithin: Float64Array; medianWait: Float64Array } {
  const pOrderWithin = new Float64Array(x.length);
  const waits = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const { within } = orderWithin(params, x[i]!, tx[i]!, T[i]!);
    pOrderWithin[i] = within(t);
    waits[i] = medianWait(within, horizon);
  }
  return { pOrderWithin, medianWait: waits };
}
