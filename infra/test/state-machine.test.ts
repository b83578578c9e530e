import { readFileSync } from 'node:fs';
import { loadStepFunctionsEngine } from '@nextbuy/local-aws';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesizeAsl } from '../src/app';
import type { AslDefinition } from '../src/asl';
import { aslFile, aslFileText } from '../src/cli/write-asl';

const { StateMachine, ExecutionError } = await loadStepFunctionsEngine();

type State = Record<string, unknown> & { Type: string; Next?: string; End?: boolean };
type Json = Record<string, unknown>;

let asl: AslDefinition;
let states: Record<string, State>;
let inner: Record<string, State>;

beforeAll(() => {
  asl = synthesizeAsl();
  states = asl.States as Record<string, State>;
  inner = (states.Datasets!.ItemProcessor as { States: Record<string, State> }).States;
});

describe('the definition', () => {
  it('is what infra/state-machine.asl.json holds (regenerate with `nx run infra:asl`)', () => {
    expect(readFileSync(aslFile, 'utf8')).toBe(aslFileText(asl));
  });

  it('checks the input, then maps over $.datasets with bounded concurrency, one {dataset, run} per item', () => {
    expect(asl.StartAt).toBe('CheckInput');
    expect(states.Datasets).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.datasets',
      MaxConcurrency: 2,
      ItemSelector: { 'dataset.$': '$$.Map.Item.Value', 'run.$': '$$.Execution.Name' },
    });
  });

  it('runs Extract -> Train -> CreateModel -> Transform -> WritePredictions for each dataset', () => {
    const order: string[] = [];
    for (let name: string | undefined = (states.Datasets!.ItemProcessor as { StartAt: string }).StartAt; name; name = inner[name]!.Next) order.push(name);
    expect(order).toEqual(['Extract', 'Train', 'CreateModel', 'Transform', 'WritePredictions', 'EndpointWanted']);
    // The endpoint steps run only when lambda-batch returned endpoint requests for the dataset.
    expect(inner.EndpointWanted).toMatchObject({ Type: 'Choice', Choices: [{ Variable: '$.createModel.endpoint', IsPresent: true, Next: 'CreateEndpointConfig' }], Default: 'NoEndpoint' });
    expect(inner.NoEndpoint).toMatchObject({ Type: 'Pass', Result: { deployed: false }, ResultPath: '$.endpoint', Next: 'RecordSuccess' });
    expect(inner.Extract!.Resource).toBe('<ExtractFunction.Arn>');
    expect(inner.CreateModel!.Resource).toBe('<BatchFunction.Arn>');
    expect(inner.WritePredictions!.Resource).toBe('<DynamoFunction.Arn>');
    expect(inner.Train!.Resource).toBe('arn:<AWS::Partition>:states:::sagemaker:createTrainingJob.sync');
    expect(inner.Transform!.Resource).toBe('arn:<AWS::Partition>:states:::sagemaker:createTransformJob.sync');
    expect(inner.Transform!.InputPath).toBe('$.createModel.transformJob');
    expect(inner.Transform!.Parameters).toBeUndefined();
  });

  it('retries throttling and transient errors with backoff and catches every failure into RecordFailure', () => {
    for (const name of ['Extract', 'Train', 'CreateModel', 'Transform', 'WritePredictions']) {
      const state = inner[name]!;
      const retriers = state.Retry as Array<{ ErrorEquals: string[]; BackoffRate: number; MaxAttempts: number }>;
      const errors = retriers.flatMap((retrier) => retrier.ErrorEquals);
      expect(errors.some((error) => /TooManyRequests|Throttling/.test(error)), name).toBe(true);
      expect(errors).not.toContain('States.ALL');
      for (const retrier of retriers) expect(retrier.BackoffRate).toBeGreaterThan(1);
      expect(state.Catch, name).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'RecordFailure' }]);
    }
    expect(inner.Extract!.Retry).toContainEqual(expect.objectContaining({ ErrorEquals: expect.arrayContaining(['Lambda.TooManyRequestsException', 'Lambda.ServiceException', 'Lambda.SdkClientException']) }));
    expect(inner.Train!.Retry).toContainEqual(expect.objectContaining({ ErrorEquals: expect.arrayContaining(['SageMaker.AmazonSageMakerException', 'ThrottlingException']) }));
    expect(inner.RecordFailure).toMatchObject({ Type: 'Pass', End: true });
  });

  it('trains with the settings of the context: image, channel, output, instances, hyperparameters', () => {
    expect(inner.Train!.Parameters).toMatchObject({
      'TrainingJobName.$': "States.Format('nextbuy-{}', States.Hash(States.Format('{}/{}', $.dataset, $.run), 'MD5'))",
      RoleArn: '<SageMakerRole.Arn>',
      AlgorithmSpecification: { TrainingImage: '<TrainerRepository.RepositoryUri>:0.1.0', TrainingInputMode: 'File' },
      InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { 'S3Uri.$': '$.extract.transactions.uri', S3DataType: 'S3Prefix' } } }],
      OutputDataConfig: { 'S3OutputPath.$': "States.Format('s3://<DataBucket>/{}/models/', $.dataset)" },
      ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 7200 },
      HyperParameters: { model_backend: 'xgboost', seed: '42' },
    });
  });
});

