import { datasetNameSchema, endpointsSettingSchema, parseHyperparameter } from '@nextbuy/contracts';
import { DEFAULT_MODEL_TYPE, hyperparameterSpecs, MODEL_TYPE_NAMES } from '@nextbuy/model-registry';
import { z } from 'zod';

/** Thrown when a CDK context value (cdk.json or `-c key=value`) cannot configure the stack. */
export class PipelineSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PipelineSettingsError';
  }
}

// `-c key=value` always arrives as a string, cdk.json keeps JSON types: accept both.
const count = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);
const flag = z
  .union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')])
  .default(false);
const jsonOr = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value, context) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      context.addIssue({ code: 'custom', message: 'expected JSON', input: value });
      return z.NEVER;
    }
  }, schema);
// `-c key=a,b` or `-c 'key=["a","b"]'` (cdk.json: a JSON list).
const list = <T extends z.ZodType>(array: T) =>
  z.preprocess((value) => (typeof value === 'string' && !value.trim().startsWith('[') ? value.split(',').map((entry) => entry.trim()) : value), jsonOr(array));
const awsId = (prefix: string, what: string) => z.string().regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), `${what} id such as "${prefix}-0123456789abcdef0"`);
/** Given together or not at all: lambda-extract then runs in that VPC (README: what it needs there). */
const sourceVpcKeys = ['sourceVpcId', 'sourceSubnetIds', 'sourceSecurityGroupIds'] as const;
// SageMaker's own instance names (what its pricing page and API use), e.g. ml.m5.large.
const sageMakerInstanceType = z.string().regex(/^ml\.[a-z0-9-]+\.[a-z0-9]+$/, 'a SageMaker instance type such as "ml.m5.large"');

const settingsSchema = z
  .object({
    modelBackend: z.enum(MODEL_TYPE_NAMES).default(DEFAULT_MODEL_TYPE),
    hyperparameters: jsonOr(z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'snake_case names'), z.coerce.string())).default({ seed: '42' }),
    trainInstanceType: sageMakerInstanceType.default('ml.m5.large'),
    // The trainer refuses more than one instance too (it reads resourceconfig.json): no distributed training yet.
    trainInstanceCount: z.coerce
      .number()
      .int()
      .min(1)
      .max(1, 'the trainer does not distribute training, so more than one instance would train the same model several times and race to write it: use 1')
      .default(1),
    trainVolumeSizeGb: count(30, 16_384),
    trainMaxRuntimeSeconds: count(7200, 28 * 24 * 3600),
    transformInstanceType: sageMakerInstanceType.default('ml.m5.large'),
    transformInstanceCount: count(1, 20),
    maxConcurrency: count(2, 40),
    imageTag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'a Docker image tag').default('0.1.0'),
    sourceSecretArn: z.string().startsWith('arn:', 'a Secrets Manager secret ARN').optional(),
    sourceTable: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/, 'a table name, `name` or `schema.name`')
      .default('transactions'),
    // The password stays in the secret: a URL carrying one would sit in plain text in the function's configuration.
    sourceDatabaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\/[^:@/]*@?[^@]*$/, 'a postgres:// URL without a password (user@host:port/db), the password lives in the secret')
      .optional(),
    // Lambda takes up to 16 subnets and 5 security groups.
    sourceVpcId: awsId('vpc', 'a VPC').optional(),
    sourceSubnetIds: list(z.array(awsId('subnet', 'a subnet')).min(1, 'at least one subnet id').max(16, 'at most 16 subnets')).optional(),
    sourceSecurityGroupIds: list(z.array(awsId('sg', 'a security group')).min(1, 'at least one security group id').max(5, 'at most 5 security groups')).optional(),
    rawRetentionDays: count(90, 3650),
    scheduleEnabled: flag,
    scheduleExpression: z.string().regex(/^(cron|rate)\(.+\)$/, 'an EventBridge "cron(...)" or "rate(...)" expression').default('cron(0 3 ? * MON *)'),
    // `-c datasets=a,b` or `-c 'datasets=["a","b"]'`
    datasets: list(z.array(datasetNameSchema)).default([]),
    // Real-time endpoints by dataset, off unless given: `-c 'endpoints={"retail":{"serverless":{"memorySizeMb":2048,"maxConcurrency":5}}}'`.
    endpoints: jsonOr(endpointsSettingSchema).default({}),
  })
  .superRefine((settings, context) => {
    if ('model_backend' in settings.hyperparameters) {
      context.addIssue({ code: 'custom', path: ['hyperparameters'], message: 'set the backend with "modelBackend", not hyperparameters.model_backend' });
    } else {
      // The training job would refuse them after provisioning an instance: refuse them at synth, by the
      // model registry's specs. Names no model declares are the trainer's own options (cutoff, mapping, ...).
      const own = new Map(hyperparameterSpecs(settings.modelBackend).map((spec) => [spec.name, spec]));
      for (const [name, value] of Object.entries(settings.hyperparameters)) {
        const spec = own.get(name);
        const others = MODEL_TYPE_NAMES.filter((type) => hyperparameterSpecs(type).some((other) => other.name === name));
        try {
          if (spec) parseHyperparameter(spec, value);
          else if (others.length) throw new Error(`is a hyperparameter of ${others.join(', ')}, not of the ${settings.modelBackend} model`);
        } catch (error) {
          context.addIssue({ code: 'custom', path: ['hyperparameters', name], message: (error as Error).message.replace(/^hyperparameters, column "[^"]+": /, '') });
        }
      }
    }
    const givenVpcKeys = sourceVpcKeys.filter((key) => settings[key] !== undefined);
    if (givenVpcKeys.length > 0 && givenVpcKeys.length < sourceVpcKeys.length) {
      const missing = sourceVpcKeys.filter((key) => settings[key] === undefined);
      context.addIssue({
        code: 'custom',
        path: [missing[0]!],
        message: `placing lambda-extract in the source database's VPC takes ${sourceVpcKeys.join(', ')} together; ${givenVpcKeys.join(', ')} given, ${missing.join(', ')} missing`,
      });
    }
    if (settings.scheduleEnabled && settings.datasets.length === 0) {
      context.addIssue({ code: 'custom', path: ['datasets'], message: 'the schedule is enabled but names no datasets to run' });
    }
  });

/** Everything a deployment may tune, read from CDK context; every field has a default. */
export type PipelineSettings = z.infer<typeof settingsSchema>;

/** The context keys the stack reads (feature flags and the CLI's own keys are ignored). */
export const settingKeys = Object.keys(settingsSchema.shape) as Array<keyof PipelineSettings>;

/** Reads and checks the pipeline settings; `lookup` is `(key) => app.node.tryGetContext(key)`. */
export function readPipelineSettings(lookup: (key: string) => unknown): PipelineSettings {
  const raw = Object.fromEntries(settingKeys.map((key) => [key, lookup(key)]).filter(([, value]) => value !== undefined));
  const result = settingsSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = String(issue.path[0]);
    throw new PipelineSettingsError(`CDK context "${issue.path.map(String).join('.')}" = ${JSON.stringify(raw[key])}: ${issue.message}`);
  }
  return result.data;
}
