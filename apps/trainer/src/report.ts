import { formatMetric, METRIC_COLUMNS, METRIC_NAMES, type MetricColumn, type Manifest } from '@nextbuy/contracts';
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import * as vl from 'vega-lite';

/** One scored customer of the backtest, for the report's charts. */
export interface BacktestCustomer {
  predictedGapDays: number;
  /** Days from the last order to the first order on/after the cutoff; null when censored. */
  actualGapDays: number | null;
  orderCount: number;
}

export interface ReportInput {
  manifest: Manifest;
  customers: BacktestCustomer[];
  /** Per-iteration losses of the final fit (boosting rounds or epochs). */
  history: Array<Record<string, number>>;
}

const MAX_SCATTER_POINTS = 3000;

/** Renders a vega-lite spec to an SVG string, server-side, with no network and no canvas. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function metricsTable(metrics: Manifest['backtest']['metrics']): string {
  const names = Object.keys(metrics);
  // The best value of each column is marked.
  const best = new Map<MetricColumn, number>();
  for (const column of METRIC_NAMES) {
    const values = names.map((n) => metrics[n]![column]).filter((v): v is number => v !== null && Number.isFinite(v));
    if (values.length) best.set(column, METRIC_COLUMNS[column].lowerIsBetter ? Math.min(...values) : Math.max(...values));
  }
  const rows = names.map((name) => {
    const cells = METRIC_NAMES.map((column) => {
      const value = metrics[name]![column];
      const text = formatMetric(column, value);
      return `<td${value !== null && value === best.get(column) ? ' class="best"' : ''}>${text}</td>`;
    });
    return `<tr><th>${escapeHtml(name)}</th>${cells.join('')}</tr>`;
  });
  return `<table><thead><tr><th>model</th>${METRIC_NAMES.map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function orderCountBucket(count: number): string {
  if (count <= 3) return String(count);
  if (count <= 5) return '4-5';
  if (count <= 10) return '6-10';
  return '11+';
}

/** Evenly spaced sample, so a large backtest keeps the report small but representative. */
function sample<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  const step = items.length / max;
  return Array.from({ length: max }, (_, i) => items[Math.floor(i * step)]!);
}

async function charts(input: ReportInput): Promise<Array<{ title: string; svg: string }>> {
  const { manifest, customers, history } = input;
  const returned = customers.filter((c) => c.actualGapDays !== null);
  const out: Array<{ title: string; svg: string }> = [];

  const maeByModel = Object.entries(manifest.backtest.metrics)
    .filter(([, m]) => m.mae_days !== null)
    .map(([model, m]) => ({ model, mae_days: m.mae_days }));
  out.push({
    title: 'Mean absolute error of the predicted gap (days), returned customers',
    svg: await renderSvg({ data: { values: maeByModel }, mark: 'bar', width: 420, encoding: { y: { field: 'model', type: 'nominal', sort: '-x' }, x: { field: 'mae_days', type: 'quantitative', title: 'mae_days' } } }),
  });

  out.push({
    title: `Predicted vs actual gap, returned customers (${Math.min(returned.length, MAX_SCATTER_POINTS)} of ${returned.length})`,
    svg: await renderSvg({
      data: { values: sample(returned, MAX_SCATTER_POINTS).map((c) => ({ predicted: c.predictedGapDays, actual: c.actualGapDays })) },
      mark: { type: 'point', opacity: 0.3, size: 12 },
      width: 420,
      height: 320,
      encoding: { x: { field: 'actual', type: 'quantitative', title: 'actual gap (days)' }, y: { field: 'predicted', type: 'quantitative', title: 'predicted gap (days)' } },
    }),
  });

  const buckets = new Map<string, { sum: number; n: number }>();
  for (const c of returned) {
    const key = orderCountBucket(c.orderCount);
    const b = buckets.get(key) ?? { sum: 0, n: 0 };
    b.sum += Math.abs(c.predictedGapDays - c.actualGapDays!);
    b.n += 1;
    buckets.set(key, b);
  }
  const order = ['1', '2', '3', '4-5', '6-10', '11+'];
  out.push({
    title: 'Mean absolute error by the customer’s number of orders before the cutoff',
    svg: await renderSvg({
      data: { values: order.filter((k) => buckets.has(k)).map((k) => ({ orders: k, mae_days: buckets.get(k)!.sum / buckets.get(k)!.n, customers: buckets.get(k)!.n })) },
      mark: 'bar',
      width: 420,
      encoding: { x: { field: 'orders', type: 'ordinal', sort: order }, y: { field: 'mae_days', type: 'quantitative' }, tooltip: [{ field: 'customers' }] },
    }),
  });

  if (manifest.featureImportance && Object.keys(manifest.featureImportance).length) {
    out.push({
      title: 'Feature importance (total gain)',
      svg: await renderSvg({
        data: { values: Object.entries(manifest.featureImportance).map(([feature, gain]) => ({ feature, gain })) },
        mark: 'bar',
        width: 420,
        encoding: { y: { field: 'feature', type: 'nominal', sort: '-x' }, x: { field: 'gain', type: 'quantitative' } },
      }),
    });
  }
  if (history.length) {
    const values = history.flatMap((h, i) => Object.entries(h).filter(([k]) => k !== 'iteration').map(([series, loss]) => ({ iteration: i + 1, series, loss })));
    out.push({
      title: 'Loss by iteration of the final fit',
      svg: await renderSvg({ data: { values }, mark: 'line', width: 420, encoding: { x: { field: 'iteration', type: 'quantitative' }, y: { field: 'loss', type: 'quantitative', scale: { zero: false } }, color: { field: 'series', type: 'nominal' } } }),
    });
  }
  const dq = manifest.dataQuality;
  out.push({
    title: 'Data quality: rows kept and dropped by rule',
    svg: await renderSvg({
      data: { values: [{ rule: 'kept', rows: dq.rowsKept }, ...Object.entries(dq.dropped).map(([rule, d]) => ({ rule, rows: d.count }))] },
      mark: 'bar',
      width: 420,
      encoding: { y: { field: 'rule', type: 'nominal', sort: null }, x: { field: 'rows', type: 'quantitative' } },
    }),
  });
  return out;
}

