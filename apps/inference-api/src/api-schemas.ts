import { customerHistorySchema, predictionRecordSchema } from '@nextbuy/contracts';
import { FEATURE_DESCRIPTIONS, FEATURE_NAMES } from '@nextbuy/features';
import { z } from 'zod';
import { transactionSchema } from './input/transactions';

/*
 * The bodies of the HTTP API as zod schemas: the request records the parsers read and the
 * response bodies the handlers send (app.ts types them with these). `openapi.ts` describes the
 * API from them, so the description cannot drift from the code.
 */

/**
 * A feature row as a JSON object, with the trainer's features (every artifact's manifest lists
 * these). input/feature-rows.ts reads rows by hand instead, at batch speed and in the order of
 * the artifact's own feature names; this schema is what it accepts, for the description.
 */
export const featureRowSchema = z.object({
  customer_id: z.union([z.string().min(1), z.number()]),
  order_date: z.iso.date().describe('the date of the order the row describes; a customer\'s rows are contiguous and in date order'),
  as_of_date: z.iso.date().optional().describe('score as of this date (the same on every row of a customer); default: the request\'s'),
  ...Object.fromEntries(FEATURE_NAMES.map((name) => [name, z.union([z.number(), z.null()]).describe(`${FEATURE_DESCRIPTIONS[name]} (null when missing)`)])),
});

/** One record of a request: every record of a request has the same shape. */
export const requestRecordSchema = z.union([customerHistorySchema, transactionSchema, featureRowSchema]);

/** An `application/json` request: the records as an array, as `{"instances": [...]}`, or one record. */
export const jsonRequestSchema = z.union([z.array(requestRecordSchema).min(1), z.object({ instances: z.array(requestRecordSchema).min(1) }), requestRecordSchema]);

/** The `application/json` answer to /invocations: one prediction per customer, in request order. */
export const predictionsResponseSchema = z.object({ predictions: z.array(predictionRecordSchema) });

/** Every refusal and failure: `message` is the field the AWS SDK reads into the error it throws. */
export const errorResponseSchema = z.object({
  message: z.string(),
  request_id: z.string(),
  /** A 400 about one record: its number (1-based, in request order) and field, when known. */
  record: z.number().int().positive().optional(),
  field: z.string().optional(),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;

/** GET /ping: 200 once the model is loaded and has made a test prediction, 503 before or when it failed to load. */
export const pingResponseSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), model_type: z.string(), model_version: z.string() }),
  z.object({ status: z.literal('loading') }),
  z.object({ status: z.literal('failed'), error: z.string() }),
]);
export type PingResponse = z.infer<typeof pingResponseSchema>;

/** GET /execution-parameters: what batch transform asks before sending mini-batches. */
export const executionParametersSchema = z.object({
  MaxConcurrentTransforms: z.number().int().positive(),
  BatchStrategy: z.literal('MULTI_RECORD'),
  MaxPayloadInMB: z.number().int().positive(),
});
export type ExecutionParameters = z.infer<typeof executionParametersSchema>;
