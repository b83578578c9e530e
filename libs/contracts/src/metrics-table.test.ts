import { describe, expect, it } from 'vitest';
import { backtestMetricsSchema } from './manifest';
import { formatMetric, METRIC_NAMES, metricsTextTable } from './metrics-table';

describe('the metrics table', () => {
  it('has a column for every metric of the manifest, in its order', () => {
    expect(METRIC_NAMES).toEqual(Object.keys(backtestMetricsSchema.shape));
  });

  it('shows each metric with its decimals, and "-" where there is none', () => {
    expect(formatMetric('mae_days', 44.56)).toBe('44.6');
    expect(formatMetric('c_index', 0.85504)).toBe('0.855');
    expect(formatMetric('c_index', 0.85504, 1)).toBe('0.8550');
    expect(formatMetric('auc_90d', null)).toBe('-');
    expect(formatMetric('brier_90d', Number.NaN)).toBe('-');
  });

  it('aligns one line per model under a header', () => {
    const lines = metricsTextTable({
      model: { mae_days: 44.56, c_index: 0.855, auc_90d: 0.8, brier_90d: 0.1033 },
      baseline_recency: { mae_days: 74.9, c_index: 0.848, auc_90d: null, brier_90d: null },
    });
    expect(lines).toEqual([
      'model             mae_days  c_index  auc_90d  brier_90d',
      'model                 44.6    0.855    0.800      0.103',
      'baseline_recency      74.9    0.848        -          -',
    ]);
  });
});
