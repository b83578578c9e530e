/** A source of uniform numbers on [0, 1). */
export type Rng = () => number;

/**
 * A small seeded generator (mulberry32) so generated data sets are identical on every machine
 * and Node version; Math.random cannot be seeded.
 */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The seed of an independent sub-stream (`stream`) of `seed` (murmur3's finaliser), so that, for
 * example, each customer's purchase times can be replayed without replaying everything else.
 */
export function deriveSeed(seed: number, stream: number): number {
  let h = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Standard normal (Box-Muller, one of the pair: keeps the generator stateless). */
export function sampleNormal(rng: Rng): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Exponential with mean 1. */
export function sampleExponential(rng: Rng): number {
  return -Math.log(1 - rng());
}

/** Gamma(shape, scale), mean shape * scale (Marsaglia & Tsang 2000; shape < 1 by boosting). */
export function sampleGamma(rng: Rng, shape: number, scale: number): number {
  if (shape < 1) return sampleGamma(rng, shape + 1, scale) * Math.pow(1 - rng(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = sampleNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng();
    if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
  }
}

/** Beta(a, b) as a ratio of gammas. */
export function sampleBeta(rng: Rng, a: number, b: number): number {
  const x = sampleGamma(rng, a, 1);
  return x / (x + sampleGamma(rng, b, 1));
}

/**
 * Poisson(mean): Knuth's product of uniforms below 30, a rounded normal above (the counts it
 * draws, basket lines, need the right mean and spread, not exact tails).
 */
export function samplePoisson(rng: Rng, mean: number): number {
  if (mean <= 0) return 0;
  if (mean >= 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * sampleNormal(rng)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng();
  while (p > limit) {
    k++;
    p *= rng();
  }
  return k;
}

/** Failures before the first success, success probability p. */
export function sampleGeometric(rng: Rng, p: number): number {
  return Math.floor(Math.log(1 - rng()) / Math.log(1 - p));
}

/** Index i with probability proportional to weight i, from cumulative weights (binary search). */
export function sampleCumulative(rng: Rng, cumulative: Float64Array): number {
  const target = rng() * cumulative[cumulative.length - 1]!;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid]! > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Running sums of weights, for sampleCumulative. */
export function cumulativeWeights(weights: ArrayLike<number>): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) out[i] = sum += weights[i]!;
  return out;
}

/** Fisher-Yates shuffle of `items` in place. */
export function shuffle<T extends { length: number; [i: number]: number }>(items: T, rng: Rng): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}
