import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { extractArtifact, readArtifact } from '@nextbuy/artifact';
import { MANIFEST_FILE, metricsTextTable, MODEL_TARBALL, parseS3Uri, predictionRecordSchema, REPORT_FILE, type BacktestReport, type PredictionRecord } from '@nextbuy/contracts';
import { LOCAL_RESOURCES } from './local-aws';
import { shortCause, type DatasetOutcome } from './outcomes';
import type { ExecutionReport, LocalPipeline } from './pipeline';
import { downloadObject } from './s3-objects';
import type { SourceLoad } from './source-database';

/** What the summary says about one dataset, beyond its outcome. */
export interface DatasetSummary {
  outcome: DatasetOutcome;
  source?: SourceLoad;
  model?: { version: string; type: string; backtest: BacktestReport };
  /** The artifact's report.html, copied out of model.tar.gz. */
  reportPath?: string;
  samples: PredictionRecord[];
}

const SAMPLE_PREDICTIONS = 3;

/**
 * Reads back what a run left: each trained dataset's artifact from S3 (verified; its manifest
 * and report.html copied to `<runDir>/<dataset>/`) and a few of its predictions from DynamoDB.
 */
export async function summarizeDatasets(pipeline: LocalPipeline, report: ExecutionReport, runDir: string, sources: ReadonlyMap<string, SourceLoad>): Promise<DatasetSummary[]> {
  const documents = DynamoDBDocumentClient.from(pipeline.aws.dynamo);
  const summaries: DatasetSummary[] = [];
  for (const outcome of report.datasets) {
    const summary: DatasetSummary = { outcome, source: sources.get(outcome.dataset), samples: [] };
    const artifactUri = outcome.data?.train?.modelArtifacts;
    if (artifactUri) {
      const workdir = await mkdtemp(join(tmpdir(), 'nextbuy-summary-'));
      try {
        const { bucket, key } = parseS3Uri(artifactUri);
        await downloadObject(pipeline.aws.s3, bucket, key, join(workdir, MODEL_TARBALL));
        await extractArtifact(join(workdir, MODEL_TARBALL), join(workdir, 'model'));
        const manifest = await readArtifact(join(workdir, 'model'));
        summary.model = { version: manifest.modelVersion, type: manifest.modelType, backtest: manifest.backtest };
        const target = join(runDir, outcome.dataset);
        await mkdir(target, { recursive: true });
        await copyFile(join(workdir, 'model', MANIFEST_FILE), join(target, MANIFEST_FILE));
        if (REPORT_FILE in manifest.files) {
          summary.reportPath = join(target, REPORT_FILE);
          await copyFile(join(workdir, 'model', REPORT_FILE), summary.reportPath);
        }
      } finally {
        await rm(workdir, { recursive: true, force: true });
      }
    }
    if (outcome.status === 'SUCCEEDED' || outcome.status === 'ENDPOINT_FAILED') {
      const page = await documents.send(
        new QueryCommand({
          TableName: LOCAL_RESOURCES.predictionsTable,
          KeyConditionExpression: 'dataset = :dataset',
          ExpressionAttributeValues: { ':dataset': outcome.dataset },
          Limit: SAMPLE_PREDICTIONS,
        }),
      );
      summary.samples = (page.Items ?? []).map((item) => predictionRecordSchema.parse(item));
    }
    summaries.push(summary);
  }
  return summaries;
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** A path relative to the workspace when it lies inside it, else as it is. */
export function displayPath(path: string, workspaceRoot: string): string {
  const inside = relative(workspaceRoot, path);
  return inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}

/** The run's summary as printed at the end; the last line is `predictions written: N`. */
export function formatSummary(report: ExecutionReport, datasets: readonly DatasetSummary[], workspaceRoot: string): string[] {
  const lines = [`execution ${report.run}: ${report.status} in ${report.seconds.toFixed(1)} s`];
  if (report.error) lines.push(`  ${report.error.error}: ${report.error.cause}`);
  let written = 0;
  for (const { outcome, source, model, reportPath, samples } of datasets) {
    const data = outcome.data;
    lines.push('', `[${outcome.dataset}] ${outcome.status}`);
    if (source) lines.push(`  source       postgres table ${source.table}: ${count(source.rows)} rows, ${source.origin}`);
    if (data?.extract) {
      const { report: quality, batchInput } = data.extract;
      lines.push(`  extracted    ${count(quality.rowsRead)} rows read, ${count(quality.rowsKept)} kept after cleaning; ${count(batchInput.customers)} customers to score as of ${batchInput.asOfDate}`);
    }
    const timings = outcome.states.map(
      (state) => `${state.state} ${state.seconds.toFixed(1)} s${state.attempts > 1 ? ` (${state.attempts} attempts)` : ''}${state.visits ? ` (${state.visits} calls)` : ''}`,
    );
    if (timings.length > 0) lines.push(`  states       ${timings.join(' | ')}`);
    if (data?.failure) lines.push(`  failure      ${data.failure.Error}: ${shortCause(data.failure.Cause)}`);
    if (model) {
      const { backtest } = model;
      lines.push(`  model        ${model.version} (${data?.train?.trainingJobName ?? model.type})`);
      lines.push(`  backtest     cutoff ${backtest.cutoff}: ${count(backtest.scoredCustomers)} customers scored, ${count(backtest.returnedCustomers)} returned`);
      for (const line of metricsTextTable(backtest.metrics)) lines.push(`               ${line}`);
    }
    if (data?.writePredictions) {
      const { written: stored, skipped, rejectedCount } = data.writePredictions;
      written += stored;
      lines.push(`  predictions  ${count(stored)} written, ${count(skipped)} skipped (a newer one is stored), ${count(rejectedCount)} rejected`);
    }
    for (const sample of samples) {
      lines.push(
        `  sample       customer ${sample.customer_id}: last order ${sample.last_order_date}, next order ~${sample.predicted_next_order_date} ` +
          `(${sample.predicted_gap_days.toFixed(0)} days after it), P(order within 90 days) ${sample.p_order_90d.toFixed(2)}` +
          (sample.p_alive === null ? '' : `, P(alive) ${sample.p_alive.toFixed(2)}, expected orders in a year ${sample.expected_orders_365d!.toFixed(1)}`),
      );
    }
    if (data?.endpoint?.deployed) lines.push(`  endpoint     ${data.endpoint.name} ${data.endpoint.status} on ${data.endpoint.configName} (this run's model)`);
    if (data?.endpointFailure && outcome.status === 'ENDPOINT_FAILED') {
      lines.push(`  endpoint     ${data.createModel?.endpoint?.endpointName} not updated: ${data.endpointFailure.Error}: ${shortCause(data.endpointFailure.Cause)}`);
    }
    if (reportPath) lines.push(`  report       ${displayPath(reportPath, workspaceRoot)}`);
  }
  lines.push('', `predictions written: ${written}`);
  return lines;
}
