import { describe, expect, it } from 'vitest';
import { orderTable } from '../test/fixtures';
import { featureTableToDataFrame } from './dataframe';
import { buildScoringTable, buildTrainingTable } from './feature-tables';
import { FEATURE_NAMES } from './order-features';

const ORDERS = orderTable([['A', '2011-01-03', 10, 1], ['A', '2011-01-10', 20, 2], ['B', '2011-01-05', 7, 1]]);

describe('featureTableToDataFrame', () => {
  it('puts a training table in a DataFrame with ids, dates, features and the censored label', async () => {
    const frame = await featureTableToDataFrame(buildTrainingTable(ORDERS, 15_000));
    expect(frame.columns).toEqual(['CustomerID', 'OrderDate', ...FEATURE_NAMES, 'NextGapDays', 'censored']);
    expect(frame.shape).toEqual([3, FEATURE_NAMES.length + 4]);
    expect(frame.column('OrderDate').values).toEqual(['2011-01-03', '2011-01-10', '2011-01-05']);
    expect(frame.column('PrevGapDays').values[1]).toBe(7);
    expect(frame.column('PrevGapDays').values[0]).toBeNaN();
    expect(frame.column('NextGapDays').values).toEqual([7, 15_000 - 14_984, 15_000 - 14_979]);
    expect(frame.column('censored').values).toEqual([0, 1, 1]);
  });

  it('leaves the label out of a scoring table', async () => {
    const frame = await featureTableToDataFrame(buildScoringTable(ORDERS, 15_000));
    expect(frame.columns).not.toContain('NextGapDays');
    expect(frame.column('CustomerID').values).toEqual(['A', 'A', 'B']);
  });
});
