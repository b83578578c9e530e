import { TransformInstanceType } from '@aws-sdk/client-sagemaker';
import { z } from 'zod';
import { endpointsSettingSchema, parseConfiguration } from '@nextbuy/contracts';

const positiveInt = z.coerce.number().int().positive();

/** A JSON object in a variable, checked by `schema`. */
const json = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, context) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

/** Every environment variable lambda-batch reads; region, credentials and endpoints are the AWS SDK's own. */
const configSchema = z
  .object({
    /** The pipeline bucket (design.md "Storage"). */
    DATA_BUCKET: z.string().min(3),
    /** The serving image (apps/inference-api) in ECR. */
    INFERENCE_IMAGE_URI: z.string().min(1),
    /** The role SageMaker assumes to pull the image and read the artifact. */
    SAGEMAKER_ROLE_ARN: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'an IAM role ARN'),
    /** Model server workers per instance (the serving container reads it). */
    SAGEMAKER_MODEL_SERVER_WORKERS: positiveInt.default(2),
    /** More serving container variables, as a JSON object of strings (e.g. {"TFJS_BACKEND":"wasm"}). */
    MODEL_ENVIRONMENT: json(z.record(z.string(), z.string())).default({}),
    TRANSFORM_INSTANCE_TYPE: z.enum(TransformInstanceType).default('ml.m5.large'),
    TRANSFORM_INSTANCE_COUNT: positiveInt.default(1),
    /** SageMaker allows 0-100 MB; a customer history line is far below 1 MB. */
    TRANSFORM_MAX_PAYLOAD_MB: z.coerce.number().int().min(1).max(100).default(6),
    /** Default: one request in flight per model server worker. */
    TRANSFORM_MAX_CONCURRENT_TRANSFORMS: positiveInt.optional(),
    /** The real-time endpoints by dataset, as the CDK context `endpoints` gives them (a dataset not named has none). */
    ENDPOINTS: json(endpointsSettingSchema).default({}),
  })
  .transform((env) => ({
    bucket: env.DATA_BUCKET,
    inferenceImageUri: env.INFERENCE_IMAGE_URI,
    roleArn: env.SAGEMAKER_ROLE_ARN,
    modelEnvironment: { ...env.MODEL_ENVIRONMENT, SAGEMAKER_MODEL_SERVER_WORKERS: String(env.SAGEMAKER_MODEL_SERVER_WORKERS) },
    transform: {
      instanceType: env.TRANSFORM_INSTANCE_TYPE,
      instanceCount: env.TRANSFORM_INSTANCE_COUNT,
      maxPayloadInMB: env.TRANSFORM_MAX_PAYLOAD_MB,
      maxConcurrentTransforms: env.TRANSFORM_MAX_CONCURRENT_TRANSFORMS ?? env.SAGEMAKER_MODEL_SERVER_WORKERS,
    },
    endpoints: env.ENDPOINTS,
  }));

export type BatchConfig = z.output<typeof configSchema>;

/** Reads and validates the configuration; ConfigurationError names the variable at fault. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): BatchConfig {
  return parseConfiguration(configSchema, env);
}
