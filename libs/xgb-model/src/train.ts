import { Booster, type Params } from './booster';
import type { DMatrix } from './dmatrix';
import { XGBoostError } from './errors';
import { type EvalsLog, appendScores, parseEvalResult } from './eval-log';

/** Called after every boosting round, as Python's `TrainingCallback.after_iteration`; `true` stops training. */
export interface TrainingCallback {
  after_iteration(model: Booster, epoch: number, evals_log: EvalsLog): boolean;
}

// Python's rule for metrics whose larger values are better (callback.EarlyStopping, 1.7).
const MAXIMIZE_PREFIXES = ['auc', 'aucpr', 'map', 'ndcg', 'auc@', 'aucpr@', 'map@', 'ndcg@'];

/**
 * Python's `xgboost.callback.EarlyStopping`: stops when the watched metric (by default the
 * last metric of the last evaluation set) has not improved for `rounds` rounds, and records
 * `best_iteration` / `best_score` as booster attributes.
 */
export class EarlyStopping implements TrainingCallback {
  private best: number | undefined;
  private stale = 0;
  private maximize: boolean | undefined;
  private readonly rounds: number;
  private readonly metric_name: string | undefined;
  private readonly data_name: string | undefined;
  private readonly min_delta: number;

  constructor(options: { rounds: number; metric_name?: string; data_name?: string; maximize?: boolean; min_delta?: number }) {
    this.rounds = options.rounds;
    this.metric_name = options.metric_name;
    this.data_name = options.data_name;
    this.maximize = options.maximize;
    this.min_delta = options.min_delta ?? 0;
  }

  after_iteration(model: Booster, epoch: number, evals_log: EvalsLog): boolean {
    const dataNames = Object.keys(evals_log);
    if (dataNames.length === 0) throw new XGBoostError('EarlyStopping', 'must have at least 1 validation dataset for early stopping');
    const dataName = this.data_name ?? dataNames[dataNames.length - 1]!;
    const dataLog = evals_log[dataName];
    if (!dataLog) throw new XGBoostError('EarlyStopping', `no dataset named ${dataName}`);
    const metricName = this.metric_name ?? Object.keys(dataLog).at(-1)!;
    const history = dataLog[metricName];
    if (!history) throw new XGBoostError('EarlyStopping', `no metric named ${metricName} for ${dataName}`);
    const score = history[history.length - 1]!;
    this.maximize ??= metricName !== 'mape' && MAXIMIZE_PREFIXES.some((prefix) => metricName.startsWith(prefix));
    const improved =
      this.best === undefined || (this.maximize ? score - this.min_delta > this.best : this.best - this.min_delta > score);
    if (improved) {
      this.best = score;
      this.stale = 0;
      model.set_attr({ best_score: String(score), best_iteration: String(epoch) });
    } else {
      this.stale += 1;
    }
    return this.stale >= this.rounds;
  }
}

/** Python's `xgboost.train` keyword arguments. */
export interface TrainOptions {
  /** Matrices evaluated after every round, with their names (no '-' in a name). */
  evals?: ReadonlyArray<readonly [DMatrix, string]>;
  /** Stop when the last metric on the last of `evals` has not improved for this many rounds. */
  early_stopping_rounds?: number;
  /** Whether that metric improves upwards; by default guessed from its name, as in Python. */
  maximize?: boolean;
  /** Filled in place with every round's metrics: `evals_result[data][metric][round]`. */
  evals_result?: EvalsLog;
  callbacks?: readonly TrainingCallback[];
}

/**
 * Trains a booster for `num_boost_round` rounds, like Python's `xgboost.train`: evaluates
 * `evals` each round, stops early when asked, sets `best_iteration` (the last round when
 * not stopping early) and returns a fresh copy so training-only state is released.
 */
export function train(params: Params, dtrain: DMatrix, num_boost_round = 10, options: TrainOptions = {}): Booster {
  const evals = options.evals ?? [];
  for (const [, name] of evals) {
    if (name.includes('-')) throw new XGBoostError('train', `evaluation set name "${name}" must not contain "-"`);
  }
  const callbacks = [...(options.callbacks ?? [])];
  if (options.early_stopping_rounds) {
    if (evals.length === 0) throw new XGBoostError('train', 'must have at least 1 validation dataset for early stopping');
    callbacks.push(new EarlyStopping({ rounds: options.early_stopping_rounds, maximize: options.maximize }));
  }
  const booster = new Booster(params, [dtrain, ...evals.map(([data]) => data)]);
  try {
    const log: EvalsLog = {};
    for (let round = 0; round < num_boost_round; round++) {
      booster.update(dtrain, round);
      if (evals.length > 0) appendScores(log, parseEvalResult(booster.eval_set(evals, round)));
      if (callbacks.some((callback) => callback.after_iteration(booster, round, log))) break;
    }
    if (booster.attr('best_score') === undefined) booster.set_attr({ best_iteration: String(booster.num_boosted_rounds() - 1) });
    if (options.evals_result) Object.assign(options.evals_result, log);
    return booster.copy();
  } finally {
    booster.dispose();
  }
}
