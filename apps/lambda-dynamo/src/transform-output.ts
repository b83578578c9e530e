import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';

/** Batch transform names each output object after its input file: `<input file>.out`. */
const OUTPUT_SUFFIX = '.out';

/** The keys of the transform output objects under a prefix, in key order. */
export async function listTransformOutputs(
  s3: S3Client,
  location: { bucket: string; prefix: string },
  pageSize?: number,
): Promise<{ outputs: string[]; others: string[] }> {
  const outputs: string[] = [];
  const others: string[] = [];
  const pages = paginateListObjectsV2({ client: s3, ...(pageSize ? { pageSize } : {}) }, { Bucket: location.bucket, Prefix: location.prefix });
  for await (const page of pages) {
    for (const object of page.Contents ?? []) {
      if (object.Key) (object.Key.endsWith(OUTPUT_SUFFIX) ? outputs : others).push(object.Key);
    }
  }
  return { outputs: outputs.sort(), others };
}

/**
 * Opens an object and reads it line by line (a line is never split, the object is never held
 * whole), together with its LastModified time.
 */
export async function openLines(
  s3: S3Client,
  location: { bucket: string; key: string },
): Promise<{ lastModified: Date; lines: AsyncIterable<string>; close: () => void }> {
  const object = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
  const body = object.Body as Readable;
  if (!object.LastModified) {
    body.destroy();
    throw new Error(`s3://${location.bucket}/${location.key} came without a Last-Modified time`);
  }
  const lines = createInterface({ input: body, crlfDelay: Infinity });
  return {
    lastModified: object.LastModified,
    lines,
    close: () => {
      lines.close();
      body.destroy();
    },
  };
}