/** Runs the plain ASL on aws-local-stepfunctions with in-test handlers for every Task. */
async function runLocally(input: Json, handlers: Record<string, (input: Json) => Json | Promise<Json>>) {
  const calls: Array<{ state: string; input: Json }> = [];
  const recorded = Object.fromEntries(
    Object.entries(handlers).map(([state, handler]) => [
      state,
      async (taskInput: unknown) => {
        calls.push({ state, input: taskInput as Json });
        return handler(taskInput as Json) as never;
      },
    ]),
  );
  const machine = new StateMachine(asl as never, { validationOptions: { checkArn: false } });
  const execution = machine.run(input as never, {
    context: { Execution: { Name: 'run-7' } },
    overrides: {
      taskResourceLocalHandlers: recorded,
      retryIntervalOverrides: Object.fromEntries(Object.keys(handlers).map((state) => [state, 0])),
      waitTimeOverrides: { WaitForEndpoint: 0 },
    },
  });
  try {
    return { output: (await execution.result) as Json, calls };
  } catch (error) {
    return { error: error as Error, calls };
  }
}

// The five steps as their real counterparts answer (lambda handlers' outputs, SageMaker Describe* responses).
const steps = {
  Extract: ({ dataset, run }: Json) => ({ dataset, run, transactions: { uri: `s3://bucket/${dataset}/raw/${run}/transactions.csv.gz`, rows: 10 } }),
  Train: (request: Json) => ({ TrainingJobName: request.TrainingJobName, ModelArtifacts: { S3ModelArtifacts: `s3://bucket/models/${request.TrainingJobName}/output/model.tar.gz` } }),
  CreateModel: ({ dataset, run, trainingJobName }: Json) => ({
    modelName: `${trainingJobName}-model`,
    transformJob: { TransformJobName: `${dataset}-${run}`, ModelName: `${trainingJobName}-model`, TransformOutput: { S3OutputPath: `s3://bucket/${dataset}/predictions/${run}/` } },
  }),
  Transform: (request: Json) => ({ TransformJobName: request.TransformJobName, TransformOutput: request.TransformOutput }),
  WritePredictions: () => ({ objects: 1, written: 10, skipped: 0, rejected: [], rejectedCount: 0 }),
};

