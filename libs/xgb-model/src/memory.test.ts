import { describe, expect, it } from 'vitest';
import { collectGarbage, label, trainPredictFree, x } from '../test/native-cycles';
import { DMatrix, liveHandles, train } from './index';

async function collectUntil(done: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 50 && !done(); attempt++) {
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('native memory', () => {
  // The RSS bound of the same loop is a benchmark (npx nx run bench:xgb-memory): RSS depends on
  // the allocator and on the load of the machine; the handle counts do not.
  it('releases every native handle over 1,000 train/predict/free cycles', () => {
    const before = liveHandles();
    let checksum = 0;
    for (let i = 0; i < 1000; i++) checksum += trainPredictFree();
    expect(Number.isFinite(checksum)).toBe(true);
    expect(liveHandles()).toEqual(before);
  });

  it('frees handles nobody disposed once their owners are garbage-collected', async () => {
    const before = liveHandles();
    (() => {
      for (let i = 0; i < 50; i++) {
        const data = new DMatrix(x, { label, nthread: 1 });
        train({ nthread: 1, max_depth: 2 }, data, 2).predict(data);
      }
    })();
    expect(liveHandles().DMatrix).toBeGreaterThan(before.DMatrix);
    await collectUntil(() => liveHandles().DMatrix === before.DMatrix && liveHandles().Booster === before.Booster);
    expect(liveHandles()).toEqual(before);
  });

  it('lets dispose() run twice and keeps the counters exact', () => {
    const before = liveHandles();
    const data = new DMatrix([[1, 2]]);
    expect(liveHandles().DMatrix).toBe(before.DMatrix + 1);
    data.dispose();
    data.dispose();
    expect(data.disposed).toBe(true);
    expect(liveHandles()).toEqual(before);
  });
});
