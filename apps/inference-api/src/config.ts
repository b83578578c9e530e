import { availableParallelism } from 'node:os';
import { ConfigurationError } from '@nextbuy/contracts';
import { z } from 'zod';

const MIB = 1024 * 1024;

/** An integer environment variable: unset or blank means the default. */
function integerVariable(min: number, max: number) {
  return z
    .string()
    .trim()
    .optional()
    .transform((text) => (text ? Number(text) : undefined))
    .pipe(z.number().int().min(min).max(max).optional());
}

/**
 * The environment of the SageMaker serving contract. SageMaker sets these in the container;
 * `nx run inference-api:serve` and the tests set the same ones.
 */
const environmentSchema = z.object({
  SM_MODEL_DIR: z.string().trim().min(1).default('/opt/ml/model'),
  SAGEMAKER_BIND_TO_PORT: integerVariable(0, 65_535),
  SAGEMAKER_MODEL_SERVER_WORKERS: integerVariable(1, 256),
  // SageMaker's own limit for batch transform is 100 MB.
  SAGEMAKER_MAX_PAYLOAD_IN_MB: integerVariable(1, 100),
  OMP_NUM_THREADS: integerVariable(1, 1024),
});

export interface ServerConfig {
  /** The model artifact: an extracted directory, or a directory holding `model.tar.gz`. */
  modelDir: string;
  port: number;
  /** Worker processes, each with its own copy of the model. */
  workers: number;
  maxPayloadMb: number;
  /** `maxPayloadMb` in bytes (MiB, as SageMaker counts them). */
  maxPayloadBytes: number;
  /**
   * OpenMP threads of each worker's XGBoost. One by default: the workers already use every core,
   * and a thread team per worker made small requests wait on each other's threads (36 requests/s
   * instead of 1,500 for one customer on 2 cores).
   */
  threadsPerWorker: number;
}

/** The server's whole configuration, read from the environment once and validated. */
export function readServerConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    throw new ConfigurationError(name, `${JSON.stringify(env[name])}: ${issue.message}`);
  }
  const vars = parsed.data;
  const maxPayloadMb = vars.SAGEMAKER_MAX_PAYLOAD_IN_MB ?? 6;
  return {
    modelDir: vars.SM_MODEL_DIR,
    port: vars.SAGEMAKER_BIND_TO_PORT ?? 8080,
    workers: vars.SAGEMAKER_MODEL_SERVER_WORKERS ?? availableParallelism(),
    maxPayloadMb,
    maxPayloadBytes: maxPayloadMb * MIB,
    threadsPerWorker: vars.OMP_NUM_THREADS ?? 1,
  };
}
