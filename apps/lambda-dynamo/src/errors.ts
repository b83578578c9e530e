import { NextBuyError } from '@nextbuy/contracts';

/** An environment variable that is missing or invalid: names it. */
export class ConfigurationError extends NextBuyError {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`invalid configuration "${variable}": ${reason}`);
  }
}

/** A WritePredictions step input that does not match its schema: names the field at fault. */
export class InvalidEventError extends NextBuyError {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`invalid WritePredictions input at "${field}": ${reason}`);
  }
}

/**
 * No transform output under the predictions prefix: the transform did not run or wrote elsewhere.
 * Reported rather than returning zero writes, which would look like success.
 */
export class PredictionsNotFoundError extends NextBuyError {
  constructor(readonly uri: string) {
    super(`no batch transform output (*.out) under ${uri}`);
  }
}
