import { type Hyperparameters, type HyperparameterSpec, RETURN_HORIZON_DAYS_SPEC } from '@nextbuy/contracts';

/**
 * The `xgboost` model type's hyperparameters: the model's own settings, then XGBoost's parameters
 * under XGBoost's names, ranges and meaning (those without a default keep XGBoost's own). A module
 * of its own, so the registry and the CLIs read it without loading the native library.
 */
export const XGBOOST_HYPERPARAMETERS: readonly HyperparameterSpec[] = [
  { name: 'num_boost_round', type: 'integer', min: 1, default: 300, doc: 'boosting rounds at most (xgboost.train)' },
  { name: 'early_stopping_rounds', type: 'integer', min: 1, default: 20, doc: 'rounds without a better held-out logloss before training stops' },
  { name: 'landmark_growth', type: 'number', min: 1, minExclusive: true, default: 1.5, doc: 'each order is looked at again 1 day later, then at days growing by this factor (whole days, at least 1 apart) while no order came' },
  { name: 'landmark_max_days', type: 'integer', min: 1, default: 730, doc: 'the last landmark, in days after the order' },
  RETURN_HORIZON_DAYS_SPEC,
  { name: 'validation_fraction', type: 'number', min: 0, max: 0.9, default: 0.2, doc: 'share of customers held out for early stopping, the wait scale and the inner cutoff\'s choice (raised to 100 customers, at most a third, on small bases)' },
  { name: 'objective', type: 'string', choices: ['binary:logistic'], default: 'binary:logistic', doc: 'XGBoost objective: the booster gives the probability of an order within 90 days' },
  { name: 'eval_metric', type: 'string', choices: ['logloss', 'auc', 'error', 'aucpr'], default: 'logloss', doc: 'XGBoost evaluation metric; the last one drives early stopping' },
  { name: 'tree_method', type: 'string', choices: ['auto', 'exact', 'approx', 'hist'], default: 'hist', doc: 'XGBoost tree construction algorithm' },
  // Whether a customer orders within 90 days is a weak, noisy signal: shallow, strongly
  // regularised trees and small steps generalise best on CDNOW (see the README's table).
  { name: 'eta', type: 'number', min: 0, max: 1, minExclusive: true, default: 0.05, doc: 'XGBoost learning rate' },
  { name: 'max_depth', type: 'integer', min: 0, default: 3, doc: 'XGBoost maximum tree depth' },
  { name: 'min_child_weight', type: 'number', min: 0, default: 20, doc: 'XGBoost minimum hessian sum in a leaf' },
  { name: 'lambda', type: 'number', min: 0, default: 10, doc: 'XGBoost L2 regularisation of leaf weights' },
  { name: 'alpha', type: 'number', min: 0, doc: 'XGBoost L1 regularisation of leaf weights' },
  { name: 'gamma', type: 'number', min: 0, doc: 'XGBoost minimum loss reduction to split' },
  { name: 'subsample', type: 'number', min: 0, max: 1, minExclusive: true, doc: 'XGBoost row subsampling per tree' },
  { name: 'colsample_bytree', type: 'number', min: 0, max: 1, minExclusive: true, doc: 'XGBoost column subsampling per tree' },
  { name: 'max_bin', type: 'integer', min: 2, doc: 'XGBoost histogram bins per feature (hist)' },
  { name: 'nthread', type: 'integer', doc: 'XGBoost threads (unset or <= 0: all cores)' },
  { name: 'seed', type: 'integer', min: 0, max: 2 ** 31 - 1, doc: 'XGBoost random seed' },
];

/** The names of the data sets each booster is evaluated on every round: its training rows and the held-out customers' rows. */
export const EVAL_SETS = ['train', 'validation'] as const;

/**
 * The losses each boosting round reports (`FitProgress.metrics`, the trainer's per-round metric
 * lines): XGBoost's own `<data>-<eval_metric>` names, e.g. `train-logloss`, `validation-logloss`.
 */
export function xgboostFitMetrics(hyperparameters: Hyperparameters): string[] {
  const metric = hyperparameters.eval_metric ?? XGBOOST_HYPERPARAMETERS.find((spec) => spec.name === 'eval_metric')!.default;
  return EVAL_SETS.map((data) => `${data}-${metric}`);
}
