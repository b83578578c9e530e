import { hyp2f1, logAddExp } from './special';
import type { CustomerSummaries } from './summary';
import { type PreparedSummaries, prepareSummaries, risingLogs, shiftedLogs } from './prepared';
import { type BtydFit, fitByMaximumLikelihood, type LikelihoodSpec } from './fit';

/** BG/NBD parameters (Fader, Hardie and Lee 2005): purchase rates ~ Gamma(r, alpha), dropout after each purchase with p ~ Beta(a, b). Time in days. */
export type BgNbdParams = {
  r: number;
  alpha: number;
  a: number;
  b: number;
};

/** Summed (weighted) log-likelihood of BG/NBD, equation (6) of the paper, in log space. */
export function bgnbdLogLikelihood(params: BgNbdParams, s: CustomerSummaries | PreparedSummaries): number {
  const p = 'tIndex' in s ? s : prepareSummaries(s);
  const { r, alpha, a, b } = params;
  const gr = risingLogs(r, p.maxX);
  const gb = risingLogs(b, p.maxX);
  const gab = risingLogs(a + b, p.maxX);
  const logT = shiftedLogs(p.tValues, alpha);
  const logTx = shiftedLogs(p.txValues, alpha);
  const constant = new Float64Array(p.maxX + 1);
  const dropWeight = new Float64Array(p.maxX + 1).fill(-Infinity);
  for (let x = 0; x <= p.maxX; x++) {
    constant[x] = gr[x]! + gb[x]! - gab[x]! + r * Math.log(alpha);
    if (x > 0) dropWeight[x] = Math.log(a) - Math.log(b + x - 1);
  }
  let total = 0;
  for (let i = 0; i < p.rows; i++) {
    const x = p.x[i]!;
    const alive = -(r + x) * logT[p.tIndex[i]!]!;
    const dropped = dropWeight[x]! - (r + x) * logTx[p.txIndex[i]!]!;
    total += p.weight[i]! * (constant[x]! + logAddExp(alive, dropped));
  }
  return total;
}

const BGNBD: LikelihoodSpec<BgNbdParams> = { name: 'BG/NBD', names: ['r', 'alpha', 'a', 'b'], timeScaled: ['alpha'], logLikelihood: bgnbdLogLikelihood };

/** BG/NBD fitted by maximum likelihood on customer summaries (days). */
export function fitBgNbd(summaries: CustomerSummaries, start?: Partial<BgNbdParams>): BtydFit<BgNbdParams> {
  return fitByMaximumLikelihood(BGNBD, summaries, start);
}

/** P(still active at T | x, tx, T): 1 for customers without a repeat order (BG/NBD drops out only after a purchase). */
export function bgnbdPAlive({ r, alpha, a, b }: BgNbdParams, x: number, tx: number, T: number): number {
  if (x === 0) return 1;
  const logOdds = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return 1 / (1 + Math.exp(logOdds));
}

/**
 * P(no order in t days | active at T) = E[e^(-λt)] over λ's posterior Gamma(r + x, alpha + T),
 * as log; the posterior of an active customer's rate does not depend on p.
 */
function logQuietIfActive(r: number, alpha: number, x: number, T: number, t: number): number {
  return -(r + x) * Math.log1p(t / (alpha + T));
}

/** P(at least one order in the t days after T | x, tx, T). */
export function bgnbdPOrderWithin(params: BgNbdParams, x: number, tx: number, T: number, t: number): number {
  return bgnbdPAlive(params, x, tx, T) * -Math.expm1(logQuietIfActive(params.r, params.alpha, x, T, t));
}

/**
 * The median wait after T among customers who order within `horizon` days: w with
 * F(w) = F(horizon) / 2, F(w) = P(alive) (1 - q(w)), q(w) = ((alpha+T)/(alpha+T+w))^(r+x);
 * P(alive) cancels, so w = (alpha+T) ((1 + q(horizon)) / 2)^(-1/(r+x)) - (alpha+T), in closed form.
 */
export function bgnbdMedianWaitWithin({ r, alpha }: BgNbdParams, x: number, T: number, horizon: number): number {
  const logQ = logQuietIfActive(r, alpha, x, T, horizon);
  const logHalfway = Math.log1p(Math.expm1(logQ) / 2);
  return Math.min(horizon, (alpha + T) * Math.expm1(-logHalfway / (r + x)));
}

/**
 * Expected orders in the t days after T (the paper's equation (10)):
 * (a+b+x-1)/(a-1) [1 - q 2F1(r+x, b+x; a+b+x-1; z)] P(alive), q = (1-z)^(r+x), z = t/(alpha+T+t).
 * The 2F1 is summed in whichever of its two forms has the smaller upper parameters: as written,
 * or through Euler's transformation, (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z) for q 2F1, which
 * keeps the series short for busy customers (large x) unless a itself is large.
 */
export function bgnbdExpectedOrders({ r, alpha, a, b }: BgNbdParams, x: number, tx: number, T: number, t: number): number {
  // a = 1 is a removable singularity of (a+b+x-1)/(a-1) [1 - ...]: step off it.
  const aa = Math.abs(a - 1) < 1e-7 ? 1 + 1e-7 : a;
  const z = t / (alpha + T + t);
  const c = aa + b + x - 1;
  const euler = Math.abs((aa + b - 1 - r) * (aa - 1)) < (r + x) * (b + x);
  const tail = euler
    ? Math.exp((aa - 1) * Math.log1p(-z)) * hyp2f1(aa + b - 1 - r, aa - 1, c, z)
    : Math.exp((r + x) * Math.log1p(-z)) * hyp2f1(r + x, b + x, c, z);
  const unconditional = (c / (aa - 1)) * (1 - tail);
  return Math.max(0, unconditional * bgnbdPAlive({ r, alpha, a: aa, b }, x, tx, T));
}
