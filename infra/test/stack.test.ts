import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations, type App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cdkJsonContext, createApp } from '../src/app';

// Synthesis (with cdk-nag and CDK's CloudFormation rules) takes seconds: once for the file.
let app: App;
let assembly: CloudAssembly;
let template: Template;

beforeAll(() => {
  const created = createApp({ context: cdkJsonContext() });
  app = created.app;
  // Throws, with the report, on any unacknowledged cdk-nag or CloudFormation finding.
  assembly = app.synth();
  template = Template.fromStack(created.stack);
});

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };

function statementsOf(policyLogicalIdPrefix: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  const found = Object.entries(policies).filter(([id]) => id.startsWith(policyLogicalIdPrefix));
  expect(found, `one policy named ${policyLogicalIdPrefix}*`).toHaveLength(1);
  return found[0]![1].Properties.PolicyDocument.Statement as Statement[];
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

describe('storage', () => {
  it('keeps the data bucket private, encrypted, versioned, TLS-only and logged', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: 'AccessLogsBucket' }, LogFilePrefix: 'data-bucket/' },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: 'DataBucket' },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('expires raw extracts by lifecycle and tidies old versions', () => {
    const bucket = template.findResources('AWS::S3::Bucket', { Properties: { VersioningConfiguration: { Status: 'Enabled' } } });
    const rules = Object.values(bucket)[0]!.Properties.LifecycleConfiguration.Rules as Array<Record<string, unknown>>;
    expect(rules).toContainEqual({ Id: 'expire-raw-by-tag', Status: 'Enabled', TagFilters: [{ Key: 'data-class', Value: 'raw' }], ExpirationInDays: 90 });
    expect(rules).toContainEqual(
      expect.objectContaining({ Id: 'tidy-versions-and-uploads', NoncurrentVersionExpiration: { NoncurrentDays: 30 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }),
    );
  });

  it('keys predictions by dataset and customer, on demand, with point-in-time recovery', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'dataset', KeyType: 'HASH' },
        { AttributeName: 'customer_id', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'dataset', AttributeType: 'S' },
        { AttributeName: 'customer_id', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('gives Powertools its idempotency table: key id, TTL on expiration', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
  });
});

describe('images', () => {
  it('has scanned, immutable (but for latest and dev), lifecycle-managed repositories for the trainer and inference images', () => {
    template.resourceCountIs('AWS::ECR::Repository', 2);
    for (const name of ['nextbuy/trainer', 'nextbuy/inference']) {
      template.hasResourceProperties('AWS::ECR::Repository', {
        RepositoryName: name,
        ImageScanningConfiguration: { ScanOnPush: true },
        ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        ImageTagMutabilityExclusionFilters: [
          { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'latest' },
          { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'dev' },
        ],
        LifecyclePolicy: { LifecyclePolicyText: Match.stringLikeRegexp('"countType":"sinceImagePushed"') },
      });
    }
  });
});

describe('functions', () => {
  const expectedEnvironment: Record<string, Record<string, unknown>> = {
    ExtractFunction: {
      DATA_BUCKET: { Ref: 'DataBucket' },
      IDEMPOTENCY_TABLE: { Ref: 'IdempotencyTable' },
      SOURCE_SECRET_ARN: { Ref: expect.stringMatching(/^SourceDatabase/) },
      SOURCE_TABLE: 'transactions',
    },
    BatchFunction: {
      DATA_BUCKET: { Ref: 'DataBucket' },
      INFERENCE_IMAGE_URI: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['InferenceRepository', 'RepositoryUri'] }, ':0.1.0']] },
      SAGEMAKER_ROLE_ARN: { 'Fn::GetAtt': ['SageMakerRole', 'Arn'] },
      TRANSFORM_INSTANCE_TYPE: 'ml.m5.large',
      TRANSFORM_INSTANCE_COUNT: '1',
    },
    DynamoFunction: {
      DATA_BUCKET: { Ref: 'DataBucket' },
      PREDICTIONS_TABLE: { Ref: 'PredictionsTable' },
      IDEMPOTENCY_TABLE: { Ref: 'IdempotencyTable' },
    },
  };

  it('deploys the three Nx-built zips as Node 22 ES-module handlers, on arm64 (none has native code), with exactly the variables their config reads', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions).sort()).toEqual(Object.keys(expectedEnvironment).sort());
    for (const [logicalId, variables] of Object.entries(expectedEnvironment)) {
      const properties = functions[logicalId]!.Properties;
      expect(properties).toMatchObject({ Handler: 'main.handler', Runtime: 'nodejs22.x', Architectures: ['arm64'], Role: { 'Fn::GetAtt': [`${logicalId}Role`, 'Arn'] } });
      expect(properties.Environment.Variables, logicalId).toEqual(variables);
    }
  });

  it('packages each function from its own build artifact', () => {
    const manifest = JSON.parse(readFileSync(join(assembly.directory, 'Nextbuy.assets.json'), 'utf8')) as {
      files: Record<string, { source: { path: string; packaging: string } }>;
    };
    const functions = template.findResources('AWS::Lambda::Function');
    for (const [logicalId, app] of [
      ['ExtractFunction', 'lambda-extract'],
      ['BatchFunction', 'lambda-batch'],
      ['DynamoFunction', 'lambda-dynamo'],
    ] as const) {
      const key = functions[logicalId]!.Properties.Code.S3Key as string;
      const source = manifest.files[key.replace(/\.zip$/, '')]?.source;
      expect(source?.packaging, logicalId).toBe('file');
      const staged = readFileSync(join(assembly.directory, source!.path));
      expect(staged.equals(readFileSync(new URL(`../../dist/apps/${app}.zip`, import.meta.url))), logicalId).toBe(true);
    }
  });
});

