// The WebAssembly SIMD kernels (kernels.wat) over float32 vectors that live in one arena segment's
// memory (arena.ts). A kernel runs only on arrays whose bytes are inside the same
// WebAssembly.Memory, so it reads and writes them in place; for any other array the functions here
// return null and the caller runs its TypeScript loop, which gives the same bits. In V8 the
// TypeScript loops run at ~2.5-5 ns per element on these VMs (bounds-checked scalar float32
// loads and stores), the kernels at ~1.5 ns; an mnistfc centre update is 1.87M elements.
import { KERNELS_WASM_BASE64 } from './kernels.generated.js';

/** The exports of kernels.wat (byte offsets, element counts; 1 = every result finite). */
interface KernelExports {
  all_finite(p: number, n: number): number;
  easgd_async(c: number, r: number, d: number, x: number, n: number, alpha: number): number;
  easgd_sync_step(c: number, r: number, src: number, out: number, n: number, alpha: number): number;
  mean(ptrs: number, k: number, out: number, n: number): number;
  desgd(x: number, ptrs: number, k: number, out: number, n: number, s: number): number;
  f16_encode(src: number, dst: number, n: number): void;
  f16_decode(src: number, dst: number, n: number): void;
}

/** The part of the WebAssembly JS API used here (ES2023's lib does not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum?: number }) => { buffer: ArrayBuffer };
}

export const WASM_PAGE_BYTES = 65_536;

/**
 * Bytes at the start of every segment's memory for the lists of byte offsets that the k-vector
 * kernels (mean, desgd) read; vectors start after it.
 */
export const POINTER_AREA_BYTES = WASM_PAGE_BYTES;
const MAX_LIST = POINTER_AREA_BYTES / 4;

let compiled: object | null | undefined;

/** The compiled kernel module, or null where WebAssembly or its SIMD instructions are missing. */
export function kernelModule(): object | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wasm) return compiled;
  try {
    const bin = atob(KERNELS_WASM_BASE64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    if (wasm.validate(bytes)) compiled = new wasm.Module(bytes);
  } catch {
    compiled = null;
  }
  return compiled;
}

/** One WebAssembly memory with the kernels bound to it. */
export class KernelMemory {
  readonly buffer: ArrayBuffer;
  private readonly k: KernelExports;
  private readonly pointers: Int32Array;

  /** `bytes` of memory (rounded up to whole pages); throws where kernelModule() is null. */
  constructor(bytes: number) {
    const module = kernelModule();
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (!module || !wasm) throw new Error('WebAssembly SIMD kernels are not available');
    const pages = Math.ceil(bytes / WASM_PAGE_BYTES);
    // A fixed size, never grown: growing would detach the buffer and every view of it.
    const memory = new wasm.Memory({ initial: pages, maximum: pages });
    this.k = new wasm.Instance(module, { env: { memory } }).exports as KernelExports;
    this.buffer = memory.buffer;
    this.pointers = new Int32Array(this.buffer, 0, MAX_LIST);
    registry.set(this.buffer, this);
  }

  allFinite(v: Float32Array): boolean {
    return this.k.all_finite(v.byteOffset, v.length) === 1;
  }

  easgdAsync(c: Float32Array, r: Float32Array, alpha: number, delta: Float32Array, next: Float32Array): boolean {
    return this.k.easgd_async(c.byteOffset, r.byteOffset, delta.byteOffset, next.byteOffset, c.length, alpha) === 1;
  }

  easgdSyncStep(c: Float32Array, r: Float32Array, src: Float32Array, out: Float32Array, alpha: number): boolean {
    return this.k.easgd_sync_step(c.byteOffset, r.byteOffset, src.byteOffset, out.byteOffset, c.length, alpha) === 1;
  }

  mean(vs: readonly Float32Array[], out: Float32Array): boolean {
    this.list(vs);
    return this.k.mean(0, vs.length, out.byteOffset, out.length) === 1;
  }

  desgd(x: Float32Array, mus: readonly Float32Array[], out: Float32Array, stepSize: number): boolean {
    this.list(mus);
    return this.k.desgd(x.byteOffset, 0, mus.length, out.byteOffset, out.length, stepSize) === 1;
  }

  /** The float16 conversions between two regions of this memory (byte offsets). */
  f16Encode(src: number, dst: number, n: number): void {
    this.k.f16_encode(src, dst, n);
  }

  f16Decode(src: number, dst: number, n: number): void {
    this.k.f16_decode(src, dst, n);
  }

  private list(vs: readonly Float32Array[]): void {
    for (let j = 0; j < vs.length; j++) this.pointers[j] = vs[j]!.byteOffset;
  }
}

/** Memories by their buffer, so any view of one finds its kernels. */
const registry = new WeakMap<ArrayBufferLike, KernelMemory>();

/**
 * The kernel memory holding every one of `arrays`, all of the same length, when there is one
 * (and a list of at most MAX_LIST vectors); otherwise null.
 */
