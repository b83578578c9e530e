import { describe, expect, it } from 'vitest';
import { isModelType, MODEL_TYPES, modelFactory } from './registry';

describe('model registry', () => {
  it('gives each registered type a factory of that type', async () => {
    for (const type of Object.keys(MODEL_TYPES)) expect((await modelFactory(type)).type).toBe(type);
  });
  it('names the known types when asked for an unknown one', async () => {
    expect(isModelType('prophet')).toBe(false);
    await expect(modelFactory('prophet')).rejects.toThrow(/unknown model type "prophet" \(known: xgboost, lstm\)/);
  });
});
