/**
 * The metric lines a training job prints and SageMaker reads from its log through the job's
 * metric definitions (one regex each, the value its one capture group), to chart a running job
 * and keep the last values (`FinalMetricDataList`). The format and the regex that reads it are
 * written here once: the trainer prints with `metricLine`, the CDK stack declares
 * `metricDefinition`s (through the model registry's `trainingMetricDefinitions`).
 */

/** One SageMaker metric definition (`AlgorithmSpecification.MetricDefinitions[]`). */
export interface MetricDefinition {
  readonly name: string;
  readonly regex: string;
}

/** The fits a training run makes, each prefixing its per-iteration metric lines: the backtest's model, then the final one. */
export const FIT_STAGES = ['backtest', 'final'] as const;
export type FitStage = (typeof FIT_STAGES)[number];

/** A metric's name under a prefix, as printed and declared: `baseline_km:mae_days`, `final:train-logloss` (a fit stage's). */
export function prefixedMetricName(prefix: string, metric: string): string {
  return `${prefix}:${metric}`;
}

/**
 * `name=value;` for each finite value, space-separated on one line; names get `prefix:` when
 * given (`baseline_km:mae_days=68.5;`). Values are rounded to 6 decimals.
 */
export function metricLine(metrics: Readonly<Record<string, number | null>>, prefix?: string): string {
  return Object.entries(metrics)
    .filter((entry): entry is [string, number] => entry[1] !== null && Number.isFinite(entry[1]))
    .map(([name, value]) => `${prefix ? prefixedMetricName(prefix, name) : name}=${Number(value.toFixed(6))};`)
    .join(' ');
}

/**
 * The definition that reads metric `name` from a `metricLine`: the name at the start of the line
 * or after a space (so `mae_days` does not also read `baseline_km:mae_days`), then the number up
 * to the `;`.
 */
export function metricDefinition(name: string): MetricDefinition {
  const literal = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return { name, regex: `(?:^|\\s)${literal}=(-?[0-9.]+(?:[eE][-+]?[0-9]+)?);` };
}
