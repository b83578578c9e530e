import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { EndpointsSetting } from '@nextbuy/contracts';
import { Construct } from 'constructs';
import { keyPatterns } from './layout';
import { acknowledgeWildcard, fixLogicalId } from './nag';
import { sageMakerNamePrefix } from './naming';

/** Where the Lambda apps' `build` targets write their zips (README: dist/apps/<app>.zip). */
const artifactsDir = fileURLToPath(new URL('../../dist/apps/', import.meta.url));

export interface PipelineFunctionsProps {
  bucket: s3.IBucket;
  predictions: dynamodb.ITable;
  idempotency: dynamodb.ITable;
  source: {
    /** Holds the password (or RDS-style JSON with it). */
    secret: secretsmanager.ISecret;
    /** `postgres://user@host:port/db?sslmode=...` without the password, when the deployment gives one. */
    databaseUrl?: string;
    table: string;
    /** The database's VPC, when it is not reachable from outside: lambda-extract then runs in these subnets. */
    network?: SourceNetwork;
  };
  sageMakerRole: iam.IRole;
  inferenceImageUri: string;
  transformInstanceType: string;
  transformInstanceCount: number;
  /** The real-time endpoints by dataset (lambda-batch adds their requests to its output); none when empty. */
  endpoints: EndpointsSetting;
}

/** Where lambda-extract's network interfaces go to reach a database in private subnets. */
export interface SourceNetwork {
  vpc: ec2.IVpc;
  subnets: ec2.ISubnet[];
  securityGroups: ec2.ISecurityGroup[];
}

/**
 * The three Lambda functions of the state machine, each with its own role and log group. The
 * environment variables are the ones each app's src/config.ts reads; the permissions are the
 * calls its handler makes.
 */
export class PipelineFunctions extends Construct {
  readonly extract: lambda.Function;
  readonly batch: lambda.Function;
  readonly dynamo: lambda.Function;

