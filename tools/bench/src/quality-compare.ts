// bench:quality-compare: two runs of bench:quality (their `--json` files) side by side, as one
// judges a change to a model: the columns whose verdict changed, the choices the model made
// differently, and the summary counts and sums of margins of each run. Every verdict is
// bench:quality's own (`judgeCutoff`), recomputed from the stored metrics and intervals, so the two
// files are judged by today's rules even if one was written before a rule changed.
import { readFile } from 'node:fs/promises';
import { METRIC_NAMES, type MetricColumn } from '@nextbuy/contracts';
import { alignedTable, columnsWon, judgeCutoff, type CutoffResult, verdictCell, WITHIN_NOISE_MARK } from './quality-scoring';

/** What a `bench:quality --json` file holds that the comparison reads. */
export interface QualityRun {
  /** The path it was read from, for the header and errors. */
  path: string;
  model: string;
  draw?: number;
  seconds?: number;
  results: CutoffResult[];
}

/** A bench:quality JSON file that is not one, with the file and the field at fault in its message. */
export class QualityRunError extends Error {
  override name = 'QualityRunError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A parsed `--json` file checked for what the comparison reads: `model`, and `results`, each with
 * a dataset, a cutoff, the model's metrics and an interval (or null) per column.
 */
export function parseQualityRun(path: string, text: string): QualityRun {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new QualityRunError(`${path}: not JSON (${(error as Error).message})`);
  }
  const fail = (field: string, what: string) => new QualityRunError(`${path}: ${field} ${what}; is this a bench:quality --json file?`);
  if (!isRecord(json)) throw fail('the top level', 'is not an object');
  if (typeof json['model'] !== 'string') throw fail('model', 'is missing or not a string');
  if (!Array.isArray(json['results'])) throw fail('results', 'is missing or not an array');
  json['results'].forEach((result: unknown, i) => {
    const at = `results[${i}]`;
    if (!isRecord(result)) throw fail(at, 'is not an object');
    for (const key of ['dataset', 'cutoff'] as const) if (typeof result[key] !== 'string') throw fail(`${at}.${key}`, 'is missing or not a string');
    if (!isRecord(result['metrics']) || !isRecord(result['metrics']['model'])) throw fail(`${at}.metrics.model`, 'is missing');
    if (!isRecord(result['intervals'])) throw fail(`${at}.intervals`, 'is missing');
    for (const column of METRIC_NAMES) {
      const interval = result['intervals'][column];
      if (interval !== null && !(isRecord(interval) && typeof interval['low'] === 'number' && typeof interval['high'] === 'number')) {
        throw fail(`${at}.intervals.${column}`, 'is neither null nor { low, high }');
      }
    }
  });
  const draw = typeof json['draw'] === 'number' ? json['draw'] : undefined;
  const seconds = typeof json['seconds'] === 'number' ? json['seconds'] : undefined;
  return { path, model: json['model'], ...(draw === undefined ? {} : { draw }), ...(seconds === undefined ? {} : { seconds }), results: json['results'] as CutoffResult[] };
}

/** A `--json` file read and checked; a missing file is named. */
export async function readQualityRun(path: string): Promise<QualityRun> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new QualityRunError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseQualityRun(path, text);
}

/** A run's summary: bench:quality's counts, and per column the sum of the model's margins over the best baseline (positive: ahead). */
export interface RunSummary extends ReturnType<typeof columnsWon> {
  marginSums: Record<MetricColumn, number>;
}

export function summarize(results: readonly CutoffResult[]): RunSummary {
  const marginSums = Object.fromEntries(METRIC_NAMES.map((column) => [column, 0])) as Record<MetricColumn, number>;
  for (const result of results) for (const verdict of judgeCutoff(result)) if (verdict.margin !== null) marginSums[verdict.column] += verdict.margin;
  return { ...columnsWon(results), marginSums };
}

/** One column of one backtest whose printed verdict differs between the runs. */
export interface ChangedColumn {
  dataset: string;
  cutoff: string;
  column: MetricColumn;
  before: string;
  after: string;
}

/** One output of one backtest whose choice differs between the runs (`selection`'s `chosen`). */
export interface ChangedChoice {
  dataset: string;
  cutoff: string;
  output: string;
  before: string;
  after: string;
}

export interface Comparison {
  /** Backtests (dataset, cutoff) in both runs, compared; and those only in one of them, left out. */
  common: number;
  onlyBefore: string[];
  onlyAfter: string[];
  columns: ChangedColumn[];
  choices: ChangedChoice[];
  before: RunSummary;
  after: RunSummary;
}

