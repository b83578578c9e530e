import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/**
 * A key's path under an S3Prefix data source, as SageMaker names the local file or the output
 * object: relative to the prefix's last `/`, so `a/b/` and `a/b/x` both give `x.csv` for `a/b/x.csv`.
 */
export function keyUnderPrefix(prefix: string, key: string): string {
  return key.slice(prefix.lastIndexOf('/') + 1);
}

/** A key prefix as a folder: ending with `/` unless it is the bucket's root. */
export function asFolder(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** Every key under a prefix, across pages, in S3's (lexicographic) order. */
export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** An object's body as a stream. */
export async function objectStream(s3: S3Client, bucket: string, key: string): Promise<Readable> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return object.Body as Readable;
}

/** Downloads an object to a file (parent folders created). */
export async function downloadObject(s3: S3Client, bucket: string, key: string, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await pipeline(await objectStream(s3, bucket, key), createWriteStream(path));
}

/** Uploads a file or text (multipart when large). */
export async function uploadObject(s3: S3Client, target: { bucket: string; key: string; contentType: string }, body: { path: string } | { text: string }): Promise<void> {
  const Body = 'path' in body ? createReadStream(body.path) : body.text;
  await new Upload({ client: s3, params: { Bucket: target.bucket, Key: target.key, Body, ContentType: target.contentType } }).done();
}
