import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { InputDataError } from '@nextbuy/contracts';
import { s3Sdk } from './s3';

/**
 * Sources that are folders of files: a local directory, or an S3 prefix written as a URI ending in
 * `/` (`s3://bucket/exports/2024/`, `s3://bucket/` for a whole bucket). Exports from Spark, Glue,
 * Athena, DMS or a daily job land as many files under one prefix, and a SageMaker channel is a
 * directory of whatever the prefix held.
 */

/**
 * Whether a file or folder name holds data: not hidden (`.part-0.crc`) and not one of the markers
 * Spark, Hadoop and Glue write beside their output (`_SUCCESS`, `_committed_…`, `_temporary/`).
 */
export function isDataName(name: string): boolean {
  return name.length > 0 && !name.startsWith('.') && !name.startsWith('_');
}

/** Code-unit order: the same on every machine and locale (S3 lists keys in byte order, which agrees for ASCII names). */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The non-empty data files below a local directory, at every depth, in path order; null when `path` is not a directory. */
async function localFolderFiles(path: string): Promise<string[] | null> {
  const info = await stat(path).catch(() => null);
  if (!info?.isDirectory()) return null;
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).filter((entry) => isDataName(entry.name)).sort((a, b) => byName(a.name, b.name));
    for (const entry of entries) {
      const child = join(dir, entry.name);
      if (entry.isDirectory()) {
        await walk(child);
        continue;
      }
      // A link to a file is read as the file; a link to a folder is not followed (no loops).
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      const target = await stat(child).catch(() => null);
      // Empty part files are what Spark writes for empty partitions: nothing to read, not an error.
      if (target?.isFile() && target.size > 0) files.push(child);
    }
  };
  await walk(path);
  return files;
}

/** The non-empty data objects under an `s3://bucket/prefix/` URI (every depth), in key order. */
async function s3FolderObjects(uri: string, client?: S3Client): Promise<string[]> {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!match) throw new InputDataError('not an S3 prefix URI: expected s3://bucket/prefix/', { source: uri });
  const [bucket, prefix] = [match[1]!, match[2]!];
  const { paginateListObjectsV2, S3Client: DefaultClient } = await s3Sdk();
  const s3 = client ?? new DefaultClient({});
  const keys: string[] = [];
  try {
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
      for (const object of page.Contents ?? []) {
        const key = object.Key;
        if (!key || key.endsWith('/') || !object.Size) continue;
        // Every level below the prefix must be a data name: `_temporary/0/part-1` is a job's scratch.
        if (key.slice(prefix.length).split('/').every(isDataName)) keys.push(key);
      }
    }
  } catch (error) {
    if ((error as Error).name === 'NoSuchBucket') throw new InputDataError('no such S3 bucket (NoSuchBucket)', { source: uri }, { cause: error });
    throw error;
  }
  return keys.sort(byName).map((key) => `s3://${bucket}/${key}`);
}

/**
 * The files of a folder source in the order they are read, or null when `source` is a single
 * file or object (a local path that is not a directory, an S3 URI not ending in `/`).
 */
export async function folderFiles(source: string, client?: S3Client): Promise<string[] | null> {
  if (source.startsWith('s3://')) return source.endsWith('/') ? s3FolderObjects(source, client) : null;
  return localFolderFiles(source);
}
