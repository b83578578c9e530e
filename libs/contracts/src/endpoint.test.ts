import { describe, expect, it } from 'vitest';
import { endpointAlarmNames, endpointConfigPrefix, endpointNameFor, endpointsSettingSchema } from './endpoint';

describe('endpoint settings', () => {
  it('fills the defaults of the chosen kind', () => {
    expect(endpointsSettingSchema.parse({ retail: { serverless: {} }, cdnow: { instances: { instanceCount: '2' }, dataCapturePercent: 20 } })).toEqual({
      retail: { serverless: { memorySizeMb: 2048, maxConcurrency: 5 }, keepConfigs: 3 },
      cdnow: { instances: { instanceType: 'ml.m5.large', instanceCount: 2, maxModelLatencyMs: 1000, bakeSeconds: 300 }, dataCapturePercent: 20, keepConfigs: 3 },
    });
  });

  it.each([
    [{ retail: {} }, /exactly one of .{1,2}serverless/],
    [{ retail: { serverless: {}, instances: {} } }, /exactly one of .{1,2}serverless/],
    [{ retail: { serverless: { memorySizeMb: 1500 } } }, /one of 1024, 2048/],
    [{ retail: { serverless: {}, dataCapturePercent: 10 } }, /serverless endpoints do not support data capture/],
    [{ retail: { instances: { instanceType: 'm5.large' } } }, /a SageMaker instance type/],
    [{ retail: { instances: {}, keepConfig: 2 } }, /keepConfig/],
    [{ 'a--b': { serverless: {} } }, /no .{1,2}--/],
    [{ ['x'.repeat(56)]: { serverless: {} } }, /at most 55 characters/],
  ])('refuses %j, saying why', (value, message) => {
    const result = endpointsSettingSchema.safeParse(value);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error!.issues)).toMatch(message);
  });

  it('names the endpoint, its configurations and its alarms after the dataset', () => {
    expect(endpointNameFor('retail')).toBe('nextbuy-retail');
    expect(endpointConfigPrefix('retail')).toBe('nextbuy-retail--');
    // Another dataset's configurations never start with this prefix: dataset names with an endpoint hold no "--".
    expect(endpointConfigPrefix('retail-eu').startsWith(endpointConfigPrefix('retail'))).toBe(false);
    expect(endpointAlarmNames('retail')).toEqual({ errors: 'nextbuy-retail-invocation-5xx', latency: 'nextbuy-retail-model-latency' });
  });
});
