import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend';
import { FIXED_KERNELS, withOriginalKernels } from './kernel-fixes';

/** Runs `op` with the fixed kernels and with tfjs's own, returning both results' values. */
function bothWays(op: () => tf.Tensor | tf.Tensor[]): { fixed: number[][]; original: number[][] } {
  const values = (result: tf.Tensor | tf.Tensor[]) => {
    const list = Array.isArray(result) ? result : [result];
    const out = list.map((t) => [...t.shape, ...Array.from(t.dataSync())]);
    tf.dispose(list);
    return out;
  };
  return { fixed: values(op()), original: values(withOriginalKernels(op)) };
}

function maxAbsDiff(a: number[][], b: number[][]): number {
  expect(a.map((x) => x.length)).toEqual(b.map((x) => x.length));
  return Math.max(...a.flatMap((x, i) => x.map((v, j) => Math.abs(v - b[i]![j]!))));
}

describe('wasm kernel fixes', () => {
  beforeAll(async () => {
    expect((await selectBackend({ TFJS_BACKEND: 'wasm' })).name).toBe('wasm');
  });

  it('replace BatchMatMul, Slice, SplitV and Unpack once the wasm backend is selected', () => {
    expect([...FIXED_KERNELS].sort()).toEqual(['BatchMatMul', 'Slice', 'SplitV', 'Unpack']);
    for (const name of FIXED_KERNELS) expect(tf.getKernel(name, 'wasm').kernelFunc).not.toBe(withOriginalKernels(() => tf.getKernel(name, 'wasm').kernelFunc));
  });

  it.each([
    [[37, 19], [37, 23], true, false],
    [[19, 37], [23, 37], false, true],
    [[37, 19], [23, 37], true, true],
    [[4, 11, 6], [4, 11, 9], true, false],
    [[1, 6, 11], [3, 9, 11], false, true],
    [[5, 13], [13, 7], false, false],
  ] as const)('BatchMatMul %j x %j (transposeA %s, transposeB %s) matches the original kernel', (a, b, transposeA, transposeB) => {
    const x = tf.randomNormal([...a], 0, 1, 'float32', 1);
    const y = tf.randomNormal([...b], 0, 1, 'float32', 2);
    const { fixed, original } = bothWays(() => tf.matMul(x, y, transposeA, transposeB));
    // Same products, possibly summed in another order: float32 rounding only.
    expect(maxAbsDiff(fixed, original)).toBeLessThan(1e-5);
    tf.dispose([x, y]);
  });

  it.each([
    [[10], [3], [5]],
    [[6, 8], [2, 0], [3, 8]],
    [[6, 8], [1, 3], [4, 2]],
    [[3, 5, 7, 4], [1, 2, 3, 1], [2, 2, 3, 2]],
    [[3, 5, 7, 4], [0, 1, 0, 0], [3, 3, 7, 4]],
    [[3, 5, 7, 4], [2, 0, 0, 0], [1, 5, 7, 4]],
    [[2, 3, 4, 5, 6], [1, 1, 0, 2, 3], [1, 2, 4, 3, 3]],
    [[4, 0, 3], [1, 0, 0], [2, 0, 3]],
  ] as const)('Slice of %j at %j size %j matches the original kernel exactly', (shape, begin, size) => {
    const x = tf.randomNormal([...shape], 0, 1, 'float32', 3);
    const i = tf.cast(tf.mul(x, 100), 'int32');
    const { fixed, original } = bothWays(() => [tf.slice(x, [...begin], [...size]), tf.slice(i, [...begin], [...size])]);
    expect(fixed).toEqual(original);
    tf.dispose([x, i]);
  });

  it.each([
    [[6, 12], [3, 4, 5], 1],
    [[6, 12], 3, 0],
    [[2, 3, 8], [2, 6], -1],
  ] as const)('SplitV of %j into %j along %d matches the original kernel exactly', (shape, splits, axis) => {
    const x = tf.randomNormal([...shape], 0, 1, 'float32', 4);
    const { fixed, original } = bothWays(() => tf.split(x, typeof splits === 'number' ? splits : [...splits], axis));
    expect(fixed).toEqual(original);
    tf.dispose(x);
  });

  it.each([0, 1, 2, -1])('Unpack along axis %d matches the original kernel exactly', (axis) => {
    const x = tf.randomNormal([3, 4, 5], 0, 1, 'float32', 5);
    const { fixed, original } = bothWays(() => tf.unstack(x, axis));
    expect(fixed).toEqual(original);
    tf.dispose(x);
  });

  it('leave no tensors or wasm buffers behind', () => {
    const x = tf.randomNormal([8, 6]);
    const before = { tensors: tf.memory().numTensors, buffers: tf.memory().numDataBuffers };
    tf.dispose([tf.matMul(x, x, true, false), tf.matMul(x, x, false, true), tf.slice(x, [1, 1], [3, 3]), ...tf.split(x, 2, 1), ...tf.unstack(x)]);
    expect({ tensors: tf.memory().numTensors, buffers: tf.memory().numDataBuffers }).toEqual(before);
    x.dispose();
  });
});
