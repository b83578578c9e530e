import * as tf from '@tensorflow/tfjs';

/**
 * The censored log-normal likelihood the LSTM is trained with: log T ~ N(mu, sigma), with
 * sigma = exp(logSigma). An observed gap t contributes -log f(t), a censored one (the next order
 * not seen before the as-of date, so all we know is T > t) contributes -log S(t).
 *
 * S(t) = erfc(z / sqrt 2) / 2 with z = (log t - mu) / sigma. tfjs has erf but no erfc, and
 * 1 - erf(x) is no substitute: in float32 it rounds to 0 once x > ~3.9 (z > ~5.5), so a
 * customer whose censoring bound lies far in the predicted tail would get log 0 = -Infinity and
 * NaN gradients. Instead we take the log of Numerical Recipes' erfc fit (relative error < 1.2e-7,
 * the same fit as @nextbuy/features' `erfc`, so training and lognormalConditional agree on the
 * tail). For x >= 0 it reads erfc(x) = t exp(-x^2 + P(t)) with t = 1 / (1 + x/2) and P a
 * degree-9 polynomial, so log erfc(x) = log t - x^2 + P(t) is computed in log space and never
 * underflows; for x < 0, erfc(x) = 2 - erfc(-x) lies in [1, 2] and its log is harmless.
 */
const ERFC_POLYNOMIAL = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
const [C0, ...POWER_COEFFICIENTS] = ERFC_POLYNOMIAL as [number, ...number[]];
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const LOG_SQRT_2_OVER_PI = 0.5 * Math.log(2 / Math.PI);

// The loss runs on every training step over a small batch, where each tfjs op costs a few
// microseconds whatever its size: the formulas below are arranged for few ops (constants folded,
// the polynomial as one matMul of its coefficients with the powers of t from a cumulative product).

/** Per-row intermediates shared by the loss and its gradient. */
interface Terms {
  z: tf.Tensor1D;
  invSigma: tf.Tensor1D;
  /** x^2 - C0, with x = z / sqrt 2 (x^2 = z^2 / 2). */
  shiftedSquare: tf.Tensor1D;
  /** log erfc(x). */
  logErfc: tf.Tensor1D;
  /** log t + P(t) - C0 = log erfc(|x|) + x^2 - C0: the part of log erfc that stays small in the tail. */
  scaled: tf.Tensor1D;
  positive: tf.Tensor1D;
}

function terms(mu: tf.Tensor1D, logSigma: tf.Tensor1D, logGap: tf.Tensor1D): Terms {
  const invSigma = tf.exp(tf.neg(logSigma));
  const z = tf.mul(tf.sub(logGap, mu), invSigma);
  const a = tf.mul(tf.abs(z), Math.SQRT1_2);
  const shiftedSquare = tf.sub(tf.square(a), C0);
  const t = tf.div(2, tf.add(a, 2));
  const powers = tf.cumprod(tf.stack(POWER_COEFFICIENTS.map(() => t)), 0);
  const polynomial = tf.reshape(tf.matMul(tf.tensor2d(POWER_COEFFICIENTS, [1, POWER_COEFFICIENTS.length]), powers), [-1]);
  const scaled = tf.add(tf.log(t), polynomial);
  const upper = tf.sub(scaled, shiftedSquare);
  const positive = tf.greaterEqual(z, 0);
  const logErfc = tf.where(positive, upper, tf.log(tf.sub(2, tf.exp(upper))));
  return { z, invSigma, shiftedSquare, logErfc, scaled, positive } as Terms;
}

interface RowsAndDerivatives {
  nll: tf.Tensor1D;
  dMu: tf.Tensor1D;
  dLogSigma: tf.Tensor1D;
}

/**
 * Each row's negative log-likelihood and its derivatives, derived by hand: d/dz of -log f is z,
 * of -log S the hazard f(z)/S(z) = sqrt(2/pi) exp(-x^2 - log erfc x); z = (log t - mu) / sigma.
 */
