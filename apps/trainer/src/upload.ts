import { createReadStream } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { TrainingInputError } from './errors';

/** The S3 client of the trainer: the SDK's own configuration, plus path-style for S3-compatible servers. */
export function s3ClientFromEnv(env: NodeJS.ProcessEnv = process.env): S3Client {
  return new S3Client({ forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true' });
}

/** Splits `s3://bucket/prefix/` into bucket and key prefix (always ending in `/` when not empty). */
export function parseS3Prefix(uri: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new TrainingInputError(`not an s3:// prefix: "${uri}"`);
  const prefix = match[2]!;
  return { bucket: match[1]!, prefix: prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix };
}

/** Uploads a local file under an s3:// prefix (multipart for large files); returns its URI. */
export async function uploadFile(client: S3Client, path: string, prefixUri: string, name: string): Promise<string> {
  const { bucket, prefix } = parseS3Prefix(prefixUri);
  const key = `${prefix}${name}`;
  await new Upload({ client, params: { Bucket: bucket, Key: key, Body: createReadStream(path) } }).done();
  return `s3://${bucket}/${key}`;
}
