// What bench:scale reads back from a trainer run: GNU time's line, the trainer's structured log,
// the manifest's data-quality counts; and the table it prints.
import { formatNumber, printTable } from './measure';

/** The format given to `/usr/bin/time -f`: elapsed wall seconds, then peak RSS in KiB. */
export const GNU_TIME_FORMAT = '%e %M';

/** GNU time, which reports a child's peak RSS (Node has no getrusage of its children). */
export const GNU_TIME = '/usr/bin/time';

/** The child's wall time and peak resident memory as GNU time reported them. */
export interface ChildUsage {
  wallSeconds: number;
  peakRssMb: number;
}

/**
 * Parses what `/usr/bin/time -f '%e %M' -o FILE` wrote. GNU time puts a line such as
 * `Command exited with non-zero status 1` or `Command terminated by signal 9` before its own when
 * the command failed, so the figures are the last line's.
 */
export function parseGnuTime(text: string): ChildUsage {
  const last = text.trim().split('\n').pop() ?? '';
  const match = /^(\d+(?:\.\d+)?) (\d+)$/.exec(last.trim());
  if (!match) throw new Error(`GNU time wrote no "${GNU_TIME_FORMAT}" line (elapsed seconds, peak KiB), got: ${JSON.stringify(text.trim())}`);
  return { wallSeconds: Number(match[1]), peakRssMb: Number(match[2]) / 1024 };
}

/** A trainer step and its seconds, from the structured log's `<step> done` lines. */
export interface StageTime {
  stage: string;
  seconds: number;
}

/**
 * The trainer's steps and their durations, from its stdout off a terminal: one JSON object a line
 * (Powertools' logger), where each step ends with `{"message": "<step> done", "seconds": ...}`.
 * Metric lines and tables in between are skipped.
 */
export function trainerStages(stdout: string): StageTime[] {
  const stages: StageTime[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      continue;
    }
    const { message, seconds } = record as { message?: unknown; seconds?: unknown };
    if (typeof message === 'string' && message.endsWith(' done') && typeof seconds === 'number') {
      stages.push({ stage: message.slice(0, -' done'.length), seconds });
    }
  }
  return stages;
}

/** What one trainer run at one size came to. */
export interface ScaleRun {
  rows: number;
  rowsKept: number;
  orders: number;
  customers: number;
  usage: ChildUsage;
  stages: StageTime[];
}

/** The counts of a manifest's data-quality report (`manifest.json`, `dataQuality`). */
export function manifestCounts(manifest: unknown): Pick<ScaleRun, 'rows' | 'rowsKept' | 'orders' | 'customers'> {
  const quality = (manifest as { dataQuality?: Record<string, unknown> } | null)?.dataQuality;
  const counts = { rows: quality?.rowsRead, rowsKept: quality?.rowsKept, orders: quality?.orders, customers: quality?.customers };
  for (const [name, value] of Object.entries(counts)) {
    if (typeof value !== 'number') throw new Error(`manifest.json: dataQuality has no number for ${name === 'rows' ? 'rowsRead' : name}`);
  }
  return counts as Pick<ScaleRun, 'rows' | 'rowsKept' | 'orders' | 'customers'>;
}

/** `read transactions 25.1 s, backtest (cutoff 2011-09-25) 185 s, ..., other 12.0 s`. */
export function stagesLine(run: ScaleRun): string {
  const staged = run.stages.reduce((sum, stage) => sum + stage.seconds, 0);
  const parts = run.stages.map((stage) => `${stage.stage} ${formatNumber(stage.seconds)} s`);
  // Process start, feature tables, the batch input, the report and the manifest log no step.
  parts.push(`other ${formatNumber(Math.max(0, run.usage.wallSeconds - staged))} s`);
  return parts.join(', ');
}

/** The table of every size run, then each run's stages. */
export function printScaleRuns(runs: readonly ScaleRun[]): void {
  printTable(
    ['rows', 'kept', 'orders', 'customers', 'wall s', 'peak RSS MB'],
    runs.map((run) => [run.rows, run.rowsKept, run.orders, run.customers, run.usage.wallSeconds, run.usage.peakRssMb]),
  );
  console.log('');
  for (const run of runs) console.log(`${run.rows.toLocaleString('en-US')} rows: ${stagesLine(run)}`);
}
