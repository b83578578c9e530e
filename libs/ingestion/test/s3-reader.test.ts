import { gzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { InputDataError } from '@nextbuy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOrders, ingest } from '../src/index';
import { generatedCsv, RULES_SAMPLE, temporaryDirectory, writeSample } from './fixtures';
import { startLoopbackS3, type LoopbackS3 } from './s3-server';

const BUCKET = 'retail';
let s3: LoopbackS3;
let client: S3Client;
let directory: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  directory = await temporaryDirectory();
  s3 = await startLoopbackS3(BUCKET);
  client = s3.client;
  await s3.put('raw/run-1/rules.csv', RULES_SAMPLE);
  await s3.put('raw/run-1/generated.csv.gz', gzipSync(generatedCsv(4_000)));
  await s3.put('raw/run-1/empty.csv', '');
});

afterAll(async () => {
  await s3.close();
  await directory.remove();
});

describe('s3:// reader', () => {
  it('reads an object through the injected client, with the same report as a local file', async () => {
    const { report, orders } = await ingest(`s3://${BUCKET}/raw/run-1/rules.csv`, { s3Client: client });
    expect(report.source).toBe('s3://retail/raw/run-1/rules.csv');
    expect(report.rowsRead).toBe(12);
    expect(report.dropped.unparseable_date.firstLines).toEqual([10]);
    const local = await ingest(await writeSample(directory.path, 'rules.csv', RULES_SAMPLE));
    expect(fingerprintOrders(orders)).toEqual(fingerprintOrders(local.orders));
    expect({ ...report, source: '' }).toEqual({ ...local.report, source: '' });
  });

  it('reads a day-first object again day first, fetching it a second time', async () => {
    const text = generatedCsv(2_000);
    await s3.put('raw/run-1/day-first.csv.gz', gzipSync(text.replace(/^([^,]*,[^,]*,(?:"[^"]*"|[^,]*),[^,]*,)(\d{1,2})\/(\d{1,2})\//gm, '$1$3/$2/')));
    const dayFirst = await ingest(`s3://${BUCKET}/raw/run-1/day-first.csv.gz`, { s3Client: client });
    expect(dayFirst.dayFirst).toMatch(/^"\d{1,2}\/\d{1,2}\/\d{4} [0-9:]+" \(s3:\/\/retail\/raw\/run-1\/day-first\.csv\.gz, line \d+\) can only be day first$/);
    const original = await ingest(await writeSample(directory.path, 'month-first.csv', text));
    expect(fingerprintOrders(dayFirst.orders)).toEqual(fingerprintOrders(original.orders));
    expect(dayFirst.report.rowsRead).toBe(2_000);
  });

  it('gunzips a gzip object and streams it with progress', async () => {
    const progress: number[] = [];
    const { report, orders } = await ingest(`s3://${BUCKET}/raw/run-1/generated.csv.gz`, {
      s3Client: client,
      onProgress: (rows) => progress.push(rows),
    });
    expect(report.rowsRead).toBe(4_000);
    expect(progress.at(-1)).toBe(4_000);
    const local = await ingest(await writeSample(directory.path, 'generated.csv', generatedCsv(4_000)));
    expect(fingerprintOrders(orders)).toEqual(fingerprintOrders(local.orders));
  });

  it('names the object in errors: missing key, empty object, malformed URI', async () => {
    const missing = await ingest(`s3://${BUCKET}/raw/run-1/nothing.csv`, { s3Client: client }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(InputDataError);
    expect((missing as Error).message).toBe('s3://retail/raw/run-1/nothing.csv: no such S3 object (NoSuchKey); to read every object under a prefix as one source, end the URI with /');
    await expect(ingest(`s3://${BUCKET}/raw/run-1/empty.csv`, { s3Client: client })).rejects.toThrow(
      's3://retail/raw/run-1/empty.csv: the source is empty: no header line',
    );
    await expect(ingest('s3://bucket-only', { s3Client: client })).rejects.toThrow('s3://bucket-only: not an S3 object URI: expected s3://bucket/key');
  });
});
