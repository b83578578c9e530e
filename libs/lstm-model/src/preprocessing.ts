import { BGCNBD_PARAMS_SCHEMA, BGNBD_PARAMS_SCHEMA, type BgNbdParams, PARETO_NBD_PARAMS_SCHEMA } from '@nextbuy/btyd-model';
import { ArtifactError, InputDataError, type ModelSelection, type OrderFeatureTable } from '@nextbuy/contracts';
import { type Blend, BLEND_WEIGHTS, BTYD_FAMILIES, familiesUsed } from '@nextbuy/features';
import { CALIBRATION_TERMS, type Calibration } from './calibration';

/** How one feature is scaled: optional log1p, then (x - mean) / std. */
export interface FeatureScaling {
  name: string;
  log1p: boolean;
  mean: number;
  std: number;
}

/** What the model needs besides its weights to turn feature tables into windows: saved as preprocessing.json. */
export interface Preprocessing {
  formatVersion: 1;
  /** Orders per window. */
  timeSeriesLength: number;
  features: FeatureScaling[];
  /** Recalibration of the 90-day probability, when the training data allowed one (calibration.ts). */
  calibration?: Calibration;
  /**
   * The inner cutoff's choice of the network's answers, a BTYD model's or a blend, for each output
   * (model.ts), with the BG/NBD fit when a blend uses it (the Pareto/NBD one is in `blend`).
   * Absent in artifacts written before the choice existed: they serve the network alone.
   */
  btydBlend?: BtydBlend;
}

/** The inner cutoff's choice as kept in preprocessing.json, with every candidate's figures. */
export interface BtydBlend {
  blend: Blend;
  bgnbd: BgNbdParams | null;
  selection: Record<string, ModelSelection>;
}

/** The file holding Preprocessing next to the tfjs model. */
export const PREPROCESSING_FILE = 'preprocessing.json';

/**
 * Above this sample skewness a non-negative feature is log1p-transformed before standardising:
 * money, quantities, counts and gaps have long right tails, and a few customers 50 standard
 * deviations out would otherwise saturate the LSTM's gates. Symmetric features (year, the
 * sin/cos calendar features) stay linear.
 */
const SKEWNESS_FOR_LOG = 2;

/** Per-feature statistics over the training rows, NaN (missing) values left out. */
export function fitPreprocessing(table: OrderFeatureTable, timeSeriesLength: number): Preprocessing {
  const width = table.featureNames.length;
  const features = table.featureNames.map((name, f): FeatureScaling => {
    const present: number[] = [];
    for (let row = 0; row < table.nRows; row++) {
      const v = table.values[row * width + f]!;
      if (!Number.isNaN(v)) present.push(v);
    }
    const nonNegative = present.every((v) => v >= 0);
    const log1p = nonNegative && skewness(present) > SKEWNESS_FOR_LOG;
    const transformed = log1p ? present.map(Math.log1p) : present;
    const { mean, std } = moments(transformed);
    // A constant (or absent) feature carries nothing; a unit scale keeps it at 0 rather than NaN.
    return { name, log1p, mean, std: std > 0 ? std : 1 };
  });
  return { formatVersion: 1, timeSeriesLength, features };
}

