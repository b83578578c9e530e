import { mkdir, stat } from 'node:fs/promises';
import { ArtifactError } from '@nextbuy/contracts';
import * as tar from 'tar';
import { listFiles } from './checksums';

export interface ExtractLimits {
  /** Largest total of file sizes accepted. */
  maxBytes: number;
  maxFiles: number;
}

export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = { maxBytes: 2 * 1024 ** 3, maxFiles: 10_000 };

/** Packs an artifact directory into a `model.tar.gz` as SageMaker does (paths relative to it). */
export async function packArtifact(dir: string, tarballPath: string): Promise<void> {
  await tar.create({ gzip: true, file: tarballPath, cwd: dir, portable: true, noMtime: true }, await listFiles(dir));
}

/**
 * Extracts a `model.tar.gz` into `dir`, refusing anything that could write outside it or
 * exhaust the disk: only regular files and directories, no absolute or `..` paths, no links,
 * bounded size and file count. node-tar already strips absolute paths and `..`; the filter
 * makes refusal loud instead of silent.
 */
export async function extractArtifact(tarballPath: string, dir: string, limits: ExtractLimits = DEFAULT_EXTRACT_LIMITS): Promise<void> {
  await stat(tarballPath).catch(() => {
    throw new ArtifactError(`${tarballPath}: no such model tarball`);
  });
  await mkdir(dir, { recursive: true });
  let bytes = 0;
  let files = 0;
  let refusal: string | undefined;
  await tar.extract({
    file: tarballPath,
    cwd: dir,
    strict: true,
    preservePaths: false,
    preserveOwner: false,
    filter: (path, entry) => {
      const type = 'type' in entry ? entry.type : 'File';
      const size = entry.size ?? 0;
      if (path.startsWith('/') || path.split('/').includes('..')) refusal ??= `entry "${path}" points outside the target directory`;
      else if (type !== 'File' && type !== 'OldFile' && type !== 'Directory') refusal ??= `entry "${path}" is a ${type}, only files and directories are accepted`;
      else if ((bytes += size) > limits.maxBytes) refusal ??= `contents exceed ${limits.maxBytes} bytes`;
      else if (type !== 'Directory' && ++files > limits.maxFiles) refusal ??= `more than ${limits.maxFiles} files`;
      return refusal === undefined;
    },
  }).catch((error: Error) => {
    throw new ArtifactError(`${tarballPath}: cannot extract (${error.message})`);
  });
  if (refusal) throw new ArtifactError(`${tarballPath}: refused: ${refusal}`);
}
