import { NextBuyError } from '@nextbuy/contracts';

/** A request the server refuses, with the HTTP status that says why. */
export class RequestError extends NextBuyError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A request record (1-based, in request order; a CSV header is not a record) with a field the
 * server cannot use: answered 400, naming both.
 */
export class BadRecordError extends RequestError {
  constructor(
    readonly record: number | undefined,
    readonly field: string | undefined,
    detail: string,
  ) {
    const where = [record !== undefined ? `record ${record}` : undefined, field !== undefined ? `field "${field}"` : undefined].filter(Boolean).join(', ');
    super(400, where ? `${where}: ${detail}` : detail);
  }
}

export class UnsupportedMediaTypeError extends RequestError {
  constructor(message: string) {
    super(415, message);
  }
}

export class NotAcceptableError extends RequestError {
  constructor(message: string) {
    super(406, message);
  }
}

/** The model is not loaded (yet, or it failed to load): the request cannot be served. */
export class ModelUnavailableError extends RequestError {
  constructor(message: string) {
    super(503, message);
  }
}
