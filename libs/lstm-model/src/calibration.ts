import { conditionalKaplanMeier, kaplanMeier, type SurvivalCurve } from '@nextbuy/features';

/**
 * Recalibration of the 90-day probability. The network is trained on orders as they happen
 * (no time elapsed yet) and reaches a customer who has been silent for `elapsed` days only
 * through its log-normal's tail, S(e + 90) / S(e); a single log-normal has no room for customers
 * who stopped buying, so that tail is miscalibrated for long silences. A logistic regression
 * fitted on landmark rows of the training table (each order seen again 0..360 days later,
 * labelled "ordered within 90 days" where the outcome is known) corrects it from four inputs:
 * the network's own probability, log1p(elapsed), the population's answer to the same question
 * (Kaplan-Meier of the training gaps, conditioned on elapsed), so the population's hazard after
 * long silences informs every customer's probability, and the product of the first two, because
 * how far the network's tail can be trusted depends on how long the silence is (on generated
 * data this term lifts auc_90d from about Kaplan-Meier's to 0.006-0.008 above it):
 *   p' = sigmoid(b0 + b1 logit(p) + b2 log1p(elapsed) + b3 logit(p_km(elapsed)) + b4 logit(p) log1p(elapsed)).
 */
export interface Calibration {
  /** b0..b4; artifacts from before the interaction term have b0..b3 only, and are applied as they were fitted. */
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

/** The number of coefficients a calibration fitted now has. */
export const CALIBRATION_TERMS = 5;

/** The regression's inputs, the first `terms` of them (the constant first). */
function inputs(p: number, elapsedDays: number, curve: SurvivalCurve, horizonDays: number, terms = CALIBRATION_TERMS): number[] {
  const logitP = logit(p);
  const logElapsed = Math.log1p(elapsedDays);
  return [1, logitP, logElapsed, logit(conditionalKaplanMeier(curve, elapsedDays, horizonDays).pWithin), logitP * logElapsed].slice(0, terms);
}

/** The recalibrated probabilities of customers with network probabilities `p` after `elapsedDays`. */
export function applyCalibration(calibration: Calibration, p: ArrayLike<number>, elapsedDays: ArrayLike<number>, horizonDays: number): Float64Array {
  const curve = curveOf(calibration.population);
  const b = calibration.coefficients;
  return Float64Array.from({ length: p.length }, (_, i) => {
    const x = inputs(p[i]!, elapsedDays[i]!, curve, horizonDays, b.length);
    for (let k = 1; k < x.length; k++) x[k] = Math.min(calibration.bounds[k - 1]![1], Math.max(calibration.bounds[k - 1]![0], x[k]!));
    return sigmoid(x.reduce((sum, v, k) => sum + v * b[k]!, 0));
  });
}

/** Pull of the coefficients toward the network's probability as it is (b = [0, 1, 0, 0, 0]). */
const RIDGE = 1;
const PRIOR = [0, 1, 0, 0, 0];

/**
 * Penalised maximum-likelihood logistic regression by Newton's method (IRLS: a 5x5 solve per
 * step, no library needed). The ridge toward "leave p as it is" is negligible against thousands
 * of landmark outcomes and keeps small or separable training sets from producing wild slopes.
 */
export function fitCalibration(
  p: ArrayLike<number>,
  elapsedDays: ArrayLike<number>,
  ordered: ArrayLike<number>,
  gaps: { gapDays: ArrayLike<number>; censored: ArrayLike<number> },
  horizonDays: number,
): Calibration {
  const n = p.length;
  if (n === 0) throw new RangeError('fitCalibration: no landmark outcomes to fit on');
  const km = kaplanMeier(gaps.gapDays, gaps.censored);
  const population = { times: Array.from(km.times), survival: Array.from(km.survival) };
  const x = Array.from({ length: n }, (_, i) => inputs(p[i]!, elapsedDays[i]!, km, horizonDays));
  // Start from the network's probability as it is.
  const K = CALIBRATION_TERMS;
  let beta = [...PRIOR];
  for (let iteration = 0; iteration < 50; iteration++) {
    const gradient = beta.map((b, k) => -RIDGE * (b - PRIOR[k]!));
    const hessian = beta.map((_, a) => beta.map((__, b) => (a === b ? RIDGE : 0)));
    for (let i = 0; i < n; i++) {
      const xi = x[i]!;
      const mu = sigmoid(xi.reduce((sum, v, k) => sum + v * beta[k]!, 0));
      const w = mu * (1 - mu);
      for (let a = 0; a < K; a++) {
        gradient[a]! += (ordered[i]! - mu) * xi[a]!;
        for (let b = 0; b < K; b++) hessian[a]![b]! += w * xi[a]! * xi[b]!;
      }
    }
    const step = solve(hessian, gradient);
    beta = beta.map((v, k) => v + step[k]!);
    if (Math.max(...step.map(Math.abs)) < 1e-9) break;
  }
  // Every input but the constant (column 0).
  const bounds = Array.from({ length: K - 1 }, (_, j) => x.reduce<[number, number]>(([low, high], xi) => [Math.min(low, xi[j + 1]!), Math.max(high, xi[j + 1]!)], [Infinity, -Infinity]));
  return { coefficients: beta, population, bounds };
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