function rowsAndDerivatives(mu: tf.Tensor, logSigma: tf.Tensor, logGap: tf.Tensor1D, censored: tf.Tensor1D): RowsAndDerivatives {
  const { z, invSigma, shiftedSquare, logErfc, scaled, positive } = terms(mu as tf.Tensor1D, logSigma as tf.Tensor1D, logGap);
  const negLogDensity = tf.add(tf.add(logGap, logSigma), tf.add(shiftedSquare, HALF_LOG_2PI + C0));
  const nll = tf.where(censored, tf.sub(Math.LN2, logErfc), negLogDensity) as tf.Tensor1D;
  // log hazard; for x >= 0 the exponent -x^2 - log erfc x is -scaled - C0 exactly, which avoids
  // cancelling two large x^2 terms in float32.
  const logHazard = tf.where(positive, tf.sub(LOG_SQRT_2_OVER_PI - C0, scaled), tf.sub(tf.sub(LOG_SQRT_2_OVER_PI - C0, shiftedSquare), logErfc));
  const dz = tf.where(censored, tf.exp(logHazard), z);
  const dMu = tf.neg(tf.mul(dz, invSigma)) as tf.Tensor1D;
  // By logSigma: 1 - z^2 observed (the log sigma term, then dz/dlogSigma = -z), -z * hazard censored.
  const dLogSigma = tf.sub(tf.cast(tf.logicalNot(censored), 'float32'), tf.mul(z, dz)) as tf.Tensor1D;
  return { nll, dMu, dLogSigma };
}

/**
 * Negative log-likelihood of each row: -log f(gap) (the log-normal density of T, constants
 * included) when observed, -log S(gap) when censored. `logGap` is log of the gap or of its
 * lower bound; `censored` is a bool tensor. Differentiable in mu and logSigma (the gradient is
 * the hand-derived one: tfjs has no gradient for the cumulative product inside).
 */
export function censoredLogNormalNll(mu: tf.Tensor1D, logSigma: tf.Tensor1D, logGap: tf.Tensor1D, censored: tf.Tensor1D): tf.Tensor1D {
  const nll = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [m, s, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const { nll, dMu, dLogSigma } = rowsAndDerivatives(m, s, logGap, censored);
    save([dMu, dLogSigma]);
    return { value: nll, gradFunc: (dy: tf.Tensor, [dm, ds]: tf.Tensor[]) => [tf.mul(dy, dm!), tf.mul(dy, ds!)] };
  });
  return nll(mu, logSigma) as tf.Tensor1D;
}

export interface LossAndGradient {
  /** Mean negative log-likelihood over the rows. */
  loss: tf.Scalar;
  /** Per row, the derivative of that row's negative log-likelihood by its mu (divide by the row count for the mean's). */
  dMu: tf.Tensor1D;
  /** Per row, the derivative by its logSigma. */
  dLogSigma: tf.Tensor1D;
}

/** The mean of censoredLogNormalNll and each row's derivatives, in one pass for the training step. */
export function censoredLogNormalLoss(mu: tf.Tensor1D, logSigma: tf.Tensor1D, logGap: tf.Tensor1D, censored: tf.Tensor1D): LossAndGradient {
  return tf.tidy(() => {
    const { nll, dMu, dLogSigma } = rowsAndDerivatives(mu, logSigma, logGap, censored);
    return { loss: tf.mean(nll) as tf.Scalar, dMu, dLogSigma };
  });
}

/**
 * The same loss and derivatives as censoredLogNormalLoss, for the training step's rows
 * `0..n - 1`, in plain float64 loops: per row it is a few dozen flops, and as tensor ops it was
 * about thirty dispatches per batch, most of a small batch's time. Writes each row's
 * derivatives into `dMu` and `dLogSigma` and returns the mean loss. (A test checks both agree.)
 */
export function censoredLogNormalLossRows(
  n: number,
  mu: Float32Array,
  logSigma: Float32Array,
  logGap: Float32Array,
  censored: Uint8Array,
  dMu: Float32Array,
  dLogSigma: Float32Array,
): number {
  let total = 0;
  for (let b = 0; b < n; b++) {
    const invSigma = Math.exp(-logSigma[b]!);
    const z = (logGap[b]! - mu[b]!) * invSigma;
    const a = Math.abs(z) * Math.SQRT1_2;
    const shiftedSquare = a * a - C0;
    const t = 2 / (a + 2);
    let polynomial = 0;
    for (let k = POWER_COEFFICIENTS.length - 1; k >= 0; k--) polynomial = (polynomial + POWER_COEFFICIENTS[k]!) * t;
    const scaled = Math.log(t) + polynomial;
    let dz: number;
    if (censored[b]) {
      const upper = scaled - shiftedSquare;
      const logErfc = z >= 0 ? upper : Math.log(2 - Math.exp(upper));
      total += Math.LN2 - logErfc;
      dz = Math.exp(z >= 0 ? LOG_SQRT_2_OVER_PI - C0 - scaled : LOG_SQRT_2_OVER_PI - C0 - shiftedSquare - logErfc);
      dLogSigma[b] = -z * dz;
    } else {
      total += logGap[b]! + logSigma[b]! + shiftedSquare + HALF_LOG_2PI + C0;
      dz = z;
      dLogSigma[b] = 1 - z * dz;
    }
    dMu[b] = -dz * invSigma;
  }
  return total / n;
}
