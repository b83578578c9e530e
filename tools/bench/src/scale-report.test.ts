import { describe, expect, it, vi } from 'vitest';
import { manifestCounts, parseGnuTime, printScaleRuns, stagesLine, trainerStages, type ScaleRun } from './scale-report';

const LOG = [
  '{"level":"INFO","message":"training","service":"trainer","mode":"cli","model":"xgboost"}',
  '{"level":"INFO","message":"read transactions progress","service":"trainer","done":5133197,"seconds":5}',
  '{"level":"INFO","message":"read transactions done","service":"trainer","seconds":5.4,"detail":"5400068 rows read, 3941762 kept, 222484 orders of 45000 customers"}',
  'backtest:train-logloss=0.524078; backtest:validation-logloss=0.526423;',
  '{"level":"INFO","message":"backtest (cutoff 2011-09-25) done","service":"trainer","seconds":184.7,"detail":"38417 customers scored, 12905 returned"}',
  '{"level":"INFO","message":"fit BG/NBD (p_alive, expected orders) done","service":"trainer","seconds":0.3}',
  '| model | mae_days |',
  '{"level":"INFO","message":"not json',
].join('\n');

const RUN: ScaleRun = {
  rows: 5_400_068,
  rowsKept: 3_941_762,
  orders: 222_484,
  customers: 45_000,
  usage: { wallSeconds: 400, peakRssMb: 2_048 },
  stages: [
    { stage: 'read transactions', seconds: 5.4 },
    { stage: 'backtest (cutoff 2011-09-25)', seconds: 184.7 },
  ],
};

describe('bench:scale report', () => {
  it('reads wall seconds and peak KiB from GNU time, also after a failure line', () => {
    expect(parseGnuTime('412.37 2097152\n')).toEqual({ wallSeconds: 412.37, peakRssMb: 2048 });
    expect(parseGnuTime('Command exited with non-zero status 1\n3.02 81920\n')).toEqual({ wallSeconds: 3.02, peakRssMb: 80 });
  });

  it('refuses GNU time output without the figures, quoting it', () => {
    expect(() => parseGnuTime('Command terminated by signal 9\n')).toThrow(/GNU time wrote no "%e %M" line .*"Command terminated by signal 9"/);
  });

  it("takes each step's seconds from the trainer's `done` log lines and skips everything else", () => {
    expect(trainerStages(LOG)).toEqual([
      { stage: 'read transactions', seconds: 5.4 },
      { stage: 'backtest (cutoff 2011-09-25)', seconds: 184.7 },
      { stage: 'fit BG/NBD (p_alive, expected orders)', seconds: 0.3 },
    ]);
  });

  it('reads rows, kept rows, orders and customers from the manifest, naming a missing one', () => {
    const dataQuality = { rowsRead: 5_400_068, rowsKept: 3_941_762, orders: 222_484, customers: 45_000 };
    expect(manifestCounts({ dataQuality })).toEqual({ rows: 5_400_068, rowsKept: 3_941_762, orders: 222_484, customers: 45_000 });
    expect(() => manifestCounts({ dataQuality: { ...dataQuality, customers: undefined } })).toThrow('manifest.json: dataQuality has no number for customers');
    expect(() => manifestCounts({})).toThrow('manifest.json: dataQuality has no number for rowsRead');
  });

  it('lists the steps and the wall time no step accounts for', () => {
    expect(stagesLine(RUN)).toBe('read transactions 5.40 s, backtest (cutoff 2011-09-25) 184.7 s, other 209.9 s');
  });

  it('prints one table row per size, then the steps of each', () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      printScaleRuns([RUN]);
    } finally {
      log.mockRestore();
    }
    expect(lines).toEqual([
      'rows            kept   orders  customers  wall s  peak RSS MB',
      '---------  ---------  -------  ---------  ------  -----------',
      '5,400,068  3,941,762  222,484     45,000   400.0        2,048',
      '',
      '5,400,068 rows: read transactions 5.40 s, backtest (cutoff 2011-09-25) 184.7 s, other 209.9 s',
    ]);
  });
});
