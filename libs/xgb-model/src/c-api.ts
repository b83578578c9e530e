import * as koffi from 'koffi';
import { XGBoostError, XGBoostLibraryError } from './errors';
import { INSTALL_HINT, loadLibrary, xgboostVersion } from './native';

/** A native handle (`DMatrixHandle`, `BoosterHandle`): koffi 3 represents pointers as BigInt. */
export type Handle = bigint;
/** A one-element array koffi writes an `_Out_` argument into. */
type Out<T> = [T];
type Pointer = bigint | null;

/** The part of XGBoost's `c_api.h` (1.7) this binding uses; every call returns 0 or -1. */
interface CApi {
  XGBGetLastError(): string;
  XGDMatrixCreateFromMat_omp(data: Float32Array, nrow: number, ncol: number, missing: number, out: Out<Pointer>, nthread: number): number;
  XGDMatrixFree(handle: Handle): number;
  XGDMatrixNumRow(handle: Handle, out: Out<number>): number;
  XGDMatrixNumCol(handle: Handle, out: Out<number>): number;
  XGDMatrixSetFloatInfo(handle: Handle, field: string, array: Float32Array, len: number): number;
  XGDMatrixGetFloatInfo(handle: Handle, field: string, outLen: Out<number>, out: Out<Pointer>): number;
  XGDMatrixSetStrFeatureInfo(handle: Handle, field: string, features: readonly string[] | null, size: number): number;
  XGDMatrixGetStrFeatureInfo(handle: Handle, field: string, outLen: Out<number>, out: Out<Pointer>): number;
  XGBoosterCreate(dmats: readonly Handle[], len: number, out: Out<Pointer>): number;
  XGBoosterFree(handle: Handle): number;
  XGBoosterSetParam(handle: Handle, name: string, value: string): number;
  XGBoosterUpdateOneIter(handle: Handle, iteration: number, dtrain: Handle): number;
  XGBoosterEvalOneIter(handle: Handle, iteration: number, dmats: readonly Handle[], names: readonly string[], len: number, out: Out<string>): number;
  XGBoosterPredictFromDMatrix(handle: Handle, dmat: Handle, config: string, outShape: Out<Pointer>, outDim: Out<number>, out: Out<Pointer>): number;
  XGBoosterSaveModelToBuffer(handle: Handle, config: string, outLen: Out<number>, out: Out<Pointer>): number;
  XGBoosterLoadModelFromBuffer(handle: Handle, buffer: Uint8Array, len: number): number;
  XGBoosterSerializeToBuffer(handle: Handle, outLen: Out<number>, out: Out<Pointer>): number;
  XGBoosterUnserializeFromBuffer(handle: Handle, buffer: Uint8Array, len: number): number;
  XGBoosterSaveJsonConfig(handle: Handle, outLen: Out<number>, out: Out<string>): number;
  XGBoosterFeatureScore(
    handle: Handle,
    config: string,
    outFeatureCount: Out<number>,
    outFeatures: Out<Pointer>,
    outDim: Out<number>,
    outShape: Out<Pointer>,
    outScores: Out<Pointer>,
  ): number;
  XGBoosterGetAttr(handle: Handle, key: string, out: Out<string | null>, success: Out<number>): number;
  XGBoosterSetAttr(handle: Handle, key: string, value: string | null): number;
  XGBoosterGetStrFeatureInfo(handle: Handle, field: string, outLen: Out<number>, out: Out<Pointer>): number;
  XGBoosterSetStrFeatureInfo(handle: Handle, field: string, features: readonly string[] | null, size: number): number;
  XGBoosterBoostedRounds(handle: Handle, out: Out<number>): number;
  XGBoosterGetNumFeature(handle: Handle, out: Out<number>): number;
}

