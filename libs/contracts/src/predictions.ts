import { z } from 'zod';

/** One customer's prediction, as served, written to S3 and stored in DynamoDB. */
export const predictionRecordSchema = z.object({
  customer_id: z.string().min(1),
  last_order_date: z.iso.date(),
  as_of_date: z.iso.date(),
  predicted_gap_days: z.number().nonnegative(),
  predicted_next_order_date: z.iso.date(),
  p_order_90d: z.number().min(0).max(1),
  /** P(still an active customer) under the artifact's BG/NBD fit; null from an artifact without one (and absent in older outputs). */
  p_alive: z.number().min(0).max(1).nullable().default(null),
  /** Expected orders in the 365 days after the as-of date under the same fit; null likewise. */
  expected_orders_365d: z.number().nonnegative().nullable().default(null),
  model_version: z.string().min(1),
});
export type PredictionRecord = z.infer<typeof predictionRecordSchema>;

export const PREDICTION_COLUMNS = Object.keys(predictionRecordSchema.shape) as Array<keyof PredictionRecord>;
