import { createServer, type IncomingMessage } from 'node:http';
import type { CreateModelInput } from '@aws-sdk/client-sagemaker';
import type { AddressInfo } from 'node:net';
import { SageMakerApiError, type SageMakerControlPlane } from './control-plane';
import type { LocalEndpoints } from './endpoints';

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
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Operation = (services: { plane: SageMakerControlPlane; endpoints?: LocalEndpoints }, input: any) => unknown;

function endpointsOf(services: { endpoints?: LocalEndpoints }): LocalEndpoints {
  if (!services.endpoints) throw new SageMakerApiError('UnknownOperationException', 'this local SageMaker API serves no endpoints');
  return services.endpoints;
}

/** The operations lambda-batch calls (its role allows no others), and the endpoint ones a user's SDK or CLI calls. */
const OPERATIONS: Record<string, Operation> = {
  DescribeTrainingJob: ({ plane }, input: { TrainingJobName: string }) => plane.describeTrainingJob(input.TrainingJobName),
  CreateModel: ({ plane }, input: CreateModelInput) => plane.createModel(input),
  DescribeModel: ({ plane }, input: { ModelName: string }) => plane.describeModel(input.ModelName),
  CreateEndpointConfig: (services, input) => endpointsOf(services).createEndpointConfig(input),
  DeleteEndpointConfig: (services, input) => endpointsOf(services).deleteEndpointConfig(input),
  ListEndpointConfigs: (services, input) => endpointsOf(services).listEndpointConfigs(input),
  CreateEndpoint: (services, input) => endpointsOf(services).createEndpoint(input),
  UpdateEndpoint: (services, input) => endpointsOf(services).updateEndpoint(input),
  DescribeEndpoint: (services, input: { EndpointName?: string }) => endpointsOf(services).describeEndpoint(input.EndpointName),
};

/** SageMaker Runtime's InvokeEndpoint path (restJson1). */
const INVOCATIONS = /^\/endpoints\/([^/]+)\/invocations$/;

async function body(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * SageMaker's JSON API (awsJson1_1: `POST /`, `X-Amz-Target: SageMaker.<Operation>`) on a free
 * loopback port, answered by the control plane; with `endpoints`, also SageMaker Runtime's
 * InvokeEndpoint (`POST /endpoints/<name>/invocations`), so `@aws-sdk/client-sagemaker-runtime`
 * given this URL as its endpoint calls the local endpoints. The SDK in lambda-batch reaches it
 * through `AWS_ENDPOINT_URL_SAGEMAKER`, with no change to the app. Signatures are not checked.
 */
export async function serveSageMakerApi(plane: SageMakerControlPlane, endpoints?: LocalEndpoints): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const server = createServer((request, response) => {
    const invocation = INVOCATIONS.exec(new URL(request.url ?? '/', 'http://localhost').pathname);
    if (invocation && endpoints && request.method === 'POST') {
      void (async () => {
        const answer = await endpoints.invoke(decodeURIComponent(invocation[1]!), { body: await body(request), headers: request.headers as Record<string, string | undefined> }).catch((error: Error) => ({
          status: 500,
          headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalFailure' },
          body: Buffer.from(JSON.stringify({ message: error.message })),
        }));
        response.writeHead(answer.status, answer.headers);
        response.end(answer.body);
      })();
      return;
    }
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
        const text = (await body(request)).toString('utf8');
        reply(200, withEpochDates(operation({ plane, endpoints }, JSON.parse(text || '{}')), 'seconds'));
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
