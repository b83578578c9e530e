import { formatNumber } from './measure';

/** Issue #17's target: nextbuy's end-to-end time within this factor of DuckDB's (at 5.4M rows). */
export const DUCKDB_TARGET_RATIO = 1.2;

/** End-to-end seconds of nextbuy and its peers on one file; NaN for a peer that could not run. */
export interface PeerSeconds {
  nextbuy: number;
  duckdb: number;
  pandas: number;
}

function seconds(value: number): string {
  return Number.isFinite(value) ? `${formatNumber(value)} s` : 'n/a';
}

/** `5,400,000 rows: nextbuy 5.05 s, duckdb 2.41 s, pandas 33.5 s` (n/a for a peer that did not run). */
export function peerSecondsLine(rows: number, time: PeerSeconds): string {
  return `${rows.toLocaleString('en-US')} rows: nextbuy ${seconds(time.nextbuy)}, duckdb ${seconds(time.duckdb)}, pandas ${seconds(time.pandas)}`;
}

/** Whether nextbuy is within DUCKDB_TARGET_RATIO of DuckDB on one file, with the ratio. */
export function duckdbTargetLine(rows: number, time: Pick<PeerSeconds, 'nextbuy' | 'duckdb'>): string {
  const ratio = time.nextbuy / time.duckdb;
  const verdict = ratio <= DUCKDB_TARGET_RATIO ? 'within' : 'not within';
  return `${rows.toLocaleString('en-US')} rows: nextbuy/duckdb ${ratio.toFixed(2)}x (target <= ${DUCKDB_TARGET_RATIO}x at 5.4M rows): ${verdict} ${DUCKDB_TARGET_RATIO}x`;
}

/** The run of median seconds (the lower middle one of an even count). */
export function medianRun<T extends { seconds: number }>(runs: readonly T[]): T {
  if (runs.length === 0) throw new Error('medianRun: no runs');
  return [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor((runs.length - 1) / 2)]!;
}

/** `2.41-4.20 s`: the fastest and slowest of some runs. */
export function spread(runs: ReadonlyArray<{ seconds: number }>): string {
  const times = runs.map((run) => run.seconds);
  return `${formatNumber(Math.min(...times))}-${formatNumber(Math.max(...times))} s`;
}
