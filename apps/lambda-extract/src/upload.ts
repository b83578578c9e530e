import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/** Text is gathered into chunks of about this size before it enters the stream. */
const CHUNK_CHARS = 64 * 1024;

/** Joins many short texts (lines) into fewer, larger chunks: a stream chunk per line costs more than the line. */
export async function* coalesced(texts: AsyncIterable<string> | Iterable<string>): AsyncGenerator<string> {
  let pending = '';
  for await (const text of texts) {
    pending += text;
    if (pending.length >= CHUNK_CHARS) {
      yield pending;
      pending = '';
    }
  }
  if (pending.length > 0) yield pending;
}

/**
 * Streams text into an S3 object, gzip-compressed if asked, as a multipart upload (a single
 * PutObject when it is under one part): memory holds a few parts, never the object. Each part
 * request is retried by the client's retry strategy; a part that still fails aborts the upload
 * (no object, no orphaned parts) and stops the source.
 */
export async function uploadText(
  s3: S3Client,
  target: { bucket: string; key: string; contentType: string },
  texts: AsyncIterable<string> | Iterable<string>,
  options: { gzip: boolean },
): Promise<void> {
  const body = new PassThrough();
  const source = Readable.from(coalesced(texts));
  const feeding = options.gzip ? pipeline(source, createGzip(), body) : pipeline(source, body);
  const upload = new Upload({ client: s3, params: { Bucket: target.bucket, Key: target.key, Body: body, ContentType: target.contentType } });
  // done() starts the upload: called once.
  const uploading = upload.done();
  try {
    await Promise.all([uploading, feeding]);
  } catch (error) {
    // Whichever side failed, end the other: the source stops reading, the upload stops waiting.
    body.destroy(error as Error);
    await Promise.allSettled([uploading, feeding]);
    throw error;
  }
}