describe('a local run of the plain ASL', () => {
  it('carries each dataset through the five steps, passing each step what it needs', async () => {
    const { output, error, calls } = await runLocally({ datasets: ['cdnow', 'online-retail'] }, steps);
    expect(error).toBeUndefined();
    expect(output!.anyFailed).toBe(false);
    expect(output!.summary).toBe('datasets ["cdnow","online-retail"] ended ["SUCCEEDED","SUCCEEDED"]');
    const cdnow = calls.filter((call) => JSON.stringify(call.input).includes('cdnow'));
    expect(cdnow.map((call) => call.state)).toEqual(['Extract', 'Train', 'CreateModel', 'Transform', 'WritePredictions']);
    const [extract, train, createModel, transform, write] = cdnow.map((call) => call.input);
    expect(extract).toEqual({ dataset: 'cdnow', run: 'run-7' });
    expect(train).toMatchObject({
      TrainingJobName: expect.stringMatching(/^nextbuy-[0-9a-f]{32}$/),
      InputDataConfig: [{ DataSource: { S3DataSource: { S3Uri: 's3://bucket/cdnow/raw/run-7/transactions.csv.gz' } } }],
      OutputDataConfig: { S3OutputPath: 's3://<DataBucket>/cdnow/models/' },
    });
    expect(createModel).toEqual({ dataset: 'cdnow', run: 'run-7', trainingJobName: train!.TrainingJobName });
    expect(transform).toEqual(steps.CreateModel(createModel!).transformJob);
    expect(write).toEqual({ dataset: 'cdnow', run: 'run-7' });
    expect(output!.outcomes).toContainEqual({
      dataset: 'online-retail',
      run: 'run-7',
      status: 'SUCCEEDED',
      trainingJobName: expect.stringMatching(/^nextbuy-/),
      modelName: expect.stringMatching(/-model$/),
      predictions: steps.WritePredictions(),
      endpoint: { deployed: false },
    });
    expect(calls.map((call) => call.state)).not.toContain('CreateEndpointConfig');
  });

  it('names training jobs per dataset and run, the same on a rerun', async () => {
    const first = await runLocally({ datasets: ['cdnow', 'online-retail'] }, steps);
    const second = await runLocally({ datasets: ['cdnow'] }, steps);
    const names = (run: typeof first, dataset: string) =>
      run.calls.filter((call) => call.state === 'Train' && JSON.stringify(call.input).includes(`/${dataset}/`)).map((call) => call.input.TrainingJobName);
    expect(names(first, 'cdnow')).toEqual(names(second, 'cdnow'));
    expect(names(first, 'cdnow')).not.toEqual(names(first, 'online-retail'));
  });

  it('records a failing dataset, finishes the others, then fails the execution naming the outcome', async () => {
    const failing = {
      ...steps,
      Train: (request: Json) => {
        if (JSON.stringify(request).includes('/broken/')) throw Object.assign(new Error('AlgorithmError: the train channel holds 2 files'), { name: 'States.TaskFailed' });
        return steps.Train(request);
      },
    };
    const { error, calls } = await runLocally({ datasets: ['broken', 'cdnow'] }, failing);
    expect(error).toBeInstanceOf(ExecutionError);
    expect(error!.message).toContain('datasets ["broken","cdnow"] ended ["FAILED","SUCCEEDED"]');
    expect(calls.filter((call) => call.state === 'WritePredictions').map((call) => call.input.dataset)).toEqual(['cdnow']);
    expect(calls.filter((call) => call.input.dataset === 'broken').map((call) => call.state)).toEqual(['Extract']);
  });

  it('retries a throttled step and goes on', async () => {
    let throttled = 0;
    const flaky = {
      ...steps,
      Extract: (input: Json) => {
        if (throttled++ === 0) throw Object.assign(new Error('Rate exceeded'), { name: 'Lambda.TooManyRequestsException' });
        return steps.Extract(input);
      },
    };
    const { output, calls } = await runLocally({ datasets: ['cdnow'] }, flaky);
    expect(calls.filter((call) => call.state === 'Extract')).toHaveLength(2);
    expect(output!.anyFailed).toBe(false);
  });

  it('refuses an input without datasets', async () => {
    const { error, calls } = await runLocally({ datasets: [] }, steps);
    expect(error!.message).toContain('at least one dataset');
    expect(calls).toEqual([]);
  });
});

/** The endpoint part of lambda-batch's answer, as its requests.ts builds it (serverless: no DeploymentConfig). */
const endpointRequests = (dataset: string, run: string, modelName: string) => ({
  endpointName: `nextbuy-${dataset}`,
  configName: `nextbuy-${dataset}--${run}`,
  configPrefix: `nextbuy-${dataset}--`,
  keepConfigs: 2,
  createEndpointConfig: { EndpointConfigName: `nextbuy-${dataset}--${run}`, ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: modelName, ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 } }] },
  createEndpoint: { EndpointName: `nextbuy-${dataset}`, EndpointConfigName: `nextbuy-${dataset}--${run}` },
  updateEndpoint: { EndpointName: `nextbuy-${dataset}`, EndpointConfigName: `nextbuy-${dataset}--${run}` },
});

