import { InputDataError } from '@nextbuy/contracts';
import { copyFloats, copyStrings, invoke } from './c-api';
import { NativeHandle, requireHandle } from './handles';

/** A dense matrix: rows of numbers, or row-major values with their shape. */
export type DenseData =
  | ReadonlyArray<ArrayLike<number>>
  | { values: Float32Array | Float64Array | ArrayLike<number>; nrow: number; ncol: number };

/** The float fields of a DMatrix's MetaInfo, by XGBoost's names. */
export type FloatInfoField = 'label' | 'weight' | 'base_margin' | 'label_lower_bound' | 'label_upper_bound' | 'feature_weights';

/** Python's `xgboost.DMatrix` keyword arguments, same names and meaning. */
export interface DMatrixOptions {
  label?: ArrayLike<number>;
  weight?: ArrayLike<number>;
  base_margin?: ArrayLike<number>;
  label_lower_bound?: ArrayLike<number>;
  label_upper_bound?: ArrayLike<number>;
  /** The value that marks a missing entry (default NaN). */
  missing?: number;
  feature_names?: readonly string[];
  /** Threads used to build the matrix (default -1: all). */
  nthread?: number;
}

const INFO_FIELDS = ['label', 'weight', 'base_margin', 'label_lower_bound', 'label_upper_bound'] as const;

function toDense(data: DenseData): { values: Float32Array; nrow: number; ncol: number } {
  if ('nrow' in data && 'ncol' in data && 'values' in data) {
    const { nrow, ncol } = data;
    if (data.values.length !== nrow * ncol) {
      throw new InputDataError(`has ${data.values.length} values, expected nrow x ncol = ${nrow} x ${ncol}`, { source: 'DMatrix', column: 'values' });
    }
    // XGBoost stores float32; a Float32Array goes to the library as is, anything else is converted once.
    return { values: data.values instanceof Float32Array ? data.values : Float32Array.from(data.values), nrow, ncol };
  }
  const rows = data as ReadonlyArray<ArrayLike<number>>;
  const ncol = rows[0]?.length ?? 0;
  const values = new Float32Array(rows.length * ncol);
  rows.forEach((row, i) => {
    if (row.length !== ncol) throw new InputDataError(`has ${row.length} values, expected ${ncol} like row 0`, { source: 'DMatrix', line: i });
    values.set(row, i * ncol);
  });
  return { values, nrow: rows.length, ncol };
}

/** XGBoost's DMatrix over dense float data; NaN (or `missing`) marks a missing value. */
export class DMatrix extends NativeHandle {
  constructor(data: DenseData, options: DMatrixOptions = {}) {
    const { values, nrow, ncol } = toDense(data);
    const out: [bigint | null] = [null];
    invoke('XGDMatrixCreateFromMat_omp', values, nrow, ncol, options.missing ?? Number.NaN, out, options.nthread ?? -1);
    super('DMatrix', requireHandle('XGDMatrixCreateFromMat_omp', out[0]));
    try {
      for (const field of INFO_FIELDS) {
        const info = options[field];
        if (info !== undefined) this.set_float_info(field, info);
      }
      if (options.feature_names) this.feature_names = options.feature_names;
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  num_row(): number {
    const out: [number] = [0];
    invoke('XGDMatrixNumRow', this.handle, out);
    return Number(out[0]);
  }

  num_col(): number {
    const out: [number] = [0];
    invoke('XGDMatrixNumCol', this.handle, out);
    return Number(out[0]);
  }

  /** Sets one float field per row (`label`, `label_lower_bound`, ...); +Infinity is kept. */
  set_float_info(field: FloatInfoField, data: ArrayLike<number>): void {
    const rows = this.num_row();
    if (field !== 'feature_weights' && field !== 'base_margin' && data.length !== rows) {
      throw new InputDataError(`has ${data.length} values for ${rows} rows`, { source: 'DMatrix', column: field });
    }
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    invoke('XGDMatrixSetFloatInfo', this.handle, field, values, values.length);
  }

  /** A copy of one float field. */
  get_float_info(field: FloatInfoField): Float32Array {
    const length: [number] = [0];
    const pointer: [bigint | null] = [null];
    invoke('XGDMatrixGetFloatInfo', this.handle, field, length, pointer);
    return copyFloats(pointer[0], Number(length[0]));
  }

  set_label(label: ArrayLike<number>): void {
    this.set_float_info('label', label);
  }

  get_label(): Float32Array {
    return this.get_float_info('label');
  }

  set_weight(weight: ArrayLike<number>): void {
    this.set_float_info('weight', weight);
  }

  /** Column names, or undefined when none were set (XGBoost then calls them f0, f1, ...). */
  get feature_names(): string[] | undefined {
    const length: [number] = [0];
    const pointer: [bigint | null] = [null];
    invoke('XGDMatrixGetStrFeatureInfo', this.handle, 'feature_name', length, pointer);
    const names = copyStrings(pointer[0], Number(length[0]));
    return names.length > 0 ? names : undefined;
  }

  set feature_names(names: readonly string[] | undefined) {
    if (names && new Set(names).size !== names.length) {
      throw new InputDataError('feature_names must be unique', { source: 'DMatrix', column: 'feature_names' });
    }
    invoke('XGDMatrixSetStrFeatureInfo', this.handle, 'feature_name', names ?? null, names?.length ?? 0);
  }
}
