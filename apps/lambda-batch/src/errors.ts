import { NextBuyError } from '@nextbuy/contracts';

export { ConfigurationError, InvalidEventError } from '@nextbuy/contracts';

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

/** SageMaker knows no training job of this name (its own error says only "Requested resource not found"). */
export class TrainingJobNotFoundError extends NextBuyError {
  constructor(
    readonly trainingJobName: string,
    options?: ErrorOptions,
  ) {
    super(`training job "${trainingJobName}" was not found: check the Train state's output and the region`, options);
  }
}

/**
 * A model of the deterministic name exists but serves something else (another artifact or
 * image): reusing it would score with the wrong model, replacing it is not this step's call.
 */
export class ModelConflictError extends NextBuyError {}
