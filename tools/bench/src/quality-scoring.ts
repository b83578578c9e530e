// bench:quality's judging: which predictor wins each metric column of a backtest, whether the
// model won it and whether beyond noise, and the tables and summary lines printed from that. Pure
// functions of the metrics and of the margins' bootstrap intervals (quality-noise.ts).
import { describeChoices, formatMetric, METRIC_COLUMNS, METRIC_NAMES, type BacktestMetrics, type MetricColumn, type ModelSelection } from '@nextbuy/contracts';
import type { PercentileInterval } from '@nextbuy/features';

/** One decimal more than the report's: the margins between predictors are often below its precision. */
const EXTRA_DECIMALS = 1;

/** runBacktest's key of the model under test; every other key is a baseline. */
export const MODEL_KEY = 'model';

/** One backtest of one dataset at one cutoff, as bench:quality keeps it. */
export interface CutoffResult {
  dataset: string;
  cutoff: string;
  scoredCustomers: number;
  returnedCustomers: number;
  /** Keyed like runBacktest's metrics: `model` and each baseline. */
  metrics: Record<string, BacktestMetrics>;
  /** Per column, the bootstrap interval of the model's margin over the best baseline (null: no margin). */
  intervals: Record<MetricColumn, MarginInterval | null>;
  /** What the model chose while fitting (`describe().selection`); absent for a model that chooses nothing. */
  selection?: Record<string, ModelSelection>;
}

/** A percentile interval of a column's margin (model better = positive) over resamples of the scored customers. */
export type MarginInterval = PercentileInterval;

/** How the bootstrap was drawn, for the summary's words. */
export interface BootstrapSettings {
  resamples: number;
  /** Coverage of the interval, e.g. 0.95. */
  level: number;
}

/** An interval's coverage as printed: `95%`. */
export function coverage({ level }: BootstrapSettings): string {
  return `${Math.round(level * 100)}%`;
}

/** How the summary marks a verdict whose margin is within noise; said in bench:quality's header. */
export const WITHIN_NOISE_MARK = '~';

/** How one column of one backtest went for the model. */
export interface ColumnVerdict {
  column: MetricColumn;
  /** Every predictor at the best value (more than one on a tie). */
  winners: string[];
  /** `won`: the model alone is best; `tied`: best together with a baseline; `lost`: a baseline is better or the model has no value. */
  outcome: 'won' | 'tied' | 'lost';
  modelValue: number | null;
  /** The best baseline and its value (null when no baseline has this metric). */
  bestBaseline: string | null;
  bestBaselineValue: number | null;
  /** How much better the model is than the best baseline, in the metric's units (negative: worse); null when either has no value. */
  margin: number | null;
}

function present(value: number | null | undefined): value is number {
  return value !== null && value !== undefined && Number.isFinite(value);
}

/** The verdict of one column: null metrics do not compete; the model wins only when strictly best. */
export function judgeColumn(metrics: Record<string, BacktestMetrics>, column: MetricColumn): ColumnVerdict {
  const sign = METRIC_COLUMNS[column].lowerIsBetter ? -1 : 1;
  const competing = Object.entries(metrics).filter(([, m]) => present(m[column]));
  let best = -Infinity;
  for (const [, m] of competing) best = Math.max(best, sign * m[column]!);
  const winners = competing.filter(([, m]) => sign * m[column]! === best).map(([name]) => name);
  let bestBaseline: string | null = null;
  let bestBaselineScore = -Infinity;
  for (const [name, m] of competing) {
    if (name !== MODEL_KEY && sign * m[column]! > bestBaselineScore) {
      bestBaseline = name;
      bestBaselineScore = sign * m[column]!;
    }
  }
  const modelValue = present(metrics[MODEL_KEY]?.[column]) ? metrics[MODEL_KEY]![column]! : null;
  const bestBaselineValue = bestBaseline === null ? null : sign * bestBaselineScore;
  const outcome = !winners.includes(MODEL_KEY) ? 'lost' : winners.length === 1 ? 'won' : 'tied';
  const margin = modelValue !== null && bestBaselineValue !== null ? sign * (modelValue - bestBaselineValue) : null;
  return { column, winners, outcome, modelValue, bestBaseline, bestBaselineValue, margin };
}

/** A column's verdict with the noise around its margin. */
export interface CutoffVerdict extends ColumnVerdict {
  interval: MarginInterval | null;
  /**
   * `won` / `lost` when the whole interval is above / below 0, or when there is no margin to
   * doubt (no baseline has a value: won; the model has none: lost); null when within noise.
   */
  beyondNoise: 'won' | 'lost' | null;
}

function beyondNoise(verdict: ColumnVerdict, interval: MarginInterval | null): CutoffVerdict['beyondNoise'] {
  if (verdict.margin === null) return verdict.outcome === 'won' ? 'won' : 'lost';
  if (interval === null) return null;
  if (interval.low > 0) return 'won';
  return interval.high < 0 ? 'lost' : null;
}

/** The four verdicts of one backtest. */
export function judgeCutoff(result: CutoffResult): CutoffVerdict[] {
  return METRIC_NAMES.map((column) => {
    const verdict = judgeColumn(result.metrics, column);
    const interval = result.intervals[column];
    return { ...verdict, interval, beyondNoise: beyondNoise(verdict, interval) };
  });
}

