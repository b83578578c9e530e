import { InputDataError } from './errors';
import type { Hyperparameters } from './model';

/**
 * One hyperparameter of a model type, declared once in the model's library and read by everything
 * that shows or parses it: the trainer's flags and `--help`, SageMaker's hyperparameters.json
 * (every value a string there), the local pipeline's `--hyperparameters` and the CDK settings.
 */
export interface HyperparameterSpec {
  readonly name: string;
  readonly type: 'integer' | 'number' | 'string';
  /** Inclusive bounds unless `minExclusive` / `maxExclusive`. */
  readonly min?: number;
  readonly max?: number;
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
  /** The only values a string hyperparameter may take. */
  readonly choices?: readonly string[];
  /** Undefined: left unset, so the underlying library's own default applies (XGBoost's, say). */
  readonly default?: number | string;
  /** One line: what it does. */
  readonly doc: string;
}

// The horizons of a prediction record, in days after the as-of date: one home for every model,
// baseline, metric and artifact check. Each artifact's manifest records the ones its model was
// fitted with (`horizons`), and one fitted for another `p_order_90d` horizon is refused on load.

/** The horizon of `p_order_90d`. */
export const HORIZON_DAYS = 90;
/** The horizon of `expected_orders_365d`. */
export const EXPECTED_ORDERS_HORIZON_DAYS = 365;
/** The default of `return_horizon_days` (`RETURN_HORIZON_DAYS_SPEC`). */
export const DEFAULT_RETURN_HORIZON_DAYS = 365;

/** The horizon every model type's `predicted_gap_days` is conditioned on (evaluation.md): declared once, shared by all. */
export const RETURN_HORIZON_DAYS_SPEC: HyperparameterSpec = {
  name: 'return_horizon_days',
  type: 'integer',
  min: 90,
  max: 3650,
  default: DEFAULT_RETURN_HORIZON_DAYS,
  doc: 'the predicted gap is the median among customers who order within this many days after the as-of date',
};

/** "an integer from 90 to 3650", "a number > 0", "one of hist, approx": the rule in words, for errors and `--help`. */
export function describeHyperparameter(spec: HyperparameterSpec): string {
  if (spec.choices) return `one of ${spec.choices.join(', ')}`;
  const kind = spec.type === 'integer' ? 'an integer' : spec.type === 'number' ? 'a number' : 'a string';
  const low = spec.min === undefined ? undefined : `${spec.minExclusive ? '>' : '>='} ${spec.min}`;
  const high = spec.max === undefined ? undefined : `${spec.maxExclusive ? '<' : '<='} ${spec.max}`;
  if (low && high && !spec.minExclusive && !spec.maxExclusive) return `${kind} from ${spec.min} to ${spec.max}`;
  return [kind, low, high].filter(Boolean).join(' ').replace(/ (<)/, ' and $1');
}

/** Checks one value (a number, or the string SageMaker passes) against its spec; returns it typed. */
export function parseHyperparameter(spec: HyperparameterSpec, value: string | number | boolean): string | number {
  const fail = (): never => {
    throw new InputDataError(`must be ${describeHyperparameter(spec)}, got ${JSON.stringify(value)}`, { source: 'hyperparameters', column: spec.name });
  };
  if (spec.type === 'string') {
    if (typeof value !== 'string' || value.trim() === '') return fail();
    if (spec.choices && !spec.choices.includes(value)) return fail();
    return value;
  }
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(number) || (spec.type === 'integer' && !Number.isInteger(number))) return fail();
  if (spec.min !== undefined && (spec.minExclusive ? number <= spec.min : number < spec.min)) return fail();
  if (spec.max !== undefined && (spec.maxExclusive ? number >= spec.max : number > spec.max)) return fail();
  return number;
}

/**
 * Every hyperparameter of a model type: the given ones checked, the others at their defaults
 * (those without a default stay unset). An unknown name is an InputDataError listing the known.
 */
export function parseHyperparameters(specs: readonly HyperparameterSpec[], values: Hyperparameters, modelType: string): Hyperparameters {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const parsed: Hyperparameters = {};
  for (const spec of specs) if (spec.default !== undefined) parsed[spec.name] = spec.default;
  for (const [name, value] of Object.entries(values)) {
    const spec = byName.get(name);
    if (!spec) throw new InputDataError(`is not a hyperparameter of the ${modelType} model (known: ${[...byName.keys()].join(', ')})`, { source: 'hyperparameters', column: name });
    parsed[name] = parseHyperparameter(spec, value);
  }
  return parsed;
}
