import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactError, InputDataError, NextBuyError } from '@nextbuy/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { GAP_FEATURES, gapScoringTable, gapTrainingTable } from '../test/synthetic';
import { Booster, DMatrix, MIN_GAP_DAYS, XGBoostGapModel, aftLabelBounds, xgboostFactory } from './index';

const dir = mkdtempSync(join(tmpdir(), 'xgb-gap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SMALL = { num_boost_round: 40, nthread: 1, max_depth: 3 };
const ELAPSED = [0, 0, 0, 5, 30, 30, 60, 90, 120, 200, 365, 500, 800, 2000];

describe('aftLabelBounds', () => {
  it('gives censored rows an infinite upper bound and floors zero gaps at half a day', () => {
    const table = { ...gapTrainingTable(50, 3), gapDays: Float64Array.from([0, 12, 40]), censored: Uint8Array.from([0, 0, 1]) };
    const { lower, upper } = aftLabelBounds(table);
    expect(Array.from(lower)).toEqual([MIN_GAP_DAYS, 12, 40]);
    expect(Array.from(upper)).toEqual([MIN_GAP_DAYS, 12, Number.POSITIVE_INFINITY]);
  });

  it('names the row of a negative or missing gap', () => {
    const table = { ...gapTrainingTable(51, 3), gapDays: Float64Array.from([3, -1, 4]) };
    expect(() => aftLabelBounds(table)).toThrow(InputDataError);
    expect(() => aftLabelBounds(table)).toThrow(/line 1, column "gapDays"/);
  });
});

describe('XGBoostGapModel', () => {
  it('fits, reports per-round metrics, and predicts conditional medians never before the as-of date', async () => {
    const model = (await xgboostFactory.create(SMALL)) as XGBoostGapModel;
    expect(model.type).toBe('xgboost');
    const steps: number[] = [];
    const report = await model.fit(gapTrainingTable(52, 600), { onProgress: ({ step }) => steps.push(step) });
    expect(report.history).toHaveLength(40);
    expect(steps).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(report.history[39]!['train-aft-nloglik']).toBeLessThan(report.history[0]!['train-aft-nloglik']!);
    expect(report.bestIteration).toBe(39);

    const input = gapScoringTable(53, ELAPSED);
    const { predictedGapDays, pOrder90d } = await model.predict(input);
    expect(predictedGapDays).toHaveLength(ELAPSED.length);
    ELAPSED.forEach((elapsed, i) => {
      expect(predictedGapDays[i]).toBeGreaterThanOrEqual(elapsed);
      expect(Number.isFinite(predictedGapDays[i])).toBe(true);
      expect(pOrder90d[i]).toBeGreaterThanOrEqual(0);
      expect(pOrder90d[i]).toBeLessThanOrEqual(1);
    });
    model.dispose();
  });

  it('predicts exp(mu), the log-normal median, for a customer who just ordered', async () => {
    const model = new XGBoostGapModel(SMALL);
    await model.fit(gapTrainingTable(54, 600));
    await model.save(dir);
    const input = gapScoringTable(55, [0, 0, 0, 0, 0, 0]);
    const { predictedGapDays } = await model.predict(input);
    // XGBoost's own AFT prediction (exp of the margin) from the saved model.
    const booster = new Booster({}, [], join(dir, 'model.json'));
    const data = new DMatrix({ values: input.values, nrow: input.nRows, ncol: GAP_FEATURES.length }, { feature_names: GAP_FEATURES });
    const expMu = booster.predict(data);
    expMu.forEach((value, i) => expect(predictedGapDays[i]! / value).toBeCloseTo(1, 5));
    // The synthetic gap grows with PrevGapDays (feature 0): so must the prediction.
    const order = Array.from(expMu.keys()).filter((i) => !Number.isNaN(input.values[i * 4]!)).sort((a, b) => input.values[a * 4]! - input.values[b * 4]!);
    expect(predictedGapDays[order.at(-1)!]).toBeGreaterThan(predictedGapDays[order[0]!]!);
    for (const handle of [booster, data, model]) handle.dispose();
  });

  it('stops early on a validation table and predicts with the best rounds only', async () => {
    const model = new XGBoostGapModel({ ...SMALL, num_boost_round: 300, max_depth: 6, eta: 0.5, early_stopping_rounds: 5 });
    const report = await model.fit(gapTrainingTable(56, 300), { validation: gapTrainingTable(57, 300) });
    expect(report.bestIteration).toBeLessThan(299);
    expect(report.history).toHaveLength(report.bestIteration! + 6);
    expect(Object.keys(report.history[0]!)).toEqual(['train-aft-nloglik', 'validation-aft-nloglik']);
    const modelDir = join(dir, 'early');
    await model.save(modelDir);
    const booster = new Booster({}, [], join(modelDir, 'model.json'));
    const input = gapScoringTable(66, [0, 0, 0, 0, 0]);
    const data = new DMatrix({ values: input.values, nrow: input.nRows, ncol: GAP_FEATURES.length }, { feature_names: GAP_FEATURES });
    const best = booster.predict(data, { iteration_range: [0, report.bestIteration! + 1] });
    const all = booster.predict(data);
    const { predictedGapDays } = await model.predict(input);
    best.forEach((value, i) => expect(predictedGapDays[i]! / value).toBeCloseTo(1, 5));
    expect(Array.from(all)).not.toEqual(Array.from(best));
    for (const handle of [booster, data, model]) handle.dispose();
  });

  it('saves XGBoost JSON and loads back through the factory with identical predictions and description', async () => {
    const model = new XGBoostGapModel({ ...SMALL, aft_loss_distribution_scale: '0.8', max_depth: '2' });
    await model.fit(gapTrainingTable(58, 400));
    const modelDir = join(dir, 'saved');
    expect(await model.save(modelDir)).toEqual(['model.json']);
    const json = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
    expect(json.learner.objective.name).toBe('survival:aft');
    // XGBoost keeps the scale as a float32.
    expect(Number(json.learner.objective.aft_loss_param.aft_loss_distribution_scale)).toBeCloseTo(0.8, 6);
    expect(json.learner.gradient_booster.model.trees).toHaveLength(40);

    const description = model.describe();
    expect(description.hyperparameters).toMatchObject({ objective: 'survival:aft', aft_loss_distribution_scale: '0.8', max_depth: '2', num_boost_round: 40, tree_method: 'hist' });
    expect(description.libraries).toEqual({ xgboost: '1.7.4' });
    expect(Object.keys(description.featureImportance!)).toEqual(GAP_FEATURES);
    const importance = description.featureImportance!;
    expect(Math.max(...Object.values(importance))).toBe(importance.PrevGapDays);

    const loaded = await xgboostFactory.load(modelDir, description);
    const input = gapScoringTable(59, ELAPSED);
    expect(await loaded.predict(input)).toEqual(await model.predict(input));
    expect(loaded.describe()).toEqual(description);
    model.dispose();
    loaded.dispose();
  });

  it('learns from censoring: the same rows predict longer gaps when their gaps are censored', async () => {
    const observed = gapTrainingTable(60, 500);
    const censored = { ...observed, censored: observed.censored.map((flag, row) => (row % 2 === 0 ? 1 : flag)) };
    const input = gapScoringTable(61, Array.from({ length: 40 }, () => 0));
    const predictions = await Promise.all(
      [observed, censored].map(async (table) => {
        const model = new XGBoostGapModel(SMALL);
        await model.fit(table);
        const { predictedGapDays } = await model.predict(input);
        model.dispose();
        return predictedGapDays.reduce((sum, gap) => sum + gap, 0);
      }),
    );
    expect(predictions[1]).toBeGreaterThan(predictions[0]!);
  });

  it('refuses hyperparameters that do not make a log-normal gap, and bad tables', async () => {
    expect(() => new XGBoostGapModel({ objective: 'reg:squarederror' })).toThrow(/column "objective": must be survival:aft/);
    expect(() => new XGBoostGapModel({ aft_loss_distribution: 'logistic' })).toThrow(InputDataError);
    expect(() => new XGBoostGapModel({ aft_loss_distribution_scale: '0' })).toThrow(/aft_loss_distribution_scale/);
    expect(() => new XGBoostGapModel({ num_boost_round: 'many' })).toThrow(/num_boost_round": must be an integer >= 1, got "many"/);

    const model = new XGBoostGapModel(SMALL);
    await expect(model.predict(gapScoringTable(62, [1]))).rejects.toThrow(NextBuyError);
    await model.fit(gapTrainingTable(63, 100));
    const renamed = { ...gapScoringTable(64, [1, 2]), featureNames: ['PrevGapDays', 'OrderCount', 'TotalPrice', 'month_cos'] };
    await expect(model.predict(renamed)).rejects.toThrow(/missing: month_sin; unexpected: month_cos/);
    const outside = { ...gapScoringTable(65, [1, 2]), lastRow: Int32Array.from([0, 9]) };
    await expect(model.predict(outside)).rejects.toThrow(/lastRow\[1\] = 9 is outside 0..1/);
    model.dispose();
    await expect(xgboostFactory.load(join(dir, 'nowhere'), model.describe())).rejects.toThrow(ArtifactError);
  });
});
