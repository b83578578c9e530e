import { describe, expect, it } from 'vitest';
import { prefixedMetricName, metricDefinition, metricLine } from './metric-lines';

/** What SageMaker does with a definition: the first capture of its regex in a log line, as a number. */
function read(name: string, line: string): number | undefined {
  const match = new RegExp(metricDefinition(name).regex).exec(line);
  return match ? Number(match[1]) : undefined;
}

describe('metric lines', () => {
  it('print name=value; pairs, prefixed when asked, leaving out what has no value', () => {
    expect(metricLine({ mae_days: 44.61234567, c_index: 0.855, auc_90d: null, brier_90d: Number.NaN })).toBe('mae_days=44.612346; c_index=0.855;');
    expect(metricLine({ mae_days: 68.5 }, 'baseline_km')).toBe('baseline_km:mae_days=68.5;');
    expect(metricLine({})).toBe('');
  });

  it('are read back by their definitions, each name only where it stands alone', () => {
    const line = `${metricLine({ 'train-logloss': 0.41235, 'validation-logloss': 2.5e-7 }, 'final')} ${metricLine({ mae_days: 68.5 }, 'baseline_km')}`;
    expect(read(prefixedMetricName('final', 'train-logloss'), line)).toBe(0.41235);
    expect(read('final:validation-logloss', line)).toBe(0);
    expect(read('baseline_km:mae_days', line)).toBe(68.5);
    expect(read('mae_days', line)).toBeUndefined();
    expect(read('train-logloss', line)).toBeUndefined();
    expect(read('mae_days', 'mae_days=-1.5e-3;')).toBe(-0.0015);
    expect(read('val_loss', 'val_loss=1e+21;')).toBe(1e21);
  });
});
