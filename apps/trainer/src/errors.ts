import { NextBuyError } from '@nextbuy/contracts';

/** A problem with the user's data, flags or hyperparameters: reported as one sentence, never a stack trace. */
export class TrainingInputError extends NextBuyError {}
