import { describe, expect, it } from 'vitest';
import { ingest, ordersToDataFrame, reportToDataFrame } from '../src/index';
import { RULES_SAMPLE, temporaryDirectory, writeSample } from './fixtures';

describe('DataFrame boundary (danfojs-node)', () => {
  it('turns orders and the report into DataFrames', async () => {
    const directory = await temporaryDirectory();
    const { orders, report } = await ingest(await writeSample(directory.path, 'rules.csv', RULES_SAMPLE));
    await directory.remove();

    const frame = await ordersToDataFrame(orders);
    expect(frame.shape).toEqual([3, 6]);
    expect(frame.columns).toEqual(['CustomerID', 'OrderDate', 'TotalPrice', 'Quantity', 'Lines', 'Invoices']);
    expect(frame.column('CustomerID').values).toEqual(['12583', '12583', '17850']);
    expect(frame.column('OrderDate').values).toEqual(['2010-12-01', '2010-12-02', '2010-12-01']);
    expect(frame.column('Invoices').values).toEqual([1, 1, 2]);
    expect(frame.column('TotalPrice').sum()).toBeCloseTo(180 + 46.74, 10);

    const outcomes = await reportToDataFrame(report);
    expect(outcomes.column('outcome').values).toEqual([
      'kept',
      'missing_customer_id',
      'cancellation',
      'non_positive_quantity',
      'non_positive_price',
      'unparseable_date',
    ]);
    expect(outcomes.column('rows').values).toEqual([5, 1, 1, 2, 1, 1]);
    expect(outcomes.column('rows').sum()).toBe(report.rowsRead);
    expect(outcomes.column('firstLines').values).toEqual(['', '5', '6', '7 8', '9', '10']);
    expect(outcomes.column('share').values[0]).toBeCloseTo(5 / 11, 12);
  });
});
