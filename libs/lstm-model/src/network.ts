import * as tf from '@tensorflow/tfjs';
import { cellBackward, cellForward, cellOutput } from './cell';
import { censoredLogNormalLoss } from './loss';
import { type Rng, sampleNormal } from './random';
import { readValues } from './tensor-values';

/**
 * An LSTM over order windows with a two-unit head (mu and log sigma of the log gap), trained by
 * a hand-derived forward/backward pass. It is exactly the Keras/tfjs network
 * Masking -> LSTM (recurrentActivation sigmoid) x layers -> Dropout -> Dense(2) (`layers-model.ts`
 * builds it from these weights and a test checks both give the same outputs and gradients).
 *
 * Why by hand: on the wasm backend every tfjs op costs a few microseconds of dispatch whatever
 * its size, and autodiff's tape doubles the op count, so tf.layers' LSTM (or a hand-written cell
 * under tf.variableGrads) spends most of a small batch in bookkeeping. Here the matrix products
 * (nearly all the arithmetic) run as tfjs matMuls on the backend (XNNPACK on wasm), and so do the
 * sigmoids (XNNPACK's vectorised sigmoid is ~8x faster than Math.exp); the cheap element-wise
 * cell algebra between them runs in plain loops (cell.ts) over the backend's memory. tanh comes
 * from the same sigmoid, tanh(x) = 2 sigmoid(2x) - 1 (wasm's own tanh is 15x slower than its
 * sigmoid): the candidate gate's weights are doubled when they are uploaded. The weight gradient
 * of a layer is one product dz^T U over all steps; the optimiser (adam.ts) runs in JS too.
 *
 * Layout: weights are Keras's (kernel [in, 4H], recurrent_kernel [H, 4H], bias [4H], gate order
 * i, f, c, o), held in one flat Float32Array so the optimiser updates them in one loop. Inside a
 * batch every array is time-major, [steps][batch][...], so a time step is a contiguous block.
 */
export interface NetworkShape {
  /** Channels of one time step: the features and the is-real-step channel. */
  inputSize: number;
  hiddenSize: number;
  layers: number;
  /** Time steps of a window. */
  steps: number;
}

export interface WeightSpec {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

/** The weights in the order tfjs's LSTM and Dense layers list them. */
export function weightSpecs(shape: NetworkShape): WeightSpec[] {
  const specs: WeightSpec[] = [];
  let offset = 0;
  const add = (name: string, dims: number[]) => {
    const size = dims.reduce((a, b) => a * b, 1);
    specs.push({ name, shape: dims, offset, size });
    offset += size;
  };
  const gates = 4 * shape.hiddenSize;
  for (let l = 0; l < shape.layers; l++) {
    add(`lstm_${l}/kernel`, [l === 0 ? shape.inputSize : shape.hiddenSize, gates]);
    add(`lstm_${l}/recurrent_kernel`, [shape.hiddenSize, gates]);
    add(`lstm_${l}/bias`, [gates]);
  }
  add('head/kernel', [shape.hiddenSize, 2]);
  add('head/bias', [2]);
  return specs;
}

/** Windows of standardised order features, `[n][steps][inputSize]`, with each window's first real step. */
export interface Windows {
  n: number;
  values: Float32Array;
  /** Index of the first unpadded step (windows are left-padded). */
  start: Int32Array;
}

/** Labels of windows: log of the gap (or of its lower bound) and the censoring flag. */
export interface GapLabels {
  logGap: Float32Array;
  censored: Uint8Array;
}

/** Fills a [fanIn, fanOut] kernel with Glorot-uniform draws, as Keras initialises one. */
function glorot(values: Float32Array, fanIn: number, fanOut: number, rng: Rng): void {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < values.length; i++) values[i] = (2 * rng() - 1) * limit;
}

/** Rows of `values` ([rows, cols], rows <= cols) made orthonormal (Keras's orthogonal initialiser). */
function orthogonal(values: Float32Array, rows: number, cols: number, rng: Rng): void {
  const m = Float64Array.from({ length: rows * cols }, () => sampleNormal(rng));
  for (let r = 0; r < rows; r++) {
    const row = m.subarray(r * cols, (r + 1) * cols);
    for (let p = 0; p < r; p++) {
      const previous = m.subarray(p * cols, (p + 1) * cols);
      let dot = 0;
      for (let k = 0; k < cols; k++) dot += row[k]! * previous[k]!;
      for (let k = 0; k < cols; k++) row[k]! -= dot * previous[k]!;
    }
    let norm = 0;
    for (let k = 0; k < cols; k++) norm += row[k]! * row[k]!;
    norm = Math.sqrt(norm);
    for (let k = 0; k < cols; k++) row[k] = row[k]! / norm;
  }
  values.set(m);
}

