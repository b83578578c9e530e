import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { temporaryDirectory } from './fixtures';

/** A loopback S3 server (s3rver) with one bucket, a client of it, and a way to put objects. */
export interface LoopbackS3 {
  client: S3Client;
  put(key: string, body: string | Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export async function startLoopbackS3(bucket: string): Promise<LoopbackS3> {
  const directory = await temporaryDirectory();
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: directory.path, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const client = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    client,
    async put(Key, Body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));
    },
    async close() {
      client.destroy();
      await server.close();
      await directory.remove();
    },
  };
}
