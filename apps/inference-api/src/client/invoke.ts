import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { NextBuyError } from '@nextbuy/contracts';

/** An endpoint refused a batch or could not be reached; says which lines were in it. */
export class EndpointInvocationError extends NextBuyError {}

/** A line longer than the payload limit: no batch can carry it. */
export class OversizedLineError extends NextBuyError {}

export interface InvokeEndpointOptions {
  client: SageMakerRuntimeClient;
  endpointName: string;
  /** Default `application/jsonlines`: one customer history per line, the batch input format. */
  contentType?: string;
  /** Default `application/jsonlines`. */
  accept?: string;
  /** Largest request body in bytes; default 6 MiB, the endpoint's limit. */
  maxPayloadBytes?: number;
  /** Sent as `X-Amzn-SageMaker-Custom-Attributes`; the server uses it as the request id. */
  customAttributes?: string;
}

/** A batch of consecutive lines and where it starts (1-based line number). */
export interface LineBatch {
  firstLine: number;
  lines: string[];
}

/**
 * Consecutive lines grouped into request bodies (lines joined by `\n`, with a final `\n`) of at
 * most `maxBytes` bytes. Blank lines are skipped; a single line over the limit is an error.
 */
export async function* payloadBatches(lines: AsyncIterable<string> | Iterable<string>, maxBytes: number): AsyncGenerator<LineBatch> {
  let batch: LineBatch | undefined;
  let bytes = 0;
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    const size = Buffer.byteLength(line) + 1;
    if (size > maxBytes) throw new OversizedLineError(`line ${lineNumber} is ${size} bytes, over the payload limit of ${maxBytes} bytes`);
    if (batch && bytes + size > maxBytes) {
      yield batch;
      batch = undefined;
    }
    batch ??= { firstLine: lineNumber, lines: [] };
    batch.lines.push(line);
    bytes = batch.lines.length === 1 ? size : bytes + size;
  }
  if (batch) yield batch;
}

/** One batch's answer: the response body as text. */
export interface InvocationResult {
  batch: LineBatch;
  contentType: string | undefined;
  body: string;
}

/**
 * Sends lines (one customer per line) to a SageMaker endpoint in batches under the payload
 * limit, one request at a time, and yields each batch's response in order. A customer's data
 * must sit on one line: a batch boundary never splits a line, but would split a customer
 * spread over several.
 */
export async function* invokeEndpoint(lines: AsyncIterable<string> | Iterable<string>, options: InvokeEndpointOptions): AsyncGenerator<InvocationResult> {
  const contentType = options.contentType ?? 'application/jsonlines';
  for await (const batch of payloadBatches(lines, options.maxPayloadBytes ?? 6 * 1024 * 1024)) {
    const range = `lines ${batch.firstLine}-${batch.firstLine + batch.lines.length - 1}`;
    let output;
    try {
      output = await options.client.send(
        new InvokeEndpointCommand({
          EndpointName: options.endpointName,
          Body: Buffer.from(`${batch.lines.join('\n')}\n`),
          ContentType: contentType,
          Accept: options.accept ?? 'application/jsonlines',
          ...(options.customAttributes ? { CustomAttributes: options.customAttributes } : {}),
        }),
      );
    } catch (error) {
      const { name, message, $metadata } = error as Error & { $metadata?: { httpStatusCode?: number } };
      const status = $metadata?.httpStatusCode ? ` (HTTP ${$metadata.httpStatusCode})` : '';
      // The SDK names an error the service did not type "Unknown"; the server's message is what helps.
      const what = name === 'Unknown' || name === 'UnknownError' ? message : `${name}: ${message}`;
      throw new EndpointInvocationError(`endpoint "${options.endpointName}" refused the batch of ${range}${status}: ${what}`, { cause: error });
    }
    yield { batch, contentType: output.ContentType, body: output.Body.transformToString() };
  }
}
