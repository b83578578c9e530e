import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CreateTrainingJobRequest, CreateTransformJobRequest } from '@aws-sdk/client-sagemaker';
import type { EndpointsSetting } from '@nextbuy/contracts';
import { LocalSetupError, TaskError } from './errors';
import { LocalLambdaFunction, type LambdaFunctionSpec } from './lambda/function';
import { LOCAL_CREDENTIALS, LOCAL_RESOURCES, REGION, startLocalAws, type LocalAws } from './local-aws';
import { OutcomeRecorder, type DatasetOutcome } from './outcomes';
import { serveSageMakerApi, withEpochDates } from './sagemaker/api-server';
import { LOCAL_ACCOUNT, SageMakerApiError, SageMakerControlPlane } from './sagemaker/control-plane';
import { LocalEndpoints } from './sagemaker/endpoints';
import { runTrainingJob } from './sagemaker/training-job';
import { runTransformJob } from './sagemaker/transform-job';
import { startSourceDatabase, type SourceDatabase } from './source-database';
import { localDefinition, taskStates, type EventLog, type Json, type Placeholders } from './state-machine';
import { loadStepFunctionsEngine } from '@nextbuy/local-aws';
import { aslFile, builtBundle } from './workspace';

/** Wraps one Task state's local handler (tests inject failures with it). */
export type TaskInterceptor = (task: { state: string; input: Json }, proceed: () => Promise<Json>) => Promise<Json>;

export interface ExecutionOptions {
  datasets: string[];
  /** The execution name: the run id in every S3 key and job name. */
  run: string;
  /** Merged into the Train state's HyperParameters (string values). */
  hyperparameters?: Record<string, string>;
  /** Replaces every Retry interval (ms), for tests; default: the definition's own backoff. */
  retryIntervalMs?: number;
  interceptTask?: TaskInterceptor;
}

export interface ExecutionReport {
  run: string;
  status: 'SUCCEEDED' | 'FAILED';
  /** The execution's error and cause when it failed. */
  error?: { error: string; cause: string };
  output?: Json;
  seconds: number;
  datasets: DatasetOutcome[];
}

export interface LocalPipelineSettings {
  /** Lambda, training, transform and endpoint logs go here. */
  logDir: string;
  progress?: (line: string) => void;
  /** The real-time endpoints by dataset, as the CDK context `endpoints` sets them (lambda-batch's ENDPOINTS); none by default. */
  endpoints?: EndpointsSetting;
  /** How long a new endpoint model server may take to answer /ping (default 120 s). */
  endpointReadyTimeoutMs?: number;
}

const FUNCTION_NAMES = { extract: 'nextbuy-extract', batch: 'nextbuy-batch', dynamo: 'nextbuy-dynamo' } as const;
const functionArn = (name: string) => `arn:aws:lambda:${REGION}:${LOCAL_ACCOUNT}:function:${name}`;
const TRAINING_RESOURCE = ':states:::sagemaker:createTrainingJob.sync';
const TRANSFORM_RESOURCE = ':states:::sagemaker:createTransformJob.sync';
/** The definition polls DescribeEndpoint every 30 s; here deployments take seconds. */
const LOCAL_ENDPOINT_POLL_MS = 250;

/** What stands in, locally, for each CloudFormation reference the synthesized definition makes. */
export const LOCAL_PLACEHOLDERS: Placeholders = {
  'AWS::Partition': 'aws',
  'AWS::Region': REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  DataBucket: LOCAL_RESOURCES.bucket,
  'SageMakerRole.Arn': `arn:aws:iam::${LOCAL_ACCOUNT}:role/nextbuy-sagemaker`,
  'TrainerRepository.RepositoryUri': `${LOCAL_ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/nextbuy/trainer`,
  'ExtractFunction.Arn': functionArn(FUNCTION_NAMES.extract),
  'BatchFunction.Arn': functionArn(FUNCTION_NAMES.batch),
  'DynamoFunction.Arn': functionArn(FUNCTION_NAMES.dynamo),
};

/** A SageMaker API error as an AWS SDK integration (`aws-sdk:sagemaker:*`) reports it. */
function sdkIntegrationError(error: unknown): never {
  if (error instanceof SageMakerApiError) {
    throw new TaskError('SageMaker.SageMakerException', `${error.message} (Service: SageMaker, Status Code: 400, Request ID: ${randomUUID()})`);
  }
  throw error;
}

/** A SageMaker API error as a Step Functions service integration reports it. */
function serviceError(error: unknown): never {
  if (error instanceof SageMakerApiError) {
    throw new TaskError(
      'SageMaker.AmazonSageMakerException',
      `${error.message} (Service: AmazonSageMaker; Status Code: 400; Error Code: ${error.code}; Request ID: ${randomUUID()}; Proxy: null)`,
    );
  }
  throw error;
}