/** Per-layer arrays of a batch, sized for the largest batch seen and used from the front. */
interface LayerWork {
  inputSize: number;
  /** Step 0's inputs [batch][in] (the state before it is zero, so no recurrent part). */
  u0: Float32Array;
  /** Steps 1.. : [steps - 1][batch][in + H], each step's inputs next to the previous hidden state. */
  uRest: Float32Array;
  /** Activated gates i, f, c~ (= tanh), o: [steps][batch][4H]. */
  gates: Float32Array;
  cell: Float32Array;
  tanhCell: Float32Array;
  hidden: Float32Array;
  /** Gradient reaching each hidden state from above (next layer or head), [steps][batch][H]. */
  dHidden: Float32Array;
  /** Gradients of the pre-activations, [batch][4H] at step 0 and [steps - 1][batch][4H] after. */
  dz0: Float32Array;
  dzRest: Float32Array;
  /** The same, transposed: [4H][batch] and [4H][(steps - 1) batch]. */
  dz0T: Float32Array;
  dzRestT: Float32Array;
  /** Inverted-dropout multipliers of the outputs this layer passes on: [steps][batch][H]. */
  dropMask: Float32Array;
}

interface Workspace {
  batch: number;
  layers: LayerWork[];
  /** The head's outputs and the batch's labels. */
  head: { mu: Float32Array; logSigma: Float32Array; logGap: Float32Array; censored: Uint8Array };
  start: Int32Array;
  doubledCell: Float32Array;
  dRecurrent: Float32Array;
  dCell: Float32Array;
  grad: Float32Array;
}

/** One step's weights as tensors, per layer. */
interface StepWeights {
  /** Kernel (step 0) and [kernel; recurrent_kernel] (later steps), candidate gate doubled. */
  first: tf.Tensor2D[];
  full: tf.Tensor2D[];
  bias: tf.Tensor1D[];
  /**
   * Logical weights transposed for the backward pass: what dz is multiplied by to reach the
   * previous hidden state and (above layer 0, whose inputs need no gradient) the step's inputs:
   * [4H][H] on layer 0, [4H][in + H] above; and [4H][in] for step 0 above layer 0.
   */
  laterT: tf.Tensor2D[];
  firstT: Array<tf.Tensor2D | undefined>;
}

/** Forward and backward passes of the network over windows; see the file comment. */
export class LstmNetwork {
  readonly specs: WeightSpec[];
  readonly theta: Float32Array;
  private work: Workspace | undefined;

  constructor(
    readonly shape: NetworkShape,
    theta?: Float32Array,
  ) {
    this.specs = weightSpecs(shape);
    const last = this.specs[this.specs.length - 1]!;
    const size = last.offset + last.size;
    if (theta && theta.length !== size) throw new RangeError(`expected ${size} weights, got ${theta.length}`);
    this.theta = theta ?? new Float32Array(size);
  }

  /** A network initialised as Keras would (glorot kernels, orthogonal recurrent kernels, forget bias 1), with the head's bias at `headBias`. */
  static initialise(shape: NetworkShape, rng: Rng, headBias: [number, number]): LstmNetwork {
    const network = new LstmNetwork(shape);
    const H = shape.hiddenSize;
    for (let l = 0; l < shape.layers; l++) {
      glorot(network.weight(`lstm_${l}/kernel`), l === 0 ? shape.inputSize : H, 4 * H, rng);
      orthogonal(network.weight(`lstm_${l}/recurrent_kernel`), H, 4 * H, rng);
      network.weight(`lstm_${l}/bias`).fill(1, H, 2 * H);
    }
    glorot(network.weight('head/kernel'), H, 2, rng);
    network.weight('head/bias').set(headBias);
    return network;
  }

  private spec(name: string): WeightSpec {
    const spec = this.specs.find((s) => s.name === name);
    if (!spec) throw new RangeError(`no weight ${name}`);
    return spec;
  }

