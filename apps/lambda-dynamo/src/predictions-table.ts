import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PredictionRecord } from '@nextbuy/contracts';
import { withBackoff, type BackoffPolicy } from './backoff';

/** A predictions table item: keyed by (dataset, customer_id), holding the customer's latest prediction. */
export interface PredictionItem extends PredictionRecord {
  dataset: string;
  run: string;
  /** When the prediction was made (ISO time): the transform output object's LastModified. */
  predicted_at: string;
  /**
   * `<as_of_date>|<predicted_at>`: both fixed-width ISO texts, so comparing the strings compares
   * the predictions' age, first by the date they are as of, then by when they were made.
   */
  prediction_version: string;
}

/** The item of one prediction record of a dataset's run. */
export function predictionItem(record: PredictionRecord, origin: { dataset: string; run: string; predictedAt: string }): PredictionItem {
  return {
    dataset: origin.dataset,
    ...record,
    run: origin.run,
    predicted_at: origin.predictedAt,
    prediction_version: `${record.as_of_date}|${origin.predictedAt}`,
  };
}

export type WriteOutcome = 'written' | 'skipped';

/**
 * Puts an item unless the table holds a newer prediction for the customer ('skipped'). An equal
 * version is overwritten, so writing the same run again (or retrying a put whose first attempt
 * landed) changes nothing. Throttling and transient failures are retried per `policy`.
 */
export async function putPrediction(
  documents: DynamoDBDocumentClient,
  table: string,
  item: PredictionItem,
  policy: BackoffPolicy,
): Promise<WriteOutcome> {
  try {
    await withBackoff(
      () =>
        documents.send(
          new PutCommand({
            TableName: table,
            Item: item,
            ConditionExpression: 'attribute_not_exists(customer_id) OR prediction_version <= :version',
            ExpressionAttributeValues: { ':version': item.prediction_version },
          }),
        ),
      policy,
    );
    return 'written';
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return 'skipped';
    throw error;
  }
}
