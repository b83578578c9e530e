import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from './backend';
import { toLayersModel } from './layers-model';
import { censoredLogNormalNll } from './loss';
import { LstmNetwork, type NetworkShape, type Windows } from './network';
import { createRng } from '@nextbuy/random';

/** Random left-padded windows: `start` real steps skipped, the last channel marks real steps. */
function randomWindows(shape: NetworkShape, starts: number[], seed: number): Windows {
  const rng = createRng(seed);
  const { steps: L, inputSize: D } = shape;
  const values = new Float32Array(starts.length * L * D);
  starts.forEach((start, w) => {
    for (let t = start; t < L; t++) {
      for (let f = 0; f < D - 1; f++) values[(w * L + t) * D + f] = 2 * rng() - 1;
      values[(w * L + t) * D + D - 1] = 1;
    }
  });
  return { n: starts.length, values, start: Int32Array.from(starts) };
}

function randomNetwork(shape: NetworkShape, seed: number): LstmNetwork {
  const rng = createRng(seed);
  const network = LstmNetwork.initialise(shape, rng, [2, -0.5]);
  // Away from the initialiser's zero biases, so every gate's gradient is exercised.
  for (let i = 0; i < network.theta.length; i++) network.theta[i]! += 0.4 * (rng() - 0.5);
  return network;
}

describe.each(['wasm', 'cpu'])('LstmNetwork on %s', (backend) => {
  it.each([1, 2])('gives the outputs and gradients of the stock tfjs model (Masking, LSTM x %d, Dense) under autodiff', async (layers) => {
    await selectBackend({ TFJS_BACKEND: backend });
    const shape: NetworkShape = { inputSize: 5, hiddenSize: 6, layers, steps: 4 };
    const starts = [0, 1, 3, 2, 0, 3, 1, 0, 2];
    const windows = randomWindows(shape, starts, 11);
    const network = randomNetwork(shape, 12);
    const labels = { logGap: Float32Array.from(starts, (_, i) => 0.5 + 0.4 * i), censored: Uint8Array.from(starts, (_, i) => i % 3 === 0 ? 1 : 0) };

    const model = toLayersModel(network, 0);
    const x = tf.tensor3d(windows.values, [starts.length, shape.steps, shape.inputSize]);
    const expected = model.predict(x) as tf.Tensor2D;
    const { mu, logSigma } = network.predict(windows, 4);
    const reference = expected.arraySync();
    reference.forEach(([m, s], i) => {
      expect(mu[i]).toBeCloseTo(m!, 5);
      expect(logSigma[i]).toBeCloseTo(s!, 5);
    });

    const rows = Int32Array.from(starts, (_, i) => i);
    const { loss, grad } = network.lossAndGradient(windows, rows, labels, 0, createRng(1));
    const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => {
      const [m, s] = tf.unstack(model.apply(x, { training: false }) as tf.Tensor2D, 1) as [tf.Tensor1D, tf.Tensor1D];
      return tf.mean(censoredLogNormalNll(m, s, tf.tensor1d(labels.logGap), tf.tensor1d(labels.censored, 'bool'))) as tf.Scalar;
    }, weights);
    expect(loss).toBeCloseTo(value.dataSync()[0]!, 5);
    network.specs.forEach((spec, i) => {
      const autodiff = grads[weights[i]!.name]!.dataSync();
      expect(spec.size).toBe(autodiff.length);
      autodiff.forEach((g, k) => expect(grad[spec.offset + k]).toBeCloseTo(g, 5));
    });
    tf.dispose([x, expected, value, ...Object.values(grads)]);
    model.dispose();
  });

  it('leaves padded steps out entirely: padding values never reach the output', async () => {
    await selectBackend({ TFJS_BACKEND: backend });
    const shape: NetworkShape = { inputSize: 4, hiddenSize: 5, layers: 2, steps: 3 };
    const windows = randomWindows(shape, [2, 1], 3);
    const network = randomNetwork(shape, 4);
    const before = network.predict(windows);
    // Garbage in the padded steps changes nothing: they are skipped, not just zero.
    windows.values.fill(7, 0, 2 * shape.inputSize);
    windows.values.fill(-3, 3 * shape.inputSize, 4 * shape.inputSize);
    expect(network.predict(windows)).toEqual(before);
  });

  it('holds no tensors after predicting or computing a gradient', async () => {
    await selectBackend({ TFJS_BACKEND: backend });
    const shape: NetworkShape = { inputSize: 3, hiddenSize: 4, layers: 1, steps: 2 };
    const windows = randomWindows(shape, [0, 1, 0], 5);
    const network = randomNetwork(shape, 6);
    const before = tf.memory().numTensors;
    network.predict(windows);
    network.lossAndGradient(windows, Int32Array.of(0, 1, 2), { logGap: Float32Array.of(1, 2, 3), censored: Uint8Array.of(0, 1, 0) }, 0.5, createRng(2));
    expect(tf.memory().numTensors).toBe(before);
  });
});