  /** A view of one weight in `theta`. */
  weight(name: string, of: Float32Array = this.theta): Float32Array {
    const spec = this.spec(name);
    return of.subarray(spec.offset, spec.offset + spec.size);
  }

  /** mu and log sigma of the gap for every window (no dropout), in batches of `batchSize`. */
  predict(windows: Windows, batchSize = 2048): { mu: Float32Array; logSigma: Float32Array } {
    const mu = new Float32Array(windows.n);
    const logSigma = new Float32Array(windows.n);
    const weights = this.uploadWeights(false);
    try {
      for (let from = 0; from < windows.n; from += batchSize) {
        const rows = Int32Array.from({ length: Math.min(batchSize, windows.n - from) }, (_, i) => from + i);
        this.forward(windows, rows, weights, undefined);
        this.head(rows.length, mu.subarray(from), logSigma.subarray(from));
      }
    } finally {
      disposeWeights(weights);
    }
    return { mu, logSigma };
  }

  /**
   * The mean loss of the windows `rows` and its gradient with respect to `theta` (a buffer
   * the next call reuses). `dropout` > 0 draws inverted-dropout masks from `rng`.
   */
  lossAndGradient(windows: Windows, rows: Int32Array, labels: GapLabels, dropout: number, rng: Rng): { loss: number; grad: Float32Array } {
    const B = rows.length;
    const weights = this.uploadWeights(true);
    try {
      const work = this.forward(windows, rows, weights, dropout > 0 ? { rate: dropout, rng } : undefined);
      const { mu, logSigma, logGap, censored } = work.head;
      this.head(B, mu, logSigma);
      for (let b = 0; b < B; b++) {
        logGap[b] = labels.logGap[rows[b]!]!;
        censored[b] = labels.censored[rows[b]!]!;
      }
      const inputs = [tf.tensor1d(mu.subarray(0, B)), tf.tensor1d(logSigma.subarray(0, B)), tf.tensor1d(logGap.subarray(0, B)), tf.tensor1d(censored.subarray(0, B), 'bool')] as const;
      const result = censoredLogNormalLoss(...inputs);
      tf.dispose([...inputs]);
      const loss = readValues(result.loss)[0]!;
      work.grad.fill(0);
      // Views of backend memory, read before the next tensor op.
      this.headBackward(B, readValues(result.dMu), readValues(result.dLogSigma));
      tf.dispose([result.loss, result.dMu, result.dLogSigma]);
      for (let l = this.shape.layers - 1; l >= 0; l--) this.layerBackward(l, B, weights);
      return { loss, grad: work.grad };
    } finally {
      disposeWeights(weights);
    }
  }

  private workspace(batch: number): Workspace {
    if (this.work && this.work.batch >= batch) return this.work;
    const { hiddenSize: H, steps: L } = this.shape;
    const layers = Array.from({ length: this.shape.layers }, (_, l): LayerWork => {
      const inputSize = l === 0 ? this.shape.inputSize : H;
      return {
        inputSize,
        u0: new Float32Array(batch * inputSize),
        uRest: new Float32Array((L - 1) * batch * (inputSize + H)),
        gates: new Float32Array(L * batch * 4 * H),
        cell: new Float32Array(L * batch * H),
        tanhCell: new Float32Array(L * batch * H),
        hidden: new Float32Array(L * batch * H),
        dHidden: new Float32Array(L * batch * H),
        dz0: new Float32Array(batch * 4 * H),
        dzRest: new Float32Array((L - 1) * batch * 4 * H),
        dz0T: new Float32Array(batch * 4 * H),
        dzRestT: new Float32Array((L - 1) * batch * 4 * H),
        dropMask: new Float32Array(L * batch * H),
      };
    });
    this.work = {
      batch,
      layers,
      head: { mu: new Float32Array(batch), logSigma: new Float32Array(batch), logGap: new Float32Array(batch), censored: new Uint8Array(batch) },
      start: new Int32Array(batch),
      doubledCell: new Float32Array(batch * H),
      dRecurrent: new Float32Array(batch * H),
      dCell: new Float32Array(batch * H),
      grad: new Float32Array(this.theta.length),
    };
    return this.work;
  }

