import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Adam } from './adam';
import { selectBackend } from './backend';
import { createRng } from '@nextbuy/random';

describe('Adam', () => {
  it('makes the same updates as tf.train.adam', async () => {
    await selectBackend({ TFJS_BACKEND: 'cpu' });
    const rng = createRng(3);
    const start = Float32Array.from({ length: 12 }, () => rng() - 0.5);
    const mine = start.slice();
    const variable = tf.variable(tf.tensor1d(start));
    const adam = new Adam(start.length, 0.05);
    const reference = tf.train.adam(0.05);
    for (let step = 0; step < 25; step++) {
      // The gradient of sum((w - target)^2 * scale), so the two optimisers see the same gradients.
      const grad = Float32Array.from(mine, (w, i) => 2 * (w - Math.sin(i)) * (1 + (i % 3)));
      adam.update(mine, grad);
      reference.minimize(() => tf.sum(tf.mul(tf.square(tf.sub(variable, tf.sin(tf.range(0, 12)))), tf.add(tf.mod(tf.range(0, 12), 3), 1))));
    }
    const expected = variable.dataSync();
    // tfjs rounds every intermediate to float32, this loop only the stored values: 25 steps differ in the 6th digit.
    mine.forEach((w, i) => expect(w).toBeCloseTo(expected[i]!, 4));
    expect(mine).not.toEqual(start);
    reference.dispose();
    variable.dispose();
  });
});
