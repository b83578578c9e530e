/**
 * Isolation Forest (Liu, Ting & Zhou, "Isolation Forest", ICDM 2008), written here rather than
 * taken from npm: the two packages there are not correct. `isolation-forest` 0.0.9 draws each
 * tree's subsample and then builds the tree on the full data set anyway, and its c(n) uses a
 * truncated Euler constant; `ml-isolation-forest` 0.1.0 never subsamples, normalises by
 * c(training size) instead of c(subsample size) and has c(n) wrong (2 ln(n-1) + 0.577 instead of
 * 2 (ln(n-1) + 0.577)). Both use the unseedable Math.random and arrays of row objects.
 *
 * This one follows the paper and scikit-learn's IsolationForest (whose parameter names it keeps):
 * each tree is grown on `max_samples` rows drawn without replacement, to height limit
 * ceil(log2 max_samples), splitting on a feature drawn uniformly among those not constant in
 * the node at a threshold uniform between the node's min and max (x < threshold goes left).
 * A point's path length h(x) is the depth of the external node it lands in plus c(size of that
 * node), and its score is s(x) = 2^(-E[h(x)] / c(max_samples)). Trees live in typed arrays.
 */
import { InputDataError } from '@nextbuy/contracts';
import { createRng, type Rng } from '@nextbuy/random';
import { NotFittedError, OutlierOptionsError } from './errors';
import { anomalyScore, averagePathLength } from './path-length';

export interface IsolationForestOptions {
  /**
   * Expected share of outliers in the training data, in (0, 0.5]: `predict` flags scores above
   * the (1 - contamination) quantile of the training scores. `'auto'` (the default, as in
   * scikit-learn) flags scores above 0.5.
   */
  contamination?: number | 'auto';
  /** Number of trees. Default 100. */
  n_estimators?: number;
  /**
   * Rows per tree: a share of the rows in (0, 1] (so 1 means all), an integer count above 1
   * (capped at the row count), or `'auto'` = min(256, rows), the default.
   */
  max_samples?: number | 'auto';
  /** Seed of the subsamples and splits. Default 0. */
  seed?: number;
}

const LEAF = -1;
const SOURCE = 'IsolationForest';

function checkOptions(options: IsolationForestOptions): Required<IsolationForestOptions> {
  const { contamination = 'auto', n_estimators = 100, max_samples = 'auto', seed = 0 } = options;
  if (contamination !== 'auto' && !(contamination > 0 && contamination <= 0.5)) {
    throw new OutlierOptionsError(`contamination must be 'auto' or in (0, 0.5], got ${contamination}`);
  }
  if (!Number.isInteger(n_estimators) || n_estimators < 1) throw new OutlierOptionsError(`n_estimators must be a positive integer, got ${n_estimators}`);
  if (max_samples !== 'auto' && !(max_samples > 0 && (max_samples <= 1 || Number.isInteger(max_samples)))) {
    throw new OutlierOptionsError(`max_samples must be 'auto', a fraction in (0, 1] or a positive integer, got ${max_samples}`);
  }
  if (!Number.isInteger(seed)) throw new OutlierOptionsError(`seed must be an integer, got ${seed}`);
  return { contamination, n_estimators, max_samples, seed };
}

function checkRows(rows: Float64Array, nRows: number, nCols: number, what: string): void {
  if (!Number.isInteger(nRows) || nRows < 0 || rows.length !== nRows * nCols) {
    throw new InputDataError(`${what}: ${rows.length} values are not ${nRows} rows of ${nCols} columns`, { source: SOURCE });
  }
  for (let k = 0; k < rows.length; k++) {
    if (!Number.isFinite(rows[k]!)) {
      throw new InputDataError(`${what}: row ${Math.floor(k / nCols)} has ${rows[k]} in column ${k % nCols}; every value must be finite`, { source: SOURCE, column: String(k % nCols) });
    }
  }
}

/** ψ for `max_samples` and `nRows` rows: at least 2, so that c(ψ) > 0. */
function sampleSize(maxSamples: number | 'auto', nRows: number): number {
  if (maxSamples === 'auto') return Math.min(256, nRows);
  return Math.max(2, Math.min(nRows, maxSamples <= 1 ? Math.floor(maxSamples * nRows) : maxSamples));
}