/**
 * A stand-in for SageMaker's endpoint API with what the steps send: one endpoint that goes
 * Creating/Updating -> InService over two DescribeEndpoint calls, on the new configuration or,
 * when `failUpdate`, back on the old one with a FailureReason.
 */
function endpointApi(options: { existing?: string; failUpdate?: boolean; configs?: string[] }) {
  let endpoint = options.existing ? { EndpointStatus: 'InService', EndpointConfigName: options.existing } : undefined;
  let target: string | undefined;
  let polls = 0;
  const configs = [...(options.configs ?? [])];
  const deleted: string[] = [];
  return {
    deleted,
    handlers: {
      CreateEndpointConfig: (request: Json) => {
        configs.unshift(String(request.EndpointConfigName));
        return { EndpointConfigArn: `arn:aws:sagemaker:eu-west-1:1:endpoint-config/${request.EndpointConfigName}` };
      },
      FindEndpoint: (request: Json) => {
        if (!endpoint) throw Object.assign(new Error(`Could not find endpoint "${request.EndpointName}". (Service: SageMaker, Status Code: 400)`), { name: 'SageMaker.SageMakerException' });
        return { EndpointName: request.EndpointName, ...endpoint };
      },
      CreateEndpoint: (request: Json) => {
        endpoint = { EndpointStatus: 'Creating', EndpointConfigName: String(request.EndpointConfigName) };
        target = endpoint.EndpointConfigName;
        return { EndpointArn: 'arn' };
      },
      UpdateEndpoint: (request: Json) => {
        target = String(request.EndpointConfigName);
        endpoint = { ...endpoint!, EndpointStatus: 'Updating' };
        return { EndpointArn: 'arn' };
      },
      DescribeEndpoint: (request: Json) => {
        if (endpoint!.EndpointStatus !== 'InService' && ++polls >= 2) {
          endpoint = options.failUpdate
            ? { ...endpoint!, EndpointStatus: 'InService', FailureReason: 'The primary container for production variant AllTraffic did not pass the ping health check.' } as never
            : { EndpointStatus: 'InService', EndpointConfigName: target! };
        }
        return { EndpointName: request.EndpointName, ...endpoint };
      },
      ListEndpointConfigs: (request: Json) => ({
        EndpointConfigs: configs.filter((name) => name.includes(String(request.NameContains))).map((name) => ({ EndpointConfigName: name, EndpointConfigArn: `arn/${name}` })),
      }),
      DeleteEndpointConfig: (request: Json) => {
        deleted.push(String(request.EndpointConfigName));
        return {};
      },
    },
  };
}