  /** Uploads this step's weights: candidate gate doubled for the forward pass, logical transposes for the backward pass. */
  private uploadWeights(backward: boolean): StepWeights {
    const { hiddenSize: H, layers } = this.shape;
    const G = 4 * H;
    const weights: StepWeights = { first: [], full: [], bias: [], laterT: [], firstT: [] };
    for (let l = 0; l < layers; l++) {
      const kernel = this.weight(`lstm_${l}/kernel`);
      const D = kernel.length / G;
      const K = D + H;
      const full = new Float32Array(K * G);
      full.set(kernel);
      full.set(this.weight(`lstm_${l}/recurrent_kernel`), D * G);
      if (backward) {
        const from = l === 0 ? D : 0;
        const laterT = new Float32Array(G * (K - from));
        for (let r = from; r < K; r++) for (let k = 0; k < G; k++) laterT[k * (K - from) + r - from] = full[r * G + k]!;
        weights.laterT.push(tf.tensor2d(laterT, [G, K - from]));
        if (l > 0) {
          const firstT = new Float32Array(G * D);
          for (let k = 0; k < G; k++) for (let r = 0; r < D; r++) firstT[k * D + r] = laterT[k * K + r]!;
          weights.firstT.push(tf.tensor2d(firstT, [G, D]));
        } else {
          weights.firstT.push(undefined);
        }
      }
      for (let r = 0; r < K; r++) for (let j = 2 * H; j < 3 * H; j++) full[r * G + j] = 2 * full[r * G + j]!;
      const bias = this.weight(`lstm_${l}/bias`).slice();
      for (let j = 2 * H; j < 3 * H; j++) bias[j] = 2 * bias[j]!;
      weights.full.push(tf.tensor2d(full, [K, G]));
      weights.first.push(tf.tensor2d(full.subarray(0, D * G), [D, G]));
      weights.bias.push(tf.tensor1d(bias));
    }
    return weights;
  }

  /** Runs every layer over the windows `rows`, leaving states (and dropout masks) in the workspace. */
  private forward(windows: Windows, rows: Int32Array, weights: StepWeights, dropout: { rate: number; rng: Rng } | undefined): Workspace {
    const { hiddenSize: H, steps: L, inputSize: D, layers } = this.shape;
    const B = rows.length;
    const work = this.workspace(B);
    for (let b = 0; b < B; b++) work.start[b] = windows.start[rows[b]!]!;
    gatherWindows(windows.values, rows, L, D, work.layers[0]!, H);
    for (let l = 0; l < layers; l++) {
      const layer = work.layers[l]!;
      this.layerForward(l, B, weights);
      // Dropout on what this layer passes on: every step to the next layer, the last step to the head.
      const from = l + 1 < layers ? 0 : (L - 1) * B * H;
      const mask = layer.dropMask.subarray(from, L * B * H);
      if (dropout) {
        const keep = 1 - dropout.rate;
        for (let i = 0; i < mask.length; i++) mask[i] = dropout.rng() < keep ? 1 / keep : 0;
      } else {
        mask.fill(1);
      }
      if (l + 1 < layers) dropoutInputs(layer, work.layers[l + 1]!, L, B, H);
    }
    return work;
  }

  private layerForward(l: number, B: number, weights: StepWeights): void {
    const { hiddenSize: H, steps: L } = this.shape;
    const G = 4 * H;
    const work = this.work!;
    const layer = work.layers[l]!;
    const D = layer.inputSize;
    const K = D + H;
    for (let t = 0; t < L; t++) {
      const u = t === 0 ? tf.tensor2d(layer.u0.subarray(0, B * D), [B, D]) : tf.tensor2d(layer.uRest.subarray((t - 1) * B * K, t * B * K), [B, K]);
      const z = tf.fused.matMul({ a: u, b: t === 0 ? weights.first[l]! : weights.full[l]!, bias: weights.bias[l]! });
      u.dispose();
      const sigmoid = tf.sigmoid(z);
      z.dispose();
      const gates = layer.gates.subarray(t * B * G, (t + 1) * B * G);
      const previousCell = t === 0 ? undefined : layer.cell.subarray((t - 1) * B * H, t * B * H);
      cellForward(readValues(sigmoid), previousCell, work.start, t, B, H, gates, layer.cell.subarray(t * B * H, (t + 1) * B * H), work.doubledCell);
      sigmoid.dispose();
      const doubled = tf.tensor2d(work.doubledCell.subarray(0, B * H), [B, H]);
      const sigmoidCell = tf.sigmoid(doubled);
      doubled.dispose();
      const next = t + 1 < L ? layer.uRest.subarray(t * B * K, (t + 1) * B * K) : undefined;
      const steps = [t * B * H, (t + 1) * B * H] as const;
      cellOutput(readValues(sigmoidCell), gates, B, H, layer.tanhCell.subarray(...steps), layer.hidden.subarray(...steps), next, K, D);
      sigmoidCell.dispose();
    }
  }

