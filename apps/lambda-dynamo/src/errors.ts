import { NextBuyError } from '@nextbuy/contracts';

export { ConfigurationError, InvalidEventError } from '@nextbuy/contracts';

/**
 * No transform output under the predictions prefix: the transform did not run or wrote elsewhere.
 * Reported rather than returning zero writes, which would look like success.
 */
export class PredictionsNotFoundError extends NextBuyError {
  constructor(readonly uri: string) {
    super(`no batch transform output (*.out) under ${uri}`);
  }
}