/**
 * The whole pipeline on this machine: the S3 and DynamoDB API servers with the stack's bucket and
 * tables, the source Postgres, the emulated SageMaker control plane, and the three Lambda
 * functions; `execute` runs the synthesized state machine over them. One instance serves many
 * executions; `stop` ends every server and worker.
 */
export class LocalPipeline {
  private readonly extractFunctions = new Map<string, LocalLambdaFunction>();
  private extractQueue: Promise<unknown> = Promise.resolve();
  /** Ends the training and model server processes of running jobs when the pipeline stops. */
  private readonly jobProcesses = new AbortController();
  private stopped = false;

  private constructor(
    readonly aws: LocalAws,
    readonly source: SourceDatabase,
    readonly sagemaker: SageMakerControlPlane,
    readonly endpoints: LocalEndpoints,
    private readonly sagemakerApi: { endpoint: string; stop(): Promise<void> },
    private readonly batch: LocalLambdaFunction,
    private readonly dynamo: LocalLambdaFunction,
    private readonly settings: LocalPipelineSettings,
    private readonly bundles: { extract: string; trainer: string; inference: string },
  ) {}

  /** Starts every server (PGlite takes a few seconds); on any failure, stops what had started. */
  static async start(settings: LocalPipelineSettings): Promise<LocalPipeline> {
    const bundles = {
      extract: builtBundle('lambda-extract'),
      batch: builtBundle('lambda-batch'),
      dynamo: builtBundle('lambda-dynamo'),
      trainer: builtBundle('trainer'),
      inference: builtBundle('inference-api'),
    };
    const started: Array<{ stop(): Promise<void> }> = [];
    try {
      settings.progress?.('starting s3rver, dynalite, PGlite and the SageMaker control plane');
      const aws = await startLocalAws();
      started.push(aws);
      const sagemaker = new SageMakerControlPlane(REGION);
      const endpoints = new LocalEndpoints({
        plane: sagemaker,
        s3: aws.s3,
        inferenceBundle: bundles.inference,
        logDir: settings.logDir,
        readyTimeoutMs: settings.endpointReadyTimeoutMs,
        progress: settings.progress,
      });
      started.push(endpoints);
      const sagemakerApi = await serveSageMakerApi(sagemaker, endpoints);
      started.push(sagemakerApi);
      const source = await startSourceDatabase();
      started.push(source);
      const batch = new LocalLambdaFunction(
        functionSpec(settings, FUNCTION_NAMES.batch, bundles.batch, { timeoutSeconds: 60, memoryMb: 256 }, {
          ...LAMBDA_ENVIRONMENT,
          AWS_ENDPOINT_URL_SAGEMAKER: sagemakerApi.endpoint,
          DATA_BUCKET: LOCAL_RESOURCES.bucket,
          INFERENCE_IMAGE_URI: `${LOCAL_ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/nextbuy/inference:0.1.0`,
          SAGEMAKER_ROLE_ARN: LOCAL_PLACEHOLDERS['SageMakerRole.Arn']!,
          TRANSFORM_INSTANCE_TYPE: 'ml.m5.large',
          TRANSFORM_INSTANCE_COUNT: '1',
          ...(settings.endpoints && Object.keys(settings.endpoints).length > 0 ? { ENDPOINTS: JSON.stringify(settings.endpoints) } : {}),
          // One model server worker: this machine is one small instance shared by everything.
          SAGEMAKER_MODEL_SERVER_WORKERS: '1',
        }),
      );
      const dynamo = new LocalLambdaFunction(
        functionSpec(settings, FUNCTION_NAMES.dynamo, bundles.dynamo, { timeoutSeconds: 900, memoryMb: 1024 }, {
          ...LAMBDA_ENVIRONMENT,
          ...storageEnvironment(aws),
          DATA_BUCKET: LOCAL_RESOURCES.bucket,
          PREDICTIONS_TABLE: LOCAL_RESOURCES.predictionsTable,
          IDEMPOTENCY_TABLE: LOCAL_RESOURCES.idempotencyTable,
        }),
      );
      return new LocalPipeline(aws, source, sagemaker, endpoints, sagemakerApi, batch, dynamo, settings, bundles);
    } catch (error) {
      for (const server of started.reverse()) await boundedStop(server);
      throw error;
    }
  }

  /** The local SageMaker API (and Runtime API): the endpoint URL to give the AWS SDK clients. */
  get apiUrl(): string {
    return this.sagemakerApi.endpoint;
  }

