import { CELL_KERNELS_WASM_BASE64 } from './cell-kernels.wasm';

/** What the kernels need of WebAssembly (the workspace's TypeScript libraries do not declare it: no DOM lib). */
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: WasmApi };

/** The exports of cell-kernels.wat (see its comments); every pointer is a byte offset into `memory`. */
interface KernelExports {
  memory: WasmMemory;
  forward(
    zx: number,
    zh: number,
    cPrev: number,
    start: number,
    t: number,
    B: number,
    H: number,
    gates: number,
    cell: number,
    tanhCell: number,
    hidden: number,
  ): void;
  backward(
    gates: number,
    tanhCell: number,
    cPrev: number,
    dHidden: number,
    dRecurrent: number,
    dCell: number,
    start: number,
    t: number,
    B: number,
    H: number,
    dz: number,
    dBias: number,
  ): void;
  transpose(src: number, rows: number, cols: number, dst: number): void;
}

let compiled: object | undefined;

/** An array in the kernels' memory: its byte offset and a view of it (valid until the memory grows). */
export interface KernelArray<T extends Float32Array | Int32Array = Float32Array> {
  ptr: number;
  length: number;
  view: T;
}

/** Kernels wrote past a row up to this many bytes (a masked 4-lane chunk), so every array gets them as slack. */
const SLACK = 16;

/**
 * One instance of the LSTM cell kernels with its own memory, and a bump allocator over it. The
 * module is compiled once per process (it is a few kilobytes) and instantiated per network, so
 * networks never share state. Offset 0 is never allocated: the kernels read a 0 pointer as
 * "absent" (no previous cell state, no recurrent part).
 */
export class CellKernels {
  private readonly exports: KernelExports;
  private top = SLACK;
  private readonly arrays: Array<KernelArray<Float32Array> | KernelArray<Int32Array>> = [];

  constructor() {
    compiled ??= new wasm.Module(Buffer.from(CELL_KERNELS_WASM_BASE64, 'base64'));
    this.exports = new wasm.Instance(compiled, {}).exports as unknown as KernelExports;
  }

  get forward(): KernelExports['forward'] {
    return this.exports.forward;
  }

  get backward(): KernelExports['backward'] {
    return this.exports.backward;
  }

  get transpose(): KernelExports['transpose'] {
    return this.exports.transpose;
  }

  /** Forgets every array allocated so far (their memory is reused by the next ones). */
  reset(): void {
    this.top = SLACK;
    this.arrays.length = 0;
  }

  /** A zeroed float32 array of `length` in the kernels' memory. */
  floats(length: number): KernelArray<Float32Array> {
    const ptr = this.allocate(length * 4);
    const array = { ptr, length, view: new Float32Array(this.exports.memory.buffer, ptr, length) };
    this.arrays.push(array);
    return array;
  }

  /** A zeroed int32 array of `length` in the kernels' memory. */
  ints(length: number): KernelArray<Int32Array> {
    const ptr = this.allocate(length * 4);
    const array = { ptr, length, view: new Int32Array(this.exports.memory.buffer, ptr, length) };
    this.arrays.push(array);
    return array;
  }

  private allocate(bytes: number): number {
    const ptr = this.top;
    this.top = ptr + Math.ceil((bytes + SLACK) / 16) * 16;
    const { memory } = this.exports;
    if (this.top > memory.buffer.byteLength) {
      memory.grow(Math.ceil((this.top - memory.buffer.byteLength) / 65_536));
      // Growing detaches every earlier view (their length drops to 0): make them again over the new buffer.
      for (const array of this.arrays) {
        array.view = (array.view instanceof Int32Array ? new Int32Array(memory.buffer, array.ptr, array.length) : new Float32Array(memory.buffer, array.ptr, array.length)) as never;
      }
    }
    new Uint8Array(memory.buffer, ptr, this.top - ptr).fill(0);
    return ptr;
  }
}