/** The training report: one self-contained HTML page, readable offline (inline SVG, no scripts). */
export async function renderReport(input: ReportInput): Promise<string> {
  const { manifest } = input;
  const dq = manifest.dataQuality;
  const rendered = await charts(input);
  const droppedRows = Object.entries(dq.dropped)
    .map(([rule, d]) => `<tr><th>${rule}</th><td>${d.count}</td><td>${d.firstLines.slice(0, 5).join(', ') || '-'}</td></tr>`)
    .join('');
  // A folder source: each file's rows and, for every rule it broke, its own first lines.
  const fileRows = (dq.files ?? [])
    .map((file) => {
      const broken = Object.entries(file.dropped).filter(([, d]) => d.count > 0);
      const drops = broken.map(([rule, d]) => `${rule} ${d.count} (first lines ${d.firstLines.slice(0, 5).join(', ')})`).join('; ') || '-';
      return `<tr><th>${escapeHtml(file.source)}</th><td>${file.rowsRead}</td><td>${file.rowsKept}</td><td>${escapeHtml(drops)}</td></tr>`;
    })
    .join('');
  const filesTable = fileRows ? `<table><thead><tr><th>file</th><th>rows read</th><th>kept</th><th>dropped</th></tr></thead><tbody>${fileRows}</tbody></table>` : '';
  // What the model chose among candidates while fitting, with each candidate's validation figure.
  const selection = Object.entries(manifest.selection ?? {})
    .map(([what, { criterion, candidates, chosen }]) => {
      const figures = Object.entries(candidates).map(([name, value]) => (name === chosen ? `<b>${escapeHtml(name)} ${value.toFixed(4)}</b>` : `${escapeHtml(name)} ${value.toFixed(4)}`));
      return `<tr><th>${escapeHtml(what)}</th><td>${escapeHtml(chosen)}</td><td>${escapeHtml(criterion)}</td><td>${figures.join(', ')}</td></tr>`;
    })
    .join('');
  const hyperparameters = Object.entries(manifest.hyperparameters)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(String(v))}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>nextbuy training report: ${escapeHtml(manifest.modelVersion)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}
th:first-child{text-align:left}td.best{font-weight:bold;background:#e6f4ea}figure{margin:1.5em 0}figcaption{font-weight:600;margin-bottom:.4em}
.meta{color:#555}
</style></head><body>
<h1>Next-purchase model: ${escapeHtml(manifest.modelType)}</h1>
<p class="meta">version ${escapeHtml(manifest.modelVersion)} · created ${escapeHtml(manifest.createdAt)}${manifest.backend ? ` · backend ${escapeHtml(manifest.backend)}` : ''}</p>
<h2>Backtest</h2>
<p>Cutoff ${manifest.backtest.cutoff}: trained on orders before it, ${manifest.backtest.scoredCustomers} customers scored as of the cutoff,
${manifest.backtest.returnedCustomers} of them ordered again. <code>mae_days</code> is over returned customers; <code>c_index</code> over all
(censoring-aware); <code>auc_90d</code>/<code>brier_90d</code> of the probability of an order within 90 days. Best of each column in bold.</p>
${metricsTable(manifest.backtest.metrics)}
${rendered.map((c) => `<figure><figcaption>${escapeHtml(c.title)}</figcaption>${c.svg}</figure>`).join('\n')}
<h2>Data quality</h2>
<p>Source ${escapeHtml(dq.source)}: ${dq.rowsRead} rows read, ${dq.rowsKept} kept, ${dq.customers} customers, ${dq.orders} orders, ${dq.firstDate ?? '-'} to ${dq.lastDate ?? '-'}.</p>
<table><thead><tr><th>rule</th><th>rows dropped</th><th>first lines</th></tr></thead><tbody>${droppedRows}</tbody></table>
${filesTable}
${selection ? `<h2>Choices made while fitting</h2>
<table><thead><tr><th>what</th><th>chosen</th><th>criterion</th><th>candidates</th></tr></thead><tbody>${selection}</tbody></table>` : ''}
<h2>Hyperparameters</h2>
<table><tbody>${hyperparameters}</tbody></table>
</body></html>
`;
}
