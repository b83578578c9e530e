import { normalSurvival, normalUpperQuantile } from '@nextbuy/features';

/**
 * The wait W from a landmark (the as-of date, for a scored customer) to the next order, as a
 * log-normal, log W ~ N(mu, sigma), whose location is pinned by the classifier: P(W < h) = p,
 * the probability of an order within the horizon h (90 days). The scale sigma is either one
 * number for all customers, fitted by censored maximum likelihood, or each customer's own from
 * the classifiers of shorter horizons (`waitScale` in gap-model.ts). A wide sigma (about 2 on CDNOW)
 * puts much of the mass years away: the customers who, in effect, never come back.
 */

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** mu of the log-normal wait with P(W < horizonDays) = p. */
export function waitLocation(p: number, sigma: number, horizonDays: number): number {
  return Math.log(horizonDays) + sigma * normalUpperQuantile(p);
}

/**
 * The median wait among customers who order within `returnHorizonDays`: the m with
 * P(W <= m) = P(W <= returnHorizonDays) / 2. Never above the return horizon; when an order
 * within it is as good as impossible, the horizon itself (where the truncated law piles up).
 */
export function medianWaitWithin(mu: number, sigma: number, returnHorizonDays: number): number {
  const within = normalSurvival((mu - Math.log(returnHorizonDays)) / sigma);
  if (!(within > 0)) return returnHorizonDays;
  return Math.min(returnHorizonDays, Math.exp(mu - sigma * normalUpperQuantile(within / 2)));
}

/** log P(Z > z) for a standard normal Z, finite where P itself underflows (Mills ratio series). */
export function logStandardNormalSurvival(z: number): number {
  if (z < 30) return Math.log(normalSurvival(z));
  const inverse = 1 / (z * z);
  return -0.5 * z * z - Math.log(z) - LOG_SQRT_2PI + Math.log(1 - inverse + 3 * inverse * inverse);
}

/** Waits to fit the scale on: the classifier's probability at each landmark, the wait (or its lower bound) and the censoring flag. */
export interface WaitSample {
  probability: ArrayLike<number>;
  waitDays: ArrayLike<number>;
  censored: ArrayLike<number>;
}

/** Mean censored log-likelihood of the sample under the pinned log-normal with scale sigma. */
export function waitLogLikelihood(sample: WaitSample, sigma: number, horizonDays: number): number {
  const n = sample.waitDays.length;
  const logHorizon = Math.log(horizonDays);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const logWait = Math.log(sample.waitDays[i]!);
    const z = (logWait - logHorizon) / sigma - normalUpperQuantile(sample.probability[i]!);
    sum += sample.censored[i] ? logStandardNormalSurvival(z) : -0.5 * z * z - LOG_SQRT_2PI - Math.log(sigma) - logWait;
  }
  return sum / n;
}

const SCALE_RANGE: readonly [number, number] = [0.05, 20];
const GOLDEN = (Math.sqrt(5) - 1) / 2;

/**
 * The scale that maximises `waitLogLikelihood`: golden-section search over log sigma in
 * [0.05, 20] (one parameter: no optimiser library needed). Every wait must be positive.
 */
export function fitWaitScale(sample: WaitSample, horizonDays: number): number {
  if (sample.waitDays.length === 0) throw new RangeError('fitWaitScale: no waits to fit the scale on');
  const objective = (logSigma: number) => -waitLogLikelihood(sample, Math.exp(logSigma), horizonDays);
  let [low, high] = SCALE_RANGE.map(Math.log) as [number, number];
  let left = high - GOLDEN * (high - low);
  let right = low + GOLDEN * (high - low);
  let fLeft = objective(left);
  let fRight = objective(right);
  while (high - low > 1e-6) {
    if (fLeft <= fRight) {
      high = right;
      right = left;
      fRight = fLeft;
      left = high - GOLDEN * (high - low);
      fLeft = objective(left);
    } else {
      low = left;
      left = right;
      fLeft = fRight;
      right = low + GOLDEN * (high - low);
      fRight = objective(right);
    }
  }
  return Math.exp((low + high) / 2);
}