const keyOf = (r: CutoffResult) => `${r.dataset} ${r.cutoff}`;

/** The two runs over the backtests they share (matched by dataset and cutoff). */
export function compareRuns(before: readonly CutoffResult[], after: readonly CutoffResult[]): Comparison {
  const afterByKey = new Map(after.map((r) => [keyOf(r), r]));
  const beforeKeys = new Set(before.map(keyOf));
  const pairs = before.filter((r) => afterByKey.has(keyOf(r))).map((r) => [r, afterByKey.get(keyOf(r))!] as const);
  const columns: ChangedColumn[] = [];
  const choices: ChangedChoice[] = [];
  for (const [b, a] of pairs) {
    const [was, is] = [judgeCutoff(b).map(verdictCell), judgeCutoff(a).map(verdictCell)];
    METRIC_NAMES.forEach((column, i) => {
      if (was[i] !== is[i]) columns.push({ dataset: b.dataset, cutoff: b.cutoff, column, before: was[i]!, after: is[i]! });
    });
    const outputs = [...new Set([...Object.keys(b.selection ?? {}), ...Object.keys(a.selection ?? {})])];
    for (const output of outputs) {
      const [was, is] = [b.selection?.[output]?.chosen ?? '-', a.selection?.[output]?.chosen ?? '-'];
      if (was !== is) choices.push({ dataset: b.dataset, cutoff: b.cutoff, output, before: was, after: is });
    }
  }
  return {
    common: pairs.length,
    onlyBefore: before.filter((r) => !afterByKey.has(keyOf(r))).map(keyOf),
    onlyAfter: after.filter((r) => !beforeKeys.has(keyOf(r))).map(keyOf),
    columns,
    choices,
    before: summarize(pairs.map(([b]) => b)),
    after: summarize(pairs.map(([, a]) => a)),
  };
}

/** Decimals of a margin sum per column: days to 2, the rest to 4. */
const SUM_DECIMALS: Record<MetricColumn, number> = { mae_days: 2, c_index: 4, auc_90d: 4, brier_90d: 4 };
const signed = (value: number, decimals: number) => `${value >= 0 ? '+' : ''}${value.toFixed(decimals)}`;

function describeRun(run: QualityRun): string {
  return `${run.path} (${run.model}${run.draw === undefined ? '' : `, --draw ${run.draw}`}${run.seconds === undefined ? '' : `, ${Math.round(run.seconds)} s`})`;
}

/** The comparison as printed: header, changed columns, changed choices, the summary side by side. */
export function comparisonLines(before: QualityRun, after: QualityRun, comparison: Comparison): string[] {
  const lines = [`bench:quality-compare: ${describeRun(before)} -> ${describeRun(after)}`, `${comparison.common} backtests in both`];
  if (comparison.onlyBefore.length > 0) lines.push(`only in the first, left out: ${comparison.onlyBefore.join(', ')}`);
  if (comparison.onlyAfter.length > 0) lines.push(`only in the second, left out: ${comparison.onlyAfter.join(', ')}`);
  lines.push('', `columns whose verdict changed: ${comparison.columns.length} (${WITHIN_NOISE_MARK}: within noise)`);
  if (comparison.columns.length > 0) lines.push(...alignedTable(['dataset', 'cutoff', 'column', 'before', 'after'], comparison.columns.map((c) => [c.dataset, c.cutoff, c.column, c.before, c.after]), 5));
  lines.push('', `choices that changed: ${comparison.choices.length}`);
  if (comparison.choices.length > 0) lines.push(...alignedTable(['dataset', 'cutoff', 'output', 'before', 'after'], comparison.choices.map((c) => [c.dataset, c.cutoff, c.output, c.before, c.after]), 5));
  const [b, a] = [comparison.before, comparison.after];
  const rows: string[][] = [
    ['columns won', `${b.won} of ${b.total}`, `${a.won} of ${a.total}`],
    ['tied', `${b.tied}`, `${a.tied}`],
    ['won beyond noise', `${b.wonBeyondNoise}`, `${a.wonBeyondNoise}`],
    ['lost beyond noise', `${b.lostBeyondNoise}`, `${a.lostBeyondNoise}`],
    ...METRIC_NAMES.map((column) => [`sum of margins, ${column}`, signed(b.marginSums[column], SUM_DECIMALS[column]), signed(a.marginSums[column], SUM_DECIMALS[column])]),
  ];
  lines.push('', ...alignedTable(['over the backtests in both', 'before', 'after'], rows, 1));
  return lines;
}
