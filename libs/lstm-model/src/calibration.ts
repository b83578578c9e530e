import { conditionalKaplanMeier, kaplanMeier, type SurvivalCurve, yearPhase } from '@nextbuy/features';

/**
 * Recalibration of the 90-day probability. The network is trained on orders as they happen
 * (no time elapsed yet) and reaches a customer who has been silent for `elapsed` days only
 * through its log-normal's tail, S(e + 90) / S(e); a single log-normal has no room for customers
 * who stopped buying, so that tail is miscalibrated for long silences. A logistic regression
 * fitted on landmark rows of the training table (each order seen again 1 to 710 days later,
 * labelled "ordered within 90 days" where the outcome is known) corrects it from four inputs:
 * the network's own probability, log1p(elapsed), the population's answer to the same question
 * (Kaplan-Meier of the training gaps, conditioned on elapsed), so the population's hazard after
 * long silences informs every customer's probability, and the product of the first two, because
 * how far the network's tail can be trusted depends on how long the silence is (on generated
 * data this term lifts auc_90d from about Kaplan-Meier's to 0.006-0.008 above it), and, when the
 * day of each question is given, the season of the 90 days asked about: sin and cos of the day of
 * the year of the landmark (the as-of date for a scored customer; `yearPhase`), as the XGBoost
 * model has them:
 *   p' = sigmoid(b0 + b1 logit(p) + b2 log1p(elapsed) + b3 logit(p_km(elapsed)) + b4 logit(p) log1p(elapsed)
 *                + b5 sin(phase) + b6 cos(phase)).
 */
export interface Calibration {
  /** b0..b6; artifacts from before the season terms have b0..b4 only, from before the interaction term b0..b3, and are applied as they were fitted. */
  coefficients: number[];
  /** The training table's Kaplan-Meier curve, for p_km. */
  population: { times: number[]; survival: number[] };
  /**
   * The range of each input (after the constant) seen in fitting. Inputs are held inside it, so a
   * customer silent far longer than any landmark (or with a probability rounding to 0) gets the
   * edge of what was learned, not an extrapolation of a logistic fit.
   */
  bounds: Array<[number, number]>;
}

const EPSILON = 1e-6;

