import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type KernelArgs = Parameters<KernelFunc>[0];

/**
 * Faster versions of three wasm kernels of tfjs 4.22 that the LSTM's training and prediction
 * lean on; each gives the same values as the kernel it replaces (tests check that on random
 * inputs) and only changes how the work is done:
 * - BatchMatMul with transposeA/transposeB runs a naive loop 5-15x slower than its XNNPACK path
 *   (every gradient of a matMul asks for a transpose): transpose explicitly, then the fast path.
 * - Slice (and SplitV and Unpack, which call it directly rather than through the registry)
 *   copies the whole input out of wasm memory on every call before taking its part: copy only
 *   the part, straight from wasm memory.
 */
const WASM = 'wasm';
const originals = new Map<string, tf.KernelConfig>();

function kernelOf(name: string): tf.KernelConfig {
  return originals.get(name) ?? tf.getKernel(name, WASM);
}

function transposeLastTwo(x: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
  return kernelOf(tf.Transpose).kernelFunc({ inputs: { x }, backend: backend as tf.KernelBackend, attrs: { perm } }) as tf.TensorInfo;
}

function batchMatMul(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  const original = kernelOf(tf.BatchMatMul).kernelFunc;
  if (!transposeA && !transposeB) return original(args) as tf.TensorInfo;
  const a = transposeA ? transposeLastTwo(inputs.a!, backend) : inputs.a!;
  const b = transposeB ? transposeLastTwo(inputs.b!, backend) : inputs.b!;
  try {
    return original({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } }) as tf.TensorInfo;
  } finally {
    if (transposeA) (backend as tf.KernelBackend).disposeData(a.dataId);
    if (transposeB) (backend as tf.KernelBackend).disposeData(b.dataId);
  }
}

/** Copies the block `begin`/`size` of `x` into a new tensor, one innermost run at a time. */
function sliceFromHeap(x: tf.TensorInfo, begin: number[], size: number[], backend: BackendWasm): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  if (tf.util.sizeFromShape(size) === 0) return out;
  // Views only after makeOutput: allocating can grow wasm memory and detach older views.
  const source = backend.typedArrayFromHeap(x);
  const target = backend.typedArrayFromHeap(out);
  const rank = x.shape.length;
  const strides = tf.util.computeStrides(x.shape);
  // Trailing dimensions taken whole merge into one longer contiguous run.
  let inner = rank - 1;
  while (inner > 0 && size[inner] === x.shape[inner] && begin[inner] === 0) inner--;
  const run = tf.util.sizeFromShape(size.slice(inner));
  const outer = size.slice(0, inner);
  const index = new Array<number>(inner).fill(0);
  const runs = tf.util.sizeFromShape(outer);
  for (let r = 0, offset = 0; r < runs; r++, offset += run) {
    let from = begin[inner]! * (strides[inner] ?? 1);
    for (let d = 0; d < inner; d++) from += (begin[d]! + index[d]!) * strides[d]!;
    target.set(source.subarray(from, from + run), offset);
    for (let d = inner - 1; d >= 0; d--) {
      if (++index[d]! < outer[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}

function slice(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x!;
  if (x.dtype === 'string') return kernelOf(tf.Slice).kernelFunc(args) as tf.TensorInfo;
  const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
  const [from, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  return sliceFromHeap(x, from!, extent!, args.backend as unknown as BackendWasm);
}

function splitV(args: KernelArgs): tf.TensorInfo[] {
  const x = args.inputs.x!;
  if (x.dtype === 'string') return kernelOf(tf.SplitV).kernelFunc(args) as tf.TensorInfo[];
  const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
  const along = tf.util.parseAxisParam(axis, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, along);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[along] = s;
    const part = sliceFromHeap(x, begin, size, args.backend as unknown as BackendWasm);
    begin[along]! += s;
    return part;
  });
}

function unpack(args: KernelArgs): tf.TensorInfo[] {
  const value = args.inputs.value!;
  if (value.dtype === 'string') return kernelOf(tf.Unpack).kernelFunc(args) as tf.TensorInfo[];
  const rank = value.shape.length;
  let { axis } = args.attrs as unknown as tf.UnpackAttrs;
  if (axis < 0) axis += rank;
  const outShape = value.shape.filter((_, d) => d !== axis);
  const begin = new Array<number>(rank).fill(0);
  const size = [...value.shape];
  size[axis] = 1;
  return Array.from({ length: value.shape[axis]! }, (_, i) => {
    begin[axis] = i;
    const { dataId, dtype } = sliceFromHeap(value, begin, size, args.backend as unknown as BackendWasm);
    return { dataId, dtype, shape: outShape };
  });
}

const FIXES: Record<string, KernelFunc> = {
  [tf.BatchMatMul]: batchMatMul as KernelFunc,
  [tf.Slice]: slice as KernelFunc,
  [tf.SplitV]: splitV as KernelFunc,
  [tf.Unpack]: unpack as KernelFunc,
};

/** The kernel names this module replaces on the wasm backend. */
export const FIXED_KERNELS = Object.keys(FIXES);

/** Registers the faster wasm kernels (once; later calls do nothing). */
export function installKernelFixes(): void {
  for (const [name, kernelFunc] of Object.entries(FIXES)) {
    if (originals.has(name)) continue;
    const original = tf.getKernel(name, WASM);
    if (!original) throw new Error(`tfjs has no wasm kernel ${name} to replace`);
    originals.set(name, original);
    tf.unregisterKernel(name, WASM);
    // The original's setupFunc binds its wasm function; the fix calls it, so keep it.
    tf.registerKernel({ ...original, kernelFunc });
  }
}

/**
 * Runs `fn` with tfjs's own wasm kernels back in place (to compare the fixes against); when
 * `fn` returns a promise, until it settles.
 */
export function withOriginalKernels<T>(fn: () => T): T {
  const swap = (to: 'original' | 'fixed') => {
    for (const [name, original] of originals) {
      tf.unregisterKernel(name, WASM);
      tf.registerKernel(to === 'original' ? original : { ...original, kernelFunc: FIXES[name]! });
    }
  };
  swap('original');
  let result: T;
  try {
    result = fn();
  } catch (error) {
    swap('fixed');
    throw error;
  }
  if (result instanceof Promise) return result.finally(() => swap('fixed')) as T;
  swap('fixed');
  return result;
}
