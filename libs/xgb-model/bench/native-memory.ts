/**
 * RSS growth over 1,000 train/predict/free cycles of a small XGBoost model, after 200 cycles of
 * warm-up. Not a test: RSS depends on the allocator and on what else the process does, so the
 * bound lives here (src/memory.test.ts checks the deterministic part, the live-handle counts).
 * Leaking each cycle's matrix and booster costs about 65 MB over 1,000 cycles on this data; a
 * growth under 24 MB is a pass. Usage: npx nx run bench:xgb-memory (exits 1 above the bound).
 */
import { collectGarbage, trainPredictFree } from '../test/native-cycles';
import { liveHandles } from '../src/index';

const BOUND_MB = 24;

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