function memoryOf(arrays: readonly Float32Array[], lists = 0): KernelMemory | null {
  if (lists > MAX_LIST) return null;
  const first = arrays[0];
  if (!first) return null;
  const m = registry.get(first.buffer);
  if (!m) return null;
  const n = first.length;
  for (let i = 1; i < arrays.length; i++) {
    const a = arrays[i]!;
    if (a.buffer !== first.buffer || a.length !== n) return null;
  }
  return m;
}

/** allFiniteValues in WebAssembly; null when `v` is not in a kernel memory. */
export function wasmAllFinite(v: Float32Array): boolean | null {
  return registry.get(v.buffer)?.allFinite(v) ?? null;
}

/** Asynchronous EASGD (Δ and the new x̃); whether all finite, or null when not co-located. */
export function wasmEasgdAsync(
  centre: Float32Array,
  replica: Float32Array,
  alpha: number,
  delta: Float32Array,
  next: Float32Array,
): boolean | null {
  return memoryOf([centre, replica, delta, next])?.easgdAsync(centre, replica, alpha, delta, next) ?? null;
}

/**
 * A synchronous EASGD round: next = x̃ + Σ_i fround(α (x^i − x̃)), one replica per pass, in
 * order; whether the result is finite, or null when not co-located.
 */
export function wasmEasgdSync(
  centre: Float32Array,
  replicas: readonly Float32Array[],
  alpha: number,
  next: Float32Array,
): boolean | null {
  if (replicas.length === 0 || next === centre) return null;
  const m = memoryOf([centre, next, ...replicas]);
  if (!m) return null;
  let ok = true;
  // A non-finite partial sum stays non-finite, so the last pass's check covers every pass.
  for (let i = 0; i < replicas.length; i++) ok = m.easgdSyncStep(centre, replicas[i]!, i === 0 ? centre : next, next, alpha);
  return ok;
}

/** core's meanOf into `out`; whether the mean is finite, or null when not co-located. */
export function wasmMean(vs: readonly Float32Array[], out: Float32Array): boolean | null {
  if (vs.length === 0) return null;
  return memoryOf([out, ...vs], vs.length)?.mean(vs, out) ?? null;
}

/** x − s (x − mean μ) into `out` (≠ x); whether finite, or null when not co-located. */
export function wasmDesgd(x: Float32Array, mus: readonly Float32Array[], stepSize: number, out: Float32Array): boolean | null {
  if (mus.length === 0 || out === x) return null;
  return memoryOf([x, out, ...mus], mus.length)?.desgd(x, mus, out, stepSize) ?? null;
}

// ---- float16 conversion ------------------------------------------------------------------------

/** Largest conversion done in WebAssembly (bytes of scratch); larger ones stay in TypeScript. */
const MAX_SCRATCH_BYTES = 256 * 2 ** 20;
let scratch: KernelMemory | null = null;

/** A scratch memory of at least `bytes` after the pointer area, or null. */
function scratchFor(bytes: number): KernelMemory | null {
  if (bytes > MAX_SCRATCH_BYTES) return null;
  if (!scratch || scratch.buffer.byteLength - POINTER_AREA_BYTES < bytes) {
    try {
      scratch = new KernelMemory(POINTER_AREA_BYTES + Math.max(bytes, 2 ** 20));
    } catch {
      return null; // no WebAssembly SIMD, or no address space
    }
  }
  return scratch;
}

/**
 * Runs an element-wise conversion of `input` into `out` (as many elements) in the scratch memory:
 * copies the bytes in, `convert(memory, src, dst, n)` with byte offsets, copies the result out.
 * false when it cannot run; the caller converts in TypeScript.
 */
function throughScratch(
  input: Float32Array | Uint16Array,
  out: Float32Array | Uint16Array,
  what: string,
  convert: (m: KernelMemory, src: number, dst: number, n: number) => void,
): boolean {
  const n = input.length;
  if (out.length !== n) throw new RangeError(`${what}: out has ${out.length} elements, need ${n}`);
  const dstOff = Math.ceil(input.byteLength / 16) * 16;
  const m = scratchFor(dstOff + out.byteLength);
  if (!m) return false;
  const src = POINTER_AREA_BYTES;
  new Uint8Array(m.buffer, src, input.byteLength).set(new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
  convert(m, src, src + dstOff, n);
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(new Uint8Array(m.buffer, src + dstOff, out.byteLength));
  return true;
}

/**
 * float32 -> IEEE binary16 bits (round to nearest even; NaN keeps its top payload bits), through
 * a scratch WebAssembly memory: copy in, convert eight at a time, copy out. false when it cannot
 * run (no WebAssembly SIMD, or too large); the caller converts in TypeScript.
 */
export function wasmFloat16Encode(values: Float32Array, out: Uint16Array): boolean {
  return throughScratch(values, out, 'float16 encode', (m, src, dst, n) => m.f16Encode(src, dst, n));
}

/** binary16 bits -> float32 (exact; NaNs as 0x7fc00000), as wasmFloat16Encode; false: not run. */
export function wasmFloat16Decode(halves: Uint16Array, out: Float32Array): boolean {
  return throughScratch(halves, out, 'float16 decode', (m, src, dst, n) => m.f16Decode(src, dst, n));
}
