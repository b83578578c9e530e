import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import { BACKEND_LADDER, modelBackend, selectBackend } from './backend';
import { withOriginalKernels } from './kernel-fixes';

describe('selectBackend', () => {
  it('falls down the ladder to a backend that loads here and activates it', async () => {
    const choice = await selectBackend({});
    expect(BACKEND_LADDER).toContain(choice.name);
    expect(tf.getBackend()).toBe(choice.name === 'tensorflow-gpu' ? 'tensorflow' : choice.name);
    // Whatever this machine has installed: every rung above the chosen one was tried, in order,
    // and says why it was passed over; the chosen one reports its package's version.
    expect(choice.tried.map((t) => t.name)).toEqual(BACKEND_LADDER.slice(0, BACKEND_LADDER.indexOf(choice.name)));
    for (const passed of choice.tried) expect(passed.error, passed.name).toMatch(/\S/);
    expect(choice.version).toMatch(/^\d+\.\d+\.\d+/);
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
    expect(log.mock.calls[0]![0]).toMatch(/TensorFlow\.js backend wasm \d+\.\d+\.\d+/);
    await selectBackend({ TFJS_BACKEND: 'cpu' });
    expect((await modelBackend(log)).name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(log).toHaveBeenCalledTimes(2);
    vi.unstubAllEnvs();
  });
});
