import { readFileSync, writeFileSync } from 'node:fs';
import { InputDataError } from '@nextbuy/contracts';
import { copyBytes, copyFloats, copyShape, copyStrings, invoke } from './c-api';
import type { DMatrix } from './dmatrix';
import { NativeHandle, requireHandle } from './handles';

export type ParamValue = string | number | boolean;
/**
 * Booster parameters by XGBoost's own names, passed to XGBoosterSetParam unchanged (as
 * strings). An array value sets the parameter once per element, as Python does for a list
 * of `eval_metric`s; pairs keep their order.
 */
export type Params = Readonly<Record<string, ParamValue | readonly ParamValue[]>> | ReadonlyArray<readonly [string, ParamValue]>;

/** Python's `Booster.predict` options (prediction type `value` or `margin`). */
export interface PredictOptions {
  /** Raw untransformed margin: for `survival:aft` that is mu, the log-scale location. */
  output_margin?: boolean;
  /** Trees of rounds [begin, end) only; [0, 0] (the default) means all of them. */
  iteration_range?: readonly [number, number];
  training?: boolean;
  validate_features?: boolean;
}

export type ImportanceType = 'weight' | 'gain' | 'cover' | 'total_gain' | 'total_cover';

function paramPairs(params: Params): Array<[string, string]> {
  const entries = Array.isArray(params) ? (params as ReadonlyArray<readonly [string, ParamValue]>) : Object.entries(params as Record<string, ParamValue | readonly ParamValue[]>);
  return entries.flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((item): [string, string] => [name, String(item)]));
}

function createBooster(cache: readonly DMatrix[]): bigint {
  const out: [bigint | null] = [null];
  invoke('XGBoosterCreate', cache.map((d) => d.handle), cache.length, out);
  return requireHandle('XGBoosterCreate', out[0]);
}

