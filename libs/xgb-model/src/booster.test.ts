import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputDataError } from '@nextbuy/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { normal, seededRandom, uniformMatrix } from '../test/synthetic';
import { Booster, DMatrix, type EvalsLog, XGBoostError, train } from './index';

const FAST = { tree_method: 'hist', max_depth: 3, eta: 0.3, nthread: 1, objective: 'reg:squarederror' };
const NAMES = ['signal', 'noise_a', 'noise_b'];
const dir = mkdtempSync(join(tmpdir(), 'xgb-booster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function linearData(seed: number, nrow: number, noise = 0.1): DMatrix {
  const random = seededRandom(seed);
  const x = uniformMatrix(random, nrow, 3);
  const label = Array.from({ length: nrow }, (_, i) => 4 * x.values[i * 3]! + noise * normal(random));
  return new DMatrix(x, { label, feature_names: NAMES });
}

describe('evaluation sets', () => {
  it('records every round of every metric on every named set, as evals_result', () => {
    const dtrain = linearData(10, 400);
    const dvalid = linearData(11, 200);
    const evals_result: EvalsLog = {};
    const booster = train({ ...FAST, eval_metric: ['rmse', 'mae'] }, dtrain, 15, { evals: [[dtrain, 'train'], [dvalid, 'valid']], evals_result });
    expect(Object.keys(evals_result)).toEqual(['train', 'valid']);
    expect(Object.keys(evals_result.train!)).toEqual(['rmse', 'mae']);
    for (const metrics of Object.values(evals_result)) for (const values of Object.values(metrics)) expect(values).toHaveLength(15);
    const rmse = evals_result.train!.rmse!;
    expect(rmse[14]).toBeLessThan(rmse[0]! / 5);
    // The last round's validation RMSE is the final model's, recomputed here from its predictions.
    const predictions = booster.predict(dvalid);
    const labels = dvalid.get_label();
    const rmseValid = Math.sqrt(predictions.reduce((sum, p, i) => sum + (p - labels[i]!) ** 2, 0) / labels.length);
    expect(evals_result.valid!.rmse![14]).toBeCloseTo(rmseValid, 5);
    for (const handle of [booster, dtrain, dvalid]) handle.dispose();
  });

  it('stops early on a task that overfits and keeps best_iteration', () => {
    // Pure noise labels: every round after the first few only fits noise.
    const random = seededRandom(12);
    const dtrain = new DMatrix(uniformMatrix(random, 300, 3), { label: Array.from({ length: 300 }, () => normal(random)) });
    const dvalid = new DMatrix(uniformMatrix(random, 300, 3), { label: Array.from({ length: 300 }, () => normal(random)) });
    const evals_result: EvalsLog = {};
    const booster = train({ ...FAST, max_depth: 6, eta: 0.5 }, dtrain, 200, {
      evals: [[dtrain, 'train'], [dvalid, 'valid']],
      early_stopping_rounds: 5,
      evals_result,
    });
    const best = booster.best_iteration!;
    const valid = evals_result.valid!.rmse!;
    expect(best).toBeLessThan(199);
    expect(booster.num_boosted_rounds()).toBe(best + 5 + 1);
    expect(valid).toHaveLength(best + 5 + 1);
    expect(booster.best_score).toBeCloseTo(Math.min(...valid), 6);
    expect(valid[best]).toBe(Math.min(...valid));
    for (const handle of [booster, dtrain, dvalid]) handle.dispose();
  });

  it('sets best_iteration to the last round without early stopping, and refuses early stopping without evals', () => {
    const dtrain = linearData(13, 100);
    const booster = train(FAST, dtrain, 7);
    expect(booster.best_iteration).toBe(6);
    expect(booster.best_score).toBeUndefined();
    expect(() => train(FAST, dtrain, 7, { early_stopping_rounds: 2 })).toThrow(/at least 1 validation dataset/);
    expect(() => train(FAST, dtrain, 7, { evals: [[dtrain, 'my-train']] })).toThrow(/must not contain "-"/);
    for (const handle of [booster, dtrain]) handle.dispose();
  });
});

describe('feature importance', () => {
  it('reports gain by the DMatrix feature names, the informative feature first', () => {
    const dtrain = linearData(14, 500, 0.5);
    const booster = train(FAST, dtrain, 20);
    expect(booster.feature_names).toEqual(NAMES);
    const gain = booster.get_score({ importance_type: 'gain' }) as Record<string, number>;
    expect(Object.keys(gain).every((name) => NAMES.includes(name))).toBe(true);
    expect(gain.signal).toBeGreaterThan(10 * Math.max(gain.noise_a ?? 0, gain.noise_b ?? 0));
    const weight = booster.get_score() as Record<string, number>;
    expect(Number.isInteger(weight.signal)).toBe(true);
    for (const handle of [booster, dtrain]) handle.dispose();
  });

  it('names features f0, f1, ... when the data has no names', () => {
    const random = seededRandom(15);
    const x = uniformMatrix(random, 200, 2);
    const data = new DMatrix(x, { label: Array.from({ length: 200 }, (_, i) => x.values[i * 2]!) });
    const booster = train(FAST, data, 5);
    expect(Object.keys(booster.get_score({ importance_type: 'gain' }))).toContain('f0');
    for (const handle of [booster, data]) handle.dispose();
  });
});

describe('save and load', () => {
  it('round-trips through a JSON file and through bytes with bit-identical predictions', () => {
    const dtrain = linearData(16, 300);
    const dvalid = linearData(17, 100);
    const booster = train(FAST, dtrain, 25, { evals: [[dvalid, 'valid']], early_stopping_rounds: 3 });
    const path = join(dir, 'model.json');
    booster.save_model(path);
    const json = JSON.parse(readFileSync(path, 'utf8'));
    expect(json.learner.feature_names).toEqual(NAMES);
    expect(json.learner.attributes.best_iteration).toBe(String(booster.best_iteration));
    const fromFile = new Booster({}, [], path);
    const fromBytes = new Booster();
    fromBytes.load_model(booster.save_raw('ubj'));
    const expected = booster.predict(dvalid);
    expect(fromFile.predict(dvalid)).toEqual(expected);
    expect(fromBytes.predict(dvalid)).toEqual(expected);
    expect(fromFile.best_iteration).toBe(booster.best_iteration);
    expect(fromFile.feature_names).toEqual(NAMES);
    expect(fromFile.num_features()).toBe(3);
    for (const handle of [booster, fromFile, fromBytes, dtrain, dvalid]) handle.dispose();
  });

  it('passes parameters through to XGBoost unchanged', () => {
    const dtrain = linearData(18, 100);
    const booster = train({ ...FAST, max_depth: 2, lambda: 3.5, eta: '0.25' }, dtrain, 3);
    const config = JSON.parse(booster.save_config());
    const tree = config.learner.gradient_booster.updater.grow_quantile_histmaker.train_param;
    expect(tree.max_depth).toBe('2');
    expect(tree.lambda).toBe('3.5');
    expect(tree.eta).toBe('0.25');
    expect(config.learner.objective.name).toBe('reg:squarederror');
    for (const handle of [booster, dtrain]) handle.dispose();
  });
});

describe('errors', () => {
  it('turns a failing C call into an XGBoostError carrying XGBGetLastError()', () => {
    const dtrain = linearData(19, 50);
    let error: unknown;
    try {
      train({ ...FAST, objective: 'reg:nonsense' }, dtrain, 2);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(XGBoostError);
    expect((error as XGBoostError).call).toBe('XGBoosterUpdateOneIter');
    expect((error as XGBoostError).message).toMatch(/Unknown objective function: `reg:nonsense`/);
    expect((error as XGBoostError).message).not.toMatch(/Stack trace/);
    expect(() => new Booster({}, [], new TextEncoder().encode('{"not": "a model"}'))).toThrow(XGBoostError);
    dtrain.dispose();
  });

  it('rejects data whose feature names or sizes do not match', () => {
    const dtrain = linearData(20, 50);
    const booster = train(FAST, dtrain, 2);
    const renamed = new DMatrix([[1, 2, 3]], { feature_names: ['signal', 'noise_b', 'noise_a'] });
    expect(() => booster.predict(renamed)).toThrow(InputDataError);
    expect(() => new DMatrix({ values: new Float32Array(5), nrow: 2, ncol: 3 })).toThrow(/expected nrow x ncol = 2 x 3/);
    expect(() => new DMatrix([[1, 2]], { label: [1, 2] })).toThrow(/column "label": has 2 values for 1 rows/);
    booster.dispose();
    expect(() => booster.predict(dtrain)).toThrow(/used after dispose/);
    for (const handle of [renamed, dtrain]) handle.dispose();
  });
});