  /** mu and log sigma from the top layer's last hidden state, after dropout. */
  private head(B: number, mu: Float32Array, logSigma: Float32Array): void {
    const { hiddenSize: H, steps: L, layers } = this.shape;
    const top = this.work!.layers[layers - 1]!;
    const kernel = this.weight('head/kernel');
    const bias = this.weight('head/bias');
    const hidden = top.hidden;
    const mask = top.dropMask;
    const base = (L - 1) * B * H;
    for (let b = 0; b < B; b++) {
      let m = bias[0]!;
      let s = bias[1]!;
      for (let j = 0, at = base + b * H; j < H; j++, at++) {
        const h = hidden[at]! * mask[at]!;
        m += h * kernel[2 * j]!;
        s += h * kernel[2 * j + 1]!;
      }
      mu[b] = m;
      logSigma[b] = s;
    }
  }

  private headBackward(B: number, dMu: Float32Array, dLogSigma: Float32Array): void {
    const { hiddenSize: H, steps: L, layers } = this.shape;
    const work = this.work!;
    const top = work.layers[layers - 1]!;
    const kernel = this.weight('head/kernel');
    const dKernel = this.weight('head/kernel', work.grad);
    const dBias = this.weight('head/bias', work.grad);
    const { hidden, dropMask: mask, dHidden } = top;
    dHidden.fill(0, 0, L * B * H);
    const base = (L - 1) * B * H;
    // The loss is the batch mean; the loss function gives each row's own derivatives.
    for (let b = 0; b < B; b++) {
      const dm = dMu[b]! / B;
      const ds = dLogSigma[b]! / B;
      dBias[0]! += dm;
      dBias[1]! += ds;
      for (let j = 0, at = base + b * H; j < H; j++, at++) {
        const h = hidden[at]! * mask[at]!;
        dKernel[2 * j]! += h * dm;
        dKernel[2 * j + 1]! += h * ds;
        dHidden[at] = (dm * kernel[2 * j]! + ds * kernel[2 * j + 1]!) * mask[at]!;
      }
    }
  }

  private layerBackward(l: number, B: number, weights: StepWeights): void {
    const { hiddenSize: H, steps: L } = this.shape;
    const G = 4 * H;
    const work = this.work!;
    const layer = work.layers[l]!;
    const below = l > 0 ? work.layers[l - 1] : undefined;
    const D = layer.inputSize;
    const K = D + H;
    const { dRecurrent, dCell, grad } = work;
    const dBias = this.weight(`lstm_${l}/bias`, grad);
    dRecurrent.fill(0, 0, B * H);
    dCell.fill(0, 0, B * H);
    if (below) below.dHidden.fill(0, 0, L * B * H);
    for (let t = L - 1; t >= 0; t--) {
      const dz = t === 0 ? layer.dz0 : layer.dzRest.subarray((t - 1) * B * G, t * B * G);
      const steps = [t * B * H, (t + 1) * B * H] as const;
      const previousCell = t === 0 ? undefined : layer.cell.subarray((t - 1) * B * H, t * B * H);
      cellBackward(
        layer.gates.subarray(t * B * G, (t + 1) * B * G),
        layer.tanhCell.subarray(...steps),
        previousCell,
        layer.dHidden.subarray(...steps),
        dRecurrent,
        dCell,
        work.start,
        t,
        B,
        H,
        dz,
        t === 0 ? layer.dz0T : layer.dzRestT,
        t === 0 ? B : (L - 1) * B,
        t === 0 ? 0 : (t - 1) * B,
        dBias,
      );
      // dz times the transposed weights: the gradient at the previous hidden state and (above layer 0) at this step's inputs.
      if (t === 0 && !below) break;
      const transposed = t === 0 ? weights.firstT[l]! : weights.laterT[l]!;
      const dzTensor = tf.tensor2d(dz.subarray(0, B * G), [B, G]);
      const du = tf.matMul(dzTensor, transposed);
      dzTensor.dispose();
      splitInputGradient(readValues(du), B, below ? D : 0, H, t > 0 ? dRecurrent : undefined, below, t);
      du.dispose();
    }
    // Weight gradients: dz^T U over all steps in one product, [4H][in + H] (kernel rows then
    // recurrent rows, transposed). In this orientation the backend packs U, the smaller operand,
    // as the matMul's right-hand side, and no tensor needs transposing.
    const dKernel = this.weight(`lstm_${l}/kernel`, grad);
    const dRecurrentKernel = this.weight(`lstm_${l}/recurrent_kernel`, grad);
    const addProduct = (dzT: Float32Array, u: Float32Array, rows: number, width: number) => {
      const dzTensor = tf.tensor2d(dzT.subarray(0, G * rows), [G, rows]);
      const uTensor = tf.tensor2d(u.subarray(0, rows * width), [rows, width]);
      const product = tf.matMul(dzTensor, uTensor);
      dzTensor.dispose();
      uTensor.dispose();
      addTransposed(readValues(product), G, width, D, dKernel, dRecurrentKernel);
      product.dispose();
    };
    addProduct(layer.dz0T, layer.u0, B, D);
    if (L > 1) addProduct(layer.dzRestT, layer.uRest, (L - 1) * B, K);
  }
}

