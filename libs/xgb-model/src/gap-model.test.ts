import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactError, type FitProgress, InputDataError, NextBuyError, orderDaySpan, type ScoringTable, selectOrders } from '@nextbuy/contracts';
import { BTYD_MODEL_FILE, BtydGapModel, bgcnbdMedianWaitWithin, bgcnbdPOrderWithin, bgnbdMedianWaitWithin, paretoNbdScore, scoringSummaries } from '@nextbuy/btyd-model';
import { scenarioOrders } from '@nextbuy/datagen';
import { buildScoringTable, buildTrainingTable, ELAPSED_FEATURE, landmarkTable, scoringLandmarks } from '@nextbuy/features';
import { afterAll, describe, expect, it } from 'vitest';
import { GAP_FEATURES, gapScoringTable, gapTrainingTable } from '../test/synthetic';
import { xgboostFitMetrics } from './hyperparameters';
import { BGNBD_ATTRIBUTE, CALENDAR_FEATURES, BLEND_ATTRIBUTE, blendLabel, blendProbability, blendWait, Booster, CUSTOMER_BASE_FEATURES, DMatrix, scoringCustomerBaseFeatures, WAIT_HORIZONS_DAYS, XGBoostGapModel, boosterFile, medianWaitWithin, train, waitLocation, WAIT_RULE_ATTRIBUTE, waitScale, withCustomerBaseFeatures, xgboostFactory, xgboostVersion } from './index';

