import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  CreateEndpointConfigInput,
  CreateEndpointInput,
  DescribeEndpointConfigOutput,
  DescribeEndpointOutput,
  EndpointConfigSummary,
  ListEndpointConfigsInput,
  UpdateEndpointInput,
} from '@aws-sdk/client-sagemaker';
import type { S3Client } from '@aws-sdk/client-s3';
import { LOCAL_ACCOUNT, SageMakerApiError, checkedName, type SageMakerControlPlane } from './control-plane';
import { fetchModelArtifact, startModelServer, type ModelServer } from './model-server';

export interface LocalEndpointsDeps {
  plane: SageMakerControlPlane;
  s3: S3Client;
  /** The serving image's `serve` entry point, run here as `node <bundle>`. */
  inferenceBundle: string;
  /** Each model server's log goes to `<logDir>/<config>.log` (`nextbuy-<dataset>--<run>.log`). */
  logDir: string;
  /** How long a new model server may take to answer GET /ping with 200 (SageMaker's container startup health check). */
  readyTimeoutMs?: number;
  progress?: (line: string) => void;
  signal?: AbortSignal;
}

/** One endpoint configuration's model server and the requests it is answering. */
interface Fleet {
  configName: string;
  variantName: string;
  server: ModelServer;
  workdir: string;
  inFlight: number;
}

interface HostedEndpoint {
  description: DescribeEndpointOutput;
  /** The fleet taking requests; replaced only once the next one answers /ping. */
  serving?: Fleet;
  deployment?: Promise<void>;
}

/** An InvokeEndpoint answer: the model's, or SageMaker's error. */
export interface InvocationResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** How often a retiring fleet is checked for requests still in flight. */
const DRAIN_POLL_MS = 20;

/**
 * The endpoints of this machine: SageMaker's endpoint configuration and endpoint API (with the
 * checks its API makes) and its hosting. An endpoint's configuration names a model of the control
 * plane; its fleet is the real inference server as a process, started as SageMaker starts a
 * serving container. CreateEndpoint and UpdateEndpoint return at once (status Creating or
 * Updating) and deploy in the background, as SageMaker does: an update starts the new server,
 * waits for /ping, switches traffic to it, waits for the old server's requests in flight, then
 * stops it, and only then is the endpoint InService on the new configuration. A new server that
 * never answers /ping leaves the old one serving, InService on the old configuration with a
 * FailureReason. SageMaker's own update modes (blue/green baking, alarms) are not emulated: one
 * fleet replaces another, all traffic at once.
 */
export class LocalEndpoints {
  private readonly configs = new Map<string, DescribeEndpointConfigOutput>();
  private readonly endpoints = new Map<string, HostedEndpoint>();

  constructor(private readonly deps: LocalEndpointsDeps) {}

  private arn(kind: 'endpoint' | 'endpoint-config', name: string): string {
    return `arn:aws:sagemaker:${this.deps.plane.region}:${LOCAL_ACCOUNT}:${kind}/${name.toLowerCase()}`;
  }

  createEndpointConfig(request: CreateEndpointConfigInput): { EndpointConfigArn: string } {
    const name = checkedName('EndpointConfigName', request.EndpointConfigName);
    if (this.configs.has(name)) throw new SageMakerApiError('ValidationException', `Cannot create already existing endpoint configuration "${this.arn('endpoint-config', name)}".`);
    const variants = request.ProductionVariants ?? [];
    if (variants.length !== 1) throw new SageMakerApiError('ValidationException', `the local endpoints serve one production variant, got ${variants.length}`);
    const variant = variants[0]!;
    this.deps.plane.describeModel(checkedName('ModelName', variant.ModelName));
    if (!variant.ServerlessConfig && (!variant.InstanceType || !variant.InitialInstanceCount)) {
      throw new SageMakerApiError('ValidationException', 'a production variant needs ServerlessConfig, or InstanceType and InitialInstanceCount');
    }
    const config: DescribeEndpointConfigOutput = {
      ...structuredClone(request),
      EndpointConfigName: name,
      EndpointConfigArn: this.arn('endpoint-config', name),
      CreationTime: new Date(),
    } as DescribeEndpointConfigOutput;
    this.configs.set(name, config);
    return { EndpointConfigArn: config.EndpointConfigArn! };
  }

