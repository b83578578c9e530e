import * as koffi from 'koffi';
import { NextBuyError } from '@nextbuy/contracts';

/** libxgboost could not be loaded, or is older than the C API this binding needs. */
export class XGBoostLibraryError extends NextBuyError {}

export const INSTALL_HINT =
  'install XGBoost >= 1.7 (Debian/Ubuntu: `apt-get install libxgboost0`; macOS: `brew install xgboost`) ' +
  'or set XGBOOST_LIBRARY_PATH to the full path of libxgboost.so / libxgboost.dylib';

const CANDIDATES = ['libxgboost.so.0', 'libxgboost.so', 'libxgboost.dylib', '/opt/homebrew/lib/libxgboost.dylib', '/usr/local/lib/libxgboost.dylib'];

let cached: { lib: koffi.LibraryHandle; path: string } | undefined;

/** Loads libxgboost once: `XGBOOST_LIBRARY_PATH` if set, else the usual system names. */
export function loadLibrary(env: NodeJS.ProcessEnv = process.env): { lib: koffi.LibraryHandle; path: string } {
  if (cached) return cached;
  const candidates = env.XGBOOST_LIBRARY_PATH ? [env.XGBOOST_LIBRARY_PATH] : CANDIDATES;
  const failures: string[] = [];
  for (const path of candidates) {
    try {
      cached = { lib: koffi.load(path), path };
      return cached;
    } catch (error) {
      failures.push(`${path}: ${(error as Error).message}`);
    }
  }
  throw new XGBoostLibraryError(`libxgboost could not be loaded (${failures.join('; ')}); ${INSTALL_HINT}`);
}

/** The version of the loaded libxgboost, checked to be >= 1.7. */
export function xgboostVersion(): string {
  const { lib } = loadLibrary();
  const version = lib.func('void XGBoostVersion(_Out_ int* major, _Out_ int* minor, _Out_ int* patch)');
  const major = [0];
  const minor = [0];
  const patch = [0];
  version(major, minor, patch);
  const text = `${major[0]}.${minor[0]}.${patch[0]}`;
  if (major[0]! < 1 || (major[0] === 1 && minor[0]! < 7)) {
    throw new XGBoostLibraryError(`libxgboost ${text} is too old; ${INSTALL_HINT}`);
  }
  return text;
}
