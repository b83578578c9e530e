import { modelsPrefix } from '@nextbuy/contracts';
import { trainingMetricDefinitions } from '@nextbuy/model-registry';
import { Aws, Duration, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { endpointStates } from './endpoint';
import type { PipelineFunctions } from './functions';
import { acknowledgeWildcard, fixLogicalId } from './nag';
import { sageMakerNamePrefix } from './naming';
import type { PipelineSettings } from './settings';

/** Where the Extract state's result (lambda-extract's ExtractOutput) keeps the S3 URI of the cleaned transactions: the `train` channel. */
const extractTrainingDataPath = '$.extract.transactions.uri';

// Transient failures worth waiting out: Lambda's service-side errors and throttling.
const lambdaRetry: sfn.RetryProps = {
  errors: [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.ClientExecutionTimeoutException',
    'Lambda.TooManyRequestsException',
  ],
  interval: Duration.seconds(2),
  maxAttempts: 6,
  backoffRate: 2,
  jitterStrategy: sfn.JitterType.FULL,
};

// SageMaker API errors (throttling, ResourceLimitExceeded while other jobs finish); a job that
// runs and fails surfaces as States.TaskFailed and is not retried: the Catch records it.
const sageMakerRetry: sfn.RetryProps = {
  errors: ['SageMaker.AmazonSageMakerException', 'SageMaker.ThrottlingException', 'ThrottlingException'],
  interval: Duration.seconds(30),
  maxAttempts: 5,
  backoffRate: 2,
  maxDelay: Duration.minutes(10),
  jitterStrategy: sfn.JitterType.FULL,
};

/**
 * An S3 URI known only at run time (a JSONPath or intrinsic). CDK's S3Location.fromJsonExpression
 * grants s3:GetObject/ListBucket/PutObject on "*" to the job's role; this one grants nothing,
 * because the SageMaker role already holds exactly the prefixes of the storage layout.
 */
class RuntimeS3Location extends tasks.S3Location {
  constructor(private readonly uri: string) {
    super();
  }

  override bind(): tasks.S3LocationConfig {
    return { uri: this.uri };
  }
}

/** The longest a batch transform may run before Step Functions stops it. */
const transformTimeout = Duration.hours(6);

export interface PipelineStateMachineProps {
  functions: PipelineFunctions;
  bucket: s3.IBucket;
  sageMakerRole: iam.IRole;
  trainerImage: tasks.DockerImage;
  settings: PipelineSettings;
}

/**
 * design.md's orchestration: a Map over `$.datasets` running Extract -> Train -> CreateModel ->
 * Transform -> WritePredictions per dataset, then the endpoint steps for a dataset with a
 * real-time endpoint (endpoint.ts); a failing dataset is recorded, the others go on, and the
 * execution fails at the end if any dataset did (or its endpoint did not take the new model).
 * Plus the (disabled) schedule.
 */
export class PipelineStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: PipelineStateMachineProps) {
    super(scope, id);
    const { functions, settings } = props;
    const dataset = sfn.JsonPath.stringAt('$.dataset');
    const run = sfn.JsonPath.stringAt('$.run');

    const recordFailure = new sfn.Pass(this, 'RecordFailure', {
      comment: "Keeps this dataset's error as its Map result so the other datasets carry on.",
      parameters: {
        dataset,
        run,
        status: 'FAILED',
        error: sfn.JsonPath.stringAt('$.failure.Error'),
        cause: sfn.JsonPath.stringAt('$.failure.Cause'),
      },
    });
    const catchInto = { errors: [sfn.Errors.ALL], resultPath: '$.failure' };

    const invoke = (name: string, fn: lambda.IFunction, payload: Record<string, unknown>, resultPath: string) =>
      new tasks.LambdaInvoke(this, name, {
        lambdaFunction: fn,
        payload: sfn.TaskInput.fromObject(payload),
        // The plain result (no Lambda envelope): what the local runner's in-process handlers return too.
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        resultPath,
      })
        .addRetry(lambdaRetry)
        .addCatch(recordFailure, catchInto);

    const extract = invoke('Extract', functions.extract, { dataset, run }, '$.extract');