/** Columns the model won (strictly best), and those won and lost beyond noise, of datasets x cutoffs x 4. */
export function columnsWon(results: readonly CutoffResult[]): { won: number; tied: number; total: number; wonBeyondNoise: number; lostBeyondNoise: number } {
  let won = 0;
  let tied = 0;
  let wonBeyondNoise = 0;
  let lostBeyondNoise = 0;
  for (const result of results) {
    for (const verdict of judgeCutoff(result)) {
      if (verdict.outcome === 'won') won++;
      if (verdict.outcome === 'tied') tied++;
      if (verdict.beyondNoise === 'won') wonBeyondNoise++;
      if (verdict.beyondNoise === 'lost') lostBeyondNoise++;
    }
  }
  return { won, tied, total: results.length * METRIC_NAMES.length, wonBeyondNoise, lostBeyondNoise };
}

/** Rows of aligned text, the first a header, a rule under it; the first `left` columns left-aligned, the others right. */
export function alignedTable(header: string[], rows: string[][], left = 2): string[] {
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < left ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

/**
 * One dataset's table: a row per cutoff and predictor, the model named `modelName`, every
 * column's winners marked `*` (several on a tie).
 */
export function datasetTable(results: readonly CutoffResult[], modelName: string): string[] {
  const rows: string[][] = [];
  for (const result of results) {
    const verdicts = judgeCutoff(result);
    for (const [name, metrics] of Object.entries(result.metrics)) {
      rows.push([
        result.cutoff,
        name === MODEL_KEY ? modelName : name,
        ...verdicts.map((v) => `${formatMetric(v.column, metrics[v.column], EXTRA_DECIMALS)}${v.winners.includes(name) ? '*' : ' '}`),
      ]);
    }
  }
  return alignedTable(['cutoff', 'predictor', ...METRIC_NAMES.map((c) => `${c} `)], rows);
}

/** A verdict in a few words: `won by 0.0123`, `tied with baseline_km`, `lost to baseline_km by 3.20`. */
export function describeVerdict(verdict: ColumnVerdict): string {
  const margin = verdict.margin === null ? '' : ` by ${formatMetric(verdict.column, Math.abs(verdict.margin), EXTRA_DECIMALS)}`;
  if (verdict.outcome === 'won') return verdict.bestBaseline === null ? 'won (no baseline)' : `won${margin}`;
  if (verdict.outcome === 'tied') return `tied with ${verdict.winners.filter((w) => w !== MODEL_KEY).join(', ')}`;
  if (verdict.modelValue === null) return 'lost (model has no value)';
  return `lost to ${verdict.winners.join(', ')}${margin}`;
}

/** A margin with its sign, to the table's precision plus one decimal: `+0.0007`, `-1.22`. */
function signedMargin(column: MetricColumn, value: number): string {
  return `${value < 0 ? '-' : '+'}${formatMetric(column, Math.abs(value), EXTRA_DECIMALS)}`;
}

/** A margin's interval in few characters: `-0.0011..+0.0007`. */
function describeInterval(column: MetricColumn, interval: MarginInterval | null): string {
  return interval === null ? '-' : `${signedMargin(column, interval.low)}..${signedMargin(column, interval.high)}`;
}

/**
 * Lines to print under a dataset's table, per cutoff: the margins' intervals
 * (`2022-03-23 margin 95%: mae_days -0.31..+0.20, ...`), and what the model chose while fitting
 * (`2022-03-23 chose: blend_p_order_90d = booster 0.5 + bgnbd 0.5; blend_wait = bgnbd`) when it
 * chose anything.
 */
export function cutoffNotes(results: readonly CutoffResult[], bootstrap: BootstrapSettings): string[] {
  const lines: string[] = [];
  for (const result of results) {
    const intervals = METRIC_NAMES.map((column) => `${column} ${describeInterval(column, result.intervals[column])}`);
    lines.push(`${result.cutoff} margin ${coverage(bootstrap)}: ${intervals.join(', ')}`);
    const choices = describeChoices(result.selection);
    if (choices) lines.push(`${result.cutoff} chose: ${choices}`);
  }
  return lines;
}

/** A verdict as the summary prints it: `won by 0.0123`, or `~lost to baseline_km by 0.20` within noise. */
export function verdictCell(verdict: CutoffVerdict): string {
  return `${verdict.beyondNoise === null ? WITHIN_NOISE_MARK : ''}${describeVerdict(verdict)}`;
}

/**
 * The summary over every dataset and cutoff: a verdict per column, `~` before those within noise;
 * then the counts, the wins and losses beyond noise, and last the line `columns won: W of N`.
 */
export function summaryTable(results: readonly CutoffResult[], bootstrap: BootstrapSettings): string[] {
  const rows = results.map((result) => [result.dataset, result.cutoff, ...judgeCutoff(result).map(verdictCell)]);
  const { won, tied, total, wonBeyondNoise, lostBeyondNoise } = columnsWon(results);
  const lines = alignedTable(['dataset', 'cutoff', ...METRIC_NAMES], rows, 2 + METRIC_NAMES.length);
  const perColumn = METRIC_NAMES.map((column) => `${column} ${results.filter((r) => judgeColumn(r.metrics, column).outcome === 'won').length}/${results.length}`);
  lines.push(
    '',
    `won per column: ${perColumn.join(', ')}; tied: ${tied}`,
    `beyond noise: won ${wonBeyondNoise}, lost ${lostBeyondNoise} of ${total} (paired bootstrap over customers, ${bootstrap.resamples} resamples, ${coverage(bootstrap)})`,
    `columns won: ${won} of ${total}`,
  );
  return lines;
}
