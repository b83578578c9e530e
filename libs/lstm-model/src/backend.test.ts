import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from './backend';

describe('selectBackend', () => {
  it('falls down the ladder to a backend that loads here and activates it', async () => {
    const choice = await selectBackend({});
    expect(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).toContain(choice.name);
    expect(tf.getBackend()).toBe(choice.name === 'tensorflow-gpu' ? 'tensorflow' : choice.name);
  });
  it('honours TFJS_BACKEND', async () => {
    expect((await selectBackend({ TFJS_BACKEND: 'cpu' })).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
  it('refuses an unknown TFJS_BACKEND by name', async () => {
    await expect(selectBackend({ TFJS_BACKEND: 'webgl' })).rejects.toThrow(/TFJS_BACKEND="webgl"/);
  });
});