  deleteEndpointConfig(request: { EndpointConfigName?: string }): Record<string, never> {
    const name = checkedName('EndpointConfigName', request.EndpointConfigName);
    if (!this.configs.delete(name)) throw new SageMakerApiError('ValidationException', `Could not find endpoint configuration "${this.arn('endpoint-config', name)}".`);
    return {};
  }

  listEndpointConfigs(request: ListEndpointConfigsInput): { EndpointConfigs: EndpointConfigSummary[] } {
    const byName = request.SortBy === 'Name';
    const configs = [...this.configs.values()]
      .filter((config) => !request.NameContains || config.EndpointConfigName!.includes(request.NameContains))
      .map((config) => ({ EndpointConfigName: config.EndpointConfigName!, EndpointConfigArn: config.EndpointConfigArn!, CreationTime: config.CreationTime! }))
      .sort((a, b) => (byName ? a.EndpointConfigName.localeCompare(b.EndpointConfigName) : a.CreationTime.getTime() - b.CreationTime.getTime()));
    // SageMaker's default order is descending.
    if ((request.SortOrder ?? 'Descending') === 'Descending') configs.reverse();
    return { EndpointConfigs: configs.slice(0, request.MaxResults ?? 10) };
  }

  createEndpoint(request: CreateEndpointInput): { EndpointArn: string } {
    const name = checkedName('EndpointName', request.EndpointName);
    if (this.endpoints.has(name)) throw new SageMakerApiError('ValidationException', `Cannot create already existing endpoint "${this.arn('endpoint', name)}".`);
    const configName = this.existingConfig(request.EndpointConfigName);
    const now = new Date();
    const endpoint: HostedEndpoint = {
      description: { EndpointName: name, EndpointArn: this.arn('endpoint', name), EndpointConfigName: configName, EndpointStatus: 'Creating', CreationTime: now, LastModifiedTime: now },
    };
    this.endpoints.set(name, endpoint);
    endpoint.deployment = this.deploy(endpoint, configName);
    return { EndpointArn: endpoint.description.EndpointArn! };
  }

  updateEndpoint(request: UpdateEndpointInput): { EndpointArn: string } {
    const endpoint = this.existing(request.EndpointName);
    if (endpoint.description.EndpointStatus !== 'InService') {
      throw new SageMakerApiError('ValidationException', `Cannot update in-progress endpoint "${endpoint.description.EndpointArn}".`);
    }
    const configName = this.existingConfig(request.EndpointConfigName);
    endpoint.description = { ...endpoint.description, EndpointStatus: 'Updating', FailureReason: undefined, LastModifiedTime: new Date() };
    endpoint.deployment = this.deploy(endpoint, configName);
    return { EndpointArn: endpoint.description.EndpointArn! };
  }

  describeEndpoint(name: string | undefined): DescribeEndpointOutput {
    return structuredClone(this.existing(name).description);
  }

  /** InvokeEndpoint: the request goes to the fleet serving when it arrives, which is not stopped before it answers. */
  async invoke(name: string, request: { body: Buffer; headers: Record<string, string | undefined> }): Promise<InvocationResponse> {
    const endpoint = this.endpoints.get(name);
    const fleet = endpoint?.serving;
    if (!fleet) {
      return sageMakerError(400, 'ValidationError', `Endpoint ${name} of account ${LOCAL_ACCOUNT} not found.`);
    }
    fleet.inFlight++;
    try {
      const headers: Record<string, string> = {};
      for (const header of ['content-type', 'accept', 'x-amzn-sagemaker-custom-attributes']) {
        if (request.headers[header]) headers[header] = request.headers[header];
      }
      const response = await fetch(`${fleet.server.url}/invocations`, { method: 'POST', headers, body: request.body });
      const body = Buffer.from(await response.arrayBuffer());
      if (response.status !== 200) {
        // SageMaker passes a model's error on as ModelError (424) with the model's status and message.
        return sageMakerError(424, 'ModelError', `Received ${response.status < 500 ? 'client' : 'server'} error (${response.status}) from primary with message "${body.toString('utf8').slice(0, 1000)}".`, {
          OriginalStatusCode: response.status,
        });
      }
      return {
        status: 200,
        headers: { 'content-type': response.headers.get('content-type') ?? 'application/octet-stream', 'x-amzn-invoked-production-variant': fleet.variantName },
        body,
      };
    } finally {
      fleet.inFlight--;
    }
  }