  /**
   * Points a dataset's Extract at a source table. The Extract function reads one SOURCE_TABLE,
   * so each dataset gets its own instance of it (as its own deployment would), configured with
   * its table.
   */
  useSourceTable(dataset: string, table: string): void {
    const previous = this.extractFunctions.get(dataset);
    if (previous) void previous.stop();
    this.extractFunctions.set(
      dataset,
      new LocalLambdaFunction(
        functionSpec(this.settings, FUNCTION_NAMES.extract, this.bundles.extract, { timeoutSeconds: 900, memoryMb: 2048 }, {
          ...LAMBDA_ENVIRONMENT,
          ...storageEnvironment(this.aws),
          DATA_BUCKET: LOCAL_RESOURCES.bucket,
          IDEMPOTENCY_TABLE: LOCAL_RESOURCES.idempotencyTable,
          SOURCE_DATABASE_URL: this.source.url,
          SOURCE_TABLE: table,
        }, dataset),
      ),
    );
  }

  /** Runs the synthesized state machine for `datasets` as execution `run` and reports how each dataset went. */
  async execute(options: ExecutionOptions): Promise<ExecutionReport> {
    const missing = options.datasets.filter((dataset) => !this.extractFunctions.has(dataset));
    if (missing.length > 0) throw new LocalSetupError(`no source table for dataset(s) ${missing.join(', ')}: load one with useSourceTable first`);
    const definition = localDefinition(await readFile(aslFile, 'utf8'), { placeholders: LOCAL_PLACEHOLDERS, hyperparameters: options.hyperparameters });
    const states = new Map(taskStates(definition).map(({ name, resource }) => [name, this.taskHandler(name, resource)]));
    const intercept = options.interceptTask;
    const handlers = Object.fromEntries(
      [...states].map(([state, handler]) => [state, (input: unknown) => (intercept ? intercept({ state, input: input as Json }, () => handler(input as Json)) : handler(input as Json)) as never]),
    );
    const { StateMachine, ExecutionError } = await loadStepFunctionsEngine();
    const machine = new StateMachine(definition, { validationOptions: { checkArn: false } });
    const startedAt = Date.now();
    const execution = machine.run({ datasets: options.datasets } as never, {
      context: { Execution: { Name: options.run, Id: `arn:aws:states:${REGION}:${LOCAL_ACCOUNT}:execution:nextbuy-local:${options.run}` } },
      overrides: {
        taskResourceLocalHandlers: handlers,
        waitTimeOverrides: { WaitForEndpoint: LOCAL_ENDPOINT_POLL_MS },
        ...(options.retryIntervalMs !== undefined ? { retryIntervalOverrides: Object.fromEntries([...states.keys()].map((state) => [state, options.retryIntervalMs!])) } : {}),
      },
    });
    const recorder = new OutcomeRecorder(options.datasets, this.settings.progress);
    const history = (async () => {
      for await (const event of execution.eventLogs as AsyncGenerator<EventLog>) recorder.record(event);
    })();
    let report: Pick<ExecutionReport, 'status' | 'output' | 'error'>;
    try {
      report = { status: 'SUCCEEDED', output: (await execution.result) as Json };
    } catch (error) {
      if (!(error instanceof ExecutionError)) throw error;
      const cause = error.cause as Error;
      report = { status: 'FAILED', error: { error: cause.name, cause: cause.message } };
    }
    await history;
    return { run: options.run, ...report, seconds: (Date.now() - startedAt) / 1000, datasets: recorder.outcomes() };
  }