/** (1 - contamination) quantile with linear interpolation, numpy's default percentile. */
function upperQuantile(values: Float64Array, contamination: number): number {
  const sorted = Float64Array.from(values).sort();
  const position = (1 - contamination) * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

/** An ensemble of isolation trees; `fit` once, then score or flag rows. */
export class IsolationForest {
  readonly options: Readonly<Required<IsolationForestOptions>>;
  private nCols = 0;
  /** Rows each tree was grown on (ψ). */
  private sampleSize = 0;
  private nodesPerTree = 0;
  // Node columns of all trees, tree t at [t * nodesPerTree, (t + 1) * nodesPerTree).
  private feature = new Int32Array(0);
  private splitValue = new Float64Array(0);
  private left = new Int32Array(0);
  private right = new Int32Array(0);
  /** Training rows that reached each external node. */
  private size = new Int32Array(0);
  private fitted = false;
  private fittedThreshold = 0.5;

  constructor(options: IsolationForestOptions = {}) {
    this.options = checkOptions(options);
  }

  /** Grows the trees on `rows` (row-major, `nRows` x `nCols`) and sets the outlier threshold. */
  fit(rows: Float64Array, nRows: number, nCols: number): this {
    if (!Number.isInteger(nCols) || nCols < 1) throw new InputDataError(`fit: nCols must be a positive integer, got ${nCols}`, { source: SOURCE });
    checkRows(rows, nRows, nCols, 'fit');
    if (nRows < 2) throw new InputDataError(`fit: needs at least 2 rows, got ${nRows}`, { source: SOURCE });
    const { max_samples, n_estimators, seed } = this.options;
    this.fitted = false;
    this.nCols = nCols;
    this.sampleSize = sampleSize(max_samples, nRows);
    this.nodesPerTree = 2 * this.sampleSize - 1;
    const nodes = n_estimators * this.nodesPerTree;
    this.feature = new Int32Array(nodes).fill(LEAF);
    this.splitValue = new Float64Array(nodes);
    this.left = new Int32Array(nodes);
    this.right = new Int32Array(nodes);
    this.size = new Int32Array(nodes);

    const rng = createRng(seed);
    const heightLimit = Math.ceil(Math.log2(this.sampleSize));
    const permutation = Int32Array.from({ length: nRows }, (_, i) => i);
    const sample = new Int32Array(this.sampleSize);
    const candidates = new Int32Array(nCols);
    for (let tree = 0; tree < n_estimators; tree++) {
      // Partial Fisher-Yates: the first ψ entries are a uniform sample without replacement.
      for (let i = 0; i < this.sampleSize; i++) {
        const j = i + Math.floor(rng() * (nRows - i));
        const picked = permutation[j]!;
        permutation[j] = permutation[i]!;
        permutation[i] = picked;
        sample[i] = picked;
      }
      this.growTree(rows, tree * this.nodesPerTree, sample, heightLimit, rng, candidates);
    }
    this.fitted = true;
    const contamination = this.options.contamination;
    this.fittedThreshold = contamination === 'auto' ? 0.5 : upperQuantile(this.scoreSamples(rows, nRows), contamination);
    return this;
  }

  /** Grows one tree from the sampled row indices; nodes are numbered in creation order. */
  private growTree(rows: Float64Array, root: number, sample: Int32Array, heightLimit: number, rng: Rng, candidates: Int32Array): void {
    const nCols = this.nCols;
    let nextNode = root + 1;
    // Explicit stack of [node, start, end, depth] instead of recursion.
    const stack: number[] = [root, 0, sample.length, 0];
    while (stack.length > 0) {
      const depth = stack.pop()!;
      const end = stack.pop()!;
      const start = stack.pop()!;
      const node = stack.pop()!;
      this.size[node] = end - start;
      if (depth >= heightLimit || end - start <= 1) continue;
      // Draw features without replacement until one is not constant in this node.
      for (let c = 0; c < nCols; c++) candidates[c] = c;
      let remaining = nCols;
      let min = 0;
      let max = 0;
      let column = LEAF;
      while (remaining > 0 && column === LEAF) {
        const k = Math.floor(rng() * remaining);
        const candidate = candidates[k]!;
        candidates[k] = candidates[--remaining]!;
        min = Infinity;
        max = -Infinity;
        for (let i = start; i < end; i++) {
          const value = rows[sample[i]! * nCols + candidate]!;
          if (value < min) min = value;
          if (value > max) max = value;
        }
        if (max > min) column = candidate;
      }
      if (column === LEAF) continue;
      let threshold = min;
      while (threshold <= min) threshold = min + rng() * (max - min);
      // Partition the node's rows: x < threshold first.
      let boundary = start;
      for (let i = start; i < end; i++) {
        const row = sample[i]!;
        if (rows[row * nCols + column]! < threshold) {
          sample[i] = sample[boundary]!;
          sample[boundary++] = row;
        }
      }
      const leftChild = nextNode++;
      const rightChild = nextNode++;
      this.feature[node] = column;
      this.splitValue[node] = threshold;
      this.left[node] = leftChild;
      this.right[node] = rightChild;
      stack.push(rightChild, boundary, end, depth + 1, leftChild, start, boundary, depth + 1);
    }
  }

  /** E[h(x)]: each row's path length averaged over the trees. */
  meanPathLengths(rows: Float64Array, nRows: number): Float64Array {
    if (!this.fitted) throw new NotFittedError('IsolationForest: call fit before scoring');
    checkRows(rows, nRows, this.nCols, 'score');
    const nCols = this.nCols;
    const result = new Float64Array(nRows);
    const trees = this.options.n_estimators;
    for (let r = 0; r < nRows; r++) {
      const offset = r * nCols;
      let total = 0;
      for (let tree = 0; tree < trees; tree++) {
        let node = tree * this.nodesPerTree;
        let depth = 0;
        while (this.feature[node] !== LEAF) {
          node = rows[offset + this.feature[node]!]! < this.splitValue[node]! ? this.left[node]! : this.right[node]!;
          depth++;
        }
        total += depth + averagePathLength(this.size[node]!);
      }
      result[r] = total / trees;
    }
    return result;
  }

  /** Anomaly scores s(x, ψ) = 2^(-E[h(x)] / c(ψ)) in (0, 1]: near 1 is isolated, below 0.5 is ordinary. */
  scoreSamples(rows: Float64Array, nRows: number): Float64Array {
    const lengths = this.meanPathLengths(rows, nRows);
    return lengths.map((length) => anomalyScore(length, this.sampleSize));
  }

  /** 1 where the score exceeds the threshold (an outlier), else 0. */
  predict(rows: Float64Array, nRows: number): Uint8Array {
    const threshold = this.threshold;
    return Uint8Array.from(this.scoreSamples(rows, nRows), (score) => (score > threshold ? 1 : 0));
  }

  /** The score above which `predict` flags a row, fixed by `fit`. */
  get threshold(): number {
    if (!this.fitted) throw new NotFittedError('IsolationForest: call fit before predicting');
    return this.fittedThreshold;
  }

  /** ψ: the rows each tree was grown on. */
  get maxSamples(): number {
    return this.sampleSize;
  }
}
