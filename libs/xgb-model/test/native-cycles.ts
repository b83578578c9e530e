// The train/predict/free cycle of the native-memory test (src/memory.test.ts) and benchmark
// (bench/native-memory.ts), on one small seeded matrix, and a forced garbage collection.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DMatrix, train } from '../src/index';
import { seededRandom, uniformMatrix } from './synthetic';

setFlagsFromString('--expose-gc');
/** A full collection now (also runs, soon after, the finalizers of handles nobody disposed). */
export const collectGarbage = runInNewContext('gc') as () => void;

const random = seededRandom(30);
export const x = uniformMatrix(random, 200, 5);
export const label = Array.from({ length: 200 }, (_, i) => 3 * x.values[i * 5]! - 2 * x.values[i * 5 + 1]!);

/** Trains and predicts with a small booster, disposes both handles, returns the first prediction. */
export function trainPredictFree(): number {
  const data = new DMatrix(x, { label, nthread: 1 });
  const booster = train({ tree_method: 'hist', max_depth: 3, nthread: 1 }, data, 5);
  const first = booster.predict(data)[0]!;
  booster.dispose();
  data.dispose();
  return first;
}
