import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONLINE_RETAIL_COLUMNS } from '@nextbuy/contracts';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const run = promisify(execFile);
let dir = '';

/** Runs the CLI as `nx run datagen-cli:run` does (tsx), returning its exit code and output. */
async function datagen(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', CLI, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'datagen-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('datagen CLI', () => {
  it('writes a gzip CSV and reports progress and speed on stderr', async () => {
    const out = join(dir, 'data', 'sales.csv.gz');
    const result = await datagen('--rows', '20000', '--seed', '3', '--out', out);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/rows \(\d+% of target\)/);
    expect(result.stderr).toMatch(/wrote [\d,]+ rows, [\d,]+ invoices, [\d,]+ customers to .*sales\.csv\.gz in [\d.]+ s \([\d,]+ rows\/s\)/);
    const lines = gunzipSync(await readFile(out)).toString('utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(ONLINE_RETAIL_COLUMNS.join(','));
    expect(Math.abs(lines.length - 1 - 20_000)).toBeLessThan(400);
  });

  it('writes a named scenario of the zoo, byte-identical for the same seed', async () => {
    const a = join(dir, 'tiny-a.csv');
    const b = join(dir, 'tiny-b.csv');
    const results = await Promise.all([datagen('--scenario', 'tiny-shop', '--out', a), datagen('--scenario', 'tiny-shop', '--seed', '109', '--out', b)]);
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    expect(results[0]!.stderr).toMatch(/wrote scenario tiny-shop: [\d,]+ rows to .*tiny-a\.csv/);
    const text = await readFile(a, 'utf8');
    expect(text.split('\n')[0]).toBe(ONLINE_RETAIL_COLUMNS.join(','));
    expect(await readFile(b, 'utf8')).toBe(text);
  });

  it('explains its flags with --help', async () => {
    const result = await datagen('--help');
    expect(result.code).toBe(0);
    for (const flag of ['--scenario', 'short-sparse', '--rows', '--seed', '--out', '--start', '--end', '--customers', '--wholesale-customers']) expect(result.stdout).toContain(flag);
  });

  it('rejects bad flags with a clear message and a non-zero exit', async () => {
    const out = join(dir, 'bad.csv');
    const cases: [string[], RegExp][] = [
      [['--rows', 'many', '--out', out], /--rows must be an integer, got "many"/],
      [['--rows', '50', '--out', out], /--rows must be an integer from 1,000 to 100,000,000, got 50/],
      [['--rows', '5000', '--out', join(dir, 'bad.txt')], /--out must end in \.csv or \.csv\.gz/],
      [['--rows', '5000', '--out', out, '--start', '2011-13-01'], /--start must be a YYYY-MM-DD calendar date/],
      [['--rows', '5000', '--out', out, '--wholesale-customers', '40'], /--wholesale-customers must be an integer from 0 to/],
      [['--rows', '5000'], /required option '--out <path>'/],
      [['--rows', '5000', '--out', out, '--colour', 'red'], /unknown option '--colour'/],
      [['--scenario', 'huge', '--out', out], /--scenario must be one of short-sparse, .*, got "huge"/],
      [['--scenario', 'tiny-shop', '--rows', '5000', '--out', out], /--scenario sets its own history; drop --rows/],
    ];
    const results = await Promise.all(cases.map(([args]) => datagen(...args)));
    results.forEach((result, i) => {
      const [args, message] = cases[i]!;
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr).toMatch(message);
    });
    // Nine CLI processes (each compiling TypeScript with tsx) start at once: on two busy cores that is
    // tens of seconds, not a sign of a fault.
  }, 120_000);
});
