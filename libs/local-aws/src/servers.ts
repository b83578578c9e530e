// Consumers type-check this file through their imports; the reference brings the declarations of
// the two untyped servers with it (an import cannot name an ambient-only .d.ts).
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./vendor.d.ts" />
// Real S3 and DynamoDB API servers on 127.0.0.1 (s3rver, dynalite), on free ports: for tests
// and for the whole loop on one machine.
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import dynalite from 'dynalite';
import S3rver from 's3rver';

export const LOCAL_REGION = 'us-east-1';
/** s3rver checks signatures against its one built-in key pair; dynalite accepts any. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface LocalS3 {
  endpoint: string;
  /** The directory s3rver keeps objects in. */
  directory: string;
  client(config?: S3ClientConfig): S3Client;
  /** Stops the server and deletes its objects. */
  stop(): Promise<void>;
}

/** Starts s3rver with the given buckets. Listing with paging needs `--openssl-legacy-provider` in the process. */
export async function startS3(buckets: string[]): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    directory,
    client: (config = {}) => new S3Client({ region: LOCAL_REGION, endpoint, forcePathStyle: true, credentials: LOCAL_CREDENTIALS, ...config }),
    stop: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export interface LocalDynamo {
  endpoint: string;
  client(config?: DynamoDBClientConfig): DynamoDBClient;
  /** Creates an on-demand table keyed by a string partition key and, if given, a string sort key. */
  createTable(name: string, partitionKey: string, sortKey?: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts an in-memory dynalite whose tables are ACTIVE as soon as created, as a CDK deployment leaves them. */
export async function startDynamo(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = (config: DynamoDBClientConfig = {}) => new DynamoDBClient({ region: LOCAL_REGION, endpoint, credentials: LOCAL_CREDENTIALS, ...config });
  return {
    endpoint,
    client,
    createTable: async (name, partitionKey, sortKey) => {
      const keys = sortKey ? [partitionKey, sortKey] : [partitionKey];
      const dynamo = client();
      try {
        await dynamo.send(
          new CreateTableCommand({
            TableName: name,
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: keys.map((key) => ({ AttributeName: key, AttributeType: 'S' })),
            KeySchema: keys.map((key, i) => ({ AttributeName: key, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
          }),
        );
      } finally {
        dynamo.destroy();
      }
    },
    stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
