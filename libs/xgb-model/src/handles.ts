import { type Handle, capi } from './c-api';
import { XGBoostError } from './errors';

export type HandleKind = 'DMatrix' | 'Booster';

const live: Record<HandleKind, number> = { DMatrix: 0, Booster: 0 };

function release(kind: HandleKind, handle: Handle): void {
  const api = capi();
  if (kind === 'DMatrix') api.XGDMatrixFree(handle);
  else api.XGBoosterFree(handle);
  live[kind] -= 1;
}

// The safety net for handles nobody disposed: it runs some time after the owner is collected.
const registry = new FinalizationRegistry<{ kind: HandleKind; handle: Handle }>(({ kind, handle }) => release(kind, handle));

/** How many DMatrix and Booster handles are currently allocated in libxgboost. */
export function liveHandles(): Record<HandleKind, number> {
  return { ...live };
}

/** Owns one native handle: freed by `dispose()`, or by the garbage collector as a fallback. */
export abstract class NativeHandle {
  #handle: Handle | undefined;

  protected constructor(
    private readonly kind: HandleKind,
    handle: Handle,
  ) {
    this.#handle = handle;
    live[kind] += 1;
    registry.register(this, { kind, handle }, this);
  }

  /** The native handle, for calls into the C API; throws once disposed. */
  get handle(): Handle {
    if (this.#handle === undefined) throw new XGBoostError(this.kind, 'used after dispose()');
    return this.#handle;
  }

  get disposed(): boolean {
    return this.#handle === undefined;
  }

  /** Frees the native handle now; calling it again does nothing. */
  dispose(): void {
    if (this.#handle === undefined) return;
    registry.unregister(this);
    const handle = this.#handle;
    this.#handle = undefined;
    release(this.kind, handle);
  }
}

/** Reads a koffi `_Out_ void**` result that must be a handle. */
export function requireHandle(call: string, pointer: bigint | null): Handle {
  if (pointer === null || pointer === 0n) throw new XGBoostError(call, 'returned a null handle');
  return pointer;
}