function logit(p: number): number {
  const q = Math.min(1 - EPSILON, Math.max(EPSILON, p));
  return Math.log(q / (1 - q));
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function curveOf(population: Calibration['population']): SurvivalCurve {
  return { times: Float64Array.from(population.times), survival: Float64Array.from(population.survival) };
}

/** The number of coefficients a calibration fitted now has: with the season terms, and without them (no days given). */
export const CALIBRATION_TERMS = 7;
const TERMS_WITHOUT_SEASON = 5;

/** The regression's inputs, the first `terms` of them (the constant first); `day` (an epoch day) is read only for the season terms. */
function inputs(p: number, elapsedDays: number, curve: SurvivalCurve, horizonDays: number, day: number, terms: number): number[] {
  const logitP = logit(p);
  const logElapsed = Math.log1p(elapsedDays);
  const base = [1, logitP, logElapsed, logit(conditionalKaplanMeier(curve, elapsedDays, horizonDays).pWithin), logitP * logElapsed];
  if (terms <= TERMS_WITHOUT_SEASON) return base.slice(0, terms);
  const phase = yearPhase(day);
  return [...base, Math.sin(phase), Math.cos(phase)];
}

/**
 * The recalibrated probabilities of customers with network probabilities `p` after `elapsedDays`,
 * asked on `days` (epoch days; needed by a calibration with the season terms).
 */
export function applyCalibration(calibration: Calibration, p: ArrayLike<number>, elapsedDays: ArrayLike<number>, horizonDays: number, days?: ArrayLike<number>): Float64Array {
  const curve = curveOf(calibration.population);
  const b = calibration.coefficients;
  if (b.length > TERMS_WITHOUT_SEASON && !days) throw new RangeError('applyCalibration: this calibration has the season terms and needs the day of each question');
  return Float64Array.from({ length: p.length }, (_, i) => {
    const x = inputs(p[i]!, elapsedDays[i]!, curve, horizonDays, days ? days[i]! : Number.NaN, b.length);
    for (let k = 1; k < x.length; k++) x[k] = Math.min(calibration.bounds[k - 1]![1], Math.max(calibration.bounds[k - 1]![0], x[k]!));
    return sigmoid(x.reduce((sum, v, k) => sum + v * b[k]!, 0));
  });
}

/** Pull of the coefficients toward the network's probability as it is (b = [0, 1, 0, ...]). */
const RIDGE = 1;
const PRIOR = [0, 1, 0, 0, 0, 0, 0];

/**
 * The days of waiting each landmark of a sorted grid stands for: those nearer to it than to its
 * neighbours (the two ends reach as far out as toward their one neighbour). A customer is scored
 * on whatever day of their wait the cutoff falls, each day alike; on a geometric grid the first
 * landmarks stand for a day each and the last for hundreds, and unweighted rows would fit the
 * regression to the first week after an order at the expense of the long silences.
 */
export function landmarkSpanDays(days: readonly number[]): number[] {
  if (days.length === 1) return [1];
  return days.map((day, k) => {
    const before = k > 0 ? day - days[k - 1]! : days[k + 1]! - day;
    const after = k < days.length - 1 ? days[k + 1]! - day : day - days[k - 1]!;
    return (before + after) / 2;
  });
}

/**
 * Penalised maximum-likelihood logistic regression by Newton's method (IRLS: a 5x5 solve per
 * step, no library needed), each step halved until the penalised likelihood does not fall (as R's
 * glm.fit does): a full Newton step from rows the network calls certain (p near 1, outcome 0)
 * overshoots, and unguarded steps ran the coefficients out to 1e5 and every answer to 1. The
 * ridge toward "leave p as it is" is negligible against thousands of landmark outcomes and keeps
 * small or separable training sets from producing wild slopes. `weights` (default 1 each) are
 * scaled to sum to the number of rows, so they shift the fit between rows without changing the
 * ridge's strength.
 */
export function fitCalibration(
  p: ArrayLike<number>,
  elapsedDays: ArrayLike<number>,
  ordered: ArrayLike<number>,
  gaps: { gapDays: ArrayLike<number>; censored: ArrayLike<number> },
  horizonDays: number,
  weights?: ArrayLike<number>,
  days?: ArrayLike<number>,
): Calibration {
  const n = p.length;
  if (n === 0) throw new RangeError('fitCalibration: no landmark outcomes to fit on');
  const weight = rowWeights(n, weights);
  const km = kaplanMeier(gaps.gapDays, gaps.censored);
  const population = { times: Array.from(km.times), survival: Array.from(km.survival) };
  if (days && days.length !== n) throw new RangeError(`fitCalibration: ${days.length} days for ${n} landmark outcomes`);
  const K = days ? CALIBRATION_TERMS : TERMS_WITHOUT_SEASON;
  const x = Array.from({ length: n }, (_, i) => inputs(p[i]!, elapsedDays[i]!, km, horizonDays, days ? days[i]! : Number.NaN, K));
  const linear = (xi: number[], beta: number[]) => xi.reduce((sum, v, k) => sum + v * beta[k]!, 0);
  const objective = (beta: number[]) => {
    let value = -0.5 * RIDGE * beta.reduce((sum, b, k) => sum + (b - PRIOR[k]!) ** 2, 0);
    for (let i = 0; i < n; i++) {
      const z = linear(x[i]!, beta);
      value -= weight[i]! * softplus(ordered[i] ? -z : z);
    }
    return value;
  };
  // Start from the network's probability as it is.
  let beta = PRIOR.slice(0, K);
  let current = objective(beta);
  for (let iteration = 0; iteration < 50; iteration++) {
    const gradient = beta.map((b, k) => -RIDGE * (b - PRIOR[k]!));
    const hessian = beta.map((_, a) => beta.map((__, b) => (a === b ? RIDGE : 0)));
    for (let i = 0; i < n; i++) {
      const xi = x[i]!;
      const mu = sigmoid(linear(xi, beta));
      const w = weight[i]! * mu * (1 - mu);
      for (let a = 0; a < K; a++) {
        gradient[a]! += weight[i]! * (ordered[i]! - mu) * xi[a]!;
        for (let b = 0; b < K; b++) hessian[a]![b]! += w * xi[a]! * xi[b]!;
      }
    }
    let step = solve(hessian, gradient);
    let next = beta.map((v, k) => v + step[k]!);
    let value = objective(next);
    for (let halving = 0; halving < 30 && !(value >= current); halving++) {
      step = step.map((s) => s / 2);
      next = beta.map((v, k) => v + step[k]!);
      value = objective(next);
    }
    // Even a step 2^-30 as long lowers the likelihood: beta is the optimum, to rounding.
    if (!(value >= current)) break;
    beta = next;
    current = value;
    if (Math.max(...step.map(Math.abs)) < 1e-9) break;
  }
  // Every input but the constant (column 0).
  const bounds = Array.from({ length: K - 1 }, (_, j) => x.reduce<[number, number]>(([low, high], xi) => [Math.min(low, xi[j + 1]!), Math.max(high, xi[j + 1]!)], [Infinity, -Infinity]));
  return { coefficients: beta, population, bounds };
}

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/** The rows' weights scaled to sum to `n` (1 each when none are given). */
function rowWeights(n: number, weights: ArrayLike<number> | undefined): Float64Array {
  if (!weights) return new Float64Array(n).fill(1);
  if (weights.length !== n) throw new RangeError(`fitCalibration: ${weights.length} weights for ${n} landmark outcomes`);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    if (!(w >= 0 && Number.isFinite(w))) throw new RangeError(`fitCalibration: weight ${i} is ${w}, not a finite number >= 0`);
    total += w;
  }
  if (!(total > 0)) throw new RangeError('fitCalibration: the weights sum to 0');
  return Float64Array.from({ length: n }, (_, i) => (weights[i]! * n) / total);
}

/** Solves A s = g by Gaussian elimination with partial pivoting (A is small and positive definite). */
function solve(a: number[][], g: number[]): number[] {
  const n = g.length;
  const m = a.map((row, i) => [...row, g[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = col + 1; r < n; r++) {
      const f = m[r]![col]! / m[col]![col]!;
      for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  const s = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let v = m[r]![n]!;
    for (let c = r + 1; c < n; c++) v -= m[r]![c]! * s[c]!;
    s[r] = v / m[r]![r]!;
  }
  return s;
}
