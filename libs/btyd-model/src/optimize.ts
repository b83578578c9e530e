export interface Minimum {
  x: number[];
  value: number;
  evaluations: number;
}

export interface NelderMeadOptions {
  /** Size of the first simplex's steps along each axis. */
  step?: number;
  maxEvaluations?: number;
  /** Stop when the simplex's values differ by less than this, relative to the best... */
  tolerance?: number;
  /** ...and every vertex is this close to the best along every axis. */
  xTolerance?: number;
  /** Restarts from the best point: each polishes a collapsed simplex until the value stops improving. */
  restarts?: number;
}

/**
 * Nelder-Mead minimisation (Nelder and Mead 1965; the adaptive-free textbook coefficients 1, 2,
 * 0.5, 0.5), restarted from the best point until a restart no longer improves it, as lifetimes'
 * `iterative_fitting` does. Written here because the npm registry's optimisers are unmaintained
 * (fmin 0.0.4, numeric 1.2.6, both last released years ago) and four parameters need no more; the
 * BTYD likelihoods are smooth in log-parameters, and the tests check the optimum against the
 * published figures from several starting points. Non-finite values count as +Infinity.
 */
export function nelderMead(f: (x: readonly number[]) => number, start: readonly number[], options: NelderMeadOptions = {}): Minimum {
  const { step = 0.5, maxEvaluations = 20_000, tolerance = 1e-10, xTolerance = 1e-7, restarts = 4 } = options;
  let evaluations = 0;
  const value = (x: number[]): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  let best: Minimum = { x: [...start], value: value([...start]), evaluations: 0 };
  for (let round = 0; round <= restarts && evaluations < maxEvaluations; round++) {
    const next = simplexSearch(value, best.x, best.value, step / (round + 1), tolerance, xTolerance, maxEvaluations - evaluations, () => evaluations);
    const improved = best.value - next.value > tolerance * (Math.abs(best.value) + tolerance);
    best = next.value <= best.value ? next : best;
    if (!improved && round > 0) break;
  }
  return { ...best, evaluations };
}

function simplexSearch(
  value: (x: number[]) => number,
  start: number[],
  startValue: number,
  step: number,
  tolerance: number,
  xTolerance: number,
  budget: number,
  spent: () => number,
): Minimum {
  const n = start.length;
  const limit = spent() + budget;
  const points: number[][] = [start];
  const values: number[] = [startValue];
  for (let i = 0; i < n; i++) {
    const p = [...start];
    p[i]! += step;
    points.push(p);
    values.push(value(p));
  }
  const along = (from: number[], to: number[], t: number) => from.map((v, i) => v + t * (to[i]! - v));
  while (spent() < limit) {
    const order = values.map((_, i) => i).sort((i, j) => values[i]! - values[j]!);
    const [bestIndex, worstIndex, secondIndex] = [order[0]!, order[n]!, order[n - 1]!];
    const spread = values[worstIndex]! - values[bestIndex]!;
    const bestPoint = points[bestIndex]!;
    const size = Math.max(...points.map((p) => Math.max(...p.map((v, d) => Math.abs(v - bestPoint[d]!)))));
    if (spread <= tolerance * (Math.abs(values[bestIndex]!) + tolerance) && size <= xTolerance) break;
    const centroid = new Array<number>(n).fill(0);
    for (const i of order.slice(0, n)) for (let d = 0; d < n; d++) centroid[d]! += points[i]![d]! / n;
    const worst = points[worstIndex]!;
    const reflected = along(centroid, worst, -1);
    const fr = value(reflected);
    if (fr < values[bestIndex]!) {
      const expanded = along(centroid, worst, -2);
      const fe = value(expanded);
      [points[worstIndex], values[worstIndex]] = fe < fr ? [expanded, fe] : [reflected, fr];
    } else if (fr < values[secondIndex]!) {
      [points[worstIndex], values[worstIndex]] = [reflected, fr];
    } else {
      const contracted = fr < values[worstIndex]! ? along(centroid, reflected, 0.5) : along(centroid, worst, 0.5);
      const fc = value(contracted);
      if (fc < Math.min(fr, values[worstIndex]!)) {
        [points[worstIndex], values[worstIndex]] = [contracted, fc];
      } else {
        for (let i = 0; i <= n; i++) {
          if (i === bestIndex) continue;
          points[i] = along(bestPoint, points[i]!, 0.5);
          values[i] = value(points[i]!);
        }
      }
    }
  }
  let b = 0;
  for (let i = 1; i <= n; i++) if (values[i]! < values[b]!) b = i;
  return { x: points[b]!, value: values[b]!, evaluations: 0 };
}

