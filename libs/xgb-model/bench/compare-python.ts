/**
 * Speed of this binding against Debian's Python XGBoost on the same data and parameters:
 * 200 rounds of survival:aft on a 20,000 x 19 random matrix, nthread=2. Runs alternate
 * (Node, Python, Node, ...) so both see the same machine load; prints the median and best
 * seconds of each and their ratio. Not a test: `npx tsx bench/compare-python.ts [runs]`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normal, seededRandom, SYSTEM_PYTHON, uniformMatrix } from '../test/synthetic';
import { DMatrix, train, xgboostVersion } from '../src/index';

const NROW = 20_000;
const NCOL = 19;
const ROUNDS = 200;
const PARAMS = {
  objective: 'survival:aft',
  aft_loss_distribution: 'normal',
  aft_loss_distribution_scale: 1.0,
  tree_method: 'hist',
  eta: 0.1,
  max_depth: 6,
  nthread: 2,
};

const PYTHON = `
import json, sys, time
import numpy as np
import xgboost as xgb
folder, nrow, ncol, rounds, params = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), json.loads(sys.argv[5])
X = np.fromfile(folder + '/x.f32', dtype=np.float32).reshape(nrow, ncol)
start = time.perf_counter()
data = xgb.DMatrix(X, nthread=params['nthread'])
data.set_float_info('label_lower_bound', np.fromfile(folder + '/lower.f32', dtype=np.float32))
data.set_float_info('label_upper_bound', np.fromfile(folder + '/upper.f32', dtype=np.float32))
built = time.perf_counter()
booster = xgb.train(params, data, rounds)
trained = time.perf_counter()
booster.predict(data).astype(np.float32).tofile(folder + '/python-predictions.f32')
print(json.dumps({'dmatrix': built - start, 'train': trained - built}))
`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function main(): void {
  const runs = Number(process.argv[2] ?? 3);
  const folder = mkdtempSync(join(tmpdir(), 'xgb-bench-'));
  try {
    const random = seededRandom(2024);
    const x = uniformMatrix(random, NROW, NCOL);
    const lower = new Float32Array(NROW);
    const upper = new Float32Array(NROW);
    for (let i = 0; i < NROW; i++) {
      lower[i] = Math.exp(3 + x.values[i * NCOL]! + 0.5 * normal(random));
      upper[i] = i % 3 === 0 ? Number.POSITIVE_INFINITY : lower[i]!;
    }
    writeFileSync(join(folder, 'x.f32'), x.values);
    writeFileSync(join(folder, 'lower.f32'), lower);
    writeFileSync(join(folder, 'upper.f32'), upper);

    const node = { dmatrix: [] as number[], train: [] as number[] };
    const python = { dmatrix: [] as number[], train: [] as number[] };
    let predictions: Float32Array = new Float32Array(0);
    for (let run = 0; run < runs; run++) {
      const start = performance.now();
      const data = new DMatrix(x, { label_lower_bound: lower, label_upper_bound: upper, nthread: PARAMS.nthread });
      const built = performance.now();
      const booster = train(PARAMS, data, ROUNDS);
      const trained = performance.now();
      node.dmatrix.push((built - start) / 1000);
      node.train.push((trained - built) / 1000);
      predictions = booster.predict(data);
      booster.dispose();
      data.dispose();

      const output = execFileSync(SYSTEM_PYTHON, ['-c', PYTHON, folder, String(NROW), String(NCOL), String(ROUNDS), JSON.stringify(PARAMS)], { encoding: 'utf8' });
      const timing = JSON.parse(output) as { dmatrix: number; train: number };
      python.dmatrix.push(timing.dmatrix);
      python.train.push(timing.train);
    }
    const theirs = new Float32Array(new Uint8Array(readFileSync(join(folder, 'python-predictions.f32'))).buffer);
    const difference = predictions.reduce((worst, value, i) => Math.max(worst, Math.abs(value - theirs[i]!)), 0);

    console.log(`XGBoost ${xgboostVersion()}, ${NROW} x ${NCOL}, ${ROUNDS} rounds survival:aft, hist, nthread=${PARAMS.nthread}, ${runs} alternating runs`);
    for (const [name, timings] of [['node (koffi)', node], ['python', python]] as const) {
      console.log(
        `${name.padEnd(13)} train median ${median(timings.train).toFixed(3)} s, best ${Math.min(...timings.train).toFixed(3)} s;` +
          ` DMatrix median ${(median(timings.dmatrix) * 1000).toFixed(1)} ms`,
      );
    }
    console.log(`ratio node/python (train): median ${(median(node.train) / median(python.train)).toFixed(3)}, best ${(Math.min(...node.train) / Math.min(...python.train)).toFixed(3)}`);
    console.log(`max |prediction difference| node vs python: ${difference}`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

main();
