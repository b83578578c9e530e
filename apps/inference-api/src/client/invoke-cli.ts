import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { Command } from 'commander';
import { invokeEndpoint } from './invoke';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

function program(): Command {
  return new Command('invoke')
    .description(
      'Score customers with a deployed SageMaker endpoint: reads one customer per line (the batch input format),\n' +
        'sends them in batches under the payload limit and prints the predictions as JSON Lines, in input order.',
    )
    .requiredOption('--endpoint <name>', 'endpoint name')
    .requiredOption('--file <path>', 'input file, one customer per line (customer history JSON Lines)')
    .option('--endpoint-url <url>', 'runtime endpoint URL (default: the AWS one of the region), e.g. http://127.0.0.1:8080 for a local server')
    .option('--region <region>', 'AWS region (default: AWS_REGION, or us-east-1 with --endpoint-url)')
    .option('--content-type <type>', 'content type of the file', 'application/jsonlines')
    .option('--accept <type>', 'response type: application/jsonlines, application/json or text/csv', 'application/jsonlines')
    .option('--max-payload-mb <mb>', 'largest request body in MiB', '6')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
}

/** Runs the `invoke` command line; returns the exit code. */
export async function runInvokeCli(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let options: Record<string, string>;
  try {
    options = program().parse(argv, { from: 'user' }).opts();
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    if (code === 'commander.helpDisplayed') {
      io.stdout.write(program().helpInformation());
      return 0;
    }
    io.stderr.write(`${message}\n`);
    return 2;
  }
  const maxPayloadMb = Number(options.maxPayloadMb);
  if (!(maxPayloadMb > 0)) {
    io.stderr.write(`--max-payload-mb must be a positive number, got "${options.maxPayloadMb}"\n`);
    return 2;
  }
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (options.endpointUrl ? 'us-east-1' : undefined);
  const client = new SageMakerRuntimeClient({ ...(region ? { region } : {}), ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}) });
  const lines = createInterface({ input: createReadStream(options.file!), crlfDelay: Infinity });
  try {
    for await (const result of invokeEndpoint(lines, {
      client,
      endpointName: options.endpoint!,
      contentType: options.contentType!,
      accept: options.accept!,
      maxPayloadBytes: Math.floor(maxPayloadMb * 1024 * 1024),
    })) {
      // A JSON document per batch is printed as one line per prediction: the output stays line-per-customer.
      if (result.contentType?.startsWith('application/json') && !result.contentType.startsWith('application/jsonlines')) {
        for (const prediction of (JSON.parse(result.body) as { predictions: unknown[] }).predictions) io.stdout.write(`${JSON.stringify(prediction)}\n`);
      } else {
        io.stdout.write(result.body.endsWith('\n') ? result.body : `${result.body}\n`);
      }
    }
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n`);
    return 1;
  } finally {
    client.destroy();
  }
  return 0;
}
