import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { XGBoostLibraryError } from './errors';
import { INSTALL_HINT, loadLibrary, xgboostVersion } from './native';

describe('libxgboost', () => {
  it('loads the real library, version 1.7 or later', () => {
    const [major, minor] = xgboostVersion().split('.').map(Number);
    expect(major! > 1 || (major === 1 && minor! >= 7)).toBe(true);
  });

  it('says how to install XGBoost when XGBOOST_LIBRARY_PATH points nowhere', () => {
    const load = () => loadLibrary({ XGBOOST_LIBRARY_PATH: '/nonexistent/libxgboost.so' });
    expect(load).toThrow(XGBoostLibraryError);
    expect(load).toThrow('/nonexistent/libxgboost.so');
    expect(load).toThrow(INSTALL_HINT);
    expect(INSTALL_HINT).toMatch(/apt-get install libxgboost0/);
  });

  it('fails the first XGBoost call of a fresh process with the same advice', () => {
    const tsx = createRequire(import.meta.url).resolve('tsx/cli');
    const index = fileURLToPath(new URL('./index.ts', import.meta.url));
    const script = `import { DMatrix } from ${JSON.stringify(index)}; new DMatrix([[1, 2]]);`;
    const child = spawnSync(process.execPath, [tsx, '--eval', script], {
      env: { ...process.env, XGBOOST_LIBRARY_PATH: '/nonexistent/libxgboost.so' },
      encoding: 'utf8',
    });
    expect(child.status).not.toBe(0);
    expect(child.stderr).toMatch(/XGBoostLibraryError/);
    expect(child.stderr).toMatch(/apt-get install libxgboost0/);
  });
});
