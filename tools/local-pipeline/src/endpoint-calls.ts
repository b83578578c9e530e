import { createInterface } from 'node:readline';
import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { parseS3Uri } from '@nextbuy/contracts';
import { LOCAL_CREDENTIALS, REGION } from './local-aws';
import type { ExecutionReport } from './pipeline';
import { objectStream } from './s3-objects';
import type { S3Client } from '@aws-sdk/client-s3';

/** How many customers of the batch input the end of `npm start` scores through each endpoint. */
export const CUSTOMERS_CALLED = 3;

/** One endpoint as a user's SDK sees it: DescribeEndpoint, then InvokeEndpoint with a few customers. */
export interface EndpointCall {
  dataset: string;
  endpointName: string;
  status: string;
  configName: string;
  /** The endpoint's answer, one prediction (JSON Lines) per customer sent. */
  answers: string[];
}

/** The SDK clients a user would make, pointed at the local SageMaker API (which answers the runtime API too). */
export function localSageMakerClients(apiUrl: string): { sagemaker: SageMakerClient; runtime: SageMakerRuntimeClient } {
  const options = { endpoint: apiUrl, region: REGION, credentials: LOCAL_CREDENTIALS };
  return { sagemaker: new SageMakerClient(options), runtime: new SageMakerRuntimeClient(options) };
}

async function firstLines(s3: S3Client, uri: string, count: number): Promise<string[]> {
  const { bucket, key } = parseS3Uri(uri);
  const lines: string[] = [];
  const reader = createInterface({ input: await objectStream(s3, bucket, key), crlfDelay: Infinity });
  for await (const line of reader) {
    if (line.trim() !== '') lines.push(line);
    if (lines.length === count) break;
  }
  reader.close();
  return lines;
}

/**
 * Calls the endpoint of every dataset the run deployed (or tried to: a failed update leaves the
 * previous model serving) through `@aws-sdk/client-sagemaker-runtime`, with the first customers
 * of the run's batch input, as a user's code would call it on AWS.
 */
export async function callEndpoints(apiUrl: string, s3: S3Client, report: ExecutionReport, customers = CUSTOMERS_CALLED): Promise<EndpointCall[]> {
  const { sagemaker, runtime } = localSageMakerClients(apiUrl);
  const calls: EndpointCall[] = [];
  try {
    for (const outcome of report.datasets) {
      const endpointName = outcome.data?.createModel?.endpoint?.endpointName;
      const batchInput = outcome.data?.extract?.batchInput.uri;
      if (!endpointName || !batchInput) continue;
      const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
      const call: EndpointCall = { dataset: outcome.dataset, endpointName, status: endpoint.EndpointStatus!, configName: endpoint.EndpointConfigName!, answers: [] };
      if (endpoint.EndpointStatus === 'InService') {
        const lines = await firstLines(s3, batchInput, customers);
        const answer = await runtime.send(
          new InvokeEndpointCommand({ EndpointName: endpointName, ContentType: 'application/jsonlines', Accept: 'application/jsonlines', Body: Buffer.from(`${lines.join('\n')}\n`) }),
        );
        call.answers = answer.Body.transformToString().split('\n').filter((line) => line.trim() !== '');
      }
      calls.push(call);
    }
  } finally {
    sagemaker.destroy();
    runtime.destroy();
  }
  return calls;
}

/** The lines `npm start` ends with: each endpoint's name, status and answers. */
export function formatEndpointCalls(calls: readonly EndpointCall[]): string[] {
  const lines: string[] = [];
  for (const call of calls) {
    lines.push('', `endpoint ${call.endpointName}: ${call.status} on ${call.configName}`);
    for (const answer of call.answers) {
      const { customer_id, predicted_next_order_date, p_order_90d } = JSON.parse(answer) as { customer_id: string; predicted_next_order_date: string; p_order_90d: number };
      lines.push(`  customer ${customer_id}: next order ~${predicted_next_order_date}, P(order within 90 days) ${p_order_90d.toFixed(2)}`);
    }
  }
  return lines;
}
