import { customerHistorySchema, predictionRecordSchema } from '@nextbuy/contracts';
import { z } from 'zod';
import {
  errorResponseSchema,
  executionParametersSchema,
  featureRowSchema,
  jsonRequestSchema,
  pingResponseSchema,
  predictionsResponseSchema,
  requestRecordSchema,
} from './api-schemas';
import { transactionSchema } from './input/transactions';

/** Where the description is committed; `nx run inference-api:openapi` rewrites it. */
export const OPENAPI_FILE = 'docs/inference-api.openapi.json';

type JsonSchema = Record<string, unknown>;

/**
 * Named JSON Schemas (2020-12, OpenAPI 3.1's dialect) from zod's own `toJSONSchema`, referring
 * to each other as `#/components/schemas/<name>`. Requests are described as the parsers read
 * them (zod's input side: what a client may send), responses as the server writes them (output).
 */
function componentSchemas(schemas: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const { schemas: generated } = z.toJSONSchema(registry, { target: 'draft-2020-12', io, uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(Object.entries(generated).map(([id, { $schema: _dialect, $id: _id, ...schema }]) => [id, schema as JsonSchema]));
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** A body of one JSON value per line: OpenAPI 3.1 has no schema for a sequence, so the line's schema is given as `x-item-schema`. */
const jsonLines = (item: string, description: string) => ({ schema: { type: 'string', description }, 'x-item-schema': ref(item) });

const errorContent = { 'application/json': { schema: ref('Error') } };
const requestIdHeader = { 'X-Request-Id': { description: 'the request id: the client\'s X-Request-Id (or SageMaker custom attributes) when printable, else a new one', schema: { type: 'string' } } };

/** The OpenAPI 3.1 description of the inference API (the SageMaker serving contract), generated from the server's zod schemas. */
export function inferenceApiDocument(): Record<string, unknown> {
  const schemas = {
    ...componentSchemas(
      { CustomerHistory: customerHistorySchema, Transaction: transactionSchema, FeatureRow: featureRowSchema, RequestRecord: requestRecordSchema, JsonRequest: jsonRequestSchema },
      'input',
    ),
    ...componentSchemas({ PredictionRecord: predictionRecordSchema, Predictions: predictionsResponseSchema, Error: errorResponseSchema, Ping: pingResponseSchema, ExecutionParameters: executionParametersSchema }, 'output'),
  };
  const asOf = 'score as of this date (YYYY-MM-DD) the records that do not carry their own; default: the UTC day of the request. Query and header must agree when both are given';
  return {
    openapi: '3.1.1',
    info: {
      title: 'nextbuy inference API',
      version: '1',
      description:
        'Predicts, for each customer, the days until the next order and the probability of an order within 90 days. The SageMaker serving contract: GET /ping and POST /invocations on port 8080 (SAGEMAKER_BIND_TO_PORT). Generated from the server\'s zod schemas by `npx nx run inference-api:openapi`; see apps/inference-api/README.md.',
    },
    servers: [{ url: 'http://localhost:8080' }],
    paths: {
      '/ping': {
        get: {
          operationId: 'ping',
          summary: 'Health check: 200 once the model is loaded and has made a test prediction',
          responses: {
            '200': { description: 'the model is loaded', content: { 'application/json': { schema: ref('Ping') } } },
            '503': { description: 'the model is loading, or failed to load (error says why)', content: { 'application/json': { schema: ref('Ping') } } },
          },
        },
      },
      '/execution-parameters': {
        get: {
          operationId: 'executionParameters',
          summary: 'What SageMaker batch transform asks before sending mini-batches',
          responses: { '200': { description: 'the server\'s batch settings', content: { 'application/json': { schema: ref('ExecutionParameters') } } } },
        },
      },
      '/invocations': {
        post: {
          operationId: 'invoke',
          summary: 'Predictions for the customers of the request, one per customer in request order',
          description:
            'A request holds records of one kind: customer histories (the batch-input line), Online Retail transactions, or feature rows. The response type follows Accept (default: the request\'s type). SageMaker\'s runtime calls the same handler at /endpoints/{name}/invocations.',
          parameters: [
            { name: 'as_of_date', in: 'query', required: false, description: asOf, schema: { type: 'string', format: 'date' } },
            { name: 'X-As-Of-Date', in: 'header', required: false, description: asOf, schema: { type: 'string', format: 'date' } },
            { name: 'X-Request-Id', in: 'header', required: false, description: 'echoed and logged', schema: { type: 'string' } },
            { name: 'Accept', in: 'header', required: false, description: 'text/csv (add ;header=present for a header line), application/json or application/jsonlines', schema: { type: 'string' } },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: ref('JsonRequest') },
              'application/jsonlines': jsonLines('RequestRecord', 'one RequestRecord a line (the batch-input file is one); a blank line is an error'),
              'text/csv': {
                schema: {
                  type: 'string',
                  description:
                    'transactions under an Online Retail header (InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country), feature rows under a header naming customer_id, order_date, every feature and optionally as_of_date, or feature rows without a header: customer_id, order_date, <features in FeatureRow order>',
                },
              },
            },
          },
          responses: {
            '200': {
              description: 'one prediction per customer, in request order',
              headers: requestIdHeader,
              content: {
                'application/json': { schema: ref('Predictions') },
                'application/jsonlines': jsonLines('PredictionRecord', 'one PredictionRecord a line'),
                'text/csv': { schema: { type: 'string', description: 'one PredictionRecord a line, its properties in order; a header line only when Accept asks for it' } },
              },
            },
            '400': { description: 'a record the server cannot use: record and field name it', content: errorContent },
            '406': { description: 'Accept names no type the server writes', content: errorContent },
            '413': { description: 'the body exceeds SAGEMAKER_MAX_PAYLOAD_IN_MB', content: errorContent },
            '415': { description: 'a Content-Type or charset the server does not read', content: errorContent },
            '500': { description: 'a bug: quote the request id', content: errorContent },
            '503': { description: 'the model is loading or failed to load', content: errorContent },
          },
        },
      },
    },
    components: { schemas },
  };
}

/** The committed file's text: the document as 2-space JSON with a final newline. */
export function inferenceApiDocumentText(): string {
  return `${JSON.stringify(inferenceApiDocument(), null, 2)}\n`;
}
