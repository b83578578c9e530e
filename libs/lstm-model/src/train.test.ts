import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend';
import { LstmNetwork, type NetworkShape } from './network';
import { createRng } from '@nextbuy/random';
import { type LabelledWindows, meanLoss, TrainingDivergedError, trainNetwork } from './train';

const SHAPE: NetworkShape = { inputSize: 3, hiddenSize: 4, layers: 1, steps: 2 };

/** Windows whose log gap is twice the first feature of the last step, plus noise. */
function dataset(n: number, seed: number, labelled = true): LabelledWindows {
  const rng = createRng(seed);
  const values = Float32Array.from({ length: n * 2 * 3 }, (_, i) => (i % 3 === 2 ? 1 : 2 * rng() - 1));
  const logGap = Float32Array.from({ length: n }, (_, w) => (labelled ? 2 + 2 * values[(w * 2 + 1) * 3]! : 2 + 2 * rng()) + 0.1 * rng());
  return { windows: { n, values, start: new Int32Array(n) }, labels: { logGap, censored: new Uint8Array(n) } };
}

const SETTINGS = { epochs: 40, batchSize: 16, learningRate: 0.05, dropout: 0, patience: 2 };

describe('trainNetwork', () => {
  beforeAll(async () => {
    await selectBackend({ TFJS_BACKEND: 'wasm' });
  });

  it('lowers the loss, stops when the validation loss stops improving, and keeps the best epoch', () => {
    const train = dataset(200, 1);
    // Validation labels unrelated to the inputs: the network can only overfit them.
    const validation = dataset(100, 2, false);
    const network = LstmNetwork.initialise(SHAPE, createRng(3), [2, 0]);
    const { history, bestEpoch } = trainNetwork(network, train, validation, SETTINGS, createRng(4));
    expect(history[history.length - 1]!.loss).toBeLessThan(history[0]!.loss);
    expect(history.length).toBeLessThan(SETTINGS.epochs);
    expect(history.length).toBe(bestEpoch! + SETTINGS.patience);
    const best = Math.min(...history.map((h) => h.val_loss!));
    expect(history[bestEpoch! - 1]!.val_loss).toBe(best);
    expect(meanLoss(network, validation)).toBeCloseTo(best, 5);
  });

  it('says which hyperparameter to change when the loss stops being a number', () => {
    const train = dataset(20, 5);
    train.labels.logGap[3] = Number.NaN;
    const network = LstmNetwork.initialise(SHAPE, createRng(3), [2, 0]);
    expect(() => trainNetwork(network, train, undefined, SETTINGS, createRng(4))).toThrow(TrainingDivergedError);
    expect(() => trainNetwork(network, train, undefined, SETTINGS, createRng(4))).toThrow(/lower learning_rate \(now 0.05\)/);
  });
});
