import { describe, expect, it } from 'vitest';
import { datasetNameSchema, modelsPrefix, parseS3Uri, runIdSchema, runKeys, runPrefixes, s3Uri, trainingJobModelKey } from './storage';

describe('storage layout', () => {
  it('puts every run under its dataset', () => {
    expect(runPrefixes.raw('online-retail', 'r1')).toBe('online-retail/raw/r1/');
    expect(runPrefixes.batchInput('online-retail', 'r1')).toBe('online-retail/batch-input/r1/');
    expect(runPrefixes.predictions('online-retail', 'r1')).toBe('online-retail/predictions/r1/');
    expect(runKeys.transactions('online-retail', 'r1')).toBe('online-retail/raw/r1/transactions.csv.gz');
    expect(runKeys.batchInput('online-retail', 'r1')).toBe('online-retail/batch-input/r1/customers.jsonl');
  });

  it('puts a training job\'s model where SageMaker writes it, under the dataset\'s models/', () => {
    expect(trainingJobModelKey(modelsPrefix('online-retail'), 'job-1')).toBe('online-retail/models/job-1/output/model.tar.gz');
  });

  it('round-trips S3 URIs and refuses anything else', () => {
    expect(parseS3Uri(s3Uri('my-bucket', 'a/b/c.out'))).toEqual({ bucket: 'my-bucket', key: 'a/b/c.out' });
    expect(parseS3Uri('s3://my-bucket')).toEqual({ bucket: 'my-bucket', key: '' });
    expect(() => parseS3Uri('https://my-bucket/a')).toThrow(/s3:\/\/bucket\/key/);
    expect(() => parseS3Uri('s3://My_Bucket/a')).toThrow(RangeError);
  });

  it('keeps dataset names and run ids to safe path segments', () => {
    expect(datasetNameSchema.safeParse('online-retail').success).toBe(true);
    expect(datasetNameSchema.safeParse('Online Retail').success).toBe(false);
    expect(runIdSchema.safeParse('2026-11-26-07-05-00-123').success).toBe(true);
    expect(runIdSchema.safeParse('exec_1.retry').success).toBe(true);
    expect(runIdSchema.safeParse('../other').success).toBe(false);
    expect(runIdSchema.safeParse('a/b').success).toBe(false);
  });
});
