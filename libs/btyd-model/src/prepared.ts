import type { CustomerSummaries } from './summary';

/**
 * Compressed summaries indexed for repeated likelihood evaluations: orders are whole days, so a
 * data set has few distinct T and tx values (at most its span in days), and every log(alpha + T)
 * is computed once per distinct value instead of once per customer.
 */
export interface PreparedSummaries {
  rows: number;
  x: Int32Array;
  maxX: number;
  weight: Float64Array;
  /** Distinct values and each row's index into them. */
  tValues: Float64Array;
  tIndex: Int32Array;
  txValues: Float64Array;
  txIndex: Int32Array;
  /** Distinct (x, T) and (x, tx) pairs, and each row's index into them: Pareto/NBD's integrals depend on these alone. */
  xtPairs: { x: Int32Array; y: Float64Array; rowIndex: Int32Array };
  xtxPairs: { x: Int32Array; y: Float64Array; rowIndex: Int32Array };
}

function distinctPairs(x: Float64Array, y: Float64Array): { x: Int32Array; y: Float64Array; rowIndex: Int32Array } {
  const position = new Map<string, number>();
  const px: number[] = [];
  const py: number[] = [];
  const rowIndex = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const key = `${x[i]},${y[i]}`;
    let at = position.get(key);
    if (at === undefined) {
      position.set(key, (at = px.length));
      px.push(x[i]!);
      py.push(y[i]!);
    }
    rowIndex[i] = at;
  }
  return { x: Int32Array.from(px), y: Float64Array.from(py), rowIndex };
}

function distinct(values: Float64Array): { values: Float64Array; index: Int32Array } {
  const sorted = Float64Array.from(new Set(values)).sort();
  const position = new Map<number, number>();
  sorted.forEach((v, i) => position.set(v, i));
  return { values: sorted, index: Int32Array.from(values, (v) => position.get(v)!) };
}

export function prepareSummaries(s: CustomerSummaries): PreparedSummaries {
  const t = distinct(s.T);
  const tx = distinct(s.tx);
  let maxX = 0;
  for (const x of s.x) maxX = Math.max(maxX, x);
  return {
    rows: s.x.length,
    x: Int32Array.from(s.x),
    maxX,
    weight: s.weight,
    tValues: t.values,
    tIndex: t.index,
    txValues: tx.values,
    txIndex: tx.index,
    xtPairs: distinctPairs(s.x, s.T),
    xtxPairs: distinctPairs(s.x, s.tx),
  };
}

/** log(shift + v) for each distinct value. */
export function shiftedLogs(values: Float64Array, shift: number): Float64Array {
  return values.map((v) => Math.log(shift + v));
}

/** Σ_{k<x} log(v + k) = lgamma(v + x) - lgamma(v) for every x up to maxX: one log per step instead of two lgammas per customer. */
export function risingLogs(v: number, maxX: number): Float64Array {
  const out = new Float64Array(maxX + 1);
  for (let k = 0; k < maxX; k++) out[k + 1] = out[k]! + Math.log(v + k);
  return out;
}
