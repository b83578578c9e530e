import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normal, runPython, seededRandom, uniformMatrix } from '../test/synthetic';
import { Booster, DMatrix, train } from './index';

const dir = mkdtempSync(join(tmpdir(), 'xgb-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NAMES = ['recency', 'frequency', 'monetary', 'tenure'];

function readFloats(path: string): Float32Array {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((worst, value, i) => Math.max(worst, Math.abs(value - b[i]!)), 0);
}

const PREDICT_IN_PYTHON = `
import json, sys
import numpy as np
import xgboost as xgb
model, features, shape, out = sys.argv[1:5]
nrow, ncol = map(int, shape.split('x'))
booster = xgb.Booster()
booster.load_model(model)
X = np.fromfile(features, dtype=np.float32).reshape(nrow, ncol)
data = xgb.DMatrix(X, feature_names=booster.feature_names)
booster.predict(data).astype(np.float32).tofile(out)
print(json.dumps({'version': xgb.__version__, 'best_iteration': booster.best_iteration,
                  'feature_names': booster.feature_names, 'gain': booster.get_score(importance_type='gain')}))
`;

const TRAIN_IN_PYTHON = `
import json, sys
import numpy as np
import pandas as pd
import xgboost as xgb
out = sys.argv[1]
rng = np.random.default_rng(7)
X = pd.DataFrame(rng.random((600, 4), dtype=np.float32), columns=['recency', 'frequency', 'monetary', 'tenure'])
X.iloc[::9, 0] = np.nan
time = np.exp(2 + 2 * X['frequency'].to_numpy() + 0.3 * rng.standard_normal(600))
upper = np.where(np.arange(600) % 3 == 0, np.inf, time)
dtrain = xgb.DMatrix(X[:500], feature_names=list(X.columns))
dtrain.set_float_info('label_lower_bound', time[:500])
dtrain.set_float_info('label_upper_bound', upper[:500])
dvalid = xgb.DMatrix(X[500:], feature_names=list(X.columns))
dvalid.set_float_info('label_lower_bound', time[500:])
dvalid.set_float_info('label_upper_bound', upper[500:])
params = {'objective': 'survival:aft', 'aft_loss_distribution': 'normal', 'aft_loss_distribution_scale': 1.0,
          'tree_method': 'hist', 'eta': 0.1, 'max_depth': 4, 'nthread': 1}
booster = xgb.train(params, dtrain, 60, evals=[(dvalid, 'validation')], early_stopping_rounds=5, verbose_eval=False)
booster.save_model(out + '/python-model.json')
X.to_numpy(dtype=np.float32).tofile(out + '/python-features.f32')
booster.predict(xgb.DMatrix(X, feature_names=list(X.columns))).astype(np.float32).tofile(out + '/python-predictions.f32')
print(json.dumps({'best_iteration': booster.best_iteration, 'rounds': booster.num_boosted_rounds()}))
`;

describe('interoperability with Python XGBoost (Debian, /usr/bin/python3)', () => {
  it('a survival:aft model saved here loads in Python and predicts the same values', () => {
    const random = seededRandom(40);
    const x = uniformMatrix(random, 500, 4);
    for (let i = 0; i < 500; i += 7) x.values[i * 4 + 2] = Number.NaN;
    const time = Array.from({ length: 500 }, (_, i) => Math.exp(3 + x.values[i * 4]! + 0.3 * normal(random)));
    const upper = time.map((t, i) => (i % 4 === 0 ? Number.POSITIVE_INFINITY : t));
    const data = new DMatrix(x, { label_lower_bound: time, label_upper_bound: upper, feature_names: NAMES });
    const booster = train({ objective: 'survival:aft', aft_loss_distribution: 'normal', tree_method: 'hist', max_depth: 4, nthread: 1 }, data, 40);
    const model = join(dir, 'node-model.json');
    const features = join(dir, 'node-features.f32');
    const predictions = join(dir, 'node-predictions-by-python.f32');
    booster.save_model(model);
    writeFileSync(features, x.values);
    const report = JSON.parse(runPython(PREDICT_IN_PYTHON, [model, features, '500x4', predictions]));
    // Any Python XGBoost from 1.7 on reads a model this binding saved (the JSON format is stable since 1.0).
    const [major, minor] = String(report.version).split('.').map(Number);
    expect(major! > 1 || (major === 1 && minor! >= 7), `Python XGBoost ${report.version}`).toBe(true);
    expect(report.feature_names).toEqual(NAMES);
    expect(report.best_iteration).toBe(39);
    const ours = booster.predict(data);
    expect(maxAbsDifference(readFloats(predictions), ours)).toBeLessThan(1e-5);
    const gain = booster.get_score({ importance_type: 'gain' }) as Record<string, number>;
    for (const [name, value] of Object.entries(gain)) expect(report.gain[name]).toBeCloseTo(value, 4);
    for (const handle of [booster, data]) handle.dispose();
  });

  it('a model saved by Python XGBoost (early-stopped, from pandas) loads here and predicts the same values', () => {
    const report = JSON.parse(runPython(TRAIN_IN_PYTHON, [dir]));
    const booster = new Booster({}, [], join(dir, 'python-model.json'));
    expect(booster.feature_names).toEqual(NAMES);
    expect(booster.best_iteration).toBe(report.best_iteration);
    expect(booster.num_boosted_rounds()).toBe(report.rounds);
    const data = new DMatrix({ values: readFloats(join(dir, 'python-features.f32')), nrow: 600, ncol: 4 }, { feature_names: NAMES });
    const ours = booster.predict(data);
    const theirs = readFloats(join(dir, 'python-predictions.f32'));
    expect(maxAbsDifference(ours, theirs)).toBeLessThan(1e-5);
    for (const handle of [booster, data]) handle.dispose();
  });
});
