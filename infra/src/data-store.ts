import { Duration, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { rawDataTag } from './layout';
import { fixLogicalId } from './nag';

export interface DataStoreProps {
  /** Days a run's raw extract is kept (it can always be extracted again). */
  rawRetentionDays: number;
  /** Datasets whose `<dataset>/raw/` prefix gets its own expiry rule besides the tag rule. */
  datasets: readonly string[];
}

/** The pipeline's bucket (with its access-log bucket), the predictions table and the idempotency table. */
export class DataStore extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;
  readonly predictions: dynamodb.Table;
  readonly idempotency: dynamodb.Table;

  constructor(scope: Construct, id: string, props: DataStoreProps) {
    super(scope, id);

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // Server access log delivery supports only SSE-S3 on the target bucket.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the data bucket; logging it into itself would loop, and a third bucket only moves the question.',
    });

    // SSE-S3 rather than KMS: SageMaker jobs, the Lambdas and the local emulation all read and
    // write here, and a customer key would add a grant to every role for no gain in this design.
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'data-bucket/',
      lifecycleRules: [
        // S3 lifecycle filters cannot say `*/raw/`: a tag rule covers every dataset whose raw
        // objects carry the tag, a prefix rule each dataset the deployment names.
        {
          id: 'expire-raw-by-tag',
          tagFilters: { [rawDataTag.key]: rawDataTag.value },
          expiration: Duration.days(props.rawRetentionDays),
        },
        ...props.datasets.map((dataset) => ({
          id: `expire-raw-${dataset}`,
          prefix: `${dataset}/raw/`,
          expiration: Duration.days(props.rawRetentionDays),
        })),
        {
          id: 'tidy-versions-and-uploads',
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });

    this.predictions = new dynamodb.Table(this, 'Predictions', {
      partitionKey: { name: 'dataset', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'customer_id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    });

    // Powertools idempotency records: key `id`, expiry epoch seconds in `expiration`.
    this.idempotency = new dynamodb.Table(this, 'Idempotency', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    });

    fixLogicalId(this.accessLogs, 'AccessLogsBucket');
    fixLogicalId(this.bucket, 'DataBucket');
    fixLogicalId(this.predictions, 'PredictionsTable');
    fixLogicalId(this.idempotency, 'IdempotencyTable');
  }
}