describe('roles', () => {
  // Actions AWS offers no resource-level permissions for, so "*" is the only resource they take.
  const actionsRequiringAnyResource = new Set([
    'ecr:GetAuthorizationToken',
    'cloudwatch:PutMetricData',
    'sagemaker:ListTags',
    'xray:PutTraceSegments',
    'xray:PutTelemetryRecords',
    'xray:GetSamplingRules',
    'xray:GetSamplingTargets',
    'logs:CreateLogDelivery',
    'logs:GetLogDelivery',
    'logs:UpdateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:DescribeResourcePolicies',
    'logs:DescribeLogGroups',
  ]);

  it('never grants a wildcard action, and "*" resources only to actions that cannot be scoped', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
    );
    expect(statements.length).toBeGreaterThan(20);
    for (const statement of statements) {
      for (const action of asList(statement.Action)) expect(action).not.toMatch(/\*/);
      if (asList(statement.Resource).includes('*')) {
        for (const action of asList(statement.Action)) expect(actionsRequiringAnyResource, action).toContain(action);
      }
    }
  });

  it('holds the SageMaker role to the storage layout, the two repositories and its own logs', () => {
    const statements = statementsOf('SageMakerRoleDefaultPolicy');
    const objectsOf = (action: string) =>
      statements.filter((s) => asList(s.Action).includes(action)).flatMap((s) => asList(s.Resource)).map((r) => JSON.stringify(r));
    const key = (pattern: string) => JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['DataBucket', 'Arn'] }, pattern]] });
    expect(objectsOf('s3:GetObject').sort()).toEqual([key('/*/batch-input/*/*'), key('/*/models/*'), key('/*/raw/*/*')].sort());
    expect(objectsOf('s3:PutObject').sort()).toEqual([key('/*/models/*'), key('/*/predictions/*/*')].sort());
    expect(objectsOf('ecr:BatchGetImage').sort()).toEqual(
      [{ 'Fn::GetAtt': ['InferenceRepository', 'Arn'] }, { 'Fn::GetAtt': ['TrainerRepository', 'Arn'] }].map((r) => JSON.stringify(r)).sort(),
    );
    const metrics = statements.find((s) => s.Action === 'cloudwatch:PutMetricData');
    expect(metrics?.Condition).toEqual({ StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } });
  });

  it('lets lambda-batch create models and pass the SageMaker role, and nothing else of SageMaker', () => {
    const statements = statementsOf('FunctionsBatchRoleDefaultPolicy');
    const actions = statements.flatMap((s) => asList(s.Action)).sort();
    expect(actions).toEqual(['iam:PassRole', 'logs:CreateLogStream', 'logs:PutLogEvents', 'sagemaker:CreateModel', 'sagemaker:DescribeModel', 'sagemaker:DescribeTrainingJob']);
    expect(statements.find((s) => s.Action === 'iam:PassRole')).toMatchObject({
      Resource: { 'Fn::GetAtt': ['SageMakerRole', 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    });
  });

  it('lets lambda-extract write only raw and batch-input keys and read only its secret', () => {
    const statements = statementsOf('FunctionsExtractRoleDefaultPolicy');
    const s3 = statements.filter((s) => asList(s.Action).some((a) => a.startsWith('s3:')));
    expect(JSON.stringify(s3)).not.toMatch(/predictions|models/);
    expect(s3.flatMap((s) => asList(s.Action)).sort()).toEqual(['s3:AbortMultipartUpload', 's3:PutObject']);
    const secret = statements.find((s) => asList(s.Action).includes('secretsmanager:GetSecretValue'));
    expect(secret?.Resource).toEqual({ Ref: expect.stringMatching(/^SourceDatabase/) });
  });

  it('lets lambda-dynamo only put into the predictions table', () => {
    const statements = statementsOf('FunctionsDynamoRoleDefaultPolicy');
    const onPredictions = statements.filter((s) => JSON.stringify(s.Resource) === JSON.stringify({ 'Fn::GetAtt': ['PredictionsTable', 'Arn'] }));
    expect(onPredictions.flatMap((s) => asList(s.Action))).toEqual(['dynamodb:PutItem']);
  });

  it('lets the state machine invoke the three functions and run SageMaker jobs with only the SageMaker role', () => {
    const statements = statementsOf('PipelineRoleDefaultPolicy');
    const invoke = statements.find((s) => s.Action === 'lambda:InvokeFunction');
    expect(JSON.stringify(invoke?.Resource)).toMatch(/ExtractFunction.*/);
    for (const fn of ['ExtractFunction', 'BatchFunction', 'DynamoFunction']) expect(JSON.stringify(invoke?.Resource)).toContain(fn);
    const passRole = statements.filter((s) => asList(s.Action).includes('iam:PassRole'));
    expect(passRole.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': ['SageMakerRole', 'Arn'] }]);
    const actions = statements.flatMap((s) => asList(s.Action));
    for (const action of ['sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:CreateTransformJob', 'sagemaker:DescribeTransformJob']) {
      expect(actions).toContain(action);
    }
  });
});

describe('schedule', () => {
  it('is an EventBridge rule that is off by default and starts the state machine with the datasets input', () => {
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      State: 'DISABLED',
      ScheduleExpression: 'cron(0 3 ? * MON *)',
      Targets: [Match.objectLike({ Arn: { Ref: 'StateMachine' }, Input: '{"datasets":[]}' })],
    });
  });
});

