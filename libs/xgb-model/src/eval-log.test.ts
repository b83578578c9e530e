import { describe, expect, it } from 'vitest';
import { type EvalsLog, appendScores, parseEvalResult } from './eval-log';

describe('parseEvalResult', () => {
  it('splits the data name at the first dash, keeping dashes and @ in metric names', () => {
    expect(parseEvalResult('[3]\ttrain-aft-nloglik:1.25\tvalidation-ndcg@5-:0.5')).toEqual([
      { data: 'train', metric: 'aft-nloglik', value: 1.25 },
      { data: 'validation', metric: 'ndcg@5-', value: 0.5 },
    ]);
  });

  it('reads the non-finite values iostreams print', () => {
    expect(parseEvalResult('[0]\ta-rmse:nan\ta-mae:inf\ta-x:-inf').map((s) => s.value)).toEqual([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
  });

  it('rejects an entry without a data name', () => {
    expect(() => parseEvalResult('[0]\trmse:0.1')).toThrow(/unexpected evaluation entry "rmse:0.1"/);
  });
});

describe('appendScores', () => {
  it('builds log[data][metric][round]', () => {
    const log: EvalsLog = {};
    appendScores(log, parseEvalResult('[0]\ttrain-rmse:2\tvalid-rmse:3'));
    appendScores(log, parseEvalResult('[1]\ttrain-rmse:1\tvalid-rmse:4'));
    expect(log).toEqual({ train: { rmse: [2, 1] }, valid: { rmse: [3, 4] } });
  });
});