/** Adds a [4H][width] product, transposed, to the kernel's gradient (columns < D) and the recurrent kernel's (the rest). */
function addTransposed(product: Float32Array, G: number, width: number, D: number, dKernel: Float32Array, dRecurrentKernel: Float32Array): void {
  for (let k = 0; k < G; k++) {
    for (let r = 0; r < width; r++) {
      const value = product[k * width + r]!;
      if (r < D) dKernel[r * G + k]! += value;
      else dRecurrentKernel[(r - D) * G + k]! += value;
    }
  }
}

/** Layer 0's inputs of the windows `rows`, time-major, into u0 and the input columns of uRest. */
function gatherWindows(values: Float32Array, rows: Int32Array, L: number, D: number, layer: LayerWork, H: number): void {
  const B = rows.length;
  const K = D + H;
  const { u0, uRest } = layer;
  for (let b = 0; b < B; b++) {
    const window = rows[b]! * L * D;
    for (let f = 0; f < D; f++) u0[b * D + f] = values[window + f]!;
    for (let t = 1; t < L; t++) {
      const from = window + t * D;
      const to = ((t - 1) * B + b) * K;
      for (let f = 0; f < D; f++) uRest[to + f] = values[from + f]!;
    }
  }
}

/** The next layer's inputs: this layer's hidden states times their dropout multipliers. */
function dropoutInputs(layer: LayerWork, next: LayerWork, L: number, B: number, H: number): void {
  const K = 2 * H;
  const { hidden, dropMask } = layer;
  for (let t = 0; t < L; t++) {
    for (let b = 0; b < B; b++) {
      const from = (t * B + b) * H;
      const to = t === 0 ? b * H : ((t - 1) * B + b) * K;
      const target = t === 0 ? next.u0 : next.uRest;
      for (let j = 0; j < H; j++) target[to + j] = hidden[from + j]! * dropMask[from + j]!;
    }
  }
}

/**
 * Splits dz W^T (per row: `inputs` columns for the step's inputs, then H for the previous hidden
 * state when there is one) into the gradient at the previous hidden state and, above layer 0,
 * at the layer below's outputs (through its dropout).
 */
function splitInputGradient(du: Float32Array, B: number, inputs: number, H: number, dRecurrent: Float32Array | undefined, below: LayerWork | undefined, t: number): void {
  const width = inputs + (dRecurrent ? H : 0);
  for (let b = 0; b < B; b++) {
    const row = b * width;
    if (dRecurrent) for (let j = 0; j < H; j++) dRecurrent[b * H + j] = du[row + inputs + j]!;
    if (below) {
      const at = (t * B + b) * inputs;
      for (let j = 0; j < inputs; j++) below.dHidden[at + j] = du[row + j]! * below.dropMask[at + j]!;
    }
  }
}

function disposeWeights(weights: StepWeights): void {
  for (const list of Object.values(weights) as Array<Array<tf.Tensor | undefined>>) for (const t of list) t?.dispose();
}
