import { z } from 'zod';
import { datasetNameSchema } from './storage';

/**
 * Prefix of every SageMaker name the pipeline creates (training jobs, models, endpoint
 * configurations, endpoints), so IAM can scope SageMaker actions to `nextbuy-*`.
 */
export const sageMakerNamePrefix = 'nextbuy-';

/** The one production variant of a nextbuy endpoint; blue/green updates need the same name in every configuration. */
export const ENDPOINT_VARIANT = 'AllTraffic';

/** Between an endpoint's name and the rest of its configurations' names, so one endpoint's configurations share a prefix no other endpoint's has. */
const CONFIG_SEPARATOR = '--';

// SageMaker names: at most 63 characters; `nextbuy-<dataset>` must fit, and `--` is kept for the separator.
const endpointDatasetSchema = datasetNameSchema.refine((name) => name.length <= 63 - sageMakerNamePrefix.length && !name.includes(CONFIG_SEPARATOR), {
  message: `a dataset with an endpoint takes at most ${63 - sageMakerNamePrefix.length} characters and no "${CONFIG_SEPARATOR}" (its endpoint is nextbuy-<dataset>)`,
});

// SageMaker Serverless Inference's limits: memory in 1 GB steps from 1024 to 6144 MB, concurrency 1-200.
const serverlessSchema = z.strictObject({
  memorySizeMb: z.coerce
    .number()
    .int()
    .refine((mb) => mb >= 1024 && mb <= 6144 && mb % 1024 === 0, 'one of 1024, 2048, 3072, 4096, 5120, 6144')
    .default(2048),
  maxConcurrency: z.coerce.number().int().min(1).max(200).default(5),
});

const instancesSchema = z.strictObject({
  instanceType: z.string().regex(/^ml\.[a-z0-9-]+\.[a-z0-9]+$/, 'a SageMaker instance type such as "ml.m5.large"').default('ml.m5.large'),
  instanceCount: z.coerce.number().int().min(1).max(20).default(1),
  /** The latency alarm (mean ModelLatency over 3 minutes) that rolls a blue/green update back. */
  maxModelLatencyMs: z.coerce.number().positive().max(60_000).default(1000),
  /** Blue/green baking period: how long the alarms watch the new fleet before the old one goes. */
  bakeSeconds: z.coerce.number().int().min(0).max(3600).default(300),
});

/**
 * One dataset's real-time endpoint: `serverless` or `instances` (exactly one), optional data
 * capture (instances only: serverless endpoints do not support it), and how many endpoint
 * configurations to keep for rollback (the one in service and the newest others).
 */
export const endpointSettingsSchema = z
  .strictObject({
    serverless: serverlessSchema.optional(),
    instances: instancesSchema.optional(),
    dataCapturePercent: z.coerce.number().int().min(1).max(100).optional(),
    keepConfigs: z.coerce.number().int().min(1).max(20).default(3),
  })
  .superRefine((settings, context) => {
    if ((settings.serverless === undefined) === (settings.instances === undefined)) {
      context.addIssue({ code: 'custom', message: 'give exactly one of "serverless" ({memorySizeMb, maxConcurrency}) or "instances" ({instanceType, instanceCount})' });
    }
    if (settings.serverless && settings.dataCapturePercent !== undefined) {
      context.addIssue({ code: 'custom', path: ['dataCapturePercent'], message: 'SageMaker serverless endpoints do not support data capture: use "instances" or drop dataCapturePercent' });
    }
  });
export type EndpointSettings = z.output<typeof endpointSettingsSchema>;

/** Endpoint settings by dataset; a dataset not named has no endpoint. */
export const endpointsSettingSchema = z.record(endpointDatasetSchema, endpointSettingsSchema);
export type EndpointsSetting = z.output<typeof endpointsSettingSchema>;

/** The endpoint that serves a dataset's newest model. */
export function endpointNameFor(dataset: string): string {
  return `${sageMakerNamePrefix}${dataset}`;
}

/** What every endpoint configuration of a dataset's endpoint starts with, and no other's does. */
export function endpointConfigPrefix(dataset: string): string {
  return `${endpointNameFor(dataset)}${CONFIG_SEPARATOR}`;
}

/** The CloudWatch alarms that roll an instance endpoint's blue/green update back. */
export function endpointAlarmNames(dataset: string): { errors: string; latency: string } {
  const name = endpointNameFor(dataset);
  return { errors: `${name}-invocation-5xx`, latency: `${name}-model-latency` };
}
