import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import { modelBackend, selectBackend } from './backend';
import { withOriginalKernels } from './kernel-fixes';

describe('selectBackend', () => {
  it('falls down the ladder to a backend that loads here and activates it', async () => {
    const choice = await selectBackend({});
    expect(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).toContain(choice.name);
    expect(tf.getBackend()).toBe(choice.name === 'tensorflow-gpu' ? 'tensorflow' : choice.name);
    // tfjs-node cannot be installed on this machine: the ladder says why it moved on.
    expect(choice.tried.map((t) => t.name)).toEqual(['tensorflow-gpu', 'tensorflow']);
    expect(choice).toMatchObject({ name: 'wasm', version: '4.22.0' });
  });

  it('honours TFJS_BACKEND', async () => {
    expect((await selectBackend({ TFJS_BACKEND: 'cpu' })).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('refuses an unknown TFJS_BACKEND by name', async () => {
    await expect(selectBackend({ TFJS_BACKEND: 'webgl' })).rejects.toThrow(/TFJS_BACKEND="webgl"/);
  });

  it('installs the wasm kernel fixes with the wasm backend', async () => {
    await selectBackend({ TFJS_BACKEND: 'wasm' });
    const fixed = tf.getKernel('BatchMatMul', 'wasm').kernelFunc;
    expect(withOriginalKernels(() => tf.getKernel('BatchMatMul', 'wasm').kernelFunc)).not.toBe(fixed);
  });
});

describe('modelBackend', () => {
  it('selects from the environment once, logs the choice, and reselects if tfjs was switched away', async () => {
    vi.stubEnv('TFJS_BACKEND', 'wasm');
    const log = vi.fn();
    expect((await modelBackend(log)).name).toBe('wasm');
    expect((await modelBackend(log)).name).toBe('wasm');
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]![0]).toMatch(/TensorFlow.js backend wasm 4.22.0/);
    await selectBackend({ TFJS_BACKEND: 'cpu' });
    expect((await modelBackend(log)).name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(log).toHaveBeenCalledTimes(2);
    vi.unstubAllEnvs();
  });
});
