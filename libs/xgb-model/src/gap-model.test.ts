import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactError, InputDataError, NextBuyError } from '@nextbuy/contracts';
import { ELAPSED_FEATURE, scoringLandmarks } from '@nextbuy/features';
import { afterAll, describe, expect, it } from 'vitest';
import { GAP_FEATURES, gapScoringTable, gapTrainingTable } from '../test/synthetic';
import { BGNBD_ATTRIBUTE, Booster, CUSTOMER_BASE_FEATURES, DMatrix, scoringCustomerBaseFeatures, WAIT_HORIZONS_DAYS, XGBoostGapModel, boosterFile, medianWaitWithin, train, waitLocation, WAIT_RULE_ATTRIBUTE, waitScale, xgboostFactory, xgboostVersion } from './index';

const dir = mkdtempSync(join(tmpdir(), 'xgb-gap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The synthetic gaps are 12 to 90 days (censored at 150): landmarks 1, 2, 3, 5, 8, ... up to 120.
const SMALL = { num_boost_round: 40, nthread: 1, max_depth: 3, landmark_growth: 1.5, landmark_max_days: 120 };
const ELAPSED = [0, 0, 0, 5, 30, 30, 60, 90, 120, 200, 365, 500, 800, 2000];

/** What the saved model files alone predict for a scoring table: XGBoost's probabilities and the median wait of the log-normal through them. */
function predictFromFiles(dir: string, input: ReturnType<typeof gapScoringTable>, returnHorizonDays = 365) {
  const boosters = WAIT_HORIZONS_DAYS.map((horizon) => new Booster({}, [], join(dir, boosterFile(horizon))));
  const rows = scoringCustomerBaseFeatures(scoringLandmarks(input), input, JSON.parse(boosters.at(-1)!.attr(BGNBD_ATTRIBUTE)!));
  const data = new DMatrix({ values: rows.values, nrow: rows.nRows, ncol: rows.featureNames.length }, { feature_names: rows.featureNames });
  const byHorizon = boosters.map((booster) => booster.predict(data, { iteration_range: [0, booster.best_iteration! + 1] }));
  const p = byHorizon.at(-1)!;
  const rule = JSON.parse(boosters.at(-1)!.attr(WAIT_RULE_ATTRIBUTE)!);
  const gaps = Array.from(p, (probability, i) => {
    const sigma = rule.selection.chosen === 'one_scale' ? rule.oneScale : waitScale(byHorizon.map((q) => q[i]!), WAIT_HORIZONS_DAYS);
    return input.elapsedDays[i]! + medianWaitWithin(waitLocation(probability, sigma, 90), sigma, returnHorizonDays);
  });
  for (const booster of boosters) booster.dispose();
  data.dispose();
  return { p, gaps };
}

describe('XGBoostGapModel', () => {
  it('fits on landmark rows with held-out customers, and predicts gaps from elapsed to elapsed + the return horizon', async () => {
    const model = (await xgboostFactory.create(SMALL)) as XGBoostGapModel;
    expect(model.type).toBe('xgboost');
    const steps: number[] = [];
    const report = await model.fit(gapTrainingTable(52, 600), { onProgress: ({ step }) => steps.push(step) });
    expect(steps).toEqual(Array.from({ length: report.history.length }, (_, i) => i + 1));
    expect(Object.keys(report.history[0]!)).toEqual(['train-logloss', 'validation-logloss']);
    expect(report.history.at(-1)!['train-logloss']).toBeLessThan(report.history[0]!['train-logloss']!);
    expect(report.bestIteration).toBeLessThan(40);

    const { predictedGapDays, pOrder90d } = await model.predict(gapScoringTable(53, ELAPSED));
    expect(predictedGapDays).toHaveLength(ELAPSED.length);
    ELAPSED.forEach((elapsed, i) => {
      expect(predictedGapDays[i]).toBeGreaterThanOrEqual(elapsed);
      expect(predictedGapDays[i]).toBeLessThanOrEqual(elapsed + 365);
      expect(pOrder90d[i]).toBeGreaterThan(0);
      expect(pOrder90d[i]).toBeLessThan(1);
    });
    model.dispose();
  });

  it('predicts what its saved boosters alone say: the 90-day probability and the median wait of the log-normal through the horizons', async () => {
    const model = new XGBoostGapModel({ ...SMALL, return_horizon_days: 200 });
    // Gaps of 33 to 245 days (censored at 400): some come within 90 days of a landmark, some do not.
    await model.fit(gapTrainingTable(54, 800, 400, 3.5));
    const modelDir = join(dir, 'alone');
    await model.save(modelDir);
    const input = gapScoringTable(55, [10, 10, 10, 10, 10, 10, 10, 10, 10, 10]);
    const { predictedGapDays, pOrder90d } = await model.predict(input);
    const fromFile = predictFromFiles(modelDir, input, 200);
    fromFile.p.forEach((p, i) => expect(pOrder90d[i]! / p).toBeCloseTo(1, 5));
    fromFile.gaps.forEach((gap, i) => expect(predictedGapDays[i]! / gap).toBeCloseTo(1, 5));
    // The synthetic gap grows with PrevGapDays (feature 0): the longest previous gap is the least
    // likely to order within 90 days and is predicted the latest.
    const known = Array.from(pOrder90d.keys()).filter((i) => !Number.isNaN(input.values[i * 4]!));
    const [shortest, longest] = [known.reduce((a, b) => (input.values[a * 4]! < input.values[b * 4]! ? a : b)), known.reduce((a, b) => (input.values[a * 4]! > input.values[b * 4]! ? a : b))];
    expect(pOrder90d[longest]).toBeLessThan(pOrder90d[shortest]!);
    expect(predictedGapDays[longest]).toBeGreaterThan(predictedGapDays[shortest]!);
    model.dispose();
  });

  it('stops early on a validation table and predicts with the best rounds only', async () => {
    const model = new XGBoostGapModel({ ...SMALL, num_boost_round: 300, max_depth: 6, eta: 0.5, early_stopping_rounds: 5 });
    const report = await model.fit(gapTrainingTable(56, 300), { validation: gapTrainingTable(57, 300) });
    expect(report.bestIteration).toBeLessThan(299);
    expect(report.history).toHaveLength(report.bestIteration! + 6);
    const modelDir = join(dir, 'early');
    await model.save(modelDir);
    const input = gapScoringTable(66, [0, 20, 40, 80, 160]);
    const { pOrder90d } = await model.predict(input);
    const { p } = predictFromFiles(modelDir, input);
    p.forEach((value, i) => expect(pOrder90d[i]! / value).toBeCloseTo(1, 5));
    const booster = new Booster({}, [], join(modelDir, 'model.json'));
    expect(booster.num_boosted_rounds()).toBe(report.history.length);
    booster.dispose();
    model.dispose();
  });

  it('trains on every customer when none is held out, and fits the same model twice', async () => {
    const fits = await Promise.all(
      [0, 0, 0.2].map(async (validation_fraction) => {
        const model = new XGBoostGapModel({ ...SMALL, validation_fraction });
        const report = await model.fit(gapTrainingTable(58, 400));
        const prediction = await model.predict(gapScoringTable(59, ELAPSED));
        model.dispose();
        return { report, prediction };
      }),
    );
    expect(Object.keys(fits[0]!.report.history[0]!)).toEqual(['train-logloss']);
    expect(fits[0]!.report.history).toHaveLength(40);
    expect(fits[1]).toEqual(fits[0]);
    expect(fits[2]!.prediction).not.toEqual(fits[0]!.prediction);
  });

  it('saves XGBoost JSON per horizon with its BG/NBD fit and loads back through the factory with identical predictions and description', async () => {
    const model = new XGBoostGapModel({ ...SMALL, max_depth: '2', return_horizon_days: '300' });
    await model.fit(gapTrainingTable(60, 500));
    const modelDir = join(dir, 'saved');
    expect(await model.save(modelDir)).toEqual(['model-7d.json', 'model-30d.json', 'model.json']);
    const json = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
    expect(json.learner.objective.name).toBe('binary:logistic');
    expect(json.learner.feature_names).toEqual([...GAP_FEATURES, ELAPSED_FEATURE, ...CUSTOMER_BASE_FEATURES]);
    // One order per synthetic customer: nothing to fit BG/NBD on, and its features are missing.
    expect(json.learner.attributes[BGNBD_ATTRIBUTE]).toBe('null');
    const { selection } = model.describe();
    expect(Object.keys(selection!.wait_scale!.candidates)).toEqual(['one_scale', 'per_customer']);
    expect(JSON.parse(json.learner.attributes[WAIT_RULE_ATTRIBUTE]).selection).toEqual(selection!.wait_scale);

    const description = model.describe();
    // SageMaker's strings are checked against the specs and recorded as the numbers they mean.
    expect(description.hyperparameters).toMatchObject({
      objective: 'binary:logistic',
      max_depth: 2,
      return_horizon_days: 300,
      landmark_growth: 1.5,
      landmark_max_days: 120,
      validation_fraction: 0.2,
      num_boost_round: 40,
      tree_method: 'hist',
    });
    expect(description.libraries).toEqual({ xgboost: xgboostVersion() });
    expect(Object.keys(description.featureImportance!)).toEqual([...GAP_FEATURES, ELAPSED_FEATURE, ...CUSTOMER_BASE_FEATURES]);

    const loaded = (await xgboostFactory.load(modelDir, description)) as XGBoostGapModel;
    const input = gapScoringTable(61, ELAPSED);
    expect(await loaded.predict(input)).toEqual(await model.predict(input));
    expect(loaded.describe()).toEqual(description);
    model.dispose();
    loaded.dispose();
  });

  it('refuses hyperparameters it cannot honour, naming them', () => {
    expect(() => new XGBoostGapModel({ objective: 'survival:aft' })).toThrow(/column "objective": must be one of binary:logistic/);
    expect(() => new XGBoostGapModel({ num_boost_round: 'many' })).toThrow(/num_boost_round": must be an integer >= 1, got "many"/);
    expect(() => new XGBoostGapModel({ landmark_growth: '1' })).toThrow(/landmark_growth/);
    expect(() => new XGBoostGapModel({ validation_fraction: '1' })).toThrow(/validation_fraction": must be a number from 0 to 0.9/);
    expect(() => new XGBoostGapModel({ return_horizon_days: 30 })).toThrow(InputDataError);
  });

  it('refuses bad tables and models with a clear error', async () => {
    const model = new XGBoostGapModel(SMALL);
    await expect(model.predict(gapScoringTable(62, [1]))).rejects.toThrow(NextBuyError);
    const negative = { ...gapTrainingTable(63, 3), gapDays: Float64Array.from([30, -1, 40]) };
    await expect(model.fit(negative)).rejects.toThrow(/line 1, column "gapDays"/);
    // Twenty days of 5-day gaps: no landmark followed up for 30 days, nothing to learn "orders within 30 days" from.
    const short = { ...gapTrainingTable(64, 20), gapDays: new Float64Array(20).fill(5) };
    await expect(model.fit(short)).rejects.toThrow(/nothing to learn "orders within 30 days" from/);

    await model.fit(gapTrainingTable(65, 200));
    const renamed = { ...gapScoringTable(66, [1, 2]), featureNames: ['PrevGapDays', 'OrderCount', 'TotalPrice', 'month_cos'] };
    await expect(model.predict(renamed)).rejects.toThrow(/missing: month_sin; unexpected: month_cos/);
    const outside = { ...gapScoringTable(67, [1, 2]), lastRow: Int32Array.from([0, 9]) };
    await expect(model.predict(outside)).rejects.toThrow(/lastRow\[1\] = 9 is outside 0..1/);
    model.dispose();

    await expect(xgboostFactory.load(join(dir, 'nowhere'), model.describe())).rejects.toThrow(ArtifactError);
    // A model file from elsewhere (here an AFT booster) lacks the wait scale.
    const foreign = join(dir, 'foreign');
    mkdirSync(foreign, { recursive: true });
    const table = gapTrainingTable(68, 50);
    const data = new DMatrix({ values: table.values, nrow: table.nRows, ncol: 4 }, { label_lower_bound: table.gapDays, label_upper_bound: table.gapDays, feature_names: GAP_FEATURES });
    const aft = train({ objective: 'survival:aft', nthread: 1 }, data, 2);
    await expect(xgboostFactory.load(foreign, model.describe())).rejects.toThrow(/model-7d.json: cannot load/);
    for (const horizon of WAIT_HORIZONS_DAYS) aft.save_model(join(foreign, boosterFile(horizon)));
    for (const handle of [aft, data]) handle.dispose();
    await expect(xgboostFactory.load(foreign, model.describe())).rejects.toThrow(/no bgnbd_params or wait_rule attribute/);
  });
});
