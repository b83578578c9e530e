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

/** A CreateModel step input that does not match its schema: names the field at fault. */
export class InvalidEventError extends NextBuyError {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`invalid CreateModel input at "${field}": ${reason}`);
  }
}

/** The training job has not finished successfully, so there is no artifact to serve. */
export class TrainingJobNotCompletedError extends NextBuyError {
  constructor(
    readonly trainingJobName: string,
    readonly status: string,
    failureReason?: string,
  ) {
    super(
      `training job "${trainingJobName}" is ${status}, not Completed` + (failureReason ? `: ${failureReason}` : ''),
    );
  }
}

/**
 * A model of the deterministic name exists but serves something else (another artifact or
 * image): reusing it would score with the wrong model, replacing it is not this step's call.
 */
export class ModelConflictError extends NextBuyError {}
