import { describe, expect, it } from 'vitest';
import { duckdbTargetLine, medianRun, peerSecondsLine, spread } from './data-summary';

describe('bench:data summary lines', () => {
  it('names each end-to-end time with its peer, as the tables format seconds', () => {
    expect(peerSecondsLine(5_400_000, { nextbuy: 5.0512, duckdb: 2.4149, pandas: 33.46 })).toBe('5,400,000 rows: nextbuy 5.05 s, duckdb 2.41 s, pandas 33.5 s');
  });

  it('writes n/a for a peer that could not run', () => {
    expect(peerSecondsLine(540_000, { nextbuy: 0.78, duckdb: 0.54, pandas: NaN })).toBe('540,000 rows: nextbuy 0.78 s, duckdb 0.54 s, pandas n/a');
  });

  it('says whether nextbuy is within 1.2x of DuckDB', () => {
    expect(duckdbTargetLine(5_400_000, { nextbuy: 2.85, duckdb: 2.41 })).toBe('5,400,000 rows: nextbuy/duckdb 1.18x (target <= 1.2x at 5.4M rows): within 1.2x');
    expect(duckdbTargetLine(540_000, { nextbuy: 0.78, duckdb: 0.54 })).toBe('540,000 rows: nextbuy/duckdb 1.44x (target <= 1.2x at 5.4M rows): not within 1.2x');
  });

  it('judges the ratio itself, not its rounded text', () => {
    expect(duckdbTargetLine(1_000, { nextbuy: 1.2049, duckdb: 1 })).toMatch(/1\.20x .*: not within 1\.2x$/);
  });

  it('takes the run of median time, the lower middle one of an even count', () => {
    const runs = [{ seconds: 5.2, id: 'a' }, { seconds: 3.1, id: 'b' }, { seconds: 4.7, id: 'c' }];
    expect(medianRun(runs).id).toBe('c');
    expect(medianRun([...runs, { seconds: 9, id: 'd' }]).id).toBe('c');
    expect(() => medianRun([])).toThrow('medianRun: no runs');
  });

  it('gives the spread of the runs', () => {
    expect(spread([{ seconds: 5.21 }, { seconds: 2.789 }, { seconds: 4.7 }])).toBe('2.79-5.21 s');
  });
});