/**
 * BFGS (Nocedal and Wright, algorithm 6.1) with central-difference gradients and a backtracking
 * Armijo line search, for smooth objectives of a few parameters: it needs a few dozen gradients
 * where Nelder-Mead needs hundreds of values. Hand-written for the reason given at `nelderMead`.
 * Stops when the gradient's largest component is below `gradientTolerance` times 1 + |f|: central
 * differences of a sum over many customers carry rounding noise of about 1e-11 |f| / step.
 */
export function bfgs(f: (x: readonly number[]) => number, start: readonly number[], options: { maxIterations?: number; gradientTolerance?: number; step?: number } = {}): Minimum & { converged: boolean } {
  const { maxIterations = 200, gradientTolerance = 1e-9, step = 1e-4 } = options;
  const n = start.length;
  let evaluations = 0;
  const value = (x: readonly number[]): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  const gradient = (x: readonly number[]): number[] | undefined => {
    const g = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const up = [...x];
      const down = [...x];
      up[i]! += step;
      down[i]! -= step;
      g[i] = (value(up) - value(down)) / (2 * step);
      if (!Number.isFinite(g[i]!)) return undefined;
    }
    return g;
  };
  let x = [...start];
  let fx = value(x);
  let g = gradient(x);
  if (!g || !Number.isFinite(fx)) return { x, value: fx, evaluations, converged: false };
  // H approximates the inverse Hessian: to start, a multiple of the identity that makes the first step unit length.
  const norm = Math.sqrt(g.reduce((sum, v) => sum + v * v, 0));
  let H: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 / Math.max(1, norm) : 0)));
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (Math.max(...g.map(Math.abs)) < gradientTolerance * (1 + Math.abs(fx))) return { x, value: fx, evaluations, converged: true };
    let direction = H.map((row) => -row.reduce((sum, h, j) => sum + h * g![j]!, 0));
    let slope = direction.reduce((sum, d, i) => sum + d * g![i]!, 0);
    if (!(slope < 0)) {
      // Not a descent direction: restart from steepest descent.
      const scale = 1 / Math.max(1, Math.sqrt(g.reduce((sum, v) => sum + v * v, 0)));
      H = H.map((row, i) => row.map((_, j) => (i === j ? scale : 0)));
      direction = g.map((v) => -v * scale);
      slope = -scale * g.reduce((sum, v) => sum + v * v, 0);
    }
    let t = 1;
    let next = x.map((v, i) => v + t * direction[i]!);
    let fNext = value(next);
    while (!(fNext <= fx + 1e-4 * t * slope) && t > 1e-12) {
      t *= 0.5;
      next = x.map((v, i) => v + t * direction[i]!);
      fNext = value(next);
    }
    if (!(fNext <= fx)) return { x, value: fx, evaluations, converged: false };
    const gNext = gradient(next);
    if (!gNext) return { x, value: fx, evaluations, converged: false };
    const s = next.map((v, i) => v - x[i]!);
    const y = gNext.map((v, i) => v - g![i]!);
    const sy = s.reduce((sum, v, i) => sum + v * y[i]!, 0);
    if (sy > 1e-12) {
      // Before the first update, rescale the identity to the curvature just seen (Nocedal and Wright, eq. 6.20).
      if (iteration === 0) {
        const yy = y.reduce((sum, v) => sum + v * v, 0);
        H = H.map((row, i) => row.map((_, j) => (i === j ? sy / yy : 0)));
      }
      const rho = 1 / sy;
      const Hy = H.map((row) => row.reduce((sum, h, j) => sum + h * y[j]!, 0));
      const yHy = y.reduce((sum, v, i) => sum + v * Hy[i]!, 0);
      H = H.map((row, i) => row.map((h, j) => h - rho * (Hy[i]! * s[j]! + s[i]! * Hy[j]!) + (rho * rho * yHy + rho) * s[i]! * s[j]!));
    }
    x = next;
    fx = fNext;
    g = gNext;
  }
  return { x, value: fx, evaluations, converged: false };
}