describe('checks', () => {
  it('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('justifies every acknowledged rule in words', () => {
    const acknowledgments: Array<{ path: string; id: string; reason: string }> = [];
    const visit = (construct: IConstruct) => {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, value] of Object.entries(entry.data as Record<string, unknown>)) {
          const reason = typeof value === 'string' ? value : (value as { reason?: string }).reason;
          acknowledgments.push({ path: construct.node.path, id, reason: reason ?? '' });
        }
      }
      construct.node.children.forEach(visit);
    };
    visit(app);
    expect(acknowledgments.length).toBeGreaterThan(10);
    for (const { path, id, reason } of acknowledgments) expect(reason.split(' ').length, `${path} ${id}`).toBeGreaterThanOrEqual(8);
    // Only what the design needs: wildcards (IAM5), the log bucket's own logging (S1), the
    // operator-owned secret (SMG4), and L1 (nodejs22.x is supported but not the newest runtime).
    const rules = new Set(acknowledgments.map(({ id }) => id.replace(/^Annotation::/i, '').replace(/\[.*$/, '')));
    expect([...rules].sort()).toEqual(['AwsSolutions-IAM5', 'AwsSolutions-L1', 'AwsSolutions-S1', 'AwsSolutions-SMG4'].sort());
  });

  it('leaves no violation in the synthesized validation report', () => {
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ pluginName: string; violations: unknown[]; suppressedViolations?: Array<{ ruleName: string }> }>;
    };
    // The report lists a plugin only when it has findings, acknowledged or not; with Node 20's
    // W2531 gone, CloudFormation's rules have none left, so the list may be empty.
    for (const plugin of report.pluginReports) expect(plugin.violations, plugin.pluginName).toEqual([]);
    // No deprecated runtime: CloudFormation's W2531 reports nothing, not even a suppressed finding.
    const suppressed = report.pluginReports.flatMap((plugin) => plugin.suppressedViolations ?? []).map((v) => v.ruleName);
    expect(suppressed.filter((rule) => /W2531/.test(rule))).toEqual([]);
  });
});

describe('outputs', () => {
  it('exports what deploy and run-pipeline read', () => {
    for (const name of ['StateMachineArn', 'BucketName', 'PredictionsTableName', 'TrainerRepositoryUri', 'InferenceRepositoryUri']) {
      template.hasOutput(name, {});
    }
    template.hasOutput('StateMachineArn', { Value: { Ref: 'StateMachine' } });
  });
});
