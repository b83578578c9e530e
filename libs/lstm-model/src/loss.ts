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
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** Per-row intermediates shared by the loss and its gradient. */
interface Terms {
  z: tf.Tensor1D;
  invSigma: tf.Tensor1D;
  /** x^2 = z^2 / 2, x = z / sqrt 2. */
  xSquared: tf.Tensor1D;
  /** -log S(t) of every row, as if it were censored. */
  negLogSurvival: tf.Tensor1D;
  /** log of the hazard ratio f(z) / S(z) for a standard normal, less log sqrt(2/pi). */
  logHazard: tf.Tensor1D;
}

function terms(mu: tf.Tensor1D, logSigma: tf.Tensor1D, logGap: tf.Tensor1D): Terms {
  const invSigma = tf.exp(tf.neg(logSigma));
  const z = tf.mul(tf.sub(logGap, mu), invSigma);
  const a = tf.mul(tf.abs(z), Math.SQRT1_2);
  const xSquared = tf.square(a);
  const t = tf.div(2, tf.add(a, 2));
  // P(t) as one matMul of the coefficients with the stacked powers t^1..t^9: a multiply per power
  // and no scalar adds, which cost more than a same-shape op on wasm; this runs on every step.
  const powers: tf.Tensor[] = [t];
  for (let k = 2; k < ERFC_POLYNOMIAL.length; k++) powers.push(tf.mul(powers[powers.length - 1]!, t));
  const weighted = tf.matMul(tf.tensor2d(ERFC_POLYNOMIAL.slice(1), [1, ERFC_POLYNOMIAL.length - 1]), tf.stack(powers));
  // log(erfc(|x|)) + x^2: the part of log erfc that stays small in the tail.
  const scaled = tf.add(tf.add(tf.log(t), tf.reshape(weighted, [-1])), ERFC_POLYNOMIAL[0]!);
  const upper = tf.sub(scaled, xSquared);
  const positive = tf.greaterEqual(z, 0);
  const logErfc = tf.where(positive, upper, tf.log(tf.sub(2, tf.exp(upper))));
  const negLogSurvival = tf.sub(Math.LN2, logErfc) as tf.Tensor1D;
  // f(z)/S(z) = sqrt(2/pi) exp(-x^2 - log erfc(x)); for x >= 0 the exponent is -scaled exactly,
  // which avoids cancelling two large x^2 terms in float32.
  const logHazard = tf.where(positive, tf.neg(scaled), tf.sub(tf.neg(xSquared), logErfc)) as tf.Tensor1D;
  return { z: z as tf.Tensor1D, invSigma: invSigma as tf.Tensor1D, xSquared: xSquared as tf.Tensor1D, negLogSurvival, logHazard };
}

/**
 * Negative log-likelihood of each row: -log f(gap) (the log-normal density of T, constants
 * included) when observed, -log S(gap) when censored. `logGap` is log of the gap or of its
 * lower bound; `censored` is a bool tensor.
 */
export function censoredLogNormalNll(mu: tf.Tensor1D, logSigma: tf.Tensor1D, logGap: tf.Tensor1D, censored: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const { xSquared, negLogSurvival } = terms(mu, logSigma, logGap);
    const negLogDensity = tf.add(tf.add(logGap, logSigma), tf.add(xSquared, HALF_LOG_2PI));
    return tf.where(censored, negLogSurvival, negLogDensity) as tf.Tensor1D;
  });
}

export interface LossAndGradient {
  /** Mean negative log-likelihood over the rows. */
  loss: tf.Scalar;
  dMu: tf.Tensor1D;
  dLogSigma: tf.Tensor1D;
}

/**
 * The mean of censoredLogNormalNll and its gradient with respect to mu and logSigma, derived by
 * hand (d/dz of -log f is z, of -log S the hazard f(z)/S(z)) so one pass serves the training
 * step: autodiff through the erfc fit would double the ops of every step.
 */
export function censoredLogNormalLoss(mu: tf.Tensor1D, logSigma: tf.Tensor1D, logGap: tf.Tensor1D, censored: tf.Tensor1D): LossAndGradient {
  return tf.tidy(() => {
    const { z, invSigma, xSquared, negLogSurvival, logHazard } = terms(mu, logSigma, logGap);
    const negLogDensity = tf.add(tf.add(logGap, logSigma), tf.add(xSquared, HALF_LOG_2PI));
    const loss = tf.mean(tf.where(censored, negLogSurvival, negLogDensity)) as tf.Scalar;
    const scale = 1 / mu.size;
    // dNll/dz: z when observed, the hazard when censored; z = (log t - mu) / sigma.
    const dz = tf.where(censored, tf.mul(tf.exp(logHazard), SQRT_2_OVER_PI), z);
    const dMu = tf.mul(tf.mul(dz, invSigma), -scale) as tf.Tensor1D;
    // d/dlogSigma: 1 - z^2 observed (the log sigma term, then dz/dlogSigma = -z), -z * hazard censored.
    const dLogSigma = tf.mul(tf.sub(tf.logicalNot(censored).toFloat(), tf.mul(z, dz)), scale) as tf.Tensor1D;
    return { loss, dMu, dLogSigma };
  });
}
