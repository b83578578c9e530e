/**
 * The log-normal gap distribution shared by every model that predicts one (the XGBoost model's
 * wait pinned to its 90-day probability, the censored-likelihood LSTM): log T ~ N(mu, sigma).
 * From it come the two quantities evaluation.md asks for, conditioned on `elapsed` days
 * without an order.
 */

const SQRT1_2 = Math.SQRT1_2;

/**
 * erfc(x) with relative error below 1.2e-7 everywhere (Numerical Recipes' Chebyshev fit);
 * computing the upper tail directly keeps survival probabilities accurate far into the tail,
 * where 1 - cdf would round to 0.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** P(Z > z) for a standard normal Z. */
export function normalSurvival(z: number): number {
  return 0.5 * erfc(z * SQRT1_2);
}

/**
 * The standard normal quantile for an upper-tail probability q: z with P(Z > z) = q.
 * Acklam's rational approximation, then one Halley step against normalSurvival.
 */
export function normalUpperQuantile(q: number): number {
  if (!(q > 0)) return Infinity;
  if (q >= 1) return -Infinity;
  const p = 1 - q;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (q < low) {
    // Upper tail, computed from q itself so tiny q keeps its precision.
    const r = Math.sqrt(-2 * Math.log(q));
    x = -(((((c[0]! * r + c[1]!) * r + c[2]!) * r + c[3]!) * r + c[4]!) * r + c[5]!) / ((((d[0]! * r + d[1]!) * r + d[2]!) * r + d[3]!) * r + 1);
  } else if (p < low) {
    const r = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * r + c[1]!) * r + c[2]!) * r + c[3]!) * r + c[4]!) * r + c[5]!) / ((((d[0]! * r + d[1]!) * r + d[2]!) * r + d[3]!) * r + 1);
  } else {
    const r0 = p - 0.5;
    const r = r0 * r0;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * r0) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  }
  const e = normalSurvival(x) - q;
  const u = -e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** P(T > t) for log T ~ N(mu, sigma). */
export function survivalOfLognormal(t: number, mu: number, sigma: number): number {
  if (t <= 0) return 1;
  return normalSurvival((Math.log(t) - mu) / sigma);
}

/**
 * Median of T given T > elapsed, and P(T <= elapsed + horizon | T > elapsed), for
 * log T ~ N(mu, sigma). The median is never below `elapsed`.
 */
export function lognormalConditional(mu: number, sigma: number, elapsed: number, horizon: number): { medianGap: number; pWithin: number } {
  const zElapsed = elapsed > 0 ? (Math.log(elapsed) - mu) / sigma : -Infinity;
  const sElapsed = normalSurvival(zElapsed);
  if (sElapsed <= 0) {
    // Far beyond anything the distribution expects: the return is as good as never.
    return { medianGap: Math.max(elapsed, Math.exp(mu)), pWithin: 0 };
  }
  const medianGap = Math.max(elapsed, Math.exp(mu + sigma * normalUpperQuantile(sElapsed / 2)));
  const sLater = survivalOfLognormal(elapsed + horizon, mu, sigma);
  return { medianGap, pWithin: Math.min(1, Math.max(0, 1 - sLater / sElapsed)) };
}

/**
 * Like `lognormalConditional`, but the gap predicted is the median among customers who order
 * within `returnHorizon` days after the as-of date: the t in (elapsed, elapsed + returnHorizon]
 * with S(t) halfway between S(elapsed) and S(elapsed + returnHorizon). Customers who in effect
 * never return (most of the mass years away) then get the typical wait of those who do, rather
 * than a median years out that no returning customer resembles (evaluation.md: separating
 * whether from when).
 */
export function lognormalConditionalWithin(mu: number, sigma: number, elapsed: number, horizon: number, returnHorizon: number): { medianGap: number; pWithin: number } {
  const { pWithin } = lognormalConditional(mu, sigma, elapsed, horizon);
  const sElapsed = survivalOfLognormal(elapsed, mu, sigma);
  const sEnd = survivalOfLognormal(elapsed + returnHorizon, mu, sigma);
  if (!(sElapsed - sEnd > 0)) return { medianGap: elapsed + returnHorizon, pWithin };
  const medianGap = Math.exp(mu + sigma * normalUpperQuantile((sElapsed + sEnd) / 2));
  return { medianGap: Math.min(elapsed + returnHorizon, Math.max(elapsed, medianGap)), pWithin };
}
