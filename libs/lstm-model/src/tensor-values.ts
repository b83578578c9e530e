import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

interface CpuStorage {
  data: { get(dataId: object): { values: Float32Array } };
}

/**
 * The float32 values of `tensor`, without a copy on the wasm and cpu backends (a view of the
 * backend's own memory) and through `dataSync` elsewhere. The training loop reads a few tensors
 * per time step; copying them was a tenth of a step on wasm. A view is valid only until the
 * next tensor op (wasm memory can grow and move), so read it at once and never keep it.
 */
export function readValues(tensor: tf.Tensor): Float32Array {
  const backend = tf.backend();
  switch (tf.getBackend()) {
    case 'wasm':
      return (backend as unknown as BackendWasm).typedArrayFromHeap(tensor) as Float32Array;
    case 'cpu':
      return (backend as unknown as CpuStorage).data.get(tensor.dataId).values;
    default:
      return tensor.dataSync() as Float32Array;
  }
}
