/**
 * Generation speed for an Online Retail-sized data set (540k rows): in memory, to .csv and to
 * .csv.gz. Run: `npx tsx libs/datagen/bench/generation-speed.ts [rows]`.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTransactions, writeOnlineRetailCsv } from '../src/index';

const rows = Number(process.argv[2] ?? 540_000);
const dir = await mkdtemp(join(tmpdir(), 'datagen-bench-'));
try {
  let started = performance.now();
  let count = 0;
  for (const _ of generateTransactions({ rows, seed: 1 })) count++;
  let seconds = (performance.now() - started) / 1000;
  console.log(`generateTransactions: ${count} rows in ${seconds.toFixed(2)} s, ${Math.round(count / seconds)} rows/s`);
  for (const name of ['sales.csv', 'sales.csv.gz']) {
    const path = join(dir, name);
    started = performance.now();
    const summary = await writeOnlineRetailCsv(path, { rows, seed: 1 });
    seconds = (performance.now() - started) / 1000;
    const megabytes = (await stat(path)).size / 1e6;
    console.log(`writeOnlineRetailCsv ${name}: ${summary.rows} rows in ${seconds.toFixed(2)} s, ${Math.round(summary.rows / seconds)} rows/s, ${megabytes.toFixed(1)} MB`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
