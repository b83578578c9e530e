import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOnlineRetailCsv } from '@nextbuy/datagen';

/** Where the benchmarks keep the generated files they share (seed 1), across runs. */
export const BENCH_DATA_DIR = join(tmpdir(), 'nextbuy-bench-data');

/**
 * The generated Online Retail CSV of `rows` rows (seed 1), written once and reused. It is written
 * under a temporary name and renamed when complete, so an interrupted run leaves no truncated
 * file to be reused. Progress goes to stderr every `progressEvery` rows (a 50M-row file takes
 * minutes).
 */
export async function cachedOnlineRetailCsv(rows: number, progressEvery = 5_000_000): Promise<string> {
  const path = join(BENCH_DATA_DIR, `online-retail-${rows}.csv`);
  if (existsSync(path)) return path;
  process.stderr.write(`generating ${rows.toLocaleString('en-US')} rows into ${path} (cached for later runs)\n`);
  const started = Date.now();
  let reported = 0;
  const partial = `${path}.partial.csv`;
  const summary = await writeOnlineRetailCsv(partial, {
    rows,
    seed: 1,
    onProgress: (written) => {
      if (written - reported < progressEvery) return;
      reported = written;
      process.stderr.write(`  ${written.toLocaleString('en-US')} rows, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    },
  });
  await rename(partial, path);
  process.stderr.write(`  ${summary.rows.toLocaleString('en-US')} rows in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return path;
}