function moments(values: number[]): { mean: number; std: number } {
  if (values.length === 0) return { mean: 0, std: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

function skewness(values: number[]): number {
  const { mean, std } = moments(values);
  if (!(std > 0)) return 0;
  return values.reduce((a, v) => a + ((v - mean) / std) ** 3, 0) / values.length;
}

/**
 * The table's values scaled feature by feature (NaN stays NaN: the window builder fills it with 0,
 * the training mean). A log1p feature below 0, which training never saw, is taken as 0. Throws
 * InputDataError when the table's features are not the ones the model was trained on.
 */
export function scaleFeatures(table: OrderFeatureTable, preprocessing: Preprocessing, source: string): Float32Array {
  const expected = preprocessing.features.map((f) => f.name);
  const width = expected.length;
  table.featureNames.forEach((name, f) => {
    if (name !== expected[f]) throw new InputDataError(`feature ${f} is "${name}", the model expects "${expected[f] ?? '(none)'}" (features: ${expected.join(', ')})`, { source, column: name });
  });
  if (table.featureNames.length !== width) throw new InputDataError(`has ${table.featureNames.length} features, the model expects ${width}: ${expected.join(', ')}`, { source, column: 'featureNames' });
  if (table.values.length !== table.nRows * width) throw new InputDataError(`has ${table.values.length} values for ${table.nRows} rows x ${width} features`, { source, column: 'values' });
  const scaled = new Float32Array(table.values.length);
  preprocessing.features.forEach(({ log1p, mean, std }, f) => {
    for (let i = f; i < scaled.length; i += width) {
      const v = table.values[i]!;
      scaled[i] = ((log1p ? Math.log1p(Math.max(v, 0)) : v) - mean) / std;
    }
  });
  return scaled;
}

/** Checks parsed preprocessing.json (format version, fields) before the model trusts it; `source` names the file. */
export function parsePreprocessing(json: unknown, source: string): Preprocessing {
  const p = json as Partial<Preprocessing> | null;
  const fail = (message: string) => new ArtifactError(`${source}: ${message}`);
  if (p?.formatVersion !== 1) throw fail(`unsupported formatVersion ${JSON.stringify(p?.formatVersion)} (expected 1)`);
  if (!Number.isInteger(p.timeSeriesLength) || p.timeSeriesLength! < 1) throw fail('timeSeriesLength must be a positive integer');
  if (!Array.isArray(p.features) || p.features.length === 0) throw fail('features must be a non-empty list');
  const c = p.calibration;
  if (c !== undefined) {
    const finite = (v: unknown) => Array.isArray(v) && v.every(Number.isFinite);
    // 4 coefficients: an artifact from before the interaction term (calibration.ts), still valid.
    const terms = c?.coefficients?.length;
    if (!(finite(c?.coefficients) && (terms === 4 || terms === 5 || terms === CALIBRATION_TERMS) && finite(c.population?.times) && finite(c.population?.survival) && c.population.times.length === c.population.survival.length && Array.isArray(c.bounds) && c.bounds.length === terms - 1 && c.bounds.every(finite))) {
      throw fail(`calibration needs 4, 5 or ${CALIBRATION_TERMS} finite coefficients (older artifacts have 4 or 5), a population curve of matching times and survival, and finite bounds for every input but the constant`);
    }
  }
  if (p.btydBlend !== undefined) checkBtydBlend(p.btydBlend, fail);
  p.features.forEach((f, i) => {
    const ok = typeof f?.name === 'string' && typeof f.log1p === 'boolean' && Number.isFinite(f.mean) && Number.isFinite(f.std) && f.std > 0;
    if (!ok) throw fail(`feature ${i} needs a name, log1p, a finite mean and a positive std`);
  });
  return p as Preprocessing;
}

/** Checks the blend of preprocessing.json: a known family and weight for each output, and the fit of every family a blend uses. */
function checkBtydBlend(b: BtydBlend, fail: (message: string) => ArtifactError): void {
  for (const output of ['pOrder90d', 'wait'] as const) {
    const choice = b?.blend?.[output];
    if (!(BTYD_FAMILIES as readonly string[]).includes(choice?.family) || !(BLEND_WEIGHTS as readonly number[]).includes(choice?.weight)) {
      throw fail(`btydBlend.blend.${output} needs a family (${BTYD_FAMILIES.join(', ')}) and a weight (${BLEND_WEIGHTS.join(', ')}), got ${JSON.stringify(choice)}`);
    }
  }
  if (typeof b.selection !== 'object' || b.selection === null) throw fail('btydBlend.selection must be an object');
  const used = familiesUsed(b.blend);
  if (used.includes('bgnbd') && !BGNBD_PARAMS_SCHEMA.safeParse(b.bgnbd).success) throw fail('btydBlend.bgnbd needs positive r, alpha, a and b: a blend uses BG/NBD');
  if (used.includes('pareto_nbd') && !PARETO_NBD_PARAMS_SCHEMA.safeParse(b.blend.paretoNbd).success) throw fail('btydBlend.blend.paretoNbd needs positive r, alpha, s and beta: a blend uses Pareto/NBD');
  if (used.includes('bgcnbd') && !BGCNBD_PARAMS_SCHEMA.safeParse(b.blend.bgcnbd).success) throw fail('btydBlend.blend.bgcnbd needs positive r, alpha, a and b and a whole k from 1 to 10: a blend uses BG/CNBD-k');
}
