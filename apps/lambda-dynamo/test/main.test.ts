import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../src/errors';
import { handler } from '../src/main';
import { startDynamo, startS3, type LocalDynamo, type LocalS3 } from '@nextbuy/local-aws';

let s3Server: LocalS3;
let dynamoServer: LocalDynamo;

beforeAll(async () => {
  [s3Server, dynamoServer] = await Promise.all([startS3(['nextbuy-data']), startDynamo()]);
  await dynamoServer.createTable('predictions', 'dataset', 'customer_id');
  await dynamoServer.createTable('idempotency', 'id');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await Promise.all([s3Server?.stop(), dynamoServer?.stop()]);
});

const context = { awsRequestId: 'test', functionName: 'lambda-dynamo', getRemainingTimeInMillis: () => 60_000 };

describe('main.handler', () => {
  it('names a missing variable when invoked, then runs from the environment alone once it is set', async () => {
    const prediction = {
      customer_id: '42',
      last_order_date: '2011-11-01',
      as_of_date: '2011-12-10',
      predicted_gap_days: 12,
      predicted_next_order_date: '2011-11-13',
      p_order_90d: 0.9,
      model_version: 'xgb-1',
    };
    const s3 = s3Server.client();
    await s3.send(new PutObjectCommand({ Bucket: 'nextbuy-data', Key: 'cdnow/predictions/r1/customers.jsonl.out', Body: JSON.stringify(prediction) + '\n' }));
    s3.destroy();
    vi.stubEnv('DATA_BUCKET', 'nextbuy-data');
    vi.stubEnv('PREDICTIONS_TABLE', 'predictions');

    await expect(handler({ dataset: 'cdnow', run: 'r1' }, context)).rejects.toThrow(ConfigurationError);

    // The environment a local pipeline runner sets: endpoints are the AWS SDK's own variables.
    vi.stubEnv('IDEMPOTENCY_TABLE', 'idempotency');
    vi.stubEnv('S3_FORCE_PATH_STYLE', 'true');
    vi.stubEnv('AWS_ENDPOINT_URL_S3', s3Server.endpoint);
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamoServer.endpoint);
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'S3RVER');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'S3RVER');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');

    expect(await handler({ dataset: 'cdnow', run: 'r1' }, context)).toEqual({ objects: 1, written: 1, skipped: 0, rejected: [], rejectedCount: 0 });
    const stored = await DynamoDBDocumentClient.from(dynamoServer.client()).send(
      new GetCommand({ TableName: 'predictions', Key: { dataset: 'cdnow', customer_id: '42' } }),
    );
    expect(stored.Item).toMatchObject({ ...prediction, run: 'r1' });
  });
});