    const train = new tasks.SageMakerCreateTrainingJob(this, 'Train', {
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      // Deterministic per dataset and run (a retry cannot start a second job) and always a valid
      // SageMaker name (<= 63 of [a-zA-Z0-9-]) whatever the run id holds.
      trainingJobName: sfn.JsonPath.format(`${sageMakerNamePrefix}{}`, sfn.JsonPath.hash(sfn.JsonPath.format('{}/{}', dataset, run), 'MD5')),
      role: props.sageMakerRole,
      algorithmSpecification: {
        trainingImage: props.trainerImage,
        trainingInputMode: tasks.InputMode.FILE,
        // The model's backtest metrics and each fit's per-iteration losses, read from the lines the trainer prints.
        metricDefinitions: trainingMetricDefinitions(settings.modelBackend, settings.hyperparameters),
      },
      hyperparameters: { model_backend: settings.modelBackend, ...settings.hyperparameters },
      inputDataConfig: [
        {
          channelName: 'train',
          dataSource: { s3DataSource: { s3DataType: tasks.S3DataType.S3_PREFIX, s3Location: new RuntimeS3Location(sfn.JsonPath.stringAt(extractTrainingDataPath)) } },
        },
      ],
      outputDataConfig: {
        s3OutputLocation: new RuntimeS3Location(sfn.JsonPath.format(`s3://${props.bucket.bucketName}/${modelsPrefix('{}')}`, dataset)),
      },
      resourceConfig: {
        instanceCount: settings.trainInstanceCount,
        // CDK writes the `ml.` itself.
        instanceType: new ec2.InstanceType(settings.trainInstanceType.replace(/^ml\./, '')),
        volumeSize: Size.gibibytes(settings.trainVolumeSizeGb),
      },
      stoppingCondition: { maxRuntime: Duration.seconds(settings.trainMaxRuntimeSeconds) },
      resultSelector: {
        trainingJobName: sfn.JsonPath.stringAt('$.TrainingJobName'),
        modelArtifacts: sfn.JsonPath.stringAt('$.ModelArtifacts.S3ModelArtifacts'),
      },
      resultPath: '$.train',
    })
      .addRetry(sageMakerRetry)
      .addCatch(recordFailure, catchInto);

    const createModel = invoke(
      'CreateModel',
      functions.batch,
      { dataset, run, trainingJobName: sfn.JsonPath.stringAt('$.train.trainingJobName') },
      '$.createModel',
    );

