import { NextBuyError } from '@nextbuy/contracts';

/** Something the local pipeline needs is missing or unusable: a build, a flag, a file. */
export class LocalSetupError extends NextBuyError {}

/**
 * A Task state's failure as Step Functions reports it. The engine matches Retry and Catch on the
 * error's `name`, so `name` is the Step Functions error (`States.TaskFailed`,
 * `Lambda.ServiceException`, a function's own errorType, ...) and the message is its Cause.
 */
export class TaskError extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}