  constructor(scope: Construct, id: string, props: PipelineFunctionsProps) {
    super(scope, id);
    const { bucket, idempotency } = props;
    const stack = Stack.of(this);
    const sageMakerArn = (resource: string) => stack.formatArn({ service: 'sagemaker', resource, resourceName: `${sageMakerNamePrefix}*` });
    const anyRun = "the dataset and run are the event's, known only at invocation";

    this.extract = this.pipelineFunction('Extract', {
      app: 'lambda-extract',
      description: 'Extract: source database -> cleaned transactions and batch input in S3',
      timeout: Duration.minutes(15),
      memorySize: 2048,
      environment: {
        DATA_BUCKET: bucket.bucketName,
        IDEMPOTENCY_TABLE: idempotency.tableName,
        SOURCE_SECRET_ARN: props.source.secret.secretArn,
        SOURCE_TABLE: props.source.table,
        ...(props.source.databaseUrl ? { SOURCE_DATABASE_URL: props.source.databaseUrl } : {}),
      },
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteRawAndBatchInput',
          // lib-storage's multipart upload: PutObject covers create/part/complete, an abort is separate.
          actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
          resources: [bucket.arnForObjects(keyPatterns.raw), bucket.arnForObjects(keyPatterns.batchInput)],
        }),
        idempotencyRecords(idempotency),
      ],
      ...(props.source.network ? { network: props.source.network } : {}),
    });
    props.source.secret.grantRead(this.extract);
    acknowledgeWildcard(this.extract.role!, 'Resource::<DataBucket.Arn>/*/raw/*/*', `writes the raw extract of its run: ${anyRun}`);
    acknowledgeWildcard(this.extract.role!, 'Resource::<DataBucket.Arn>/*/batch-input/*/*', `writes the batch input of its run: ${anyRun}`);

    this.batch = this.pipelineFunction('Batch', {
      app: 'lambda-batch',
      description: 'CreateModel: SageMaker model, transform job and endpoint requests for a finished training job',
      timeout: Duration.minutes(1),
      memorySize: 256,
      environment: {
        DATA_BUCKET: bucket.bucketName,
        INFERENCE_IMAGE_URI: props.inferenceImageUri,
        SAGEMAKER_ROLE_ARN: props.sageMakerRole.roleArn,
        TRANSFORM_INSTANCE_TYPE: props.transformInstanceType,
        TRANSFORM_INSTANCE_COUNT: String(props.transformInstanceCount),
        ...(Object.keys(props.endpoints).length > 0 ? { ENDPOINTS: JSON.stringify(props.endpoints) } : {}),
      },
      // It only names S3 locations in the transform request; SageMaker's role reads and writes them.
      statements: [
        new iam.PolicyStatement({ sid: 'ReadTrainingJob', actions: ['sagemaker:DescribeTrainingJob'], resources: [sageMakerArn('training-job')] }),
        new iam.PolicyStatement({ sid: 'CreateModel', actions: ['sagemaker:CreateModel', 'sagemaker:DescribeModel'], resources: [sageMakerArn('model')] }),
        new iam.PolicyStatement({
          sid: 'PassSageMakerRole',
          actions: ['iam:PassRole'],
          resources: [props.sageMakerRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
        }),
      ],
    });
    const sageMakerNames = `training jobs are named per run (${sageMakerNamePrefix}<md5>) and models after them; the prefix keeps it to the pipeline's own`;
    acknowledgeWildcard(this.batch.role!, `Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:training-job/${sageMakerNamePrefix}*`, sageMakerNames);
    acknowledgeWildcard(this.batch.role!, `Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:model/${sageMakerNamePrefix}*`, sageMakerNames);

    this.dynamo = this.pipelineFunction('Dynamo', {
      app: 'lambda-dynamo',
      description: 'WritePredictions: batch transform output in S3 -> predictions table',
      timeout: Duration.minutes(15),
      memorySize: 1024,
      environment: {
        DATA_BUCKET: bucket.bucketName,
        PREDICTIONS_TABLE: props.predictions.tableName,
        IDEMPOTENCY_TABLE: idempotency.tableName,
      },
      statements: [
        new iam.PolicyStatement({
          sid: 'ListPredictions',
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [keyPatterns.predictions] } },
        }),
        new iam.PolicyStatement({ sid: 'ReadPredictions', actions: ['s3:GetObject'], resources: [bucket.arnForObjects(keyPatterns.predictions)] }),
        // Conditional puts only: a newer stored prediction is never overwritten.
        new iam.PolicyStatement({ sid: 'PutPredictions', actions: ['dynamodb:PutItem'], resources: [props.predictions.tableArn] }),
        idempotencyRecords(idempotency),
      ],
    });
    acknowledgeWildcard(this.dynamo.role!, 'Resource::<DataBucket.Arn>/*/predictions/*/*', `reads the transform output of its run: ${anyRun}`);
  }

  private pipelineFunction(
    id: string,
    options: {
      app: string;
      description: string;
      timeout: Duration;
      memorySize: number;
      environment: Record<string, string>;
      statements: iam.PolicyStatement[];
      network?: SourceNetwork;
    },
  ): lambda.Function {
    const zip = `${artifactsDir}${options.app}.zip`;
    if (!existsSync(zip)) throw new Error(`${zip} is missing: build it first with \`npx nx run ${options.app}:build\``);
    const role = new iam.Role(this, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: `nextbuy ${options.app}` });
    const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention: logs.RetentionDays.ONE_MONTH });
    logGroup.grantWrite(role);
    for (const statement of options.statements) role.addToPolicy(statement);
    const { network } = options;
    if (network) {
      // Lambda adds this policy itself only to roles it creates; this role is ours.
      role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        reason:
          'Lambda needs these network-interface actions to attach the function to the VPC; they only take "*" as resource, and AWS keeps the managed policy in step with what Lambda calls',
      });
    }
    const fn = new lambda.Function(this, id, {
      description: options.description,
      code: lambda.Code.fromAsset(zip),
      handler: 'main.handler',
      // The zip's package.json says "type": "module", so Node loads main.js as an ES module.
      // Node 22: what the workspace builds for (esbuild target node22) and tests on.
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambdaArchitecture(options.app),
      role,
      logGroup,
      timeout: options.timeout,
      memorySize: options.memorySize,
      environment: options.environment,
      ...(network ? { vpc: network.vpc, vpcSubnets: { subnets: network.subnets }, securityGroups: network.securityGroups } : {}),
    });
    fixLogicalId(fn, `${id}Function`);
    fixLogicalId(role, `${id}FunctionRole`);
    // cdk-nag's L1 wants the newest Lambda runtime (nodejs24.x); nodejs22.x is current and
    // supported (no W2531 deprecation finding), and it is the Node the workspace pins (.nvmrc).
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'nodejs22.x is a supported runtime and the Node the workspace builds and tests the bundle on (.nvmrc 22.23.5); nodejs24.x would be a workspace-wide move',
    });
    return fn;
  }
}

/**
 * arm64 (Graviton: cheaper per GB-second) for a function whose zip is pure JavaScript; x86_64
 * when the build left runtime dependencies outside the bundle (native or wasm code that would
 * have to match the architecture). The zip's package.json lists them (tools/build/package-app.mjs).
 */
export function lambdaArchitecture(app: string): lambda.Architecture {
  const manifest = `${artifactsDir}${app}/package.json`;
  if (!existsSync(manifest)) throw new Error(`${manifest} is missing: build it first with \`npx nx run ${app}:build\``);
  const { dependencies = {} } = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string> };
  return Object.keys(dependencies).length === 0 ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64;
}

/** What Powertools' idempotency (DynamoDBPersistenceLayer) calls on its table, and nothing else. */
function idempotencyRecords(table: dynamodb.ITable): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'IdempotencyRecords',
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    resources: [table.tableArn],
  });
}
