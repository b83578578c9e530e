import type {
  CreateModelInput,
  CreateTrainingJobRequest,
  CreateTransformJobRequest,
  DescribeModelOutput,
  DescribeTrainingJobResponse,
  DescribeTransformJobResponse,
} from '@aws-sdk/client-sagemaker';

/** An error SageMaker's API answers, by its error code (`ValidationException`, ...). */
export class SageMakerApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SageMakerApiError';
  }
}

const RESOURCE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
/** SageMaker's limit on a hyperparameter value's length. */
const MAX_HYPERPARAMETER_CHARS = 2500;
export const LOCAL_ACCOUNT = '000000000000';

/**
 * The emulated SageMaker control plane: the training jobs, models and transform jobs of this
 * machine, with the checks SageMaker's API makes when they are created (unique names, required
 * fields, string hyperparameters, an existing model). The job runners change the jobs' status;
 * lambda-batch reads and creates through the JSON API in api-server.ts.
 */
export class SageMakerControlPlane {
  private readonly trainingJobs = new Map<string, DescribeTrainingJobResponse>();
  private readonly models = new Map<string, DescribeModelOutput>();
  private readonly transformJobs = new Map<string, DescribeTransformJobResponse>();

  constructor(readonly region: string) {}

  arn(kind: 'training-job' | 'model' | 'transform-job', name: string): string {
    return `arn:aws:sagemaker:${this.region}:${LOCAL_ACCOUNT}:${kind}/${name.toLowerCase()}`;
  }

  /** CreateTrainingJob: records the job InProgress (the runner starts it). */
  createTrainingJob(request: CreateTrainingJobRequest): DescribeTrainingJobResponse {
    const name = checkedName('TrainingJobName', request.TrainingJobName);
    if (this.trainingJobs.has(name)) {
      throw new SageMakerApiError(
        'ValidationException',
        `Training job names must be unique within an AWS account and region, and a training job with this name already exists (${this.arn('training-job', name)})`,
      );
    }
    for (const field of ['AlgorithmSpecification', 'RoleArn', 'OutputDataConfig', 'ResourceConfig', 'StoppingCondition'] as const) {
      if (request[field] === undefined) throw new SageMakerApiError('ValidationException', `1 validation error detected: Value null at '${lowerFirst(field)}' failed to satisfy constraint: Member must not be null`);
    }
    for (const [key, value] of Object.entries(request.HyperParameters ?? {})) {
      if (typeof value !== 'string' || value.length > MAX_HYPERPARAMETER_CHARS) {
        throw new SageMakerApiError('ValidationException', `hyperParameters.${key}: Member must be a string of at most ${MAX_HYPERPARAMETER_CHARS} characters`);
      }
    }
    const now = new Date();
    const job: DescribeTrainingJobResponse = {
      ...structuredClone(request),
      TrainingJobName: name,
      TrainingJobArn: this.arn('training-job', name),
      TrainingJobStatus: 'InProgress',
      SecondaryStatus: 'Starting',
      ModelArtifacts: undefined,
      CreationTime: now,
      LastModifiedTime: now,
    } as DescribeTrainingJobResponse;
    this.trainingJobs.set(name, job);
    return structuredClone(job);
  }

  updateTrainingJob(name: string, change: Partial<DescribeTrainingJobResponse>): DescribeTrainingJobResponse {
    const job = { ...this.existing(this.trainingJobs, name), ...change, LastModifiedTime: new Date() };
    this.trainingJobs.set(name, job);
    return structuredClone(job);
  }

  describeTrainingJob(name: string): DescribeTrainingJobResponse {
    return structuredClone(this.existing(this.trainingJobs, name));
  }

  /** CreateModel; an existing name is refused the way SageMaker words it. */
  createModel(request: CreateModelInput): { ModelArn: string } {
    const name = checkedName('ModelName', request.ModelName);
    if (this.models.has(name)) throw new SageMakerApiError('ValidationException', `Cannot create already existing model "${this.arn('model', name)}".`);
    if (!request.PrimaryContainer && !request.Containers?.length) {
      throw new SageMakerApiError('ValidationException', 'Either PrimaryContainer or Containers must be specified');
    }
    const model: DescribeModelOutput = {
      ModelName: name,
      ModelArn: this.arn('model', name),
      ExecutionRoleArn: request.ExecutionRoleArn,
      PrimaryContainer: structuredClone(request.PrimaryContainer),
      Containers: structuredClone(request.Containers),
      CreationTime: new Date(),
    };
    this.models.set(name, model);
    return { ModelArn: model.ModelArn! };
  }

  describeModel(name: string): DescribeModelOutput {
    const model = this.models.get(name);
    if (!model) throw new SageMakerApiError('ValidationException', `Could not find model "${this.arn('model', name)}".`);
    return structuredClone(model);
  }

  /** CreateTransformJob: records the job InProgress (the runner starts it); its model must exist. */
  createTransformJob(request: CreateTransformJobRequest): DescribeTransformJobResponse {
    const name = checkedName('TransformJobName', request.TransformJobName);
    if (this.transformJobs.has(name)) {
      throw new SageMakerApiError(
        'ValidationException',
        `Job name must be unique within an AWS account and region, and a job with this name already exists (${this.arn('transform-job', name)})`,
      );
    }
    this.describeModel(checkedName('ModelName', request.ModelName));
    for (const field of ['TransformInput', 'TransformOutput', 'TransformResources'] as const) {
      if (request[field] === undefined) throw new SageMakerApiError('ValidationException', `1 validation error detected: Value null at '${lowerFirst(field)}' failed to satisfy constraint: Member must not be null`);
    }
    const job: DescribeTransformJobResponse = {
      ...structuredClone(request),
      TransformJobName: name,
      TransformJobArn: this.arn('transform-job', name),
      TransformJobStatus: 'InProgress',
      CreationTime: new Date(),
    } as DescribeTransformJobResponse;
    this.transformJobs.set(name, job);
    return structuredClone(job);
  }

  updateTransformJob(name: string, change: Partial<DescribeTransformJobResponse>): DescribeTransformJobResponse {
    const job = { ...this.existing(this.transformJobs, name), ...change };
    this.transformJobs.set(name, job);
    return structuredClone(job);
  }

  private existing<T>(jobs: Map<string, T>, name: string): T {
    const job = jobs.get(name);
    // SageMaker answers Describe* of an unknown job with this ValidationException.
    if (!job) throw new SageMakerApiError('ValidationException', 'Requested resource not found.');
    return job;
  }
}

/** A SageMaker resource name, refused the way SageMaker words it. */
export function checkedName(field: string, name: string | undefined): string {
  if (!name || !RESOURCE_NAME.test(name)) {
    throw new SageMakerApiError('ValidationException', `1 validation error detected: Value '${name ?? 'null'}' at '${lowerFirst(field)}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`);
  }
  return name;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
