import * as koffi from 'koffi';
import { XGBoostLibraryError } from './errors';

export const INSTALL_HINT =
  'install XGBoost >= 1.7 (Debian/Ubuntu: `apt-get install libxgboost0`; macOS: `brew install xgboost`) ' +
  'or set XGBOOST_LIBRARY_PATH to the full path of libxgboost.so / libxgboost.dylib';

const CANDIDATES = ['libxgboost.so.0', 'libxgboost.so', 'libxgboost.dylib', '/opt/homebrew/lib/libxgboost.dylib', '/usr/local/lib/libxgboost.dylib'];

export interface LoadedLibrary {
  lib: koffi.LibraryHandle;
  path: string;
}

// Keyed by XGBOOST_LIBRARY_PATH so a caller passing another env gets its own answer, not the cached one.
const loaded = new Map<string, LoadedLibrary>();

/** Loads libxgboost once: `XGBOOST_LIBRARY_PATH` if set, else the usual system names. */
export function loadLibrary(env: NodeJS.ProcessEnv = process.env): LoadedLibrary {
  const key = env.XGBOOST_LIBRARY_PATH ?? '';
  const known = loaded.get(key);
  if (known) return known;
  const candidates = key ? [key] : CANDIDATES;
  // libgomp spins idle threads for a while after each parallel region (OMP_WAIT_POLICY=ACTIVE
  // by default). On a shared or oversubscribed machine that spinning starves the threads doing
  // work: the CDNOW training fit took 33 s instead of 7 s with two busy neighbours. Sleeping
  // threads cost little on a dedicated one. Read once when the library loads; a user's own
  // setting wins.
  process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
  const failures: string[] = [];
  for (const path of candidates) {
    try {
      const library = { lib: koffi.load(path), path };
      loaded.set(key, library);
      return library;
    } catch (error) {
      failures.push(`${path}: ${(error as Error).message}`);
    }
  }
  throw new XGBoostLibraryError(`libxgboost could not be loaded (${failures.join('; ')}); ${INSTALL_HINT}`);
}

const versions = new WeakMap<LoadedLibrary, string>();

/** The version of the loaded libxgboost, checked to be >= 1.7. */
export function xgboostVersion(env: NodeJS.ProcessEnv = process.env): string {
  const library = loadLibrary(env);
  const known = versions.get(library);
  if (known) return known;
  const version = library.lib.func('void XGBoostVersion(_Out_ int* major, _Out_ int* minor, _Out_ int* patch)');
  const major = [0];
  const minor = [0];
  const patch = [0];
  version(major, minor, patch);
  const text = `${major[0]}.${minor[0]}.${patch[0]}`;
  if (major[0]! < 1 || (major[0] === 1 && minor[0]! < 7)) {
    throw new XGBoostLibraryError(`libxgboost ${text} at ${library.path} is too old; ${INSTALL_HINT}`);
  }
  versions.set(library, text);
  return text;
}
