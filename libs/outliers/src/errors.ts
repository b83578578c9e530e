import { NextBuyError } from '@nextbuy/contracts';

/** An Isolation Forest option out of its range: names the option (scikit-learn's name). */
export class OutlierOptionsError extends NextBuyError {}

/** Scoring or predicting with a forest that has not been fitted. */
export class NotFittedError extends NextBuyError {}