  /** Ends every Lambda worker and server; safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.jobProcesses.abort();
    const functions = [this.batch, this.dynamo, ...this.extractFunctions.values()];
    await Promise.allSettled(functions.map((fn) => fn.stop()));
    for (const server of [this.sagemakerApi, this.endpoints, this.source, this.aws]) await boundedStop(server);
  }

  /** The local handler of a Task state, chosen by its Resource as Step Functions would call it. */
  private taskHandler(state: string, resource: string): (input: Json) => Promise<Json> {
    const progress = this.settings.progress;
    if (resource === functionArn(FUNCTION_NAMES.extract)) {
      return (input) => {
        const fn = this.extractFunctions.get(String((input as { dataset?: unknown }).dataset));
        if (!fn) throw new TaskError('Lambda.ResourceNotFoundException', `no Extract function for ${JSON.stringify(input)}`);
        // The source is one PGlite session: one Extract reads it at a time.
        const invocation = this.extractQueue.then(() => fn.invoke(input));
        this.extractQueue = invocation.catch(() => undefined);
        return invocation as Promise<Json>;
      };
    }
    if (resource === functionArn(FUNCTION_NAMES.batch)) return (input) => this.batch.invoke(input) as Promise<Json>;
    if (resource === functionArn(FUNCTION_NAMES.dynamo)) return (input) => this.dynamo.invoke(input) as Promise<Json>;
    const jobDeps = { s3: this.aws.s3, plane: this.sagemaker, logDir: this.settings.logDir, progress, signal: this.jobProcesses.signal };
    if (resource.endsWith(TRAINING_RESOURCE)) {
      return async (input) => {
        const job = await runTrainingJob(input as unknown as CreateTrainingJobRequest, { ...jobDeps, trainerBundle: this.bundles.trainer }).catch(serviceError);
        const result = withEpochDates(job, 'milliseconds') as Json;
        // createTrainingJob.sync fails the task when the job does not complete, with its Describe* response as the cause.
        if (job.TrainingJobStatus !== 'Completed') throw new TaskError('States.TaskFailed', JSON.stringify(result));
        return result;
      };
    }
    if (resource.endsWith(TRANSFORM_RESOURCE)) {
      return async (input) => {
        const job = await runTransformJob(input as unknown as CreateTransformJobRequest, { ...jobDeps, inferenceBundle: this.bundles.inference }).catch(serviceError);
        const result = withEpochDates(job, 'milliseconds') as Json;
        if (job.TransformJobStatus !== 'Completed') throw new TaskError('States.TaskFailed', JSON.stringify(result));
        return result;
      };
    }
    const endpointCall = this.endpointCall(resource);
    if (endpointCall) return async (input) => withEpochDates(await endpointCall(input), 'milliseconds') as Json;
    throw new LocalSetupError(`Task state "${state}" calls ${resource}, which the local pipeline does not provide`);
  }

  /** The endpoint states' calls: the optimized SageMaker integrations and the AWS SDK ones, each reporting errors its own way. */
  private endpointCall(resource: string): ((input: Json) => Promise<unknown>) | undefined {
    const endpoints = this.endpoints;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const calls: Record<string, [(input: any) => unknown, (error: unknown) => never]> = {
      'sagemaker:createEndpointConfig': [(input) => endpoints.createEndpointConfig(input), serviceError],
      'sagemaker:createEndpoint': [(input) => endpoints.createEndpoint(input), serviceError],
      'sagemaker:updateEndpoint': [(input) => endpoints.updateEndpoint(input), serviceError],
      'aws-sdk:sagemaker:describeEndpoint': [(input) => endpoints.describeEndpoint(input.EndpointName), sdkIntegrationError],
      'aws-sdk:sagemaker:listEndpointConfigs': [(input) => endpoints.listEndpointConfigs(input), sdkIntegrationError],
      'aws-sdk:sagemaker:deleteEndpointConfig': [(input) => endpoints.deleteEndpointConfig(input), sdkIntegrationError],
    };
    const call = calls[resource.replace(/^arn:aws:states:::/, '')];
    if (!call) return undefined;
    const [run, report] = call;
    return async (input) => {
      try {
        return run(input);
      } catch (error) {
        return report(error);
      }
    };
  }
}

/** A server that does not stop in time (say, PGlite mid-query) is left to the process's exit rather than hanging it. */
const STOP_TIMEOUT_MS = 15_000;

async function boundedStop(server: { stop(): Promise<void> }): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, STOP_TIMEOUT_MS);
    timer.unref();
  });
  await Promise.race([server.stop().catch(() => undefined), timeout]);
  clearTimeout(timer);
}

/** Region and credentials, which Lambda sets in every function's environment (dummy keys here). */
const LAMBDA_ENVIRONMENT = {
  AWS_REGION: REGION,
  AWS_DEFAULT_REGION: REGION,
  AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
};

/** The local S3 and DynamoDB endpoints, through the SDK's own variables and the apps' S3_FORCE_PATH_STYLE. */
function storageEnvironment(aws: LocalAws): Record<string, string> {
  return { AWS_ENDPOINT_URL_S3: aws.s3Endpoint, AWS_ENDPOINT_URL_DYNAMODB: aws.dynamoEndpoint, S3_FORCE_PATH_STYLE: 'true' };
}

function functionSpec(
  settings: LocalPipelineSettings,
  name: string,
  bundle: string,
  limits: { timeoutSeconds: number; memoryMb: number },
  environment: Record<string, string>,
  instance?: string,
): LambdaFunctionSpec {
  return {
    name,
    bundle,
    ...limits,
    environment: { ...environment, AWS_LAMBDA_FUNCTION_NAME: name, AWS_LAMBDA_FUNCTION_VERSION: '$LATEST', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(limits.memoryMb) },
    logFile: join(settings.logDir, `${instance ? `${name}-${instance}` : name}.log`),
  };
}
