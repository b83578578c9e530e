import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';
import { ConfigurationError } from './errors';

const required = { DATA_BUCKET: 'nextbuy-data', PREDICTIONS_TABLE: 'predictions', IDEMPOTENCY_TABLE: 'idempotency' };

describe('loadConfig', () => {
  it('reads the settings with their defaults', () => {
    expect(loadConfig(required)).toEqual({
      bucket: 'nextbuy-data',
      predictionsTable: 'predictions',
      idempotencyTable: 'idempotency',
      idempotencyExpiresAfterSeconds: 3600,
      writeConcurrency: 16,
      writeMaxAttempts: 10,
      s3ForcePathStyle: false,
    });
    expect(loadConfig({ ...required, WRITE_CONCURRENCY: '4', S3_FORCE_PATH_STYLE: 'true' })).toMatchObject({
      writeConcurrency: 4,
      s3ForcePathStyle: true,
    });
  });

  it('names the variable at fault', () => {
    expect(() => loadConfig({ ...required, PREDICTIONS_TABLE: undefined })).toThrow(ConfigurationError);
    expect(() => loadConfig({ ...required, PREDICTIONS_TABLE: undefined })).toThrow(/"PREDICTIONS_TABLE"/);
    expect(() => loadConfig({ ...required, WRITE_CONCURRENCY: '0' })).toThrow(/"WRITE_CONCURRENCY"/);
    expect(() => loadConfig({ ...required, S3_FORCE_PATH_STYLE: 'yes' })).toThrow(/"S3_FORCE_PATH_STYLE"/);
  });
});
