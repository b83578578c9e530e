import * as tf from '@tensorflow/tfjs';
import { CellKernels, type KernelArray } from './cell-kernels';
import { censoredLogNormalLossRows } from './loss';
import { type Rng, sampleNormal } from '@nextbuy/random';
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
 * (nearly all the arithmetic) run as tfjs matMuls on the backend (XNNPACK on wasm): each layer's
 * input projection for all steps at once, then one recurrent product per step. Everything
 * element-wise (gates, cell, their derivatives, and the transposes the weight gradients need)
 * runs in cell-kernels.wat, a small WebAssembly SIMD module with its own memory where the
 * per-batch state lives; the loss (loss.ts) and the optimiser (adam.ts) run in plain loops.
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

/** Per-layer arrays of a batch, sized for the largest batch seen and used from the front; time-major, [steps][batch][...]. */
interface LayerWork {
  inputSize: number;
  /** The layer's inputs, [steps][batch][in] (layer 0: the windows; above: the layer below's outputs after dropout). */
  x: Float32Array;
  /** Input projections x W + bias, [steps][batch][4H], and one step's recurrent projection h W_h, [batch][4H]. */
  zx: KernelArray;
  zh: KernelArray;
  /** Activated gates i, f, c~ (= tanh), o: [steps][batch][4H]. */
  gates: KernelArray;
  cell: KernelArray;
  tanhCell: KernelArray;
  hidden: KernelArray;
  /** Gradient reaching each hidden state from above (next layer or head), [steps][batch][H]. */
  dHidden: KernelArray;
  /** Gradients of the pre-activations, [steps][batch][4H]. */
  dz: KernelArray;
  /** Inverted-dropout multipliers of the outputs this layer passes on: [steps][batch][H]. */
  dropMask: Float32Array;
}

interface Workspace {
  batch: number;
  layers: LayerWork[];
  /** The head's outputs and the batch's labels. */
  head: { mu: Float32Array; logSigma: Float32Array; logGap: Float32Array; censored: Uint8Array; dMu: Float32Array; dLogSigma: Float32Array };
  start: KernelArray<Int32Array>;
  dRecurrent: KernelArray;
  dCell: KernelArray;
  dBias: KernelArray;
  /** dz of a layer transposed, [4H][steps batch]. */
  dzT: KernelArray;
  grad: Float32Array;
}

/** A batch's weights as tensors, per layer. */
interface BatchWeights {
  kernel: tf.Tensor2D[];
  recurrent: tf.Tensor2D[];
  bias: tf.Tensor1D[];
  /** Transposed for the backward pass: [4H][H], and [4H][in] above layer 0 (whose inputs need no gradient). */
  recurrentT: tf.Tensor2D[];
  kernelT: Array<tf.Tensor2D | undefined>;
  /** Each layer's inputs as a tensor, kept from the forward pass for the weight gradient. */
  inputs: tf.Tensor2D[];
}

