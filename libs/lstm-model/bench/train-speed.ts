/**
 * Training speed of the LSTM on the workload of tooling-notes.md (a benchmark, not a test):
 * 28k random windows x 3 steps x 19 features, LSTM(32) + Dense, Adam, 20 epochs, at batch
 * 64 / 256 / 1024, against PyTorch 1.13 CPU (1 thread) and stock tfjs on wasm measured there.
 * Usage: `npx nx run bench:lstm-speed` or `npx tsx libs/lstm-model/bench/train-speed.ts
 * [epochs=20] [--stock]` (TFJS_BACKEND picks the backend; fewer epochs are scaled to 20).
 *
 * The reference figures were taken on an idle machine; on a shared one every figure here is
 * slower, wall time most (time slices) and CPU time too (a busy sibling hyperthread). `--stock`
 * also times stock tfjs (tf.layers LSTM + Dense, model.fit, tfjs's own wasm kernels) for one
 * epoch per batch size in the same run: the ratio of CPU times depends far less on the load.
 *
 * What bounds it: the matrix products, the same ~82 MFLOP per 1,024 windows whatever the batch,
 * run at ~20 GFLOP/s in XNNPACK's 128-bit wasm SIMD kernels (no FMA, one thread), ~2.1 s of the
 * 20 epochs; PyTorch's MKL/oneDNN (AVX2 FMA) does them several times faster, which is all of its
 * lead at batch 1024. At small batches the per-op costs dominate, and those we control.
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { modelBackend } from '../src/backend';
import { withOriginalKernels } from '../src/kernel-fixes';
import { LstmNetwork } from '../src/network';
import { createRng } from '@nextbuy/random';
import { trainNetwork } from '../src/train';

const PYTORCH_SECONDS: Record<number, number> = { 64: 5.2, 256: 2.7, 1024: 1.2 };
const TFJS_LAYERS_WASM_SECONDS: Record<number, number> = { 64: 33.4, 256: 24.7, 1024: 23.9 };
const WINDOWS = 28_000;
const STEPS = 3;
const FEATURES = 19;

const epochs = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 20);
const stock = process.argv.includes('--stock');
const backend = await modelBackend();
const rng = createRng(1);
// 19 features plus the is-real-step channel; every window is full length, as in the PyTorch run.
const inputSize = FEATURES + 1;
const values = Float32Array.from({ length: WINDOWS * STEPS * inputSize }, (_, i) => (i % inputSize === FEATURES ? 1 : 2 * rng() - 1));
const windows = { n: WINDOWS, values, start: new Int32Array(WINDOWS) };
const labels = { logGap: Float32Array.from({ length: WINDOWS }, () => 5 * rng()), censored: Uint8Array.from({ length: WINDOWS }, () => (rng() < 0.3 ? 1 : 0)) };

/** CPU seconds stock tfjs would take for 20 epochs at `batchSize`, from one epoch with its own kernels. */
async function stockSeconds(batchSize: number): Promise<number> {
  const x = tf.tensor3d(values, [WINDOWS, STEPS, inputSize]).slice([0, 0, 0], [WINDOWS, STEPS, FEATURES]);
  const y = tf.tensor2d(labels.logGap, [WINDOWS, 1]);
  const model = tf.sequential();
  model.add(tf.layers.lstm({ units: 32, inputShape: [STEPS, FEATURES] }));
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanAbsoluteError' });
  const cpuBefore = process.cpuUsage();
  await withOriginalKernels(() => model.fit(x, y, { batchSize, epochs: 1, verbose: 0 }));
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = ((cpu.user + cpu.system) / 1e6) * 20;
  model.dispose();
  tf.dispose([x, y]);
  return seconds;
}

console.log(`backend ${backend.name} ${backend.version}; ${WINDOWS} windows x ${STEPS} x ${FEATURES}; ${epochs} epochs; load average ${loadavg()[0]!.toFixed(1)}`);
for (const batchSize of [64, 256, 1024]) {
  const network = LstmNetwork.initialise({ inputSize, hiddenSize: 32, layers: 1, steps: STEPS }, createRng(2), [2.5, 0]);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const { history } = trainNetwork(network, { windows, labels }, undefined, { epochs, batchSize, learningRate: 1e-3, dropout: 0, patience: 1 }, createRng(3));
  const seconds = ((performance.now() - started) / 1000) * (20 / epochs);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = ((cpu.user + cpu.system) / 1e6) * (20 / epochs);
  const pytorch = PYTORCH_SECONDS[batchSize]!;
  let line =
    `batch ${String(batchSize).padStart(4)}: ${seconds.toFixed(1).padStart(5)} s (cpu ${cpuSeconds.toFixed(1)} s) for 20 epochs, ` +
    `${(seconds / pytorch).toFixed(2)}x PyTorch's ${pytorch} s; final loss ${history[history.length - 1]!.loss.toFixed(3)}`;
  if (stock) {
    const speedUp = (await stockSeconds(batchSize)) / cpuSeconds;
    const idle = TFJS_LAYERS_WASM_SECONDS[batchSize]! / speedUp;
    line += `; ${speedUp.toFixed(1)}x less CPU than stock tfjs in this run -> idle estimate ${idle.toFixed(1)} s = ${(idle / pytorch).toFixed(2)}x PyTorch`;
  }
  console.log(line);
}
