import { execFileSync } from 'node:child_process';
import type { ScoringTable, TrainingTable } from '@nextbuy/contracts';
import { createRng, sampleNormal } from '@nextbuy/random';

/** Seeded uniform numbers in [0, 1), so every test sees the same data. */
export const seededRandom = createRng;

/** A standard normal draw. */
export const normal = sampleNormal;

/** A row-major matrix of uniform [0, 1) features. */
export function uniformMatrix(random: () => number, nrow: number, ncol: number): { values: Float32Array; nrow: number; ncol: number } {
  const values = new Float32Array(nrow * ncol);
  for (let i = 0; i < values.length; i++) values[i] = random();
  return { values, nrow, ncol };
}

export const GAP_FEATURES = ['PrevGapDays', 'OrderCount', 'TotalPrice', 'month_sin'];

/**
 * Order rows whose gap is log-normal, log(gap) = logGapAt0 + 2 * PrevGapDays/100 + 0.4 z
 * (logGapAt0 = 2.5: 12 to 90 days), with gaps beyond `horizon` days censored at the horizon;
 * some PrevGapDays missing (NaN).
 */
export function gapTrainingTable(seed: number, nRows: number, horizon = 150, logGapAt0 = 2.5): TrainingTable {
  const random = seededRandom(seed);
  const ncol = GAP_FEATURES.length;
  const values = new Float32Array(nRows * ncol);
  const gapDays = new Float64Array(nRows);
  const censored = new Uint8Array(nRows);
  for (let row = 0; row < nRows; row++) {
    const prevGap = random() * 100;
    values.set([row % 10 === 0 ? Number.NaN : prevGap, 1 + Math.floor(random() * 10), random() * 500, Math.sin(random() * 6.28)], row * ncol);
    const gap = Math.max(1, Math.round(Math.exp(logGapAt0 + (2 * prevGap) / 100 + 0.4 * normal(random))));
    censored[row] = gap > horizon ? 1 : 0;
    gapDays[row] = Math.min(gap, horizon);
  }
  return {
    featureNames: GAP_FEATURES,
    nRows,
    values,
    customerIds: Array.from({ length: nRows }, (_, row) => `C${row}`),
    orderDay: Int32Array.from({ length: nRows }, (_, row) => 10_000 + row),
    gapDays,
    censored,
  };
}

/** One row per customer (each its own last order), scored `elapsedDays[i]` days after it. */
export function gapScoringTable(seed: number, elapsedDays: readonly number[]): ScoringTable {
  const table = gapTrainingTable(seed, elapsedDays.length);
  const asOfDay = 20_000;
  return {
    featureNames: table.featureNames,
    nRows: table.nRows,
    values: table.values,
    customerIds: table.customerIds,
    orderDay: Int32Array.from(elapsedDays, (elapsed) => asOfDay - elapsed),
    asOfDay,
    lastRow: Int32Array.from(elapsedDays, (_, i) => i),
    elapsedDays: Float64Array.from(elapsedDays),
  };
}

/** Debian's Python: the pyenv `python3` first on PATH has no xgboost. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** Runs an inline Python script with Debian's Python XGBoost; returns its stdout. */
export function runPython(script: string, args: readonly string[]): string {
  return execFileSync(SYSTEM_PYTHON, ['-c', script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
