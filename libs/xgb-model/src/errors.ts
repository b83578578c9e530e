import { NextBuyError } from '@nextbuy/contracts';

/** libxgboost could not be loaded, or is older than the C API this binding needs. */
export class XGBoostLibraryError extends NextBuyError {}

/** A C API call returned non-zero; the message is XGBoost's own (`XGBGetLastError`). */
export class XGBoostError extends NextBuyError {
  constructor(
    readonly call: string,
    readonly detail: string,
  ) {
    super(`${call}: ${detail}`);
  }
}