/** XGBoost's Booster: one trained (or training) model. Mirrors Python's `xgboost.Booster`. */
export class Booster extends NativeHandle {
  /**
   * Like Python: the booster caches the given matrices, takes its feature names from them,
   * optionally loads `model_file` (a path, the bytes of a saved model, or another Booster
   * to copy), then sets `params` plus `validate_parameters` so unknown names are reported.
   */
  constructor(params: Params = {}, cache: readonly DMatrix[] = [], model_file?: string | Uint8Array | Booster) {
    super('Booster', createBooster(cache));
    try {
      for (const data of cache) this.validateDMatrixFeatures(data);
      if (model_file instanceof Booster) {
        const length: [number] = [0];
        const pointer: [bigint | null] = [null];
        invoke('XGBoosterSerializeToBuffer', model_file.handle, length, pointer);
        const state = copyBytes(pointer[0], Number(length[0]));
        invoke('XGBoosterUnserializeFromBuffer', this.handle, state, state.length);
      } else if (model_file !== undefined) {
        this.load_model(model_file);
      }
      this.set_param([...paramPairs(params), ['validate_parameters', '1']]);
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  /** Sets parameters (a map, pairs, or one name and value). */
  set_param(params: Params | string, value?: ParamValue): void {
    const pairs = typeof params === 'string' ? [[params, String(value)] as [string, string]] : paramPairs(params);
    for (const [name, text] of pairs) invoke('XGBoosterSetParam', this.handle, name, text);
  }

  /** One boosting round on `dtrain`. */
  update(dtrain: DMatrix, iteration: number): void {
    this.validateDMatrixFeatures(dtrain);
    invoke('XGBoosterUpdateOneIter', this.handle, iteration, dtrain.handle);
  }

  /** The evaluation line of round `iteration` on named matrices, e.g. `[3]\ttrain-rmse:0.12`. */
  eval_set(evals: ReadonlyArray<readonly [DMatrix, string]>, iteration = 0): string {
    for (const [data] of evals) this.validateDMatrixFeatures(data);
    const out: [string] = [''];
    invoke('XGBoosterEvalOneIter', this.handle, iteration, evals.map(([d]) => d.handle), evals.map(([, name]) => name), evals.length, out);
    return out[0];
  }

  /** Predictions for every row of `data` (row-major when the model has several outputs per row). */
  predict(data: DMatrix, options: PredictOptions = {}): Float32Array {
    if (options.validate_features ?? true) this.validateDMatrixFeatures(data);
    const [begin, end] = options.iteration_range ?? [0, 0];
    const config = JSON.stringify({
      type: options.output_margin ? 1 : 0,
      training: options.training ?? false,
      iteration_begin: begin,
      iteration_end: end,
      strict_shape: false,
    });
    const shape: [bigint | null] = [null];
    const dims: [number] = [0];
    const result: [bigint | null] = [null];
    invoke('XGBoosterPredictFromDMatrix', this.handle, data.handle, config, shape, dims, result);
    const size = copyShape(shape[0], Number(dims[0])).reduce((a, b) => a * b, 1);
    return copyFloats(result[0], size);
  }

  /** The model in XGBoost's own format: JSON (default here) or UBJSON. */
  save_raw(raw_format: 'json' | 'ubj' = 'json'): Uint8Array {
    const length: [number] = [0];
    const pointer: [bigint | null] = [null];
    invoke('XGBoosterSaveModelToBuffer', this.handle, JSON.stringify({ format: raw_format }), length, pointer);
    return copyBytes(pointer[0], Number(length[0]));
  }

  /**
   * Writes the model to a file: UBJSON for a `.ubj` name, JSON otherwise. Unlike XGBoost's
   * own file writer, it never writes the deprecated binary format.
   */
  save_model(fname: string): void {
    writeFileSync(fname, this.save_raw(fname.endsWith('.ubj') ? 'ubj' : 'json'));
  }

  /** Loads a model saved by any XGBoost (a file path, or its bytes); JSON, UBJSON and binary are detected. */
  load_model(fname: string | Uint8Array): void {
    const bytes = typeof fname === 'string' ? new Uint8Array(readFileSync(fname)) : fname;
    invoke('XGBoosterLoadModelFromBuffer', this.handle, bytes, bytes.length);
  }

  /** The full internal configuration as JSON (Python's `save_config`). */
  save_config(): string {
    const length: [number] = [0];
    const out: [string] = [''];
    invoke('XGBoosterSaveJsonConfig', this.handle, length, out);
    return out[0];
  }

  /** Serialized copy with its own native handle. */
  copy(): Booster {
    return new Booster({}, [], this);
  }

  /**
   * Importance of each feature used in a split (unused features are absent), by feature name:
   * `weight`, `gain` (average), `cover`, `total_gain`, `total_cover`. As Python's `get_score`.
   */
  get_score(options: { importance_type?: ImportanceType; fmap?: string } = {}): Record<string, number | number[]> {
    const config = JSON.stringify({ importance_type: options.importance_type ?? 'weight', feature_map: options.fmap ?? '' });
    const count: [number] = [0];
    const names: [bigint | null] = [null];
    const dims: [number] = [0];
    const shape: [bigint | null] = [null];
    const scores: [bigint | null] = [null];
    invoke('XGBoosterFeatureScore', this.handle, config, count, names, dims, shape, scores);
    const features = copyStrings(names[0], Number(count[0]));
    const dimensions = copyShape(shape[0], Number(dims[0]));
    const values = copyFloats(scores[0], dimensions.reduce((a, b) => a * b, 1));
    const width = dimensions.length > 1 ? dimensions[1]! : 1;
    return Object.fromEntries(features.map((name, i) => [name, width > 1 ? Array.from(values.subarray(i * width, (i + 1) * width)) : values[i]!]));
  }

  /** A string attribute stored with the model, or undefined. */
  attr(key: string): string | undefined {
    const out: [string | null] = [null];
    const success: [number] = [0];
    invoke('XGBoosterGetAttr', this.handle, key, out, success);
    return success[0] && out[0] !== null ? out[0] : undefined;
  }

  /** Sets string attributes; an undefined or null value deletes the attribute. */
  set_attr(attributes: Record<string, string | null | undefined>): void {
    for (const [key, value] of Object.entries(attributes)) invoke('XGBoosterSetAttr', this.handle, key, value ?? null);
  }

  /** Round with the best evaluation score (set by `train`, kept in saved models). */
  get best_iteration(): number | undefined {
    const value = this.attr('best_iteration');
    return value === undefined ? undefined : Number.parseInt(value, 10);
  }

  /** Best evaluation score, when early stopping was used. */
  get best_score(): number | undefined {
    const value = this.attr('best_score');
    return value === undefined ? undefined : Number(value);
  }

  num_boosted_rounds(): number {
    const out: [number] = [0];
    invoke('XGBoosterBoostedRounds', this.handle, out);
    return out[0];
  }

  num_features(): number {
    const out: [number] = [0];
    invoke('XGBoosterGetNumFeature', this.handle, out);
    return Number(out[0]);
  }

  /** Feature names stored in the model, or undefined when it has none. */
  get feature_names(): string[] | undefined {
    const length: [number] = [0];
    const pointer: [bigint | null] = [null];
    invoke('XGBoosterGetStrFeatureInfo', this.handle, 'feature_name', length, pointer);
    const names = copyStrings(pointer[0], Number(length[0]));
    return names.length > 0 ? names : undefined;
  }

  set feature_names(names: readonly string[] | undefined) {
    invoke('XGBoosterSetStrFeatureInfo', this.handle, 'feature_name', names ?? null, names?.length ?? 0);
  }

  /**
   * The C API does not copy a DMatrix's feature names into the booster; Python's Booster
   * adopts them from the first matrix it sees and then insists every matrix agrees. Same here.
   */
  private validateDMatrixFeatures(data: DMatrix): void {
    if (data.num_row() === 0) return;
    const given = data.feature_names;
    let own = this.feature_names;
    if (own === undefined && given !== undefined) {
      this.feature_names = given;
      own = given;
    }
    if (own === undefined) return;
    if (given === undefined) {
      throw new InputDataError(`data has no feature names; the model expects ${own.join(', ')}`, { source: 'DMatrix', column: 'feature_names' });
    }
    if (own.length !== given.length || own.some((name, i) => name !== given[i])) {
      const missing = own.filter((name) => !given.includes(name));
      const extra = given.filter((name) => !own.includes(name));
      throw new InputDataError(
        `feature names do not match the model's (missing: ${missing.join(', ') || 'none'}; unexpected: ${extra.join(', ') || 'none'}; or a different order)`,
        { source: 'DMatrix', column: 'feature_names' },
      );
    }
  }
}
