import { InputDataError } from '@nextbuy/contracts';

/**
 * A failure to open a local file as the user's input error where it is one: a missing path or a
 * directory, named by `source`. Any other error is returned as it is.
 */
export function fileError(error: unknown, source: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'ENOENT' && code !== 'EISDIR') return error;
  return new InputDataError(code === 'ENOENT' ? 'no such file' : 'a directory, not a file', { source }, { cause: error });
}
