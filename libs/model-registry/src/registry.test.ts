import { describe, expect, it } from 'vitest';
import { hyperparameterSpecs, isModelType, MODEL_TYPE_NAMES, MODEL_TYPES, modelFactory, trainingMetricDefinitions } from './registry';

describe('model registry', () => {
  it('gives each registered type a factory of that type', async () => {
    for (const type of MODEL_TYPE_NAMES) expect((await modelFactory(type)).type).toBe(type);
  });

  it('names the known types when asked for an unknown one', async () => {
    expect(isModelType('prophet')).toBe(false);
    await expect(modelFactory('prophet')).rejects.toThrow(/unknown model type "prophet" \(known: xgboost, lstm, bgnbd, pareto_nbd, bgcnbd\)/);
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

  it('declares the metric definitions of a training job: backtest metrics, then each fit stage\'s per-iteration losses', () => {
    const names = (type: string, hyperparameters = {}) => trainingMetricDefinitions(type, hyperparameters).map((d) => d.name);
    const backtest = ['mae_days', 'c_index', 'auc_90d', 'brier_90d'];
    expect(names('xgboost')).toEqual([...backtest, 'backtest:train-logloss', 'backtest:validation-logloss', 'final:train-logloss', 'final:validation-logloss']);
    // SageMaker passes strings; the eval metric names the losses, as in XGBoost.
    expect(names('xgboost', { eval_metric: 'auc', max_depth: '3' })).toContain('final:validation-auc');
    expect(names('lstm')).toEqual([...backtest, 'backtest:loss', 'backtest:val_loss', 'final:loss', 'final:val_loss']);
    expect(names('bgnbd')).toEqual(backtest);
    // SageMaker takes at most 40 definitions a job.
    for (const type of MODEL_TYPE_NAMES) expect(trainingMetricDefinitions(type).length).toBeLessThanOrEqual(40);
    expect(() => trainingMetricDefinitions('xgboost', { eval_metric: 'rmse' })).toThrow(/column "eval_metric": must be one of/);
  });
});