// bst_ulong is uint64_t; koffi wants `unsigned int`, not bare `unsigned`.
const DECLARATIONS: Record<keyof CApi, string> = {
  XGBGetLastError: 'const char* XGBGetLastError()',
  XGDMatrixCreateFromMat_omp:
    'int XGDMatrixCreateFromMat_omp(const float* data, uint64_t nrow, uint64_t ncol, float missing, _Out_ void** out, int nthread)',
  XGDMatrixFree: 'int XGDMatrixFree(void* handle)',
  XGDMatrixNumRow: 'int XGDMatrixNumRow(void* handle, _Out_ uint64_t* out)',
  XGDMatrixNumCol: 'int XGDMatrixNumCol(void* handle, _Out_ uint64_t* out)',
  XGDMatrixSetFloatInfo: 'int XGDMatrixSetFloatInfo(void* handle, const char* field, const float* array, uint64_t len)',
  XGDMatrixGetFloatInfo: 'int XGDMatrixGetFloatInfo(void* handle, const char* field, _Out_ uint64_t* out_len, _Out_ void** out_dptr)',
  XGDMatrixSetStrFeatureInfo: 'int XGDMatrixSetStrFeatureInfo(void* handle, const char* field, const char** features, uint64_t size)',
  XGDMatrixGetStrFeatureInfo: 'int XGDMatrixGetStrFeatureInfo(void* handle, const char* field, _Out_ uint64_t* size, _Out_ void** out_features)',
  XGBoosterCreate: 'int XGBoosterCreate(void** dmats, uint64_t len, _Out_ void** out)',
  XGBoosterFree: 'int XGBoosterFree(void* handle)',
  XGBoosterSetParam: 'int XGBoosterSetParam(void* handle, const char* name, const char* value)',
  XGBoosterUpdateOneIter: 'int XGBoosterUpdateOneIter(void* handle, int iter, void* dtrain)',
  XGBoosterEvalOneIter:
    'int XGBoosterEvalOneIter(void* handle, int iter, void** dmats, const char** evnames, uint64_t len, _Out_ const char** out_result)',
  XGBoosterPredictFromDMatrix:
    'int XGBoosterPredictFromDMatrix(void* handle, void* dmat, const char* config, _Out_ void** out_shape, _Out_ uint64_t* out_dim, _Out_ void** out_result)',
  XGBoosterSaveModelToBuffer: 'int XGBoosterSaveModelToBuffer(void* handle, const char* config, _Out_ uint64_t* out_len, _Out_ void** out_dptr)',
  XGBoosterLoadModelFromBuffer: 'int XGBoosterLoadModelFromBuffer(void* handle, const void* buf, uint64_t len)',
  XGBoosterSerializeToBuffer: 'int XGBoosterSerializeToBuffer(void* handle, _Out_ uint64_t* out_len, _Out_ void** out_dptr)',
  XGBoosterUnserializeFromBuffer: 'int XGBoosterUnserializeFromBuffer(void* handle, const void* buf, uint64_t len)',
  XGBoosterSaveJsonConfig: 'int XGBoosterSaveJsonConfig(void* handle, _Out_ uint64_t* out_len, _Out_ const char** out_str)',
  XGBoosterFeatureScore:
    'int XGBoosterFeatureScore(void* handle, const char* config, _Out_ uint64_t* out_n_features, _Out_ void** out_features, _Out_ uint64_t* out_dim, _Out_ void** out_shape, _Out_ void** out_scores)',
  XGBoosterGetAttr: 'int XGBoosterGetAttr(void* handle, const char* key, _Out_ const char** out, _Out_ int* success)',
  XGBoosterSetAttr: 'int XGBoosterSetAttr(void* handle, const char* key, const char* value)',
  XGBoosterGetStrFeatureInfo: 'int XGBoosterGetStrFeatureInfo(void* handle, const char* field, _Out_ uint64_t* len, _Out_ void** out_features)',
  XGBoosterSetStrFeatureInfo: 'int XGBoosterSetStrFeatureInfo(void* handle, const char* field, const char** features, uint64_t size)',
  XGBoosterBoostedRounds: 'int XGBoosterBoostedRounds(void* handle, _Out_ int* out)',
  XGBoosterGetNumFeature: 'int XGBoosterGetNumFeature(void* handle, _Out_ uint64_t* out)',
};

let bound: CApi | undefined;

/** The bound C API of the loaded libxgboost (bound once, on first use). */
export function capi(): CApi {
  if (bound) return bound;
  const { lib, path } = loadLibrary();
  xgboostVersion();
  const functions: Partial<Record<keyof CApi, unknown>> = {};
  for (const [name, declaration] of Object.entries(DECLARATIONS) as Array<[keyof CApi, string]>) {
    try {
      functions[name] = lib.func(declaration);
    } catch (error) {
      throw new XGBoostLibraryError(`${path} has no ${name} (${(error as Error).message}); ${INSTALL_HINT}`);
    }
  }
  bound = functions as CApi;
  return bound;
}

type ReturnCodeCall = { [K in keyof CApi]: CApi[K] extends (...args: never[]) => number ? K : never }[keyof CApi];

/**
 * Calls a C API function and turns a non-zero return into an XGBoostError carrying
 * XGBGetLastError(). The message is thread-local in XGBoost, which is one reason every
 * call stays on the JS thread (no koffi `.async`).
 */
export function invoke<K extends ReturnCodeCall>(name: K, ...args: Parameters<CApi[K]>): void {
  const api = capi();
  const rc = (api[name] as (...values: Parameters<CApi[K]>) => number)(...args);
  if (rc !== 0) throw new XGBoostError(name, lastError(api));
}

/** XGBoost's message without the C++ stack trace it appends. */
function lastError(api: CApi): string {
  const message = api.XGBGetLastError();
  const cut = message.indexOf('\nStack trace:');
  return (cut >= 0 ? message.slice(0, cut) : message).trim();
}

/** Copies `length` floats the library owns (valid only until the next call on that handle). */
export function copyFloats(pointer: Pointer, length: number): Float32Array {
  if (length === 0 || pointer === null) return new Float32Array(0);
  return new Float32Array(koffi.view(pointer, length * Float32Array.BYTES_PER_ELEMENT).slice(0));
}

/** Copies `length` bytes the library owns. */
export function copyBytes(pointer: Pointer, length: number): Uint8Array {
  if (length === 0 || pointer === null) return new Uint8Array(0);
  return new Uint8Array(koffi.view(pointer, length).slice(0));
}

/** Copies a library-owned `const char**` array of `length` strings. */
export function copyStrings(pointer: Pointer, length: number): string[] {
  if (length === 0 || pointer === null) return [];
  return koffi.decode(pointer, 'const char*', length) as string[];
}

/** Copies a library-owned `bst_ulong*` shape of `length` dimensions. */
export function copyShape(pointer: Pointer, length: number): number[] {
  if (length === 0 || pointer === null) return [];
  return Array.from(koffi.decode(pointer, 'uint64_t', length) as BigUint64Array, Number);
}
