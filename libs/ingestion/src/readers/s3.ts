import type { S3Client } from '@aws-sdk/client-s3';
import { InputDataError } from '@nextbuy/contracts';
import type { AsyncBuffer } from 'hyparquet';

/** Bucket and key of an `s3://bucket/key` URI. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new InputDataError('not an S3 object URI: expected s3://bucket/key', { source: uri });
  return { bucket: match[1]!, key: match[2]! };
}

/**
 * The AWS SDK's S3 module, loaded on first use so that code reading local files never loads it.
 * The SDK is a CommonJS package: Node gives its exports both by name and as `default`, an esbuild
 * bundle split into chunks (the apps') only as `default`, so take them from there.
 */
export async function s3Sdk(): Promise<typeof import('@aws-sdk/client-s3')> {
  return (await import('@aws-sdk/client-s3')).default;
}

/** Sends one request about an object; a missing object or bucket is the user's input error. */
async function sendForObject<T>(uri: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'NotFound') {
      // A missing key is often a prefix meant as a folder: say how to ask for one.
      const hint = name === 'NoSuchBucket' ? '' : '; to read every object under a prefix as one source, end the URI with /';
      throw new InputDataError(`no such S3 object (${name})${hint}`, { source: uri }, { cause: error });
    }
    throw error;
  }
}

/** The bytes of one S3 object, streamed. The client defaults to one from the environment's AWS configuration. */
export async function s3ObjectBytes(uri: string, client?: S3Client): Promise<AsyncIterable<Uint8Array>> {
  const { bucket, key } = parseS3Uri(uri);
  const { GetObjectCommand, S3Client: DefaultClient } = await s3Sdk();
  const s3 = client ?? new DefaultClient({});
  const response = await sendForObject(uri, () => s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
  // In Node the body is a Readable (an AsyncIterable of Buffers).
  return response.Body as AsyncIterable<Uint8Array>;
}

/**
 * One S3 object as an AsyncBuffer (hyparquet's random-access file): its size from a HEAD, then
 * every slice a ranged GET (`Range: bytes=start-end`), so a reader that needs the footer and
 * some column chunks fetches those bytes and no others.
 */
export async function s3ObjectRanges(uri: string, client?: S3Client): Promise<AsyncBuffer> {
  const { bucket, key } = parseS3Uri(uri);
  const { GetObjectCommand, HeadObjectCommand, S3Client: DefaultClient } = await s3Sdk();
  const s3 = client ?? new DefaultClient({});
  const head = await sendForObject(uri, () => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
  const byteLength = head.ContentLength ?? 0;
  return {
    byteLength,
    async slice(start: number, end = byteLength): Promise<ArrayBuffer> {
      if (end <= start) return new ArrayBuffer(0);
      const Range = `bytes=${start}-${end - 1}`;
      const response = await sendForObject(uri, () => s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range })));
      const bytes = await response.Body!.transformToByteArray();
      // A server that ignores Range sends the whole object: reading on would decode the wrong bytes.
      if (bytes.byteLength !== end - start) {
        throw new Error(`${uri}: asked S3 for ${Range}, got ${bytes.byteLength} bytes`);
      }
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}
