import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { extractArtifact, readArtifact } from '@nextbuy/artifact';
import { writeOnlineRetailCsv } from '@nextbuy/datagen';
import { fingerprintOrders, ingest } from '@nextbuy/ingestion';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startS3, type LocalS3 } from '@nextbuy/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvToParquet } from './parquet';
import { runTrainer } from './run-trainer';

let s3: LocalS3;
let client: S3Client;
let csvPath: string;

/** The trainer's environment for the loopback S3 server. */
function localS3Env(): NodeJS.ProcessEnv {
  return {
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
}

beforeAll(async () => {
  s3 = await startS3(['data']);
  client = s3.client();
  const directory = await mkdtemp(join(tmpdir(), 'trainer-s3-'));
  csvPath = join(directory, 'transactions.csv');
  await writeOnlineRetailCsv(csvPath, { rows: 20_000, seed: 3 });
  await client.send(new PutObjectCommand({ Bucket: 'data', Key: 'retail/raw/r1/transactions.csv', Body: await readFile(csvPath) }));
  await csvToParquet(csvPath, join(directory, 'transactions.parquet'));
  await client.send(new PutObjectCommand({ Bucket: 'data', Key: 'lake/r1/transactions.parquet', Body: await readFile(join(directory, 'transactions.parquet')) }));
  // The same rows as a Spark-like export: the first 8,000 as CSV, the rest as Parquet, and the job's marker.
  const [header, ...rows] = (await readFile(csvPath, 'utf8')).trimEnd().split('\n');
  await client.send(new PutObjectCommand({ Bucket: 'data', Key: 'lake/parts/part-0.csv', Body: [header, ...rows.slice(0, 8_000)].join('\n') + '\n' }));
  await writeFile(join(directory, 'rest.csv'), [header, ...rows.slice(8_000)].join('\n') + '\n');
  await csvToParquet(join(directory, 'rest.csv'), join(directory, 'part-1.parquet'));
  await client.send(new PutObjectCommand({ Bucket: 'data', Key: 'lake/parts/part-1.parquet', Body: await readFile(join(directory, 'part-1.parquet')) }));
  await client.send(new PutObjectCommand({ Bucket: 'data', Key: 'lake/parts/_SUCCESS', Body: '' }));
});

afterAll(async () => {
  client?.destroy();
  await s3?.stop();
});

describe('trainer with S3 (a real S3 API server on loopback)', () => {
  it('reads transactions from s3:// and uploads model.tar.gz and the batch input', async () => {
    const modelDir = await mkdtemp(join(tmpdir(), 'trainer-s3-model-'));
    const run = await runTrainer(
      [
        '--file_path', 's3://data/retail/raw/r1/transactions.csv',
        '--model_dir', modelDir,
        '--cutoff', '2011-06-01',
        '--num_boost_round', '20',
        '--upload_artifact', 's3://data/retail/models/r1/',
        '--upload_batch_input', 's3://data/retail/batch-input/r1',
      ],
      localS3Env(),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('uploaded s3://data/retail/models/r1/model.tar.gz');
    expect(run.stdout).toContain('uploaded s3://data/retail/batch-input/r1/customers.jsonl');

    const tarball = await client.send(new GetObjectCommand({ Bucket: 'data', Key: 'retail/models/r1/model.tar.gz' }));
    const local = join(await mkdtemp(join(tmpdir(), 'downloaded-')), 'model.tar.gz');
    await writeFile(local, await tarball.Body!.transformToByteArray());
    const extracted = await mkdtemp(join(tmpdir(), 'extracted-'));
    await extractArtifact(local, extracted);
    const manifest = await readArtifact(extracted);
    expect(manifest.dataQuality.source).toBe('s3://data/retail/raw/r1/transactions.csv');

    const batch = await client.send(new GetObjectCommand({ Bucket: 'data', Key: 'retail/batch-input/r1/customers.jsonl' }));
    expect(await batch.Body!.transformToString()).toBe(await readFile(join(modelDir, 'batch-input.jsonl'), 'utf8'));
  }, 120_000);

  it('trains from a Parquet object, with the orders of the same rows as CSV', async () => {
    const modelDir = await mkdtemp(join(tmpdir(), 'trainer-s3-parquet-model-'));
    const run = await runTrainer(['--file_path', 's3://data/lake/r1/transactions.parquet', '--model_dir', modelDir, '--cutoff', '2011-06-01', '--num_boost_round', '20'], localS3Env());
    expect(run.code, run.stderr).toBe(0);
    const manifest = await readArtifact(modelDir);
    expect(manifest.dataQuality.source).toBe('s3://data/lake/r1/transactions.parquet');
    expect(manifest.dataFingerprint).toEqual(fingerprintOrders((await ingest(csvPath)).orders));
  }, 120_000);

  it('trains from an S3 prefix of part files (CSV and Parquet) as from the one file they were cut from', async () => {
    const modelDir = await mkdtemp(join(tmpdir(), 'trainer-s3-prefix-model-'));
    const run = await runTrainer(['--file_path', 's3://data/lake/parts/', '--model_dir', modelDir, '--cutoff', '2011-06-01', '--num_boost_round', '20'], localS3Env());
    expect(run.code, run.stderr).toBe(0);
    const manifest = await readArtifact(modelDir);
    expect(manifest.dataQuality.source).toBe('s3://data/lake/parts/');
    expect(run.stderr + run.stdout).toMatch(/"detail":"\d+ rows read from 2 files, /);
    const whole = await ingest(csvPath);
    const rest = whole.report.rowsRead - 8_000;
    expect(manifest.dataQuality.files!.map((file) => [file.source, file.rowsRead])).toEqual([
      ['s3://data/lake/parts/part-0.csv', 8_000],
      ['s3://data/lake/parts/part-1.parquet', rest],
    ]);
    expect(manifest.dataFingerprint).toEqual(fingerprintOrders(whole.orders));
    expect(await readFile(join(modelDir, 'report.html'), 'utf8')).toContain(`<th>s3://data/lake/parts/part-1.parquet</th><td>${rest}</td>`);
  }, 120_000);
});
