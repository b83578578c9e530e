import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

describe('module loading', () => {
  it('reads files without loading TensorFlow.js, the AWS SDK or pg', async () => {
    // A fresh process: the test runner's own module cache says nothing about what the library loads.
    const script = `
      import { createRequire } from 'node:module';
      import { writeFileSync } from 'node:fs';
      import { tmpdir } from 'node:os';
      import { join } from 'node:path';
      import { ingest, ONLINE_RETAIL_CSV_HEADER } from './src/index.ts';
      const path = join(tmpdir(), 'nextbuy-lazy-' + process.pid + '.csv');
      writeFileSync(path, ONLINE_RETAIL_CSV_HEADER + '1,A,B,1,12/1/2010 8:26,1,17850,UK\\n');
      const { report } = await ingest(path);
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({ rowsKept: report.rowsKept, heavy: loaded.filter((p) => /tfjs|client-s3|[\\\\/]pg[\\\\/]/.test(p)) }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: projectRoot,
    });
    expect(JSON.parse(stdout)).toEqual({ rowsKept: 1, heavy: [] });
  });
});
