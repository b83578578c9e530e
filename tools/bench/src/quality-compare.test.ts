import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestMetrics } from '@nextbuy/contracts';
import { compareRuns, comparisonLines, parseQualityRun, QualityRunError, summarize } from './quality-compare';
import type { CutoffResult } from './quality-scoring';
import { runCommand } from './run-command';

const m = (mae_days: number, c_index: number, auc_90d: number, brier_90d: number): BacktestMetrics => ({ mae_days, c_index, auc_90d, brier_90d });
const WIDE = { low: -1, high: 1 };

/** One backtest: the model against BG/NBD, every margin's interval as given (default: within noise). */
function result(cutoff: string, model: BacktestMetrics, intervals: Partial<CutoffResult['intervals']> = {}, chosen = 'bgnbd'): CutoffResult {
  return {
    dataset: 'toy',
    cutoff,
    scoredCustomers: 100,
    returnedCustomers: 40,
    metrics: { model, baseline_bgnbd: m(50, 0.8, 0.75, 0.15) },
    intervals: { mae_days: WIDE, c_index: WIDE, auc_90d: WIDE, brier_90d: WIDE, ...intervals },
    selection: { blend_wait: { criterion: 'least rank sum', candidates: {}, chosen } },
  };
}

// Before: ties BG/NBD at the first cutoff; at the second loses mae_days by 2 days beyond noise.
const BEFORE = [result('2020-01-01', m(50, 0.8, 0.75, 0.15)), result('2020-04-01', m(52, 0.8, 0.75, 0.15), { mae_days: { low: -3, high: -1 } }), result('2020-07-01', m(50, 0.8, 0.75, 0.15))];
// After: the second cutoff wins mae_days by 1 day within noise, with another choice; the third backtest is missing, a fourth is new.
const AFTER = [result('2020-01-01', m(50, 0.8, 0.75, 0.15)), result('2020-04-01', m(49, 0.8, 0.75, 0.15), {}, 'booster 0.5 + bgnbd 0.5'), result('2020-10-01', m(40, 0.9, 0.8, 0.1))];

describe('bench:quality-compare', () => {
  it('lists the columns whose verdict changed and the choices that changed, over the backtests both runs hold', () => {
    const comparison = compareRuns(BEFORE, AFTER);
    expect(comparison.common).toBe(2);
    expect(comparison.onlyBefore).toEqual(['toy 2020-07-01']);
    expect(comparison.onlyAfter).toEqual(['toy 2020-10-01']);
    expect(comparison.columns).toEqual([{ dataset: 'toy', cutoff: '2020-04-01', column: 'mae_days', before: 'lost to baseline_bgnbd by 2.00', after: '~won by 1.00' }]);
    expect(comparison.choices).toEqual([{ dataset: 'toy', cutoff: '2020-04-01', output: 'blend_wait', before: 'bgnbd', after: 'booster 0.5 + bgnbd 0.5' }]);
  });

  it("sums each run's margins over the best baseline and counts its verdicts as bench:quality does", () => {
    const before = summarize(BEFORE.slice(0, 2));
    expect(before).toMatchObject({ won: 0, tied: 7, total: 8, wonBeyondNoise: 0, lostBeyondNoise: 1 });
    expect(before.marginSums).toEqual({ mae_days: -2, c_index: 0, auc_90d: 0, brier_90d: 0 });
    const after = compareRuns(BEFORE, AFTER).after;
    expect(after).toMatchObject({ won: 1, tied: 7, lostBeyondNoise: 0 });
    expect(after.marginSums.mae_days).toBe(1);
  });

  it('prints both runs, what changed and the summaries side by side', () => {
    const run = (path: string, results: CutoffResult[]) => ({ path, model: 'xgboost', seconds: 499.6, results });
    const lines = comparisonLines(run('a.json', BEFORE), { ...run('b.json', AFTER), draw: 7 }, compareRuns(BEFORE, AFTER));
    expect(lines[0]).toBe('bench:quality-compare: a.json (xgboost, 500 s) -> b.json (xgboost, --draw 7, 500 s)');
    expect(lines).toContain('only in the first, left out: toy 2020-07-01');
    expect(lines).toContain('columns whose verdict changed: 1 (~: within noise)');
    expect(lines.find((l) => l.startsWith('toy') && l.includes('mae_days'))).toMatch(/^toy\s+2020-04-01\s+mae_days\s+lost to baseline_bgnbd by 2\.00\s+~won by 1\.00$/);
    expect(lines.find((l) => l.startsWith('lost beyond noise'))).toMatch(/^lost beyond noise\s+1\s+0$/);
    expect(lines.find((l) => l.startsWith('sum of margins, mae_days'))).toMatch(/-2\.00\s+\+1\.00$/);
  });

  it('refuses a file that is not a bench:quality --json file, naming the file and the field', () => {
    const good = { model: 'xgboost', results: BEFORE };
    expect(parseQualityRun('a.json', JSON.stringify(good)).results).toHaveLength(3);
    expect(() => parseQualityRun('a.json', '{ not json')).toThrow(/^a\.json: not JSON/);
    expect(() => parseQualityRun('a.json', JSON.stringify({ results: [] }))).toThrow('a.json: model is missing or not a string; is this a bench:quality --json file?');
    expect(() => parseQualityRun('a.json', JSON.stringify({ ...good, results: [BEFORE[0], { ...BEFORE[1], cutoff: 7 }] }))).toThrow(/^a\.json: results\[1\]\.cutoff is missing or not a string/);
    const badInterval = { ...BEFORE[0], intervals: { ...BEFORE[0]!.intervals, auc_90d: { low: 0 } } };
    expect(() => parseQualityRun('a.json', JSON.stringify({ ...good, results: [badInterval] }))).toThrow(/results\[0\]\.intervals\.auc_90d is neither null nor \{ low, high \}/);
    expect(() => parseQualityRun('a.json', JSON.stringify({ ...good, results: [{ ...BEFORE[0], metrics: {} }] }))).toThrow(QualityRunError);
  });
});

describe('bench:quality-compare, the command', () => {
  const CLI = fileURLToPath(new URL('./quality-compare-cli.ts', import.meta.url));
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quality-compare-'));
    await writeFile(join(dir, 'before.json'), JSON.stringify({ model: 'xgboost', results: BEFORE }));
    await writeFile(join(dir, 'after.json'), JSON.stringify({ model: 'lstm', results: AFTER }));
    await writeFile(join(dir, 'broken.json'), JSON.stringify({ model: 'xgboost', results: [{ dataset: 'toy' }] }));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const compare = (...args: string[]) => runCommand(CLI, args);

  it('prints the comparison of two files', async () => {
    const { code, stdout } = await compare(join(dir, 'before.json'), join(dir, 'after.json'));
    expect(code).toBe(0);
    expect(stdout).toMatch(/\(xgboost\) -> .*after\.json \(lstm\)\n2 backtests in both\n/);
  });

  it('exits 1 with the file and field at fault, or a missing file named', async () => {
    const broken = await compare(join(dir, 'before.json'), join(dir, 'broken.json'));
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`bench:quality-compare: ${join(dir, 'broken.json')}: results[0].cutoff is missing or not a string`);
    const missing = await compare(join(dir, 'before.json'), join(dir, 'nowhere.json'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`${join(dir, 'nowhere.json')}: cannot read (ENOENT)`);
  });
}, 60_000);
