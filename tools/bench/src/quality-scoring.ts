// bench:quality's judging: which predictor wins each metric column of a backtest, whether the
// model won it, and the tables and summary line printed from that. Pure functions of the metrics.
import { formatMetric, METRIC_COLUMNS, METRIC_NAMES, type BacktestMetrics, type MetricColumn } from '@nextbuy/contracts';

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
}

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

/** The four verdicts of one backtest. */
export function judgeCutoff(result: CutoffResult): ColumnVerdict[] {
  return METRIC_NAMES.map((column) => judgeColumn(result.metrics, column));
}

/** Columns the model won, of datasets x cutoffs x 4. */
export function columnsWon(results: readonly CutoffResult[]): { won: number; tied: number; total: number } {
  let won = 0;
  let tied = 0;
  for (const result of results) {
    for (const verdict of judgeCutoff(result)) {
      if (verdict.outcome === 'won') won++;
      if (verdict.outcome === 'tied') tied++;
    }
  }
  return { won, tied, total: results.length * METRIC_NAMES.length };
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

/** The summary over every dataset and cutoff, ending with the line `columns won: W of N`. */
export function summaryTable(results: readonly CutoffResult[]): string[] {
  const rows = results.map((result) => [result.dataset, result.cutoff, ...judgeCutoff(result).map(describeVerdict)]);
  const { won, tied, total } = columnsWon(results);
  const lines = alignedTable(['dataset', 'cutoff', ...METRIC_NAMES], rows, 2 + METRIC_NAMES.length);
  const perColumn = METRIC_NAMES.map((column) => `${column} ${results.filter((r) => judgeColumn(r.metrics, column).outcome === 'won').length}/${results.length}`);
  lines.push('', `won per column: ${perColumn.join(', ')}; tied: ${tied}`, `columns won: ${won} of ${total}`);
  return lines;
}