/** Forward and backward passes of the network over windows; see the file comment. */
export class LstmNetwork {
  readonly specs: WeightSpec[];
  readonly theta: Float32Array;
  private work: Workspace | undefined;
  private kernels: CellKernels | undefined;

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
        tf.dispose(weights.inputs.splice(0));
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
      const { mu, logSigma, logGap, censored, dMu, dLogSigma } = work.head;
      this.head(B, mu, logSigma);
      for (let b = 0; b < B; b++) {
        logGap[b] = labels.logGap[rows[b]!]!;
        censored[b] = labels.censored[rows[b]!]!;
      }
      const loss = censoredLogNormalLossRows(B, mu, logSigma, logGap, censored, dMu, dLogSigma);
      work.grad.fill(0);
      this.headBackward(B, dMu, dLogSigma);
      for (let l = this.shape.layers - 1; l >= 0; l--) this.layerBackward(l, B, weights);
      return { loss, grad: work.grad };
    } finally {
      disposeWeights(weights);
    }
  }

  private workspace(batch: number): Workspace {
    if (this.work && this.work.batch >= batch) return this.work;
    const { hiddenSize: H, steps: L } = this.shape;
    const G = 4 * H;
    const kernels = (this.kernels ??= new CellKernels());
    kernels.reset();
    const layers = Array.from({ length: this.shape.layers }, (_, l): LayerWork => {
      const inputSize = l === 0 ? this.shape.inputSize : H;
      return {
        inputSize,
        x: new Float32Array(L * batch * inputSize),
        zx: kernels.floats(L * batch * G),
        zh: kernels.floats(batch * G),
        gates: kernels.floats(L * batch * G),
        cell: kernels.floats(L * batch * H),
        tanhCell: kernels.floats(L * batch * H),
        hidden: kernels.floats(L * batch * H),
        dHidden: kernels.floats(L * batch * H),
        dz: kernels.floats(L * batch * G),
        dropMask: new Float32Array(L * batch * H),
      };
    });
    this.work = {
      batch,
      layers,
      head: {
        mu: new Float32Array(batch),
        logSigma: new Float32Array(batch),
        logGap: new Float32Array(batch),
        censored: new Uint8Array(batch),
        dMu: new Float32Array(batch),
        dLogSigma: new Float32Array(batch),
      },
      start: kernels.ints(batch),
      dRecurrent: kernels.floats(batch * H),
      dCell: kernels.floats(batch * H),
      dBias: kernels.floats(G),
      dzT: kernels.floats(G * L * batch),
      grad: new Float32Array(this.theta.length),
    };
    return this.work;
  }

  /** Uploads the weights for a batch, with their transposes for the backward pass. */
  private uploadWeights(backward: boolean): BatchWeights {
    const { hiddenSize: H, layers } = this.shape;
    const G = 4 * H;
    const weights: BatchWeights = { kernel: [], recurrent: [], bias: [], recurrentT: [], kernelT: [], inputs: [] };
    for (let l = 0; l < layers; l++) {
      const kernel = this.weight(`lstm_${l}/kernel`);
      const recurrent = this.weight(`lstm_${l}/recurrent_kernel`);
      const D = kernel.length / G;
      weights.kernel.push(tf.tensor2d(kernel, [D, G]));
      weights.recurrent.push(tf.tensor2d(recurrent, [H, G]));
      weights.bias.push(tf.tensor1d(this.weight(`lstm_${l}/bias`)));
      if (backward) {
        weights.recurrentT.push(tf.tensor2d(transpose(recurrent, H, G), [G, H]));
        weights.kernelT.push(l > 0 ? tf.tensor2d(transpose(kernel, D, G), [G, D]) : undefined);
      }
    }
    return weights;
  }

  /** Runs every layer over the windows `rows`, leaving states (and dropout masks) in the workspace. */
  private forward(windows: Windows, rows: Int32Array, weights: BatchWeights, dropout: { rate: number; rng: Rng } | undefined): Workspace {
    const { hiddenSize: H, steps: L, inputSize: D, layers } = this.shape;
    const B = rows.length;
    const work = this.workspace(B);
    const start = work.start.view;
    for (let b = 0; b < B; b++) start[b] = windows.start[rows[b]!]!;
    gatherWindows(windows.values, rows, L, D, work.layers[0]!.x);
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
      if (l + 1 < layers) {
        const { x } = work.layers[l + 1]!;
        const hidden = layer.hidden.view;
        for (let i = 0; i < L * B * H; i++) x[i] = hidden[i]! * mask[i]!;
      }
    }
    return work;
  }

  /**
   * One layer over all steps: the input projection of every step in one product, then step by
   * step the recurrent projection (a product) and the cell (cell-kernels.wat).
   */
  private layerForward(l: number, B: number, weights: BatchWeights): void {
    const { hiddenSize: H, steps: L } = this.shape;
    const G = 4 * H;
    const work = this.work!;
    const layer = work.layers[l]!;
    const kernels = this.kernels!;
    const inputs = tf.tensor2d(layer.x.subarray(0, L * B * layer.inputSize), [L * B, layer.inputSize]);
    weights.inputs.push(inputs);
    const zx = tf.fused.matMul({ a: inputs, b: weights.kernel[l]!, bias: weights.bias[l]! });
    layer.zx.view.set(readValues(zx));
    zx.dispose();
    const { zh, cell, tanhCell, hidden, gates } = layer;
    for (let t = 0; t < L; t++) {
      if (t > 0) {
        const previous = tf.tensor2d(hidden.view.subarray((t - 1) * B * H, t * B * H), [B, H]);
        const product = tf.matMul(previous, weights.recurrent[l]!);
        previous.dispose();
        zh.view.set(readValues(product));
        product.dispose();
      }
      kernels.forward(
        layer.zx.ptr + 4 * t * B * G,
        t > 0 ? zh.ptr : 0,
        t > 0 ? cell.ptr + 4 * (t - 1) * B * H : 0,
        work.start.ptr,
        t,
        B,
        H,
        gates.ptr + 4 * t * B * G,
        cell.ptr + 4 * t * B * H,
        tanhCell.ptr + 4 * t * B * H,
        hidden.ptr + 4 * t * B * H,
      );
    }
  }

  /** mu and log sigma from the top layer's last hidden state, after dropout. */
  private head(B: number, mu: Float32Array, logSigma: Float32Array): void {
    const { hiddenSize: H, steps: L, layers } = this.shape;
    const top = this.work!.layers[layers - 1]!;
    const kernel = this.weight('head/kernel');
    const bias = this.weight('head/bias');
    const hidden = top.hidden.view;
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
    const mask = top.dropMask;
    const hidden = top.hidden.view;
    const dHidden = top.dHidden.view;
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

  /**
   * Back through one layer: step by step the cell (cell-kernels.wat) and the gradient reaching
   * the previous hidden state (a product); then the weight gradients over all steps, one product
   * each, and (above layer 0) the gradient at the layer below's outputs.
   */
  private layerBackward(l: number, B: number, weights: BatchWeights): void {
    const { hiddenSize: H, steps: L } = this.shape;
    const G = 4 * H;
    const work = this.work!;
    const kernels = this.kernels!;
    const layer = work.layers[l]!;
    const below = l > 0 ? work.layers[l - 1] : undefined;
    const { dRecurrent, dCell, dBias } = work;
    const { gates, tanhCell, cell, dHidden, dz } = layer;
    dRecurrent.view.fill(0, 0, B * H);
    dCell.view.fill(0, 0, B * H);
    dBias.view.fill(0, 0, G);
    for (let t = L - 1; t >= 0; t--) {
      kernels.backward(
        gates.ptr + 4 * t * B * G,
        tanhCell.ptr + 4 * t * B * H,
        t > 0 ? cell.ptr + 4 * (t - 1) * B * H : 0,
        dHidden.ptr + 4 * t * B * H,
        dRecurrent.ptr,
        dCell.ptr,
        work.start.ptr,
        t,
        B,
        H,
        dz.ptr + 4 * t * B * G,
        dBias.ptr,
      );
      if (t === 0) break;
      const dzStep = tf.tensor2d(dz.view.subarray(t * B * G, (t + 1) * B * G), [B, G]);
      const product = tf.matMul(dzStep, weights.recurrentT[l]!);
      dzStep.dispose();
      dRecurrent.view.set(readValues(product));
      product.dispose();
    }
    const grad = work.grad;
    const gradBias = this.weight(`lstm_${l}/bias`, grad);
    for (let k = 0; k < G; k++) gradBias[k]! += dBias.view[k]!;
    // Weight gradients: x^T dz over all steps and h_prev^T dz over steps 1.., each one product
    // with dz transposed (by the kernels: tfjs's Transpose on wasm is slower than the product).
    const dzT = work.dzT;
    kernels.transpose(dz.ptr, L * B, G, dzT.ptr);
    const dzAllT = tf.tensor2d(dzT.view.subarray(0, L * B * G), [G, L * B]);
    const dKernel = tf.matMul(dzAllT, weights.inputs[l]!);
    dzAllT.dispose();
    addTransposed(readValues(dKernel), G, layer.inputSize, this.weight(`lstm_${l}/kernel`, grad));
    dKernel.dispose();
    if (L > 1) {
      kernels.transpose(dz.ptr + 4 * B * G, (L - 1) * B, G, dzT.ptr);
      const dzLaterT = tf.tensor2d(dzT.view.subarray(0, (L - 1) * B * G), [G, (L - 1) * B]);
      const previous = tf.tensor2d(layer.hidden.view.subarray(0, (L - 1) * B * H), [(L - 1) * B, H]);
      const dRecurrentKernel = tf.matMul(dzLaterT, previous);
      tf.dispose([dzLaterT, previous]);
      addTransposed(readValues(dRecurrentKernel), G, H, this.weight(`lstm_${l}/recurrent_kernel`, grad));
      dRecurrentKernel.dispose();
    }
    if (below) {
      // The gradient at the layer below's outputs, through its dropout.
      const dzAll = tf.tensor2d(dz.view.subarray(0, L * B * G), [L * B, G]);
      const dInputs = tf.matMul(dzAll, weights.kernelT[l]!);
      dzAll.dispose();
      const values = readValues(dInputs);
      const target = below.dHidden.view;
      const mask = below.dropMask;
      for (let i = 0; i < L * B * H; i++) target[i] = values[i]! * mask[i]!;
      dInputs.dispose();
    }
  }
}

/** Adds a [4H][width] product, transposed, to a [width][4H] weight's gradient. */
function addTransposed(product: Float32Array, G: number, width: number, target: Float32Array): void {
  for (let k = 0; k < G; k++) for (let r = 0; r < width; r++) target[r * G + k]! += product[k * width + r]!;
}

/** A [rows][cols] matrix transposed. */
function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!;
  return out;
}

/** Layer 0's inputs of the windows `rows`, time-major. */
function gatherWindows(values: Float32Array, rows: Int32Array, L: number, D: number, x: Float32Array): void {
  const B = rows.length;
  for (let b = 0; b < B; b++) {
    const window = rows[b]! * L * D;
    for (let t = 0; t < L; t++) {
      const from = window + t * D;
      const to = (t * B + b) * D;
      for (let f = 0; f < D; f++) x[to + f] = values[from + f]!;
    }
  }
}

function disposeWeights(weights: BatchWeights): void {
  for (const list of Object.values(weights) as Array<Array<tf.Tensor | undefined>>) for (const t of list) t?.dispose();
}
