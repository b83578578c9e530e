import type { BacktestMetrics } from './manifest';

/** A backtest metric: a column of every metrics table (terminal, report, pipeline summary, bench). */
export type MetricColumn = keyof BacktestMetrics;

/** How each metric is shown and judged, in table order (evaluation.md defines them). */
export const METRIC_COLUMNS: Readonly<Record<MetricColumn, { decimals: number; lowerIsBetter: boolean }>> = {
  mae_days: { decimals: 1, lowerIsBetter: true },
  c_index: { decimals: 3, lowerIsBetter: false },
  auc_90d: { decimals: 3, lowerIsBetter: false },
  brier_90d: { decimals: 3, lowerIsBetter: true },
};

/** The metric columns in table order. */
export const METRIC_NAMES = Object.keys(METRIC_COLUMNS) as MetricColumn[];

/** A metric as the tables show it (`extraDecimals` more where margins matter); '-' when there is none. */
export function formatMetric(column: MetricColumn, value: number | null | undefined, extraDecimals = 0): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(METRIC_COLUMNS[column].decimals + extraDecimals);
}

/** The backtest's metrics as an aligned text table, one line per model or baseline under a header. */
export function metricsTextTable(metrics: Readonly<Record<string, BacktestMetrics>>): string[] {
  const names = Object.keys(metrics);
  const width = Math.max(5, ...names.map((name) => name.length));
  const cell = (text: string, column: MetricColumn) => text.padStart(Math.max(column.length, 6));
  return [
    `${'model'.padEnd(width)}  ${METRIC_NAMES.map((column) => cell(column, column)).join('  ')}`,
    ...names.map((name) => `${name.padEnd(width)}  ${METRIC_NAMES.map((column) => cell(formatMetric(column, metrics[name]![column]), column)).join('  ')}`),
  ];
}
