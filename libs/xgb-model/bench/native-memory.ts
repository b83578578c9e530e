/**
 * RSS growth over 1,000 train/predict/free cycles of a small XGBoost model, after 200 cycles of
 * warm-up. Not a test: RSS depends on the allocator and on what else the process does, so the
 * bound lives here (src/memory.test.ts checks the deterministic part, the live-handle counts).
 * Leaking each cycle's matrix and booster costs about 65 MB over 1,000 cycles on this data; a
 * growth under 24 MB is a pass. Usage: npx nx run bench:xgb-memory (exits 1 above the bound).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { seededRandom, uniformMatrix } from '../test/synthetic';
import { DMatrix, liveHandles, train } from '../src/index';

const BOUND_MB = 24;
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const random = seededRandom(30);
const x = uniformMatrix(random, 200, 5);
const label = Array.from({ length: 200 }, (_, i) => 3 * x.values[i * 5]! - 2 * x.values[i * 5 + 1]!);

function trainPredictFree(): number {
  const data = new DMatrix(x, { label, nthread: 1 });
  const booster = train({ tree_method: 'hist', max_depth: 3, nthread: 1 }, data, 5);
  const first = booster.predict(data)[0]!;
  booster.dispose();
  data.dispose();
  return first;
}

for (let i = 0; i < 200; i++) trainPredictFree();
collectGarbage();
const warm = process.memoryUsage().rss;
const started = performance.now();
let checksum = 0;
for (let i = 0; i < 1000; i++) checksum += trainPredictFree();
collectGarbage();
const grownMb = (process.memoryUsage().rss - warm) / (1024 * 1024);
const seconds = (performance.now() - started) / 1000;
console.log(`xgb native memory: 1,000 cycles in ${seconds.toFixed(1)} s, RSS grew ${grownMb.toFixed(1)} MB (bound ${BOUND_MB} MB), live handles ${JSON.stringify(liveHandles())}, checksum ${checksum.toFixed(3)}`);
if (grownMb >= BOUND_MB) {
  console.error(`RSS grew ${grownMb.toFixed(1)} MB over 1,000 cycles: more than ${BOUND_MB} MB, a leak of native memory`);
  process.exitCode = 1;
}
