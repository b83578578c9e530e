import { describe, expect, it } from 'vitest';
import { InputDataError, manifestSchema, predictionRecordSchema, PREDICTION_COLUMNS } from './index';

describe('contracts', () => {
  it('names file, line and column in input errors', () => {
    const error = new InputDataError('not a number: "abc"', { source: 'sales.csv', line: 12, column: 'Quantity' });
    expect(error.message).toBe('sales.csv, line 12, column "Quantity": not a number: "abc"');
    expect(error.name).toBe('InputDataError');
    const parquet = new InputDataError('not a number: null', { source: 'sales.parquet', row: 3, column: 'Quantity' });
    expect(parquet.message).toBe('sales.parquet, row 3, column "Quantity": not a number: null');
  });

  it('validates prediction records and keeps the wire column order', () => {
    const record = {
      customer_id: '12347',
      last_order_date: '2011-12-07',
      as_of_date: '2011-12-10',
      predicted_gap_days: 41.5,
      predicted_next_order_date: '2012-01-17',
      p_order_90d: 0.82,
      p_alive: 0.91,
      expected_orders_365d: 2.4,
      model_version: 'xgboost-20111210',
    };
    expect(predictionRecordSchema.parse(record)).toEqual(record);
    expect(() => predictionRecordSchema.parse({ ...record, p_order_90d: 1.2 })).toThrow();
    expect(() => predictionRecordSchema.parse({ ...record, p_alive: 1.2 })).toThrow(/p_alive/);
    // Records of releases before the customer-base fields parse, with both null.
    const { p_alive: _alive, expected_orders_365d: _expected, ...older } = record;
    expect(predictionRecordSchema.parse(older)).toEqual({ ...older, p_alive: null, expected_orders_365d: null });
    expect(PREDICTION_COLUMNS[0]).toBe('customer_id');
    expect(PREDICTION_COLUMNS).toEqual(['customer_id', 'last_order_date', 'as_of_date', 'predicted_gap_days', 'predicted_next_order_date', 'p_order_90d', 'p_alive', 'expected_orders_365d', 'model_version']);
  });

  it('rejects a manifest whose checksums are not sha256', () => {
    const result = manifestSchema.safeParse({ files: { 'model.json': 'abc' } });
    expect(result.success).toBe(false);
  });
});

describe('step input and configuration parsing', () => {
  it('names the step and field, or the variable, at fault', async () => {
    const { z } = await import('zod');
    const { parseConfiguration, parseStepInput, ConfigurationError, InvalidEventError } = await import('./index');
    const event = z.object({ dataset: z.string(), run: z.object({ id: z.string() }) });
    expect(parseStepInput('Extract', event, { dataset: 'a', run: { id: 'r' } })).toEqual({ dataset: 'a', run: { id: 'r' } });
    const error = (() => {
      try {
        parseStepInput('Extract', event, { dataset: 'a', run: { id: 3 } });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as Error).message).toMatch(/^invalid Extract input at "run\.id": /);
    expect(() => parseStepInput('Extract', event, null)).toThrow(/at "\(root\)"/);
    const config = z.object({ DATA_BUCKET: z.string().min(1) });
    expect(() => parseConfiguration(config, {})).toThrow(ConfigurationError);
    expect(() => parseConfiguration(config, {})).toThrow(/invalid configuration "DATA_BUCKET"/);
  });
});
