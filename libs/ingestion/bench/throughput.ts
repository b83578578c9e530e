// Read + clean + orders throughput on a 540k-line Online Retail-like CSV (plain and gzip), next
// to csv-parse 7 merely splitting the same file. Run: npx tsx bench/throughput.ts [file.csv]
// (without a file, a seeded one is generated in the temp directory, once).
import { createReadStream } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { parse } from 'csv-parse';
import { ingest } from '../src/index';
import { onlineRetailFile } from './online-retail-file';

async function timed(label: string, rows: number, run: () => Promise<unknown>, repeats = 5): Promise<void> {
  let best = Infinity;
  for (let repeat = 0; repeat < repeats; repeat++) {
    const started = performance.now();
    await run();
    best = Math.min(best, performance.now() - started);
  }
  console.log(`${label}: best of ${repeats} ${(best / 1000).toFixed(3)} s, ${Math.round(rows / (best / 1000)).toLocaleString('en')} rows/s`);
}

const path = process.argv[2] ?? (await onlineRetailFile());
const gzPath = `${path}.bench.gz`;
await writeFile(gzPath, gzipSync(await readFile(path)));
const { report, orders } = await ingest(path);
console.log(`${path}: ${((await stat(path)).size / 1e6).toFixed(1)} MB, gzip ${((await stat(gzPath)).size / 1e6).toFixed(1)} MB`);
console.log(`rows read ${report.rowsRead}, kept ${report.rowsKept}, customers ${report.customers}, orders ${orders.nRows}`);
await timed('ingest csv (read+clean+orders)', report.rowsRead, () => ingest(path));
await timed('ingest csv.gz (read+clean+orders)', report.rowsRead, () => ingest(gzPath));
await timed(
  'csv-parse 7 stream, split only',
  report.rowsRead,
  async () => {
    let records = 0;
    for await (const _record of createReadStream(path).pipe(parse({ relax_quotes: true }))) records++;
    return records;
  },
  2,
);
