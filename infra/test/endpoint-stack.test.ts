// Template assertions for the endpoint setting: off (the default), serverless, and instances with
// data capture. Each synthesis runs cdk-nag, which fails it on any unacknowledged finding.
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { cdkJsonContext, createApp } from '../src/app';

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Effect: string };
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function synth(endpoints?: unknown): Template {
  const { app, stack } = createApp({ context: { ...cdkJsonContext(), ...(endpoints ? { endpoints: JSON.stringify(endpoints) } : {}) } });
  app.synth();
  return Template.fromStack(stack);
}

function statements(template: Template, policyPrefix: string): Statement[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith(policyPrefix))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

const endpointActions = ['sagemaker:CreateEndpointConfig', 'sagemaker:DeleteEndpointConfig', 'sagemaker:CreateEndpoint', 'sagemaker:UpdateEndpoint', 'sagemaker:DescribeEndpoint', 'sagemaker:ListEndpointConfigs'];
const sageMakerArn = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:sagemaker:`, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}/nextbuy-*`]] });

function batchEnvironment(template: Template): Record<string, unknown> {
  return template.findResources('AWS::Lambda::Function').BatchFunction!.Properties.Environment.Variables;
}

let off: Template;
let serverless: Template;
let instances: Template;

beforeAll(() => {
  off = synth();
  serverless = synth({ retail: { serverless: { memorySizeMb: 3072, maxConcurrency: 4 } } });
  instances = synth({ cdnow: { instances: { instanceType: 'ml.c5.large', instanceCount: 2, maxModelLatencyMs: 250 }, dataCapturePercent: 20 } });
});

describe('no endpoint (the default)', () => {
  it('grants no endpoint action, makes no alarm and gives lambda-batch no ENDPOINTS', () => {
    const actions = statements(off, 'PipelineRoleDefaultPolicy').flatMap((s) => asList(s.Action));
    for (const action of endpointActions) expect(actions).not.toContain(action);
    off.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(batchEnvironment(off)).not.toHaveProperty('ENDPOINTS');
    expect(JSON.stringify(statements(off, 'SageMakerRoleDefaultPolicy'))).not.toContain('capture');
  });
});

describe('a serverless endpoint', () => {
  it('lets the state machine create, update and describe only nextbuy-* endpoints and configurations', () => {
    const policy = statements(serverless, 'PipelineRoleDefaultPolicy');
    const bySid = (sid: string) => policy.find((s) => s.Sid === sid);
    expect(asList(bySid('EndpointConfigs')!.Action).sort()).toEqual(['sagemaker:CreateEndpointConfig', 'sagemaker:DeleteEndpointConfig']);
    expect(bySid('EndpointConfigs')!.Resource).toEqual(sageMakerArn('endpoint-config'));
    const endpoints = bySid('Endpoints')!;
    expect(asList(endpoints.Action).sort()).toEqual(['sagemaker:CreateEndpoint', 'sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpoint']);
    expect(asList(endpoints.Resource)).toEqual(expect.arrayContaining([sageMakerArn('endpoint'), sageMakerArn('endpoint-config')]));
    expect(asList(endpoints.Resource)).toHaveLength(2);
    // A List has no resource-level permission: "*" is the only resource it takes.
    expect(bySid('ListEndpointConfigs')).toMatchObject({ Action: 'sagemaker:ListEndpointConfigs', Resource: '*' });
    for (const statement of policy.filter((s) => asList(s.Action).some((action) => /Endpoint/.test(action)))) {
      expect(statement.Effect).toBe('Allow');
      if (statement.Resource !== '*') expect(JSON.stringify(statement.Resource)).toMatch(/nextbuy-\*/);
      for (const action of asList(statement.Action)) expect(action).not.toMatch(/^sagemaker:DeleteEndpoint$/);
    }
  });

  it('tells lambda-batch the endpoint settings, with no alarm: serverless endpoints take no deployment guardrails', () => {
    expect(JSON.parse(String(batchEnvironment(serverless).ENDPOINTS))).toEqual({ retail: { serverless: { memorySizeMb: 3072, maxConcurrency: 4 }, keepConfigs: 3 } });
    serverless.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(statements(serverless, 'SageMakerRoleDefaultPolicy').flatMap((s) => asList(s.Action))).not.toContain('cloudwatch:DescribeAlarms');
  });
});

describe('an instance endpoint with data capture', () => {
  it('makes the 5xx and model-latency alarms the blue/green update rolls back on, on the endpoint lambda-batch names', () => {
    instances.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    const dimensions = [
      { Name: 'EndpointName', Value: 'nextbuy-cdnow' },
      { Name: 'VariantName', Value: 'AllTraffic' },
    ];
    instances.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'nextbuy-cdnow-invocation-5xx',
      Namespace: 'AWS/SageMaker',
      MetricName: 'Invocation5XXErrors',
      Dimensions: dimensions,
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    instances.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'nextbuy-cdnow-model-latency',
      MetricName: 'ModelLatency',
      Dimensions: dimensions,
      Statistic: 'Average',
      // ModelLatency is in microseconds.
      Threshold: 250_000,
      EvaluationPeriods: 3,
    });
  });

  it('lets the SageMaker (execution) role read only those alarms and write only <dataset>/capture/ for the capture', () => {
    expect(statements(instances, 'PipelineRoleDefaultPolicy').flatMap((s) => asList(s.Action))).not.toContain('cloudwatch:DescribeAlarms');
    const alarms = statements(instances, 'SageMakerRoleDefaultPolicy').find((s) => s.Sid === 'RollbackAlarms');
    expect(asList(alarms!.Action)).toEqual(['cloudwatch:DescribeAlarms']);
    expect(JSON.stringify(alarms!.Resource)).toMatch(/EndpointAlarmscdnowErrors.*EndpointAlarmscdnowLatency/);
    const capture = statements(instances, 'SageMakerRoleDefaultPolicy').find((s) => s.Sid === 'WriteDataCapture');
    expect(capture).toMatchObject({ Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['DataBucket', 'Arn'] }, '/*/capture/*']] } });
    expect(JSON.parse(String(batchEnvironment(instances).ENDPOINTS))).toMatchObject({ cdnow: { instances: { instanceType: 'ml.c5.large', instanceCount: 2 }, dataCapturePercent: 20 } });
  });

  it('keeps the same state machine definition whatever the setting: the steps are always there, the setting decides whether they run', () => {
    const definition = (template: Template) => JSON.stringify(Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0]!.Properties.DefinitionString);
    expect(definition(instances)).toBe(definition(off));
    expect(definition(serverless)).toMatch(/aws-sdk:sagemaker:describeEndpoint/);
  });
});
