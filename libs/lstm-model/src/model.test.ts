import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactError, type FitProgress, HORIZON_DAYS, InputDataError } from '@nextbuy/contracts';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twoGroupTables } from '../test/synthetic';
import { LSTM_FIT_METRICS } from './hyperparameters';
import { CALIBRATION_LANDMARK_DAYS, LstmGapModel, lstmFactory } from './model';
import { directoryHandler } from './model-files';

// Small and quick: 60 customers x 6 orders; the signal is strong enough for a few epochs.
const HYPERPARAMETERS = { epochs: 25, batch_size: 32, learning_rate: 0.01, hidden_size: 8, patience: 5, dropout: 0, seed: 3 };
const data = twoGroupTables({ customers: 60, orders: 6 });

describe('LstmGapModel', () => {
  let model: LstmGapModel;
  let dir: string;

  beforeAll(async () => {
    process.env.TFJS_BACKEND = 'wasm';
    model = await LstmGapModel.create(HYPERPARAMETERS);
    await model.fit(data.train);
    dir = await mkdtemp(join(tmpdir(), 'lstm-model-'));
  });

  afterAll(async () => {
    model.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('learns a clear signal: customers who order every ~5 days get far shorter gaps than those every ~80', async () => {
    const { predictedGapDays } = await model.predict(data.score);
    const frequent = Array.from(predictedGapDays).filter((_, i) => !data.rare[i]);
    const rare = Array.from(predictedGapDays).filter((_, i) => data.rare[i]);
    expect(Math.max(...frequent)).toBeLessThan(15);
    expect(Math.min(...rare)).toBeGreaterThan(3 * Math.max(...frequent));
  });

  it('never predicts the next order before the as-of date, and gives probabilities', async () => {
    const elapsed = Float64Array.from(data.score.elapsedDays, (e, i) => [0, e, 3 * e, 5000][i % 4]!);
    const { predictedGapDays, pOrder90d } = await model.predict({ ...data.score, elapsedDays: elapsed });
    predictedGapDays.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(elapsed[i]!));
    pOrder90d.forEach((p) => {
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    });
    // Frequent customers gone quiet for months are no longer expected within 90 days.
    expect(pOrder90d[0]).toBeGreaterThan(0.9);
    expect(pOrder90d[3]).toBeLessThan(pOrder90d[0]!);
  });

  it('is reproducible: the same seed gives the same weights and predictions, another seed other weights', async () => {
    const again = await LstmGapModel.create(HYPERPARAMETERS);
    await again.fit(data.train);
    const other = await LstmGapModel.create({ ...HYPERPARAMETERS, seed: 4 });
    await other.fit(data.train);
    expect(await again.predict(data.score)).toEqual(await model.predict(data.score));
    // The weights, not the predictions: on 60 customers the inner cutoff has too few to choose on,
    // and the model answers with BG/NBD's, which no seed changes.
    const weights = async (fitted: LstmGapModel) => {
      const at = await mkdtemp(join(tmpdir(), 'lstm-seed-'));
      await fitted.save(at);
      const bytes = await readFile(join(at, 'weights.bin'));
      await rm(at, { recursive: true, force: true });
      return bytes;
    };
    const reference = await weights(model);
    expect((await weights(again)).equals(reference)).toBe(true);
    expect((await weights(other)).equals(reference)).toBe(false);
  });

  it('saves tfjs model.json + weights.bin and preprocessing.json, and loads them back to identical predictions', async () => {
    const files = await model.save(dir);
    expect(files.sort()).toEqual(['model.json', 'preprocessing.json', 'weights.bin']);
    expect((await readdir(dir)).sort()).toEqual(files);
    const loaded = await lstmFactory.load(dir, model.describe());
    expect(await loaded.predict(data.score)).toEqual(await model.predict(data.score));
    // It describes the horizons its manifest recorded (those it was fitted with), and loads without them (an older artifact).
    const recorded = { orderWithinDays: HORIZON_DAYS, landmarkDays: [0, 60, 120] };
    expect((await lstmFactory.load(dir, { ...model.describe(), horizons: recorded })).describe().horizons).toEqual(recorded);
    const { horizons: _horizons, ...older } = model.describe();
    expect(await (await lstmFactory.load(dir, older)).predict(data.score)).toEqual(await model.predict(data.score));
    // Saving the loaded model writes the same bytes.
    const again = await mkdtemp(join(tmpdir(), 'lstm-model-'));
    await loaded.save(again);
    for (const file of files) expect(await readFile(join(again, file))).toEqual(await readFile(join(dir, file)));
    await rm(again, { recursive: true, force: true });
    loaded.dispose();
  });

  it('writes a model stock tfjs loads: Masking, LSTM with sigmoid gates, Dense(2)', async () => {
    await model.save(dir);
    const stock = await tf.loadLayersModel(directoryHandler(dir));
    expect(stock.layers.map((l) => l.getClassName())).toEqual(['Masking', 'LSTM', 'Dropout', 'Dense']);
    expect(stock.layers[1]!.getConfig()).toMatchObject({ units: 8, recurrentActivation: 'sigmoid' });
    expect(stock.outputs[0]!.shape).toEqual([null, 2]);
    stock.dispose();
  });

  it('refuses an artifact with a missing or unknown preprocessing.json', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'lstm-model-'));
    await model.save(broken);
    await rm(join(broken, 'preprocessing.json'));
    await expect(lstmFactory.load(broken, model.describe())).rejects.toThrow(ArtifactError);
    await writeFile(join(broken, 'preprocessing.json'), JSON.stringify({ formatVersion: 9 }));
    await expect(lstmFactory.load(broken, model.describe())).rejects.toThrow(/formatVersion 9/);
    await rm(broken, { recursive: true, force: true });
  });

  it('leaks no tensors through fit, predict, save, load and dispose', async () => {
    const start = tf.memory().numTensors;
    const fresh = await lstmFactory.create({ ...HYPERPARAMETERS, epochs: 2 });
    await fresh.fit(data.train);
    expect(tf.memory().numTensors).toBe(start);
    await fresh.predict(data.score);
    expect(tf.memory().numTensors).toBe(start);
    await fresh.save(dir);
    const loaded = await lstmFactory.load(dir, fresh.describe());
    await loaded.predict(data.score);
    expect(tf.memory().numTensors).toBe(start);
    fresh.dispose();
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('reports per-epoch losses, the best epoch and the backend', async () => {
    const fresh = await LstmGapModel.create({ ...HYPERPARAMETERS, epochs: 3 });
    const progress: FitProgress[] = [];
    const validation = twoGroupTables({ customers: 10, orders: 4, seed: 9 }).train;
    const report = await fresh.fit(data.train, { validation, onProgress: (event) => progress.push(event) });
    expect(progress.map(({ step, total }) => [step, total])).toEqual([[1, 3], [2, 3], [3, 3]]);
    // Each epoch's losses under the names the registry declares for the trainer's metric lines.
    for (const event of progress) expect(Object.keys(event.metrics)).toEqual([...LSTM_FIT_METRICS]);
    expect(report.history).toHaveLength(3);
    for (const epoch of report.history) expect(epoch).toMatchObject({ loss: expect.any(Number), val_loss: expect.any(Number) });
    expect(report.bestIteration).toBeGreaterThanOrEqual(0);
    const description = fresh.describe();
    expect(description.backend).toBe('wasm');
    expect(description.hyperparameters).toMatchObject({ time_series_length: 3, hidden_size: 8, epochs: 3 });
    expect(description.libraries['@tensorflow/tfjs']).toBe('4.22.0');
    expect(description.horizons).toEqual({ orderWithinDays: HORIZON_DAYS, landmarkDays: [...CALIBRATION_LANDMARK_DAYS] });
  });

  it('names what is wrong with its input', async () => {
    await expect(lstmFactory.create({ hidden_size: 'big' })).rejects.toThrow(/column "hidden_size"/);
    const renamed = { ...data.score, featureNames: ['PrevGapDays', 'Price', 'OrderCount'] };
    await expect(model.predict(renamed)).rejects.toThrow(InputDataError);
    await expect(model.predict(renamed)).rejects.toThrow(/column "Price"/);
    await expect((await LstmGapModel.create()).predict(data.score)).rejects.toThrow(/fit\(\) or load/);
  });
});
