import type { S3Client } from '@aws-sdk/client-s3';
import { InputDataError } from '@nextbuy/contracts';

/** Bucket and key of an `s3://bucket/key` URI. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new InputDataError('not an S3 object URI: expected s3://bucket/key', { source: uri });
  return { bucket: match[1]!, key: match[2]! };
}

/** The bytes of one S3 object, streamed. The client defaults to one from the environment's AWS configuration. */
export async function s3ObjectBytes(uri: string, client?: S3Client): Promise<AsyncIterable<Uint8Array>> {
  const { bucket, key } = parseS3Uri(uri);
  // Loaded on first use so that code reading local files never loads the AWS SDK. The SDK is a
  // CommonJS package: Node gives its exports both by name and as `default`, an esbuild bundle
  // split into chunks (the apps') only as `default`, so take them from there.
  const { GetObjectCommand, S3Client: DefaultClient } = (await import('@aws-sdk/client-s3')).default;
  try {
    const response = await (client ?? new DefaultClient({})).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    // In Node the body is a Readable (an AsyncIterable of Buffers).
    return response.Body as AsyncIterable<Uint8Array>;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'NotFound') {
      throw new InputDataError(`no such S3 object (${name})`, { source: uri }, { cause: error });
    }
    throw error;
  }
}
