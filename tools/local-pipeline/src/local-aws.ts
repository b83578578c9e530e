import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamo, startS3 } from '@nextbuy/local-aws';

export const REGION = LOCAL_REGION;
export { LOCAL_CREDENTIALS };

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
    const s3Server = await startS3([LOCAL_RESOURCES.bucket]);
    stops.push(() => s3Server.stop());
    const dynamoServer = await startDynamo();
    stops.push(() => dynamoServer.stop());
    const s3 = s3Server.client();
    const dynamo = dynamoServer.client();
    stops.push(async () => {
      s3.destroy();
      dynamo.destroy();
    });
    for (const { table, partitionKey, sortKey } of TABLE_KEYS) await dynamoServer.createTable(table, partitionKey, sortKey);
    return { s3Endpoint: s3Server.endpoint, dynamoEndpoint: dynamoServer.endpoint, s3, dynamo, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
