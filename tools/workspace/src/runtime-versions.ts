// Prints the versions of what the tests run on but package-lock.json does not pin: Node,
// libxgboost as the binding loads it (Debian package, Homebrew or XGBOOST_LIBRARY_PATH alike)
// and the Python XGBoost the interoperability tests call. nx.json hashes this output into every
// test target (namedInput "testRuntime"), so a shared cache cannot replay a pass recorded on
// another runtime. Usage: npx tsx tools/workspace/src/runtime-versions.ts
import { spawnSync } from 'node:child_process';
import { xgboostVersion } from '@nextbuy/xgb-model';

function libxgboost(): string {
  try {
    return xgboostVersion();
  } catch (error) {
    return `not loadable (${(error as Error).message.split(';')[0]})`;
  }
}

function pythonXgboost(): string {
  const python = spawnSync('/usr/bin/python3', ['-c', 'import xgboost; print(xgboost.__version__)'], { encoding: 'utf8' });
  return python.status === 0 ? python.stdout.trim() : 'not importable';
}

console.log(`node ${process.version}; libxgboost ${libxgboost()}; python xgboost ${pythonXgboost()}`);
