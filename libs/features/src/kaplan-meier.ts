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

/**
 * Median of T given T > elapsed, and P(T <= elapsed + horizon | T > elapsed), read off a
 * Kaplan-Meier curve. The median is never below `elapsed`.
 *
 * When many never return (customers who stop buying), the curve levels off above S(elapsed) / 2
 * and the conditional median lies beyond its last event time: the data only say "later than
 * anything seen". That case gets twice the last event time, a finite "much later" that keeps
 * the error defined and ranks all such customers as tied for latest. evaluation.md does not
 * spell the case out; its `baseline_km` reference figures on CDNOW (mae 389, c-index 0.595)
 * need such a constant near 690 days, which this rule gives there (test/cdnow.test.ts).
 */
export function conditionalKaplanMeier(curve: SurvivalCurve, elapsed: number, horizon: number): { medianGap: number; pWithin: number } {
  const sElapsed = survivalAt(curve, elapsed);
  const beyondCurve = Math.max(elapsed, 2 * (curve.times[curve.times.length - 1] ?? 0));
  const pWithin = sElapsed > 0 ? 1 - survivalAt(curve, elapsed + horizon) / sElapsed : 0;
  // The first event time after elapsed where S has fallen to half of S(elapsed); the slack keeps
  // an exact half that the product of KM factors rounded up a few ulps counting as reached.
  const half = (sElapsed / 2) * (1 + 1e-12);
  let lo = 0;
  let hi = curve.times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (curve.times[mid]! <= elapsed || curve.survival[mid]! > half) lo = mid + 1;
    else hi = mid;
  }
  return { medianGap: lo < curve.times.length ? curve.times[lo]! : beyondCurve, pWithin };
}
