import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { ErrorResponse, ExecutionParameters, PingResponse } from './api-schemas';
import type { ServerConfig } from './config';
import { BadRecordError, ModelUnavailableError, RequestError } from './errors';
import { requestAsOfDay } from './input/as-of';
import { parseRequest } from './input/parse-request';
import { serverLog, type LogSink } from './logging';
import { requestMediaType, responseMediaType, wantsCsvHeader, type MediaType } from './media-types';
import type { ServingModel } from './model-loading';
import { formatPredictions } from './output';
import { predictCustomers } from './predict';

/** What the HTTP layer serves: the model once loaded, or why it could not be. */
export interface ServingState {
  model?: ServingModel;
  /** Why loading failed; /ping stays 503 and says so. */
  failure?: string;
}

export interface AppOptions extends Pick<ServerConfig, 'workers' | 'maxPayloadMb' | 'maxPayloadBytes'> {
  log?: LogSink;
  /** The clock that sets the default as-of date. */
  now?: () => Date;
}

// Ids a client sends are echoed in a header and logged: printable ASCII, bounded.
const CLIENT_REQUEST_ID = /^[\x21-\x7e][\x20-\x7e]{0,255}$/;
const CUSTOM_ATTRIBUTES = 'x-amzn-sagemaker-custom-attributes';

interface InvocationLocals {
  requestId: string;
  requestType: MediaType;
  responseType: MediaType;
  customers?: number;
}

/** Request id (the client's X-Request-Id or SageMaker custom attributes, else a new one), echoed, and one access log line per request. */
function accessLog(log: LogSink): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const fromClient = [req.get('x-request-id'), req.get(CUSTOM_ATTRIBUTES)].find((id) => id !== undefined && CLIENT_REQUEST_ID.test(id));
    const requestId = fromClient ?? randomUUID();
    res.locals.requestId = requestId;
    res.set('X-Request-Id', requestId);
    const attributes = req.get(CUSTOM_ATTRIBUTES);
    if (attributes !== undefined && CLIENT_REQUEST_ID.test(attributes)) res.set('X-Amzn-SageMaker-Custom-Attributes', attributes);
    res.once('close', () => {
      log({
        level: 'info',
        message: 'request',
        request_id: requestId,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        duration_ms: Number(process.hrtime.bigint() - started) / 1e6,
        bytes_in: Number(req.get('content-length') ?? 0),
        ...(res.locals.customers !== undefined ? { customers: res.locals.customers } : {}),
        ...(res.writableFinished ? {} : { aborted: true }),
      });
    });
    next();
  };
}

/** The SageMaker serving contract's HTTP layer: wires input_fn, predict_fn and output_fn. */
export function createApp(state: ServingState, options: AppOptions): Express {
  const log = options.log ?? serverLog;
  const now = options.now ?? (() => new Date());
  const app = express();
  app.disable('x-powered-by');
  // An ETag would hash every multi-megabyte batch response for a cache no client has.
  app.set('etag', false);
  app.use(accessLog(log));

  app.get('/ping', (_req, res) => {
    if (state.model) res.status(200).json({ status: 'ok', model_type: state.model.manifest.modelType, model_version: state.model.manifest.modelVersion } satisfies PingResponse);
    else if (state.failure) res.status(503).json({ status: 'failed', error: state.failure } satisfies PingResponse);
    else res.status(503).json({ status: 'loading' } satisfies PingResponse);
  });

  // Batch transform asks this before sending mini-batches.
  app.get('/execution-parameters', (_req, res) => {
    res.json({ MaxConcurrentTransforms: options.workers, BatchStrategy: 'MULTI_RECORD', MaxPayloadInMB: options.maxPayloadMb } satisfies ExecutionParameters);
  });

  const negotiate: RequestHandler = (req, res, next) => {
    const locals = res.locals as InvocationLocals;
    locals.requestType = requestMediaType(req.get('content-type'));
    locals.responseType = responseMediaType(req.get('accept'), locals.requestType);
    if (!state.model) throw new ModelUnavailableError(state.failure ? `the model failed to load: ${state.failure}` : 'the model is still loading');
    next();
  };
  // A body over the limit is refused from its Content-Length before it is read (413); gzip and
  // deflate bodies are inflated and the limit applies to the inflated size.
  const body = express.raw({ type: () => true, limit: options.maxPayloadBytes });
  const invoke: RequestHandler = async (req, res) => {
    const locals = res.locals as InvocationLocals;
    const { model, manifest } = state.model!;
    const asOfDay = requestAsOfDay({ query: req.query.as_of_date, header: req.get('x-as-of-date') }, now());
    const request = parseRequest(req.body as Buffer | undefined, locals.requestType, { featureNames: manifest.featureNames, asOfDay });
    const records = await predictCustomers(model, request, manifest);
    locals.customers = records.length;
    res.status(200).type(locals.responseType).send(formatPredictions(records, locals.responseType, { csvHeader: wantsCsvHeader(req.get('accept')) }));
  };
  // `/endpoints/:name/invocations` is the path the SageMaker runtime client calls at its endpoint URL.
  app.post(['/invocations', '/endpoints/:name/invocations'], negotiate, body, invoke);

  app.use((req, res) => {
    res.status(404).json({ message: `no route for ${req.method} ${req.path}`, request_id: res.locals.requestId as string } satisfies ErrorResponse);
  });

  // Error bodies carry `message`, the field the AWS SDK reads into the error it throws.
  const errors: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    const requestId = res.locals.requestId as string;
    let status = 500;
    let answer: Omit<ErrorResponse, 'request_id'> = { message: `internal error; quote request id ${requestId}` };
    const httpError = error as { status?: unknown; expose?: unknown; type?: unknown; message?: unknown };
    if (error instanceof RequestError) {
      status = error.status;
      answer = { message: error.message };
      if (error instanceof BadRecordError) {
        if (error.record !== undefined) answer.record = error.record;
        if (error.field !== undefined) answer.field = error.field;
      }
    } else if (httpError.type === 'entity.too.large') {
      status = 413;
      answer = { message: `the request body exceeds the limit of ${options.maxPayloadMb} MB (SAGEMAKER_MAX_PAYLOAD_IN_MB); split it into smaller requests` };
    } else if (typeof httpError.status === 'number' && httpError.status >= 400 && httpError.status < 500 && httpError.expose === true) {
      // body-parser's own refusals (aborted upload, bad Content-Encoding, length mismatch).
      status = httpError.status;
      answer = { message: String(httpError.message) };
    } else {
      log({ level: 'error', message: 'unhandled error', request_id: requestId, error: String((error as Error)?.message ?? error), stack: (error as Error)?.stack });
    }
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    res.status(status).json({ ...answer, request_id: requestId } satisfies ErrorResponse);
  };
  app.use(errors);
  return app;
}
