const EULER_GAMMA = 0.5772156649015329;

/**
 * c(n) of Liu, Ting and Zhou (2008): the average path length of an unsuccessful search in a
 * binary search tree of n points, which normalises Isolation Forest path lengths.
 */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/** Anomaly score s(x, n) = 2^(-E[h(x)] / c(n)): near 1 is anomalous, below 0.5 is normal. */
export function anomalyScore(meanPathLength: number, sampleSize: number): number {
  return Math.pow(2, -meanPathLength / averagePathLength(sampleSize));
}