const dir = mkdtempSync(join(tmpdir(), 'xgb-gap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The synthetic gaps are 12 to 90 days (censored at 150): landmarks 1, 2, 3, 5, 8, ... up to 120.
const SMALL = { num_boost_round: 40, nthread: 1, max_depth: 3, landmark_growth: 1.5, landmark_max_days: 120 };
const ELAPSED = [0, 0, 0, 5, 30, 30, 60, 90, 120, 200, 365, 500, 800, 2000];

/**
 * What the saved model files alone predict for a scoring table: XGBoost's probabilities and the
 * median wait of the log-normal through them, each blended with BG/NBD's by the weights the
 * files hold (none in older files).
 */
function predictFromFiles(dir: string, input: ScoringTable, returnHorizonDays = 365) {
  const boosters = WAIT_HORIZONS_DAYS.map((horizon) => new Booster({}, [], join(dir, boosterFile(horizon))));
  const bgnbd = JSON.parse(boosters.at(-1)!.attr(BGNBD_ATTRIBUTE)!);
  const rows = scoringCustomerBaseFeatures(scoringLandmarks(input), input, bgnbd);
  const data = new DMatrix({ values: rows.values, nrow: rows.nRows, ncol: rows.featureNames.length }, { feature_names: rows.featureNames });
  const byHorizon = boosters.map((booster) => booster.predict(data, { iteration_range: [0, booster.best_iteration! + 1] }));
  const rule = JSON.parse(boosters.at(-1)!.attr(WAIT_RULE_ATTRIBUTE)!);
  const blendAttribute = boosters.at(-1)!.attr(BLEND_ATTRIBUTE);
  const blend = blendAttribute ? JSON.parse(blendAttribute).blend : { pOrder90d: { family: 'bgnbd', weight: 1 }, wait: { family: 'bgnbd', weight: 1 } };
  const s = scoringSummaries(input);
  const width = rows.featureNames.length;
  // Each family's answers, one customer at a time with the library's own functions.
  const other = (family: string, i: number) =>
    family === 'bgnbd'
      ? { p: rows.values[i * width + rows.featureNames.indexOf('BgNbdPOrder90d')]!, wait: bgnbdMedianWaitWithin(bgnbd, s.x[i]!, s.T[i]!, returnHorizonDays) }
      : family === 'bgcnbd'
        ? { p: bgcnbdPOrderWithin(blend.bgcnbd, s.x[i]!, s.tx[i]!, s.T[i]!, 90), wait: bgcnbdMedianWaitWithin(blend.bgcnbd, s.x[i]!, s.tx[i]!, s.T[i]!, returnHorizonDays) }
        : (({ pOrderWithin, medianWait }) => ({ p: pOrderWithin, wait: medianWait }))(paretoNbdScore(blend.paretoNbd, s.x[i]!, s.tx[i]!, s.T[i]!, 90, returnHorizonDays));
  const p = Array.from(byHorizon.at(-1)!, (probability, i) => (blend.pOrder90d.weight === 1 ? probability : blendProbability(probability, other(blend.pOrder90d.family, i).p, blend.pOrder90d.weight)));
  const gaps = Array.from(byHorizon.at(-1)!, (probability, i) => {
    const sigma = rule.selection.chosen === 'one_scale' ? rule.oneScale : waitScale(byHorizon.map((q) => q[i]!), WAIT_HORIZONS_DAYS);
    const wait = medianWaitWithin(waitLocation(probability, sigma, 90), sigma, returnHorizonDays);
    return input.elapsedDays[i]! + (blend.wait.weight === 1 ? wait : blendWait(wait, other(blend.wait.family, i).wait, blend.wait.weight));
  });
  for (const booster of boosters) booster.dispose();
  data.dispose();
  return { p, gaps };
}

/** The fitted model's predictions are what its saved files alone give, and what it gives loaded back through the factory. */
async function expectServedAsFitted(model: XGBoostGapModel, modelDir: string, input: ScoringTable): Promise<void> {
  const prediction = await model.predict(input);
  const fromFiles = predictFromFiles(modelDir, input);
  fromFiles.p.forEach((p, i) => expect(prediction.pOrder90d[i]! / p).toBeCloseTo(1, 5));
  fromFiles.gaps.forEach((gap, i) => expect(prediction.predictedGapDays[i]! / gap).toBeCloseTo(1, 5));
  const loaded = await xgboostFactory.load(modelDir, model.describe());
  expect(await loaded.predict(input)).toEqual(prediction);
  expect(loaded.describe()).toEqual(model.describe());
  loaded.dispose();
}

describe('XGBoostGapModel', () => {
  it('fits on landmark rows with held-out customers, and predicts gaps from elapsed to elapsed + the return horizon', async () => {
    const model = (await xgboostFactory.create(SMALL)) as XGBoostGapModel;
    expect(model.type).toBe('xgboost');
    const events: FitProgress[] = [];
    const report = await model.fit(gapTrainingTable(52, 600), { onProgress: (event) => events.push(event) });
    // Progress counts the rounds of all three boosters; early stopping skips ahead, the 90-day booster's rounds carry the metrics.
    expect(new Set(events.map((e) => e.total))).toEqual(new Set([3 * 40]));
    expect(events.every((e, i) => i === 0 || e.step > events[i - 1]!.step)).toBe(true);
    const reported = events.filter((e) => Object.keys(e.metrics).length > 0);
    expect(reported.map((e) => e.metrics)).toEqual(report.history);
    expect(reported.map((e) => e.step)).toEqual(report.history.map((_, i) => 2 * 40 + i + 1));
    expect(Object.keys(report.history[0]!)).toEqual(['train-logloss', 'validation-logloss']);
    expect(xgboostFitMetrics(SMALL)).toEqual(Object.keys(report.history[0]!));
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
    expect(json.learner.feature_names).toEqual([...GAP_FEATURES, ELAPSED_FEATURE, ...CUSTOMER_BASE_FEATURES, ...CALENDAR_FEATURES]);
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
    expect(Object.keys(description.featureImportance!)).toEqual([...GAP_FEATURES, ELAPSED_FEATURE, ...CUSTOMER_BASE_FEATURES, ...CALENDAR_FEATURES]);

    const loaded = (await xgboostFactory.load(modelDir, description)) as XGBoostGapModel;
    const input = gapScoringTable(61, ELAPSED);
    expect(await loaded.predict(input)).toEqual(await model.predict(input));
    expect(loaded.describe()).toEqual(description);
    // The horizons it was fitted with, for the manifest; an artifact written before them loads with the same defaults.
    expect(description.horizons).toEqual({ orderWithinDays: 90, landmarkDays: [1, 2, 3, 5, 8, 12, 18, 27, 41, 62, 93], classifierHorizonsDays: [7, 30, 90] });
    const { horizons: _horizons, ...older } = description;
    const loadedOlder = await xgboostFactory.load(modelDir, older);
    expect(await loadedOlder.predict(input)).toEqual(await model.predict(input));
    model.dispose();
    loaded.dispose();
    loadedOlder.dispose();
  });

  it('serves boosters written before the calendar features with rows that leave them out', async () => {
    // An older artifact: boosters trained on rows without AsOfDayOfYearSin/Cos, with the attributes of a model of today.
    const table = gapTrainingTable(66, 400);
    const model = new XGBoostGapModel(SMALL);
    await model.fit(table);
    const modelDir = join(dir, 'before-calendar');
    await model.save(modelDir);
    const { best_iteration: _round, best_score: _score, ...attributes } = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')).learner.attributes as Record<string, string>;
    const rows = withCustomerBaseFeatures(landmarkTable(table, [1, 2, 3, 5, 8, 12, 18, 27, 41, 62, 93]), table, null, { calendar: false });
    expect(rows.featureNames).not.toContain(CALENDAR_FEATURES[0]);
    for (const horizon of WAIT_HORIZONS_DAYS) {
      const label = Float32Array.from(rows.gapDays, (gap, i) => (gap < horizon && !rows.censored[i] ? 1 : 0));
      const data = new DMatrix({ values: rows.values, nrow: rows.nRows, ncol: rows.featureNames.length }, { label, feature_names: rows.featureNames, nthread: 1 });
      const booster = train({ objective: 'binary:logistic', max_depth: 2, nthread: 1 }, data, 10);
      if (horizon === 90) booster.set_attr(attributes);
      booster.save_model(join(modelDir, boosterFile(horizon)));
      booster.dispose();
      data.dispose();
    }
    const older = await xgboostFactory.load(modelDir, model.describe());
    const input = gapScoringTable(67, ELAPSED);
    const direct = new Booster({}, [], join(modelDir, 'model.json'));
    const without = scoringCustomerBaseFeatures(scoringLandmarks(input), input, null, { calendar: false });
    const expected = direct.predict(new DMatrix({ values: without.values, nrow: without.nRows, ncol: without.featureNames.length }, { feature_names: without.featureNames }));
    const served = await older.predict(input);
    expected.forEach((p, i) => expect(served.pOrder90d[i]! / p).toBeCloseTo(1, 5));
    // The same booster fed today's rows (with the calendar columns) is refused by XGBoost: the loaded model must leave them out.
    const withCalendar = scoringCustomerBaseFeatures(scoringLandmarks(input), input, null);
    expect(() => direct.predict(new DMatrix({ values: withCalendar.values, nrow: withCalendar.nRows, ncol: withCalendar.featureNames.length }, { feature_names: withCalendar.featureNames }))).toThrow();
    direct.dispose();
    older.dispose();
    model.dispose();
  });

  it('serves a model with the classifier horizons its manifest records, not this build\'s', async () => {
    const model = new XGBoostGapModel(SMALL, [14, 90]);
    await model.fit(gapTrainingTable(62, 500));
    const modelDir = join(dir, 'other-horizons');
    expect(await model.save(modelDir)).toEqual(['model-14d.json', 'model.json']);
    const description = model.describe();
    expect(description.horizons?.classifierHorizonsDays).toEqual([14, 90]);
    const loaded = (await xgboostFactory.load(modelDir, description)) as XGBoostGapModel;
    expect(loaded.classifierHorizonsDays).toEqual([14, 90]);
    const input = gapScoringTable(63, ELAPSED);
    const own = await loaded.predict(input);
    expect(own).toEqual(await model.predict(input));
    // Without its recorded horizons it would be read as this build's 7/30/90-day classifiers, which it does not have.
    const { horizons: _horizons, ...unrecorded } = description;
    await expect(xgboostFactory.load(modelDir, unrecorded)).rejects.toThrow(/model-7d\.json: cannot load the XGBoost model/);
    expect(() => new XGBoostGapModel(SMALL, [30, 60])).toThrow(/ending with 90 \(p_order_90d\), got 30, 60/);
    model.dispose();
    loaded.dispose();
  });

  it('blends its answers with BG/NBD as chosen at a cutoff inside the training period, and keeps the choice in its files', async () => {
    // A BG/NBD customer base (many customers with several orders each), trained as of its end.
    const orders = scenarioOrders('short-sparse');
    const end = orderDaySpan(orders).last + 1;
    const model = new XGBoostGapModel({ ...SMALL, landmark_max_days: 365 });
    await model.fit(buildTrainingTable(orders, end));
    const { selection } = model.describe();
    for (const [key, metrics] of [['blend_p_order_90d', 'brier_90d and auc_90d'], ['blend_wait', 'mae_days and c_index']] as const) {
      const choice = selection![key]!;
      // Where the best candidate holds the booster's answers, the guard's verdict on it follows.
      expect(choice.criterion).toMatch(new RegExp(`^least rank sum of ${metrics} at the inner cutoff \\d+ days before the end of training, \\d+ held-out customers(; .* beyond noise .*)?$`));
      // The booster alone, then four weights of Pareto/NBD and BG/NBD each, with two figures each
      // (BG/CNBD-k's likelihood chose k = 1 here: it is BG/NBD, no candidate of its own), and the
      // guard's four interval ends when it was asked.
      expect(Object.keys(choice.candidates).filter((key) => !key.startsWith('guard: '))).toHaveLength(18);
      expect(Object.keys(choice.candidates)).toContain(`${choice.chosen}: ${metrics.split(' ')[0]}`);
    }
    const modelDir = join(dir, 'blended');
    await model.save(modelDir);
    const saved = JSON.parse(JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')).learner.attributes[BLEND_ATTRIBUTE]);
    expect(saved.selection).toEqual({ blend_p_order_90d: selection!.blend_p_order_90d, blend_wait: selection!.blend_wait });
    expect(blendLabel(saved.blend.pOrder90d)).toBe(selection!.blend_p_order_90d!.chosen);
    expect(blendLabel(saved.blend.wait)).toBe(selection!.blend_wait!.chosen);
    // On a BG/NBD customer base of a year, a BTYD model's answers are worth taking.
    expect(Math.min(saved.blend.pOrder90d.weight, saved.blend.wait.weight)).toBeLessThan(1);

    const input = buildScoringTable(orders, end);
    await expectServedAsFitted(model, modelDir, input);

    // A model written before blending existed (no such attribute) serves its boosters alone.
    const booster = new Booster({}, [], join(modelDir, 'model.json'));
    booster.set_attr({ [BLEND_ATTRIBUTE]: null });
    booster.save_model(join(modelDir, 'model.json'));
    booster.dispose();
    const older = await xgboostFactory.load(modelDir, model.describe());
    const alone = predictFromFiles(modelDir, input);
    const olderPrediction = await older.predict(input);
    alone.p.forEach((p, i) => expect(olderPrediction.pOrder90d[i]! / p).toBeCloseTo(1, 5));
    expect(older.describe().selection).toEqual({ wait_scale: selection!.wait_scale });
    older.dispose();
    model.dispose();
  });

  it('blends with BG/CNBD-k where the customers buy on a cycle, and keeps its fit in its files', async () => {
    const orders = scenarioOrders('regular-replenishment');
    const end = orderDaySpan(orders).last + 1;
    const model = new XGBoostGapModel({ ...SMALL, landmark_max_days: 365 });
    await model.fit(buildTrainingTable(orders, end));
    const { selection } = model.describe();
    // The booster alone, then four weights of BG/NBD, Pareto/NBD and BG/CNBD-k each, two figures each.
    expect(Object.keys(selection!.blend_p_order_90d!.candidates)).toHaveLength(26);
    expect(`${selection!.blend_p_order_90d!.chosen} ${selection!.blend_wait!.chosen}`).toContain('bgcnbd');
    const modelDir = join(dir, 'regular');
    await model.save(modelDir);
    const saved = JSON.parse(JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')).learner.attributes[BLEND_ATTRIBUTE]);
    // Its likelihood's k: the data were drawn with Erlang-4 gaps.
    expect(saved.blend.bgcnbd.k).toBe(4);
    await expectServedAsFitted(model, modelDir, buildScoringTable(orders, end));
    model.dispose();
  }, 120_000);

  it('fits BG/NBD in the boosters\' place on a history too short for them, and saves, loads and serves it', async () => {
    // The first 60 days of a busy customer base: orders followed for 7 and 30 days, none for 90.
    const orders = scenarioOrders('short-busy');
    const asOf = orderDaySpan(orders).first + 60;
    const table = buildTrainingTable(orders, asOf);
    const input = buildScoringTable(orders, asOf);
    const model = new XGBoostGapModel(SMALL);
    const report = await model.fit(table);
    expect(report.history).toHaveLength(1);
    const { selection } = model.describe();
    for (const key of ['blend_p_order_90d', 'blend_wait']) {
      expect(selection![key]!.chosen).toBe('bgnbd');
      expect(selection![key]!.criterion).toMatch(/^no order was followed for 90 days without a further order in between \(the training table spans 60 days\), .*: BG\/NBD alone/);
    }
    expect(model.describe().featureImportance).toBeUndefined();
    // Its answers are BG/NBD's, fitted on the same table.
    const bgnbd = new BtydGapModel('bgnbd');
    await bgnbd.fit(table);
    const prediction = await model.predict(input);
    expect(prediction).toEqual(await bgnbd.predict(input));
    expect((await model.predict(input, { returnHorizonDays: 30 })).predictedGapDays).toEqual((await bgnbd.predict(input, { returnHorizonDays: 30 })).predictedGapDays);

    const fallbackDir = join(dir, 'fallback');
    expect(await model.save(fallbackDir)).toEqual([BTYD_MODEL_FILE]);
    expect(readdirSync(fallbackDir)).toEqual([BTYD_MODEL_FILE]);
    const loaded = await xgboostFactory.load(fallbackDir, model.describe());
    expect(await loaded.predict(input)).toEqual(prediction);
    expect(loaded.describe()).toEqual(model.describe());
    loaded.dispose();

    // Fitted again on a longer history, the same model trains boosters and leaves BG/NBD behind.
    await model.fit(buildTrainingTable(orders, orderDaySpan(orders).first + 200));
    expect(model.describe().featureImportance).toBeDefined();
    expect(await model.save(join(dir, 'after-fallback'))).toEqual(WAIT_HORIZONS_DAYS.map(boosterFile));
    model.dispose();
  });

  it('holds out a third of a small base for the choice, and answers with BG/NBD where even that is too few to choose on', async () => {
    const orders = scenarioOrders('tiny-shop');
    const ids = [...new Set(orders.customerIds)];
    const base = (customers: number) => {
      const keep = new Set(ids.slice(0, customers));
      const kept = selectOrders(orders, (row) => keep.has(orders.customerIds[row]!));
      return buildTrainingTable(kept, orderDaySpan(kept).last + 1);
    };
    const hyperparameters = { ...SMALL, landmark_max_days: 365 };
    // 200 customers: a fifth (about 40) is too few to choose on; a third (66) is not.
    const model = new XGBoostGapModel(hyperparameters);
    await model.fit(base(200));
    const held = Number(/, (\d+) held-out customers(;|$)/.exec(model.describe().selection!.blend_wait!.criterion)?.[1]);
    expect(held).toBeGreaterThanOrEqual(50);
    expect(model.describe().selection!.blend_wait!.criterion).toMatch(/^least rank sum of mae_days and c_index/);
    // 60 customers: 20 held out, too few to choose on: BG/NBD's answers, which on so few customers beat a booster's.
    await model.fit(base(60));
    const { selection } = model.describe();
    expect(selection!.blend_p_order_90d!.criterion).toMatch(/^too few customers to choose on at the inner cutoff .* \(fewer than 50\): bgnbd alone$/);
    const bgnbd = new BtydGapModel('bgnbd');
    await bgnbd.fit(base(60));
    const few = buildScoringTable(selectOrders(orders, (row) => ids.slice(0, 60).includes(orders.customerIds[row]!)), orderDaySpan(orders).last + 1);
    const mine = await model.predict(few);
    const theirs = await bgnbd.predict(few);
    mine.pOrder90d.forEach((p, i) => expect(p).toBeCloseTo(theirs.pOrder90d[i]!, 6));
    mine.predictedGapDays.forEach((gap, i) => expect(gap).toBeCloseTo(theirs.predictedGapDays[i]!, 6));
    model.dispose();
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
    // Twenty customers of one order each, 5 days before the end: no landmark followed up for 30
    // days, nothing to learn "orders within 30 days" from, and no repeat order for BG/NBD either.
    const short = { ...gapTrainingTable(64, 20), gapDays: new Float64Array(20).fill(5) };
    await expect(model.fit(short)).rejects.toThrow(/nothing to learn "orders within 30 days" from.*BG\/NBD cannot be fitted in its place either/);

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
