// bench:scale: generated Online Retail data (5.4 and 50 million rows by default, `--rows a,b` for
// others) through the built trainer end to end, read to artifact, default model: wall time and
// peak RSS of the trainer's process (GNU time), rows, orders and customers from its manifest, and
// the time of each step its log reports. Each size is one trainer process of its own.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { MANIFEST_FILE } from '@nextbuy/contracts';
import { MAX_ROWS, MIN_ROWS } from '@nextbuy/datagen';
import { cachedOnlineRetailCsv } from './datasets';
import { GNU_TIME, GNU_TIME_FORMAT, manifestCounts, parseGnuTime, printScaleRuns, trainerStages, type ScaleRun } from './scale-report';

const TRAINER = resolve(import.meta.dirname, '../../../dist/apps/trainer/bin.js');

function sizes(argv: string[]): number[] {
  const { values } = parseArgs({ args: argv, options: { rows: { type: 'string', default: '5400000,50000000' } } });
  return values.rows.split(',').map((text) => {
    const rows = Number(text);
    if (!Number.isInteger(rows) || rows < MIN_ROWS || rows > MAX_ROWS) {
      throw new Error(`--rows: each size must be an integer from ${MIN_ROWS.toLocaleString('en-US')} to ${MAX_ROWS.toLocaleString('en-US')}, got "${text}"`);
    }
    return rows;
  });
}

/** One trainer run under GNU time; its log's step lines are echoed to stderr as they come. */
async function trainOnce(rows: number, path: string): Promise<ScaleRun> {
  const work = await mkdtemp(join(tmpdir(), 'nextbuy-bench-scale-'));
  try {
    const modelDir = join(work, 'model');
    const timeFile = join(work, 'time.txt');
    const child = spawn(GNU_TIME, ['-f', GNU_TIME_FORMAT, '-o', timeFile, process.execPath, TRAINER, '--file_path', path, '--model_dir', modelDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: string[] = [];
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      stdout.push(line);
      if (!line.startsWith('{"level"')) return;
      const { message, done, total, seconds, detail } = JSON.parse(line) as { message: string; done?: number; total?: number; seconds?: number; detail?: string };
      if (message.endsWith(' progress') || message.endsWith(' done')) {
        const count = done === undefined ? '' : ` ${done.toLocaleString('en-US')}${total ? `/${total}` : ''}`;
        process.stderr.write(`  ${rows.toLocaleString('en-US')} rows: ${message}${count}${seconds === undefined ? '' : ` (${seconds} s)`}${detail ? `: ${detail}` : ''}\n`);
      }
    });
    const code = await new Promise<number | null>((done, fail) => {
      child.on('error', fail);
      child.on('close', done);
    });
    const usage = parseGnuTime(await readFile(timeFile, 'utf8'));
    if (code !== 0) {
      const tail = stderr.trim().split('\n').slice(-5).join('\n');
      throw new Error(`trainer on ${rows} rows exited with ${code} after ${usage.wallSeconds} s, peak RSS ${Math.round(usage.peakRssMb)} MB${tail ? `: ${tail}` : ''}`);
    }
    const manifest = JSON.parse(await readFile(join(modelDir, MANIFEST_FILE), 'utf8')) as unknown;
    return { ...manifestCounts(manifest), usage, stages: trainerStages(stdout.join('\n')) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const wanted = sizes(process.argv.slice(2));
  if (!existsSync(TRAINER)) throw new Error(`no built trainer at ${TRAINER}: run \`npx nx run-many -t build -p trainer\` (the bench:scale target does)`);
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} is missing: it measures the trainer's peak memory (Debian: apt-get install time)`);
  const runs: ScaleRun[] = [];
  for (const rows of wanted) {
    const path = await cachedOnlineRetailCsv(rows);
    process.stderr.write(`training on ${path}\n`);
    runs.push(await trainOnce(rows, path));
  }
  console.log('\nbench:scale (generated Online Retail data, seed 1; the built trainer, default model, end to end)\n');
  printScaleRuns(runs);
}

await main();
