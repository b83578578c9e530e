import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InputDataError } from '@nextbuy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOrders, ingest, ONLINE_RETAIL_CSV_HEADER } from '../src/index';
import { generatedCsv, RULES_SAMPLE, temporaryDirectory, writeSample } from './fixtures';
import { startLoopbackS3, type LoopbackS3 } from './s3-server';

const BUCKET = 'exports';
const ROWS = 4_000;
let directory: { path: string; remove: () => Promise<void> };
let s3: LoopbackS3;

/** generatedCsv(ROWS) cut into three files at row 1,000 and 2,500 (mid-invoice: orders continue across files), each with the header. */
function parts(): string[] {
  const lines = generatedCsv(ROWS).split('\n').slice(1, ROWS + 1);
  return [lines.slice(0, 1_000), lines.slice(1_000, 2_500), lines.slice(2_500)].map((rows) => ONLINE_RETAIL_CSV_HEADER + rows.join('\n') + '\n');
}

beforeAll(async () => {
  directory = await temporaryDirectory();
  s3 = await startLoopbackS3(BUCKET);
});

afterAll(async () => {
  await s3.close();
  await directory.remove();
});

/** A Spark-like output folder: three parts (one gzip, one a level down), the markers and scratch beside them, an empty part. */
async function sparkFolder(name: string, write: (path: string, body: string | Uint8Array) => Promise<unknown>) {
  const [a, b, c] = parts();
  await write(`${name}/part-0.csv`, a!);
  await write(`${name}/part-1.csv.gz`, gzipSync(b!));
  await write(`${name}/sub/part-2.csv`, c!);
  await write(`${name}/part-3.csv`, '');
  await write(`${name}/_SUCCESS`, '');
  await write(`${name}/.part-0.csv.crc`, 'not data');
  await write(`${name}/_temporary/0/part-9.csv`, 'not data');
}

const local = async (path: string, body: string | Uint8Array) => {
  await mkdir(join(directory.path, path, '..'), { recursive: true });
  await writeSample(directory.path, path, body);
};

describe('a folder of files as one source', () => {
  it('reads a local directory as the one file it was cut from: same orders to the bit, counts summed, each file listed with its own', async () => {
    await sparkFolder('spark', local);
    const progress: number[] = [];
    const folder = join(directory.path, 'spark');
    const { orders, report } = await ingest(folder, { onProgress: (rows) => progress.push(rows) });
    const whole = await ingest(await writeSample(directory.path, 'whole.csv', generatedCsv(ROWS)));
    expect(fingerprintOrders(orders)).toEqual(fingerprintOrders(whole.orders));
    const counts = (r: typeof report) => ({ ...r, source: '', files: undefined, dropped: Object.fromEntries(Object.entries(r.dropped).map(([rule, { count }]) => [rule, count])) });
    expect(counts(report)).toEqual(counts(whole.report));
    expect(report.source).toBe(folder);
    expect(report.files!.map((file) => [file.source, file.rowsRead])).toEqual([
      [join(folder, 'part-0.csv'), 1_000],
      [join(folder, 'part-1.csv.gz'), 1_500],
      [join(folder, 'sub', 'part-2.csv'), 1_500],
    ]);
    // A folder's own first lines would be ambiguous: each file lists its own, numbered in that file.
    expect(Object.values(report.dropped).every((entry) => entry.firstLines.length === 0)).toBe(true);
    const second = await ingest(join(folder, 'part-1.csv.gz'));
    expect(report.files![1]!.dropped).toEqual(second.report.dropped);
    expect(second.report.dropped.non_positive_price.firstLines.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(ROWS);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));
  });

  it('keeps each file’s line numbers in its own entry; reads a link to a file, not a link to a folder', async () => {
    await local('rules/a.csv', RULES_SAMPLE);
    await local('elsewhere/b.csv', RULES_SAMPLE);
    await symlink(join(directory.path, 'elsewhere', 'b.csv'), join(directory.path, 'rules', 'b.csv'));
    await symlink(join(directory.path, 'rules'), join(directory.path, 'rules', 'loop'));
    const { report } = await ingest(join(directory.path, 'rules'));
    const one = await ingest(join(directory.path, 'rules', 'a.csv'));
    expect(report.rowsRead).toBe(2 * one.report.rowsRead);
    expect(report.dropped.unparseable_date).toEqual({ count: 2, firstLines: [] });
    expect(report.files!.map((file) => file.dropped.unparseable_date.firstLines)).toEqual([[10], [10]]);
    expect(report.files!.map((file) => file.dropped.future_date)).toEqual([{ count: 1, firstLines: [13] }, { count: 1, firstLines: [13] }]);
    // Both files' orders are one customer-day each: the same orders, twice the lines.
    expect(report.orders).toBe(one.report.orders);
  });

  it('names the file at fault, and says when a folder holds nothing to read', async () => {
    await local('broken/1.csv', RULES_SAMPLE);
    await local('broken/2.csv', ONLINE_RETAIL_CSV_HEADER + '536365,85123A,X,six,12/1/2010 8:26,2.55,17850,United Kingdom\n');
    const error = await ingest(join(directory.path, 'broken')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputDataError);
    expect((error as Error).message).toBe(`${join(directory.path, 'broken', '2.csv')}, line 2, column "Quantity": not a number: "six"`);
    await local('markers/_SUCCESS', '');
    await local('markers/empty.csv', '');
    await expect(ingest(join(directory.path, 'markers'))).rejects.toThrow(
      `${join(directory.path, 'markers')}: the folder holds no data file (empty files, and names starting with "." or "_", are skipped)`,
    );
  });

  it('reads an S3 prefix ending in / as the same folder; names a prefix with nothing to read and a missing bucket', async () => {
    await sparkFolder('daily', (key, body) => s3.put(key, body));
    const { orders, report } = await ingest(`s3://${BUCKET}/daily/`, { s3Client: s3.client });
    const whole = await ingest(await writeSample(directory.path, 'whole.csv', generatedCsv(ROWS)));
    expect(fingerprintOrders(orders)).toEqual(fingerprintOrders(whole.orders));
    expect(report.source).toBe(`s3://${BUCKET}/daily/`);
    expect(report.files!.map((file) => file.source)).toEqual([`s3://${BUCKET}/daily/part-0.csv`, `s3://${BUCKET}/daily/part-1.csv.gz`, `s3://${BUCKET}/daily/sub/part-2.csv`]);
    await expect(ingest(`s3://${BUCKET}/nothing-here/`, { s3Client: s3.client })).rejects.toThrow(`s3://${BUCKET}/nothing-here/: the folder holds no data file`);
    await expect(ingest('s3://no-such-bucket/x/', { s3Client: s3.client })).rejects.toThrow('s3://no-such-bucket/x/: no such S3 bucket (NoSuchBucket)');
  });
});