describe('the endpoint steps, run locally on the plain ASL', () => {
  const withEndpoint = {
    ...steps,
    CreateModel: (input: Json) => ({ ...steps.CreateModel(input), endpoint: endpointRequests(String(input.dataset), String(input.run), `${input.trainingJobName}-model`) }),
  };

  it('creates the endpoint when there is none, waits for InService and reports it deployed', async () => {
    const api = endpointApi({});
    const { output, error, calls } = await runLocally({ datasets: ['retail'] }, { ...withEndpoint, ...api.handlers });
    expect(error).toBeUndefined();
    const states = calls.map((call) => call.state);
    expect(states.slice(5)).toEqual(['CreateEndpointConfig', 'FindEndpoint', 'CreateEndpoint', 'DescribeEndpoint', 'DescribeEndpoint', 'ListEndpointConfigs']);
    const request = (state: string) => calls.find((call) => call.state === state)!.input;
    const modelName = `${calls.find((call) => call.state === 'Train')!.input.TrainingJobName}-model`;
    expect(request('CreateEndpointConfig')).toEqual(endpointRequests('retail', 'run-7', modelName).createEndpointConfig);
    expect(request('CreateEndpoint')).toEqual({ EndpointName: 'nextbuy-retail', EndpointConfigName: 'nextbuy-retail--run-7' });
    expect(request('FindEndpoint')).toEqual({ EndpointName: 'nextbuy-retail' });
    expect(request('ListEndpointConfigs')).toEqual({ NameContains: 'nextbuy-retail--', SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: 100 });
    expect(output!.outcomes).toEqual([
      expect.objectContaining({ status: 'SUCCEEDED', endpoint: { deployed: true, name: 'nextbuy-retail', configName: 'nextbuy-retail--run-7', status: 'InService' } }),
    ]);
    expect(api.deleted).toEqual([]);
  });

  it('updates an existing endpoint in place and deletes the configurations beyond the newest keepConfigs, never the one in service', async () => {
    const api = endpointApi({ existing: 'nextbuy-retail--run-6', configs: ['nextbuy-retail--run-6', 'nextbuy-retail--run-5', 'nextbuy-retail--run-4'] });
    const { output, calls } = await runLocally({ datasets: ['retail'] }, { ...withEndpoint, ...api.handlers });
    expect(calls.map((call) => call.state)).toContain('UpdateEndpoint');
    expect(calls.map((call) => call.state)).not.toContain('CreateEndpoint');
    expect(calls.find((call) => call.state === 'UpdateEndpoint')!.input).toEqual({ EndpointName: 'nextbuy-retail', EndpointConfigName: 'nextbuy-retail--run-7' });
    // keepConfigs 2: run-7 (in service) and run-6 (the rollback) stay.
    expect(api.deleted).toEqual(['nextbuy-retail--run-5', 'nextbuy-retail--run-4']);
    expect(output!.anyEndpointFailed).toBe(false);
  });

  it('reports an update that left the previous configuration serving, and fails the execution saying so', async () => {
    const api = endpointApi({ existing: 'nextbuy-retail--run-6', failUpdate: true, configs: ['nextbuy-retail--run-6', 'nextbuy-retail--run-5', 'nextbuy-retail--run-4'] });
    const { error, calls } = await runLocally({ datasets: ['retail', 'cdnow'] }, { ...withEndpoint, ...api.handlers, CreateModel: (input: Json) => (input.dataset === 'cdnow' ? steps.CreateModel(input) : withEndpoint.CreateModel(input)) });
    expect(error).toBeInstanceOf(ExecutionError);
    expect(error!.message).toContain('datasets ["retail","cdnow"] ended ["ENDPOINT_FAILED","SUCCEEDED"]');
    expect(calls.map((call) => call.state)).not.toContain('ListEndpointConfigs');
    expect(api.deleted).toEqual([]);
  });

  it('records the endpoint failure with its cause, the predictions written all the same', async () => {
    const api = endpointApi({ existing: 'nextbuy-retail--run-6', failUpdate: true });
    const machine = new StateMachine(asl as never, { validationOptions: { checkArn: false } });
    const handlers = { ...withEndpoint, ...api.handlers };
    const execution = machine.run({ datasets: ['retail'] } as never, {
      context: { Execution: { Name: 'run-7' } },
      overrides: { taskResourceLocalHandlers: Object.fromEntries(Object.entries(handlers).map(([state, handler]) => [state, async (input: unknown) => handler(input as Json) as never])), waitTimeOverrides: { WaitForEndpoint: 0 } },
    });
    let record: Json | undefined;
    for await (const event of execution.eventLogs as AsyncGenerator<{ type: string; state?: { name: string; output?: unknown } }>) {
      if (event.type === 'StateExited' && event.state?.name === 'RecordEndpointFailure') record = event.state.output as Json;
    }
    await execution.result.catch(() => undefined);
    expect(record).toMatchObject({
      status: 'ENDPOINT_FAILED',
      predictions: steps.WritePredictions(),
      endpoint: { deployed: false, name: 'nextbuy-retail', error: 'EndpointUpdateFailed', cause: expect.stringMatching(/^endpoint nextbuy-retail still serves nextbuy-retail--run-6, not nextbuy-retail--run-7: .*did not pass the ping health check/) },
    });
  });
});
