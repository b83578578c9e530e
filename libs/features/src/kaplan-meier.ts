/** A right-continuous step function S(t) = P(T > t), as estimated by Kaplan-Meier. */
export interface SurvivalCurve {
  /** Distinct event times, ascending. */
  times: Float64Array;
  /** S just after each event time. */
  survival: Float64Array;
}

/** Kaplan-Meier estimate from durations and right-censoring flags (1 = censored). */
export function kaplanMeier(durations: ArrayLike<number>, censored: ArrayLike<number>): SurvivalCurve {
  const n = durations.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => durations[a]! - durations[b]!);
  const times: number[] = [];
  const survival: number[] = [];
  let atRisk = n;
  let s = 1;
  for (let i = 0; i < n; ) {
    const t = durations[order[i]!]!;
    let events = 0;
    let leaving = 0;
    // Ties: events at t are counted before censorings at t, the usual convention.
    while (i < n && durations[order[i]!] === t) {
      if (!censored[order[i]!]) events++;
      leaving++;
      i++;
    }
    if (events > 0) {
      s *= 1 - events / atRisk;
      times.push(t);
      survival.push(s);
    }
    atRisk -= leaving;
  }
  return { times: Float64Array.from(times), survival: Float64Array.from(survival) };
}

/** S(t) read off a Kaplan-Meier curve. */
export function survivalAt(curve: SurvivalCurve, t: number): number {
  let lo = 0;
  let hi = curve.times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (curve.times[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? 1 : curve.survival[lo - 1]!;
}