    // The transform request is lambda-batch's output (it knows the model, instance settings and
    // S3 layout); the CDK task takes a request fixed at synth time, so this is raw ASL: no
    // Parameters, the request is the state's effective input.
    const transform = new sfn.CustomState(this, 'Transform', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${Aws.PARTITION}:states:::sagemaker:createTransformJob.sync`,
        InputPath: '$.createModel.transformJob',
        TimeoutSeconds: transformTimeout.toSeconds(),
        ResultSelector: { 'transformJobName.$': '$.TransformJobName', 'outputUri.$': '$.TransformOutput.S3OutputPath' },
        ResultPath: '$.transform',
      },
    })
      .addRetry(sageMakerRetry)
      .addCatch(recordFailure, catchInto);

    const writePredictions = invoke('WritePredictions', functions.dynamo, { dataset, run }, '$.writePredictions');

    // Each dataset ends in a small record with a status, whichever way it went.
    const trained = {
      dataset,
      run,
      trainingJobName: sfn.JsonPath.stringAt('$.train.trainingJobName'),
      modelName: sfn.JsonPath.stringAt('$.createModel.modelName'),
      predictions: sfn.JsonPath.objectAt('$.writePredictions'),
    };
    const recordSuccess = new sfn.Pass(this, 'RecordSuccess', {
      parameters: { ...trained, status: 'SUCCEEDED', endpoint: sfn.JsonPath.objectAt('$.endpoint') },
    });
    // The predictions are written, but the endpoint does not serve this run's model (the previous one, if any, still does).
    const recordEndpointFailure = new sfn.Pass(this, 'RecordEndpointFailure', {
      comment: 'Predictions are written; the endpoint does not serve the new model (a previous one, if any, still serves).',
      parameters: {
        ...trained,
        status: 'ENDPOINT_FAILED',
        endpoint: {
          deployed: false,
          name: sfn.JsonPath.stringAt('$.createModel.endpoint.endpointName'),
          error: sfn.JsonPath.stringAt('$.endpointFailure.Error'),
          cause: sfn.JsonPath.stringAt('$.endpointFailure.Cause'),
        },
      },
    });
    const endpoint = endpointStates(this, { success: recordSuccess, failure: recordEndpointFailure, retry: sageMakerRetry });

    const perDataset = new sfn.Map(this, 'Datasets', {
      itemsPath: '$.datasets',
      itemSelector: { dataset: sfn.JsonPath.stringAt('$$.Map.Item.Value'), run: sfn.JsonPath.stringAt('$$.Execution.Name') },
      maxConcurrency: settings.maxConcurrency,
      resultSelector: { outcomes: sfn.JsonPath.entirePayload, statuses: sfn.JsonPath.listAt('$[*].status') },
      resultPath: '$.results',
    }).itemProcessor(extract.next(train).next(createModel).next(transform).next(writePredictions).next(endpoint));

    // Plain paths and intrinsics only (no JSONPath filters, whose empty results AWS and the
    // local runner treat differently); the Map keeps item order, so statuses line up with datasets.
    const summarize = new sfn.Pass(this, 'Summarize', {
      parameters: {
        outcomes: sfn.JsonPath.objectAt('$.results.outcomes'),
        anyFailed: sfn.JsonPath.arrayContains(sfn.JsonPath.listAt('$.results.statuses'), 'FAILED'),
        anyEndpointFailed: sfn.JsonPath.arrayContains(sfn.JsonPath.listAt('$.results.statuses'), 'ENDPOINT_FAILED'),
        summary: sfn.JsonPath.format(
          'datasets {} ended {}',
          sfn.JsonPath.jsonToString(sfn.JsonPath.listAt('$.datasets')),
          sfn.JsonPath.jsonToString(sfn.JsonPath.listAt('$.results.statuses')),
        ),
      },
    });

    const checkInput = new sfn.Choice(this, 'CheckInput')
      .when(sfn.Condition.isPresent('$.datasets[0]'), perDataset)
      .otherwise(new sfn.Fail(this, 'NoDatasets', { error: 'InvalidInput', cause: 'the input must be {"datasets": ["<dataset>", ...]} with at least one dataset' }));

    perDataset.next(summarize).next(
      new sfn.Choice(this, 'AnyDatasetFailed')
        .when(
          sfn.Condition.or(sfn.Condition.booleanEquals('$.anyFailed', true), sfn.Condition.booleanEquals('$.anyEndpointFailed', true)),
          new sfn.Fail(this, 'DatasetsFailed', { error: 'DatasetsFailed', causePath: '$.summary' }),
        )
        .otherwise(new sfn.Succeed(this, 'Done')),
    );

    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      comment: 'nextbuy: per dataset, extract -> train -> create model -> batch transform -> write predictions [-> deploy the real-time endpoint]',
      definitionBody: sfn.DefinitionBody.fromChainable(checkInput),
      logs: {
        destination: new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: true,
      },
      tracingEnabled: true,
    });
    this.grantTransform();
    fixLogicalId(this.stateMachine, 'StateMachine');
    fixLogicalId(this.stateMachine.role, 'StateMachineRole');
    this.acknowledgeWildcards();

    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'Runs the nextbuy pipeline on the configured datasets (off unless -c scheduleEnabled=true)',
      schedule: events.Schedule.expression(settings.scheduleExpression),
      enabled: settings.scheduleEnabled,
      targets: [new targets.SfnStateMachine(this.stateMachine, { input: events.RuleTargetInput.fromObject({ datasets: settings.datasets }) })],
    });
  }

  private acknowledgeWildcards(): void {
    const role = this.stateMachine.role;
    for (const id of ['ExtractFunction', 'BatchFunction', 'DynamoFunction']) {
      acknowledgeWildcard(role, `Resource::<${id}.Arn>:*`, "CDK's LambdaInvoke grants lambda:InvokeFunction on the function and its versions and aliases (`:*`), nothing else");
    }
    const jobs = 'arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>';
    acknowledgeWildcard(role, `Resource::${jobs}:training-job/*`, 'training job names are computed per execution (nextbuy-<md5 of dataset/run>); CDK scopes a JSONPath-named job to training-job/*');
    acknowledgeWildcard(role, `Resource::${jobs}:transform-job/*`, "transform job names are made per model by lambda-batch at run time; these are the createTransformJob.sync integration's own actions");
    acknowledgeWildcard(
      role,
      'Resource::*',
      'no resource-level permissions exist for these: sagemaker:ListTags (used by the .sync integrations), X-Ray trace segments, and the CloudWatch Logs delivery actions of state machine logging',
    );
  }

  /** What the `createTransformJob.sync` integration calls (the CDK task would add these itself). */
  private grantTransform(): void {
    const stack = Stack.of(this);
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['sagemaker:CreateTransformJob', 'sagemaker:DescribeTransformJob', 'sagemaker:StopTransformJob', 'sagemaker:AddTags'],
        resources: [stack.formatArn({ service: 'sagemaker', resource: 'transform-job', resourceName: '*' })],
      }),
    );
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForSageMakerTransformJobsRule' })],
      }),
    );
  }
}
