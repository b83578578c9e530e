import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import dynalite from 'dynalite';
import S3rver from 's3rver';

export const REGION = 'us-east-1';
/** s3rver checks signatures against its one built-in key pair; dynalite accepts any. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** The stack's data bucket and tables, under local names. */
export const LOCAL_RESOURCES = {
  bucket: 'nextbuy-data',
  predictionsTable: 'nextbuy-predictions',
  idempotencyTable: 'nextbuy-idempotency',
} as const;

/** An S3 API server (s3rver) and a DynamoDB API server (dynalite) on 127.0.0.1, with the stack's bucket and tables. */
export interface LocalAws {
  s3Endpoint: string;
  dynamoEndpoint: string;
  s3: S3Client;
  dynamo: DynamoDBClient;
  stop(): Promise<void>;
}

/** Keys of the predictions and idempotency tables, as the CDK stack declares them. */
const TABLE_KEYS: Array<{ table: string; partitionKey: string; sortKey?: string }> = [
  { table: LOCAL_RESOURCES.predictionsTable, partitionKey: 'dataset', sortKey: 'customer_id' },
  { table: LOCAL_RESOURCES.idempotencyTable, partitionKey: 'id' },
];

/** Starts both servers on free ports and creates the bucket and the tables; `stop` ends them and deletes the objects. */
export async function startLocalAws(): Promise<LocalAws> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => undefined);
  };
  try {
    const directory = await mkdtemp(join(tmpdir(), 'nextbuy-s3rver-'));
    stops.push(() => rm(directory, { recursive: true, force: true }));
    const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: LOCAL_RESOURCES.bucket }] });
    const { port: s3Port } = await s3rver.run();
    stops.push(() => s3rver.close());

    // Tables are ACTIVE as soon as created, as the CDK deployment leaves them.
    const dynamoServer = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => dynamoServer.listen(0, '127.0.0.1', resolve));
    stops.push(() => new Promise<void>((resolve, reject) => dynamoServer.close((error) => (error ? reject(error) : resolve()))));

    const s3Endpoint = `http://127.0.0.1:${s3Port}`;
    const dynamoEndpoint = `http://127.0.0.1:${(dynamoServer.address() as AddressInfo).port}`;
    const s3 = new S3Client({ region: REGION, endpoint: s3Endpoint, forcePathStyle: true, credentials: LOCAL_CREDENTIALS });
    const dynamo = new DynamoDBClient({ region: REGION, endpoint: dynamoEndpoint, credentials: LOCAL_CREDENTIALS });
    stops.push(async () => {
      s3.destroy();
      dynamo.destroy();
    });
    for (const { table, partitionKey, sortKey } of TABLE_KEYS) {
      const keys = sortKey ? [partitionKey, sortKey] : [partitionKey];
      await dynamo.send(
        new CreateTableCommand({
          TableName: table,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: keys.map((key) => ({ AttributeName: key, AttributeType: 'S' })),
          KeySchema: keys.map((key, i) => ({ AttributeName: key, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
        }),
      );
    }
    return { s3Endpoint, dynamoEndpoint, s3, dynamo, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
