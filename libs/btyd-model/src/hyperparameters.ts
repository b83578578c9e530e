import { type HyperparameterSpec, RETURN_HORIZON_DAYS_SPEC } from '@nextbuy/contracts';

/**
 * The hyperparameters of the `bgnbd` and `pareto_nbd` model types. Both are fitted by maximum
 * likelihood with nothing to tune: only the return horizon that every model type shares.
 * (A module of its own, so the registry and the CLIs read it without loading the models.)
 */
export const BTYD_HYPERPARAMETERS: readonly HyperparameterSpec[] = [RETURN_HORIZON_DAYS_SPEC];

/** Fitted in one maximum-likelihood solve, with no rounds or epochs: no per-iteration metrics. */
export const BTYD_FIT_METRICS: readonly string[] = [];
