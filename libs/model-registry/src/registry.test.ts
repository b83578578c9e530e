import { describe, expect, it } from 'vitest';
import { hyperparameterSpecs, isModelType, MODEL_TYPE_NAMES, MODEL_TYPES, modelFactory } from './registry';

describe('model registry', () => {
  it('gives each registered type a factory of that type', async () => {
    for (const type of MODEL_TYPE_NAMES) expect((await modelFactory(type)).type).toBe(type);
  });

  it('names the known types when asked for an unknown one', async () => {
    expect(isModelType('prophet')).toBe(false);
    await expect(modelFactory('prophet')).rejects.toThrow(/unknown model type "prophet" \(known: xgboost, lstm, bgnbd, pareto_nbd\)/);
    expect(() => hyperparameterSpecs('prophet')).toThrow(/known: xgboost/);
  });

  it('declares every hyperparameter once per type, with a doc, and a default inside its own range', () => {
    for (const [type, { hyperparameters }] of Object.entries(MODEL_TYPES)) {
      const names = hyperparameters.map((spec) => spec.name);
      expect(new Set(names).size, type).toBe(names.length);
      for (const spec of hyperparameters) {
        expect(spec.doc.length, `${type}.${spec.name}`).toBeGreaterThan(10);
        if (typeof spec.default === 'number') {
          if (spec.min !== undefined) expect(spec.default, `${type}.${spec.name}`).toBeGreaterThanOrEqual(spec.min);
          if (spec.max !== undefined) expect(spec.default, `${type}.${spec.name}`).toBeLessThanOrEqual(spec.max);
        }
        if (typeof spec.default === 'string' && spec.choices) expect(spec.choices).toContain(spec.default);
      }
    }
  });

  it('validates return_horizon_days the same way for every type (one shared declaration)', () => {
    const specs = MODEL_TYPE_NAMES.map((type) => hyperparameterSpecs(type).find((spec) => spec.name === 'return_horizon_days'));
    for (const spec of specs) expect(spec).toBe(specs[0]);
  });
});
