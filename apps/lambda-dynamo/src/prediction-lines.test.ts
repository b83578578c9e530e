import { describe, expect, it } from 'vitest';
import { parsePredictionLine } from './prediction-lines';

const good = {
  customer_id: '1',
  last_order_date: '2011-12-01',
  as_of_date: '2011-12-10',
  predicted_gap_days: 30,
  predicted_next_order_date: '2011-12-31',
  p_order_90d: 0.5,
  model_version: 'v1',
};

describe('parsePredictionLine', () => {
  it('accepts a valid record, and one from before p_alive and expected_orders_365d (stored with them null)', () => {
    const current = { ...good, p_alive: 0.7, expected_orders_365d: 1.5 };
    expect(parsePredictionLine(JSON.stringify(current), 1)).toEqual({ ok: true, record: current });
    expect(parsePredictionLine(JSON.stringify(good), 2)).toEqual({ ok: true, record: { ...good, p_alive: null, expected_orders_365d: null } });
  });
  it('reports the line and field at fault', () => {
    expect(parsePredictionLine('{oops', 7)).toEqual({ ok: false, line: 7, reason: 'not JSON' });
    expect(parsePredictionLine('  ', 8)).toEqual({ ok: false, line: 8, reason: 'empty line' });
    const bad = parsePredictionLine(JSON.stringify({ ...good, p_order_90d: 2 }), 9);
    expect(bad).toMatchObject({ ok: false, line: 9 });
    expect(bad.ok || bad.reason).toMatch(/p_order_90d/);
  });
});
