/**
 * The backtest metrics of evaluation.md. Each returns null when it is undefined for the data
 * (no returned customer, no comparable pair, a single class).
 */

function assertSameLength(name: string, ...arrays: ArrayLike<number>[]): void {
  const n = arrays[0]!.length;
  if (arrays.some((a) => a.length !== n)) throw new RangeError(`${name}: inputs differ in length (${arrays.map((a) => a.length).join(', ')})`);
}

function assertFinite(name: string, what: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) throw new RangeError(`${name}: ${what}[${i}] is ${values[i]}, not a finite number`);
  }
}

/** Mean absolute error of the predicted gaps over the rows with `returned = 1`. */
export function maeDays(predictedGapDays: ArrayLike<number>, actualGapDays: ArrayLike<number>, returned: ArrayLike<number>): number | null {
  assertSameLength('maeDays', predictedGapDays, actualGapDays, returned);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < returned.length; i++) {
    if (!returned[i]) continue;
    sum += Math.abs(predictedGapDays[i]! - actualGapDays[i]!);
    count++;
  }
  return count > 0 ? sum / count : null;
}

/** Fenwick tree of counts over prediction ranks: O(log n) insert and prefix count. */
class RankCounts {
  private readonly tree: Float64Array;
  total = 0;
  constructor(size: number) {
    this.tree = new Float64Array(size + 1);
  }
  add(rank: number): void {
    for (let i = rank + 1; i < this.tree.length; i += i & -i) this.tree[i]!++;
    this.total++;
  }
  /** How many inserted ranks are below `rank`. */
  countBelow(rank: number): number {
    let sum = 0;
    for (let i = rank; i > 0; i -= i & -i) sum += this.tree[i]!;
    return sum;
  }
}

/**
 * Dense ranks 0..k-1 of `values` (equal values share a rank), the number of ranks, and the
 * indices in ascending order of value (equal values in index order). Not a comparator sort of the
 * indices: a native numeric sort of the values, a binary search for each rank and a counting sort
 * by rank take a tenth of its time, and bench:quality bootstraps these metrics hundreds of times
 * over 50,000 customers. The values must be finite.
 */
function rankOrder(values: ArrayLike<number>): { ranks: Int32Array; count: number; order: Int32Array } {
  const n = values.length;
  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) sorted[i] = values[i]!;
  sorted.sort();
  let count = 0;
  // Distinct values, in place (-0 and 0 are one value, as === has them).
  for (let i = 0; i < n; i++) if (count === 0 || sorted[i] !== sorted[count - 1]) sorted[count++] = sorted[i]!;
  const ranks = new Int32Array(n);
  const starts = new Int32Array(count + 1);
  for (let i = 0; i < n; i++) {
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < values[i]!) lo = mid + 1;
      else hi = mid;
    }
    ranks[i] = lo;
    starts[lo + 1]!++;
  }
  for (let r = 0; r < count; r++) starts[r + 1]! += starts[r]!;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[starts[ranks[i]!]!++] = i;
  return { ranks, count, order };
}

/**
 * Harrell's concordance of predicted times with right-censored observed times, with the
 * conventions of lifelines' `concordance_index`: a pair is comparable when the earlier time is
 * an event, or when the times are equal and exactly one is an event (the censored one outlived
 * it); it is concordant when the earlier one has the smaller prediction; tied predictions count
 * one half. O(n log n): a sweep from the latest time down, counting the predictions of everyone
 * still at risk in a Fenwick tree, instead of visiting the n^2 pairs.
 */
export function concordanceIndex(predicted: ArrayLike<number>, times: ArrayLike<number>, observed: ArrayLike<number>): number | null {
  assertSameLength('concordanceIndex', predicted, times, observed);
  assertFinite('concordanceIndex', 'predicted', predicted);
  assertFinite('concordanceIndex', 'times', times);
  const n = times.length;
  const { ranks, count } = rankOrder(predicted);
  const byTimeDescending = rankOrder(times).order.reverse();
  const atRisk = new RankCounts(count);
  let pairs = 0;
  let concordant = 0;
  let tied = 0;
  for (let g = 0; g < n; ) {
    let groupEnd = g;
    while (groupEnd < n && times[byTimeDescending[groupEnd]!] === times[byTimeDescending[g]!]) groupEnd++;
    const group = byTimeDescending.subarray(g, groupEnd);
    // Censored at t outlived the events at t: they join the comparison set first.
    for (const i of group) if (!observed[i]) atRisk.add(ranks[i]!);
    for (const i of group) {
      if (!observed[i]) continue;
      const below = atRisk.countBelow(ranks[i]!);
      const equal = atRisk.countBelow(ranks[i]! + 1) - below;
      pairs += atRisk.total;
      concordant += atRisk.total - below - equal;
      tied += equal;
    }
    for (const i of group) if (observed[i]) atRisk.add(ranks[i]!);
    g = groupEnd;
  }
  return pairs > 0 ? (concordant + tied / 2) / pairs : null;
}

/**
 * Area under the ROC curve of `scores` for the binary `labels` (Mann-Whitney U with midranks,
 * so tied scores count one half).
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  assertSameLength('auc', scores, labels);
  assertFinite('auc', 'scores', scores);
  const n = scores.length;
  const { order } = rankOrder(scores);
  let positives = 0;
  let positiveRankSum = 0;
  for (let g = 0; g < n; ) {
    let groupEnd = g;
    while (groupEnd < n && scores[order[groupEnd]!] === scores[order[g]!]) groupEnd++;
    const midrank = (g + 1 + groupEnd) / 2;
    for (let j = g; j < groupEnd; j++) {
      if (labels[order[j]!]) {
        positives++;
        positiveRankSum += midrank;
      }
    }
    g = groupEnd;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Brier score: mean squared difference between probabilities and binary outcomes. */
export function brier(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  assertSameLength('brier', probabilities, labels);
  assertFinite('brier', 'probabilities', probabilities);
  if (labels.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += (probabilities[i]! - (labels[i] ? 1 : 0)) ** 2;
  return sum / labels.length;
}
