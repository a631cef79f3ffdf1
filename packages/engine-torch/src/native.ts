// The native surface of the torch engine, declared once and loaded lazily. Nothing here runs at
// import time: the addon is loaded on the first call to loadNative()/available(), and a missing or
// broken build is reported as data ({ ok: false, reason }) carrying the exact remedy, never thrown
// from an import. src/native/addon.cc is the implementation of these declarations.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LayerSpec } from '@deeprelax/core';

export const BUILD_REMEDY =
  'install libtorch (Debian/Ubuntu: apt-get install libtorch-dev; or set LIBTORCH to an unpacked ' +
  'libtorch folder; or pip install torch), then run: npm run build:native -w @deeprelax/engine-torch';

/** Process-wide facts about the loaded libtorch. */
export interface NativeInfo {
  torchVersion: string;
  cuda: boolean;
  cudaDevices: number;
  /** oneDNN's sgemm was found in the process and is used for dense layers on the CPU. */
  dnnl: boolean;
  threads: number;
  interopThreads: number;
}

export type NativeDevice = 'cpu' | 'cuda' | 'auto';
export type NativeKernels = 'fast' | 'aten';

export interface NativeModelConfig {
  inputShape: number[];
  numClasses: number;
  layers: LayerSpec[];
  /** An integer; taken modulo 2^64. */
  seed: number;
  device: NativeDevice;
  kernels: NativeKernels;
  params: Float32Array | null;
  buffers: Float32Array | null;
}

/**
 * One model. Vector handles are integers: 0 is params, 1 is grad, others come from newVec and are
 * never reused. Errors carry code 'ERR_TORCH_USAGE' (bad input) or 'ERR_TORCH_NATIVE' (libtorch).
 */
export interface NativeModel {
  numParams(): number;
  numBuffers(): number;
  describe(): string;
  /** from < 0: a zero vector; else a copy of vector `from`. */
  newVec(from: number): number;
  freeVec(id: number): void;
  copy(dst: number, src: number): void;
  fill(dst: number, value: number): void;
  scale(dst: number, a: number): void;
  axpy(dst: number, alpha: number, x: number): void;
  axpby(dst: number, a: number, b: number, x: number): void;
  addNoise(dst: number, std: number): void;
  dot(a: number, b: number): number;
  norm(a: number): number;
  allFinite(a: number): boolean;
  read(id: number): Float32Array;
  write(id: number, data: Float32Array): void;
  readBuffers(): Float32Array;
  writeBuffers(data: Float32Array): void;
  resetBuffers(): void;
  setTrain(train: boolean): void;
  /** Writes [loss, correct] into out. */
  lossAndGrad(x: Float32Array, y: Int32Array, n: number, out: Float64Array): void;
  evaluate(x: Float32Array, y: Int32Array, n: number, out: Float64Array): void;
  /** Labels are validated (a Batch is checked whole) but not used. */
  updateBatchNormStats(x: Float32Array, y: Int32Array, n: number): void;
  /** Test oracle: the same loss and gradient through libtorch's autograd; grad into gradOut. */
  referenceLossAndGrad(x: Float32Array, y: Int32Array, n: number, out: Float64Array, gradOut: Float32Array): void;
  seed(seed: number): void;
  dispose(): void;
}

export interface NativeAddon {
  NativeModel: new (config: NativeModelConfig) => NativeModel;
  info(): NativeInfo;
  setThreads(n: number): void;
  /** False when libtorch's inter-op pool was already started with another size (settable once). */
  setInteropThreads(n: number): boolean;
  /** Sets how many bytes of freed large blocks the caching CPU allocator keeps (0: none). */
  setCpuCache(limitBytes: number): CpuCacheStats;
  cpuCacheStats(): CpuCacheStats;
}

/** The addon's caching CPU allocator (src/native/cpu_allocator.h). */
export interface CpuCacheStats {
  /** Large (>= 64 KiB) allocations served from the cache / newly allocated. */
  hits: number;
  misses: number;
  /** Freed bytes held for reuse, and the most it may hold. */
  cachedBytes: number;
  limitBytes: number;
}

export type NativeLoad = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string; path: string };

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where node-gyp puts the addon (the same from src/ and dist/). */
export const ADDON_PATH = join(packageRoot, 'build', 'Release', 'deeprelax_torch.node');

let cached: NativeLoad | null = null;

export function loadNative(): NativeLoad {
  if (cached) return cached;
  if (!existsSync(ADDON_PATH)) {
    cached = { ok: false, path: ADDON_PATH, reason: `the torch addon is not built (${ADDON_PATH} is missing); to build it, ${BUILD_REMEDY}` };
    return cached;
  }
  try {
    const addon = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
    if (typeof addon?.NativeModel !== 'function' || typeof addon.info !== 'function') {
      throw new Error('unexpected exports');
    }
    cached = { ok: true, addon, path: ADDON_PATH };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    cached = {
      ok: false,
      path: ADDON_PATH,
      reason: `the torch addon at ${ADDON_PATH} failed to load (${msg.split('\n')[0]}); it may have been built against a libtorch that is no longer installed: ${BUILD_REMEDY}`,
    };
  }
  return cached;
}
