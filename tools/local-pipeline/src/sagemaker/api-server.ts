import { createServer, type IncomingMessage } from 'node:http';
import type { CreateModelInput } from '@aws-sdk/client-sagemaker';
import type { AddressInfo } from 'node:net';
import { SageMakerApiError, type SageMakerControlPlane } from './control-plane';

/** Dates as a wire format wants them: SageMaker's JSON API sends epoch seconds, Step Functions' results epoch milliseconds. */
export function withEpochDates(value: unknown, unit: 'seconds' | 'milliseconds'): unknown {
  if (value instanceof Date) return unit === 'seconds' ? value.getTime() / 1000 : value.getTime();
  if (Array.isArray(value)) return value.map((item) => withEpochDates(item, unit));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).flatMap(([key, item]) => (item === undefined ? [] : [[key, withEpochDates(item, unit)]])));
  }
  return value;
}

// The request bodies are the SDK's, trusted as such: the control plane validates what it stores.
type Operation = (plane: SageMakerControlPlane, input: { TrainingJobName: string; ModelName: string } & CreateModelInput) => unknown;

/** The operations lambda-batch calls (its role allows no others). */
const OPERATIONS: Record<string, Operation> = {
  DescribeTrainingJob: (plane, input) => plane.describeTrainingJob(input.TrainingJobName),
  CreateModel: (plane, input) => plane.createModel(input),
  DescribeModel: (plane, input) => plane.describeModel(input.ModelName),
};

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * SageMaker's JSON API (awsJson1_1: `POST /`, `X-Amz-Target: SageMaker.<Operation>`) on a free
 * loopback port, answered by the control plane. The SDK in lambda-batch reaches it through
 * `AWS_ENDPOINT_URL_SAGEMAKER`, with no change to the app. Signatures are not checked.
 */
export async function serveSageMakerApi(plane: SageMakerControlPlane): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const server = createServer((request, response) => {
    const reply = (status: number, payload: unknown, errorType?: string) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
      response.end(JSON.stringify(payload));
    };
    void (async () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = OPERATIONS[target.replace(/^SageMaker\./, '')];
      if (request.method !== 'POST' || !target.startsWith('SageMaker.') || !operation) {
        return reply(400, { __type: 'UnknownOperationException', message: `the local SageMaker API does not answer "${target}"` }, 'UnknownOperationException');
      }
      try {
        const text = await body(request);
        reply(200, withEpochDates(operation(plane, JSON.parse(text || '{}')), 'seconds'));
      } catch (error) {
        if (error instanceof SageMakerApiError) return reply(400, { __type: error.code, message: error.message }, error.code);
        reply(500, { __type: 'InternalFailure', message: (error as Error).message }, 'InternalFailure');
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The SDK keeps connections alive; close would wait for them.
        server.closeAllConnections();
      }),
  };
}
