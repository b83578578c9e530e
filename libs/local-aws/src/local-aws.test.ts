import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { loadStepFunctionsEngine, startDynamo, startS3 } from './index';

describe('local AWS API servers', () => {
  it('serve the S3 API to the real client', async () => {
    const s3 = await startS3(['bucket']);
    const client = s3.client();
    try {
      await client.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'a/b.txt', Body: 'hello' }));
      const object = await client.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'a/b.txt' }));
      expect(await object.Body!.transformToString()).toBe('hello');
    } finally {
      client.destroy();
      await s3.stop();
    }
  });

  it('serve the DynamoDB API to the real client, tables keyed as asked', async () => {
    const dynamo = await startDynamo();
    const client = dynamo.client();
    try {
      await dynamo.createTable('predictions', 'dataset', 'customer_id');
      await client.send(new PutItemCommand({ TableName: 'predictions', Item: { dataset: { S: 'd' }, customer_id: { S: '1' }, p: { N: '0.5' } } }));
      const { Item } = await client.send(new GetItemCommand({ TableName: 'predictions', Key: { dataset: { S: 'd' }, customer_id: { S: '1' } } }));
      expect(Item?.p).toEqual({ N: '0.5' });
      await expect(client.send(new PutItemCommand({ TableName: 'predictions', Item: { dataset: { S: 'd' } } }))).rejects.toThrow(/key/i);
    } finally {
      client.destroy();
      await dynamo.stop();
    }
  });

  it('load the Step Functions engine on Node 20', async () => {
    const { StateMachine } = await loadStepFunctionsEngine();
    const machine = new StateMachine({ StartAt: 'Add', States: { Add: { Type: 'Pass', Parameters: { 'sum.$': 'States.MathAdd($.a, $.b)' }, End: true } } });
    const { result } = machine.run({ a: 2, b: 3 });
    expect(await result).toEqual({ sum: 5 });
  });
});