  /** Resolves once no endpoint is being created or updated. */
  async settled(): Promise<void> {
    await Promise.all([...this.endpoints.values()].map((endpoint) => endpoint.deployment));
  }

  /** Stops every model server. */
  async stop(): Promise<void> {
    await this.settled();
    await Promise.all([...this.endpoints.values()].map((endpoint) => (endpoint.serving ? this.retire(endpoint.serving) : undefined)));
    this.endpoints.clear();
  }

  private async deploy(endpoint: HostedEndpoint, configName: string): Promise<void> {
    const name = endpoint.description.EndpointName!;
    const previous = endpoint.serving;
    let fleet: Fleet;
    try {
      fleet = await this.startFleet(name, configName);
    } catch (error) {
      const reason = `The primary container for production variant AllTraffic did not pass the ping health check: ${(error as Error).message}`;
      this.deps.progress?.(`endpoint ${name}: ${configName} failed; ${previous ? `${previous.configName} still serves` : 'nothing serves'}`);
      // A failed creation leaves a Failed endpoint; a failed update the old fleet serving, InService as before.
      endpoint.description = { ...endpoint.description, EndpointStatus: previous ? 'InService' : 'Failed', FailureReason: reason, LastModifiedTime: new Date() };
      return;
    }
    endpoint.serving = fleet;
    if (previous) {
      this.deps.progress?.(`endpoint ${name}: traffic switched to ${configName}, draining ${previous.configName}`);
      await this.retire(previous);
    }
    endpoint.description = { ...endpoint.description, EndpointConfigName: configName, EndpointStatus: 'InService', FailureReason: undefined, LastModifiedTime: new Date() };
    this.deps.progress?.(`endpoint ${name}: InService on ${configName}`);
  }

  private async startFleet(endpointName: string, configName: string): Promise<Fleet> {
    const config = this.configs.get(configName);
    if (!config) throw new Error(`endpoint configuration ${configName} was deleted`);
    const variant = config.ProductionVariants![0]!;
    const container = this.deps.plane.describeModel(variant.ModelName!).PrimaryContainer;
    if (!container?.ModelDataUrl) throw new Error(`model "${variant.ModelName}" has no ModelDataUrl`);
    const workdir = await mkdtemp(join(tmpdir(), `nextbuy-${endpointName}-`));
    try {
      const modelDir = await fetchModelArtifact(this.deps.s3, container.ModelDataUrl, workdir);
      this.deps.progress?.(`endpoint ${endpointName}: starting the model server of ${configName} (${variant.ModelName})`);
      const server = await startModelServer({
        bundle: this.deps.inferenceBundle,
        modelDir,
        environment: { ...container.Environment },
        logFile: join(this.deps.logDir, `${configName}.log`),
        readyTimeoutMs: this.deps.readyTimeoutMs ?? 120_000,
        signal: this.deps.signal,
      });
      return { configName, variantName: variant.VariantName!, server, workdir, inFlight: 0 };
    } catch (error) {
      await rm(workdir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Waits until the fleet answers no request (it takes no new one), then stops its server. */
  private async retire(fleet: Fleet): Promise<void> {
    // A counter polled briefly rather than events: requests are short and a switch is rare.
    while (fleet.inFlight > 0) await sleep(DRAIN_POLL_MS);
    await fleet.server.stop();
    await rm(fleet.workdir, { recursive: true, force: true });
  }

  private existing(name: string | undefined): HostedEndpoint {
    const endpoint = this.endpoints.get(checkedName('EndpointName', name));
    if (!endpoint) throw new SageMakerApiError('ValidationException', `Could not find endpoint "${this.arn('endpoint', name!)}".`);
    return endpoint;
  }

  private existingConfig(name: string | undefined): string {
    const configName = checkedName('EndpointConfigName', name);
    if (!this.configs.has(configName)) throw new SageMakerApiError('ValidationException', `Could not find endpoint configuration "${this.arn('endpoint-config', configName)}".`);
    return configName;
  }
}

function sageMakerError(status: number, type: string, message: string, more: Record<string, unknown> = {}): InvocationResponse {
  return { status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': type }, body: Buffer.from(JSON.stringify({ message, ...more })) };
}
