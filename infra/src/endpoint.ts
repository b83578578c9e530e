import { endpointAlarmNames, endpointNameFor, ENDPOINT_VARIANT, sageMakerNamePrefix, type EndpointsSetting } from '@nextbuy/contracts';
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledgeWildcard } from './nag';

/** How long the state machine waits between two DescribeEndpoint calls while an endpoint is created or updated. */
export const ENDPOINT_POLL = Duration.seconds(30);

/**
 * The CloudWatch alarms that roll back a blue/green update of an instance endpoint (serverless
 * endpoints take no deployment guardrails): any 5xx from the model, or a mean model latency over
 * the dataset's `maxModelLatencyMs` for 3 minutes. They watch `nextbuy-<dataset>` / AllTraffic,
 * the old and new fleets alike, and are named so lambda-batch can name them in the update request.
 */
export class EndpointAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, endpoints: EndpointsSetting) {
    super(scope, id);
    for (const [dataset, settings] of Object.entries(endpoints)) {
      if (!settings.instances) continue;
      const names = endpointAlarmNames(dataset);
      const dimensionsMap = { EndpointName: endpointNameFor(dataset), VariantName: ENDPOINT_VARIANT };
      const metric = (metricName: string, statistic: string) =>
        new cloudwatch.Metric({ namespace: 'AWS/SageMaker', metricName, dimensionsMap, statistic, period: Duration.minutes(1) });
      this.alarms.push(
        new cloudwatch.Alarm(this, `${dataset}Errors`, {
          alarmName: names.errors,
          alarmDescription: `Rolls back an update of endpoint ${dimensionsMap.EndpointName}: the model answered 5xx`,
          metric: metric('Invocation5XXErrors', 'Sum'),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
        new cloudwatch.Alarm(this, `${dataset}Latency`, {
          alarmName: names.latency,
          alarmDescription: `Rolls back an update of endpoint ${dimensionsMap.EndpointName}: mean model latency over ${settings.instances.maxModelLatencyMs} ms for 3 minutes`,
          // ModelLatency is in microseconds.
          metric: metric('ModelLatency', 'Average'),
          threshold: settings.instances.maxModelLatencyMs * 1000,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
  }
}

/**
 * What the endpoint states call, on `nextbuy-*` names only: create and delete endpoint
 * configurations, create, update and describe endpoints, and list configurations (no
 * resource-level permission exists for a List).
 */
export function grantEndpointDeployment(role: iam.IRole): void {
  const stack = Stack.of(role);
  const arn = (resource: string) => stack.formatArn({ service: 'sagemaker', resource, resourceName: `${sageMakerNamePrefix}*` });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'EndpointConfigs',
      actions: ['sagemaker:CreateEndpointConfig', 'sagemaker:DeleteEndpointConfig'],
      resources: [arn('endpoint-config')],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'Endpoints',
      // CreateEndpoint and UpdateEndpoint are authorized on the endpoint and on the configuration it gets.
      actions: ['sagemaker:CreateEndpoint', 'sagemaker:UpdateEndpoint', 'sagemaker:DescribeEndpoint'],
      resources: [arn('endpoint'), arn('endpoint-config')],
    }),
  );
  role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ListEndpointConfigs', actions: ['sagemaker:ListEndpointConfigs'], resources: ['*'] }));
  const names = `endpoints are nextbuy-<dataset> and their configurations nextbuy-<dataset>--<run>, named at run time; the ${sageMakerNamePrefix} prefix keeps it to the pipeline's own`;
  const sageMaker = 'arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>';
  acknowledgeWildcard(role, `Resource::${sageMaker}:endpoint-config/${sageMakerNamePrefix}*`, names);
  acknowledgeWildcard(role, `Resource::${sageMaker}:endpoint/${sageMakerNamePrefix}*`, names);
}

export interface EndpointStatesProps {
  /** Where the dataset goes once its endpoint serves the new model (or it has none): RecordSuccess. */
  success: sfn.IChainable;
  /** Where a failed endpoint step goes, with `$.endpointFailure` = {Error, Cause}: RecordEndpointFailure. */
  failure: sfn.IChainable;
  retry: sfn.RetryProps;
}

/**
 * The endpoint steps after WritePredictions, run only when lambda-batch returned endpoint
 * requests (`$.createModel.endpoint`, for a dataset configured with one):
 *
 *   CreateEndpointConfig -> FindEndpoint -> CreateEndpoint (none yet) | UpdateEndpoint
 *     -> WaitForEndpoint -> DescribeEndpoint -> (InService on the new configuration) ListEndpointConfigs
 *     -> DeleteOldEndpointConfigs (Map) -> EndpointDeployed
 *
 * An endpoint that ends InService on another configuration was not updated (SageMaker rolled it
 * back, or the new model never became healthy): the old model still serves and the dataset is
 * recorded as ENDPOINT_FAILED. The clean-up is SDK-integration steps, not a Lambda: a prefix
 * listing, an index and an equality are all it needs, and every deletion shows in the history.
 */
export function endpointStates(scope: Construct, props: EndpointStatesProps): sfn.IChainable {
  const { success, failure, retry } = props;
  const endpoint = '$.createModel.endpoint';
  const catchFailure = { errors: [sfn.Errors.ALL], resultPath: '$.endpointFailure' };
  const partition = Stack.of(scope).partition;
  // The request is lambda-batch's (as for Transform): raw ASL, no Parameters, the InputPath is the request.
  const request = (id: string, api: string, inputPath: string) =>
    new sfn.CustomState(scope, id, {
      stateJson: { Type: 'Task', Resource: `arn:${partition}:states:::sagemaker:${api}`, InputPath: inputPath, ResultPath: sfn.JsonPath.DISCARD },
    })
      .addRetry(retry)
      .addCatch(failure, catchFailure);
  const sdkCall = (id: string, api: string, parameters: Record<string, unknown>, more: Partial<sfn.CustomStateProps['stateJson']> = {}) =>
    new sfn.CustomState(scope, id, {
      stateJson: { Type: 'Task', Resource: `arn:${partition}:states:::aws-sdk:sagemaker:${api}`, Parameters: parameters, ...more },
    });
  const throttling: sfn.RetryProps = { ...retry, errors: ['SageMaker.ThrottlingException', 'ThrottlingException'] };

  const createConfig = request('CreateEndpointConfig', 'createEndpointConfig', `${endpoint}.createEndpointConfig`);
  const createEndpoint = request('CreateEndpoint', 'createEndpoint', `${endpoint}.createEndpoint`);
  const updateEndpoint = request('UpdateEndpoint', 'updateEndpoint', `${endpoint}.updateEndpoint`);
  // DescribeEndpoint of an endpoint that does not exist answers a ValidationException, which the SDK
  // integration reports as SageMaker.SageMakerException with SageMaker's message as the cause.
  const findEndpoint = sdkCall('FindEndpoint', 'describeEndpoint', { 'EndpointName.$': `${endpoint}.endpointName` }, {
    ResultSelector: { 'status.$': '$.EndpointStatus', 'configName.$': '$.EndpointConfigName' },
    ResultPath: '$.endpointFound',
  })
    .addRetry(throttling)
    .addCatch(
      new sfn.Choice(scope, 'EndpointMissing')
        .when(sfn.Condition.stringMatches('$.endpointFailure.Cause', '*Could not find endpoint*'), createEndpoint)
        .otherwise(failure),
      { errors: ['SageMaker.SageMakerException'], resultPath: '$.endpointFailure' },
    )
    .addCatch(failure, catchFailure);

  const wait = new sfn.Wait(scope, 'WaitForEndpoint', { time: sfn.WaitTime.duration(ENDPOINT_POLL) });
  const describe = sdkCall('DescribeEndpoint', 'describeEndpoint', { 'EndpointName.$': `${endpoint}.endpointName` }, {
    // The whole answer as text too: it carries FailureReason when there is one.
    ResultSelector: { 'status.$': '$.EndpointStatus', 'configName.$': '$.EndpointConfigName', 'description.$': 'States.JsonToString($)' },
    ResultPath: '$.endpointStatus',
  })
    .addRetry(throttling)
    .addCatch(failure, catchFailure);

  const notUpdated = new sfn.Pass(scope, 'EndpointNotUpdated', {
    comment: 'InService on another configuration: the update failed or was rolled back, and the previous model still serves.',
    parameters: {
      Error: 'EndpointUpdateFailed',
      Cause: sfn.JsonPath.format(
        'endpoint {} still serves {}, not {}: {}',
        sfn.JsonPath.stringAt(`${endpoint}.endpointName`),
        sfn.JsonPath.stringAt('$.endpointStatus.configName'),
        sfn.JsonPath.stringAt(`${endpoint}.configName`),
        sfn.JsonPath.stringAt('$.endpointStatus.description'),
      ),
    },
    resultPath: '$.endpointFailure',
  }).next(failure);
  const endpointFailed = new sfn.Pass(scope, 'EndpointFailed', {
    parameters: {
      Error: 'EndpointFailed',
      Cause: sfn.JsonPath.format('endpoint {} is {}: {}', sfn.JsonPath.stringAt(`${endpoint}.endpointName`), sfn.JsonPath.stringAt('$.endpointStatus.status'), sfn.JsonPath.stringAt('$.endpointStatus.description')),
    },
    resultPath: '$.endpointFailure',
  }).next(failure);

  // Newest first; the clean-up of every run keeps the list at keepConfigs + 1, so one page of 100 holds them all.
  const listConfigs = sdkCall('ListEndpointConfigs', 'listEndpointConfigs', {
    'NameContains.$': `${endpoint}.configPrefix`,
    SortBy: 'CreationTime',
    SortOrder: 'Descending',
    MaxResults: 100,
  }, { ResultSelector: { 'configs.$': '$.EndpointConfigs' }, ResultPath: '$.endpointConfigs' })
    .addRetry(throttling)
    .addCatch(failure, catchFailure);
  const deleteConfig = sdkCall('DeleteEndpointConfig', 'deleteEndpointConfig', { 'EndpointConfigName.$': '$.name' }, { End: true }).addRetry(throttling);
  const deleteOld = new sfn.Map(scope, 'DeleteOldEndpointConfigs', {
    itemsPath: '$.endpointConfigs.configs',
    itemSelector: {
      name: sfn.JsonPath.stringAt('$$.Map.Item.Value.EndpointConfigName'),
      index: sfn.JsonPath.numberAt('$$.Map.Item.Index'),
      keep: sfn.JsonPath.numberAt(`${endpoint}.keepConfigs`),
      inService: sfn.JsonPath.stringAt('$.endpointStatus.configName'),
    },
    maxConcurrency: 1,
    resultPath: sfn.JsonPath.DISCARD,
  })
    .itemProcessor(
      new sfn.Choice(scope, 'StaleEndpointConfig')
        .when(sfn.Condition.and(sfn.Condition.numberGreaterThanEqualsJsonPath('$.index', '$.keep'), sfn.Condition.not(sfn.Condition.stringEqualsJsonPath('$.name', '$.inService'))), deleteConfig)
        .otherwise(new sfn.Pass(scope, 'KeepEndpointConfig')),
    )
    .addCatch(failure, catchFailure);
  const deployed = new sfn.Pass(scope, 'EndpointDeployed', {
    parameters: {
      deployed: true,
      name: sfn.JsonPath.stringAt(`${endpoint}.endpointName`),
      configName: sfn.JsonPath.stringAt('$.endpointStatus.configName'),
      status: sfn.JsonPath.stringAt('$.endpointStatus.status'),
    },
    resultPath: '$.endpoint',
  });

  wait.next(describe).next(
    new sfn.Choice(scope, 'EndpointReady')
      .when(
        sfn.Condition.and(sfn.Condition.stringEquals('$.endpointStatus.status', 'InService'), sfn.Condition.stringEqualsJsonPath('$.endpointStatus.configName', `${endpoint}.configName`)),
        listConfigs.next(deleteOld).next(deployed).next(success),
      )
      .when(sfn.Condition.stringEquals('$.endpointStatus.status', 'InService'), notUpdated)
      .when(
        sfn.Condition.or(...['Failed', 'UpdateRollbackFailed', 'OutOfService', 'Deleting'].map((status) => sfn.Condition.stringEquals('$.endpointStatus.status', status))),
        endpointFailed,
      )
      .otherwise(wait),
  );
  createEndpoint.next(wait);
  updateEndpoint.next(wait);
  findEndpoint.next(updateEndpoint);
  createConfig.next(findEndpoint);

  return new sfn.Choice(scope, 'EndpointWanted')
    .when(sfn.Condition.isPresent(endpoint), createConfig)
    .otherwise(new sfn.Pass(scope, 'NoEndpoint', { result: sfn.Result.fromObject({ deployed: false }), resultPath: '$.endpoint' }).next(success));
}
