import { describe, expect, it } from 'vitest';
import { createReporter } from './progress';

/** A reporter writing into arrays: the terminal stream, the structured log and the printed metric lines. */
function capture(isTTY: boolean) {
  const out = { terminal: [] as string[], log: [] as Array<{ level: string; message: string; fields: Record<string, unknown> }>, print: [] as string[] };
  const reporter = createReporter({
    terminal: { isTTY, write: (text: string) => out.terminal.push(text) },
    log: (level, message, fields) => out.log.push({ level, message, fields }),
    print: (line) => out.print.push(line),
    now: () => 0,
  });
  return { reporter, out };
}

describe('trainer reporter', () => {
  it('off a terminal: logs a fit step against its real total and prints each iteration\'s losses as metric lines', () => {
    const { reporter, out } = capture(false);
    const step = reporter.step('fit xgboost on all data', 0, 'iterations');
    const onProgress = reporter.fitProgress(step, 'final');
    // Three boosters of 10 rounds: the first two report no losses, the last one its own.
    for (let done = 1; done <= 20; done++) onProgress({ step: done, total: 30, metrics: {} });
    onProgress({ step: 21, total: 30, metrics: { 'train-logloss': 0.61, 'validation-logloss': 0.62 } });
    onProgress({ step: 22, total: 30, metrics: { 'train-logloss': 0.5, 'validation-logloss': Number.NaN } });
    step.end();

    expect(out.print).toEqual(['final:train-logloss=0.61; final:validation-logloss=0.62;', 'final:train-logloss=0.5;']);
    const progress = out.log.filter((line) => line.message === 'fit xgboost on all data progress').map((line) => line.fields);
    // One line per tenth reached, never 100% before the end.
    expect(progress.map(({ done, total }) => [done, total])).toEqual([[1, 30], [3, 30], [6, 30], [9, 30], [12, 30], [15, 30], [18, 30], [21, 30]]);
    expect(out.log.at(-1)).toMatchObject({ level: 'info', message: 'fit xgboost on all data done' });
    expect(out.terminal).toEqual([]);
  });

  it('on a terminal: draws the bar at the fit\'s own fraction with the losses in it, and prints no metric lines', () => {
    const { reporter, out } = capture(true);
    const step = reporter.step('backtest (cutoff 2011-06-01)', 0, 'iterations');
    reporter.fitProgress(step, 'backtest')({ step: 1, total: 300, metrics: { loss: 1.25 } });
    expect(out.terminal.at(-1)).toMatch(/^\rbacktest \(cutoff 2011-06-01\) \[\.{28}\] {3}0% 1\/300 iterations backtest:loss=1\.25;/);
    reporter.fitProgress(step, 'backtest')({ step: 150, total: 300, metrics: {} });
    expect(out.terminal.at(-1)).toMatch(/\[#{14}\.{14}\] {2}50% 150\/300 iterations/);
    expect(out.print).toEqual([]);
    expect(out.log).toEqual([]);
  });

  it('keeps a running count while the total is unknown', () => {
    const { reporter, out } = capture(true);
    reporter.step('read transactions', 0, 'rows').update(5000);
    expect(out.terminal).toEqual(['\rread transactions: 5000 rows\x1b[K']);
  });
});
