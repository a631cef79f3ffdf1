// The torch Engine: the TypeScript face over the native addon (native.ts). It validates at the
// boundary (cheap checks with clear messages; the addon checks everything again), owns the
// opaque Vec handles, and turns every native error into an EngineError.
import {
  EngineError,
  initialBuffers,
  initialParameters,
  inputSize,
  layoutOf,
  type Batch,
  type BatchResult,
  type Engine,
  type Mode,
  type Model,
  type ModelOptions,
  type ModelSpec,
  type Vec,
} from '@deeprelax/core';
import { BUILD_REMEDY, loadNative, type CpuCacheStats, type NativeAddon, type NativeInfo, type NativeModel } from './native.js';

export type TorchDevice = 'cpu' | 'cuda' | 'auto';

export interface TorchEngineOptions {
  /** 'cpu' (default), 'cuda' (throws EngineError when unavailable) or 'auto' (cuda when present). */
  device?: TorchDevice;
  /**
   * Intra-op threads for libtorch (and oneDNN). Process-wide: the last engine created sets it.
   * Default 1, so that p worker processes on p cores do not fight over them.
   */
  threads?: number;
  /** Inter-op threads; libtorch allows setting this once per process. Default 1. */
  interopThreads?: number;
  /**
   * 'fast' (default): fused CPU kernels and oneDNN sgemm where available. 'aten': plain ATen ops
   * only, as on CUDA; for tests and for comparing.
   */
  kernels?: 'fast' | 'aten';
  /**
   * MiB of freed large CPU blocks libtorch may keep for reuse (process-wide; default 512, 0 turns
   * the cache off). Reuse saves the page faults of a fresh mmap per activation buffer and batch.
   */
  cpuCacheMiB?: number;
}

/** The torch engine cannot be used here (addon not built, libtorch missing, no CUDA, ...). */
export class TorchUnavailableError extends EngineError {
  constructor(message: string) {
    super(message);
    this.name = 'TorchUnavailableError';
  }
}

/** Whether the torch engine can run in this process, and if not, why and what to do. */
export function available(): { ok: boolean; reason: string } {
  const n = loadNative();
  if (!n.ok) return { ok: false, reason: n.reason };
  try {
    const i = n.addon.info();
    return {
      ok: true,
      reason: `libtorch ${i.torchVersion} loaded from ${n.path}${i.cuda ? ` (${i.cudaDevices} CUDA device(s))` : ' (CPU only)'}${i.dnnl ? ', oneDNN sgemm' : ''}`,
    };
  } catch (e) {
    return { ok: false, reason: `the torch addon loaded but failed: ${errorMessage(e)}; ${BUILD_REMEDY}` };
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Native errors become EngineError; anything already an EngineError passes through. */
function rethrow(e: unknown, what: string): never {
  if (e instanceof EngineError) throw e;
  throw new EngineError(`torch ${what}: ${errorMessage(e)}`);
}

function positiveInt(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new EngineError(`torch: ${what} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

export class TorchEngine implements Engine {
  readonly name = 'torch';
  readonly description: string;
  readonly info: NativeInfo;
  readonly device: 'cpu' | 'cuda';

  constructor(
    private readonly addon: NativeAddon,
    private readonly options: Required<Pick<TorchEngineOptions, 'kernels'>> & { device: 'cpu' | 'cuda' },
  ) {
    this.info = addon.info();
    this.device = options.device;
    const where =
      this.device === 'cuda'
        ? 'cuda:0'
        : `cpu, ${this.info.threads} thread${this.info.threads === 1 ? '' : 's'}${
            options.kernels === 'aten' ? ', ATen kernels' : this.info.dnnl ? ', oneDNN sgemm' : ''
          }`;
    this.description = `libtorch ${this.info.torchVersion} (${where})`;
  }

  /** The caching CPU allocator's counters (process-wide). */
  cpuCacheStats(): CpuCacheStats {
    return this.addon.cpuCacheStats();
  }

  createModel(spec: ModelSpec, options: ModelOptions): TorchModel {
    const layout = layoutOf(spec); // throws SpecError naming the layer
    if (!options || typeof options.seed !== 'number' || !Number.isFinite(options.seed)) {
      throw new EngineError(`createModel: options.seed must be a finite number, got ${String(options?.seed)}`);
    }
    let params: Float32Array;
    if (options.initialParams !== undefined) {
      if (!(options.initialParams instanceof Float32Array) || options.initialParams.length !== layout.numParams) {
        throw new EngineError(
          `createModel: initialParams must be a Float32Array of ${layout.numParams} floats, got ${describeArray(options.initialParams)}`,
        );
      }
      params = options.initialParams;
    } else {
      params = initialParameters(spec, options.seed);
    }
    let native: NativeModel;
    try {
      native = new this.addon.NativeModel({
        inputShape: spec.inputShape,
        numClasses: spec.numClasses,
        layers: spec.layers,
        seed: nativeSeed(options.seed),
        device: this.options.device,
        kernels: this.options.kernels,
        params,
        buffers: initialBuffers(spec),
      });
    } catch (e) {
      rethrow(e, 'createModel');
    }
    if (native.numParams() !== layout.numParams || native.numBuffers() !== layout.numBuffers) {
      native.dispose();
      throw new EngineError(
        `torch createModel: native layout (${native.numParams()} params, ${native.numBuffers()} buffers) ` +
          `disagrees with layoutOf (${layout.numParams}, ${layout.numBuffers})`,
      );
    }
    return new TorchModel(spec, native, layout.numParams, layout.numBuffers);
  }
}

function describeArray(v: unknown): string {
  if (v instanceof Float32Array) return `length ${v.length}`;
  return v === null ? 'null' : typeof v === 'object' ? (v as object).constructor?.name ?? 'object' : typeof v;
}

/** Seeds are any finite numbers; libtorch wants an unsigned 64-bit integer (two's complement here). */
function nativeSeed(seed: number): number {
  const t = Math.trunc(seed);
  return Number.isSafeInteger(t) ? t : Math.trunc(t % Number.MAX_SAFE_INTEGER);
}

/**
 * Creates the torch engine. Throws TorchUnavailableError (an EngineError) with the remedy when the
 * addon is not built or cannot load, or when CUDA is asked for and absent.
 */
export function createTorchEngine(options: TorchEngineOptions = {}): TorchEngine {
  const n = loadNative();
  if (!n.ok) throw new TorchUnavailableError(`torch engine unavailable: ${n.reason}`);
  const addon = n.addon;
  const requested = options.device ?? 'cpu';
  if (requested !== 'cpu' && requested !== 'cuda' && requested !== 'auto') {
    throw new EngineError(`torch: device must be 'cpu', 'cuda' or 'auto', got ${String(requested)}`);
  }
  const kernels = options.kernels ?? 'fast';
  if (kernels !== 'fast' && kernels !== 'aten') {
    throw new EngineError(`torch: kernels must be 'fast' or 'aten', got ${String(kernels)}`);
  }
  const threads = positiveInt(options.threads ?? 1, 'threads');
  const interop = positiveInt(options.interopThreads ?? 1, 'interopThreads');
  const cpuCacheMiB = options.cpuCacheMiB ?? 512;
  if (!Number.isInteger(cpuCacheMiB) || cpuCacheMiB < 0 || cpuCacheMiB > 2 ** 30) {
    throw new EngineError(`torch: cpuCacheMiB must be an integer in [0, 2^30], got ${String(options.cpuCacheMiB)}`);
  }
  let info: NativeInfo;
  try {
    addon.setThreads(threads);
    addon.setInteropThreads(interop); // false when already fixed: harmless, reported by info
    addon.setCpuCache(cpuCacheMiB * 2 ** 20);
    info = addon.info();
  } catch (e) {
    rethrow(e, 'createTorchEngine');
  }
  let device: 'cpu' | 'cuda';
  if (requested === 'cuda') {
    if (!info.cuda) {
      throw new TorchUnavailableError(
        `torch: device 'cuda' requested, but libtorch ${info.torchVersion} here has no CUDA device ` +
          `(a CPU-only build or no GPU); use device 'cpu' or 'auto', or build against a CUDA libtorch (LIBTORCH=...)`,
      );
    }
    device = 'cuda';
  } else {
    device = requested === 'auto' && info.cuda ? 'cuda' : 'cpu';
  }
  return new TorchEngine(addon, { device, kernels });
}

// ---------------------------------------------------------------------------------------------

class TorchVec {
  freed = false;
  constructor(
    readonly owner: TorchModel,
    readonly id: number,
  ) {}
}

const PARAMS = 0;
const GRAD = 1;

export class TorchModel implements Model {
  readonly params: Vec;
  readonly grad: Vec;
  private native: NativeModel | null;
  private _mode: Mode = 'train';
  private readonly result = new Float64Array(2);
  private readonly inputSize: number;
  private readonly live = new Set<TorchVec>();

  constructor(
    readonly spec: ModelSpec,
    native: NativeModel,
    readonly numParams: number,
    readonly numBuffers: number,
  ) {
    this.native = native;
    this.inputSize = inputSize(spec);
    this.params = new TorchVec(this, PARAMS) as unknown as Vec;
    this.grad = new TorchVec(this, GRAD) as unknown as Vec;
    native.setTrain(true);
  }

  /** What this model runs on, e.g. "libtorch 1.13.0 (cpu, 1 thread, oneDNN sgemm)". */
  describe(): string {
    return this.n('describe').describe();
  }

  get mode(): Mode {
    return this._mode;
  }

  private n(what: string): NativeModel {
    if (this.native === null) throw new EngineError(`torch ${what}: model is disposed`);
    return this.native;
  }

  private id(v: Vec, what: string): number {
    if (!(v instanceof TorchVec)) throw new EngineError(`torch ${what}: not a vector of this engine`);
    if (v.owner !== this) throw new EngineError(`torch ${what}: vector belongs to another model`);
    if (v.freed) throw new EngineError(`torch ${what}: vector has been freed`);
    return v.id;
  }

  private num(v: unknown, what: string): number {
    if (typeof v !== 'number') throw new EngineError(`torch ${what}: expected a number, got ${typeof v}`);
    return v;
  }

  private checkBatch(batch: Batch, what: string): void {
    if (!batch || typeof batch !== 'object') throw new EngineError(`torch ${what}: batch must be an object`);
    const { x, y, n } = batch;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      throw new EngineError(`torch ${what}: batch.n must be a positive integer, got ${String(n)}`);
    }
    if (!(x instanceof Float32Array)) throw new EngineError(`torch ${what}: batch.x must be a Float32Array`);
    if (x.length !== n * this.inputSize) {
      throw new EngineError(
        `torch ${what}: batch.x has ${x.length} floats, expected n * inputSize = ${n} * ${this.inputSize} = ${n * this.inputSize}`,
      );
    }
    if (!(y instanceof Int32Array)) throw new EngineError(`torch ${what}: batch.y must be an Int32Array`);
    if (y.length !== n) throw new EngineError(`torch ${what}: batch.y has ${y.length} labels, expected n = ${n}`);
    // label range: checked natively (one pass in C++)
  }

  // --- VectorOps ---

  vector(from?: Vec): Vec {
    const src = from === undefined ? -1 : this.id(from, 'vector');
    let id: number;
    try {
      id = this.n('vector').newVec(src);
    } catch (e) {
      rethrow(e, 'vector');
    }
    const v = new TorchVec(this, id);
    this.live.add(v);
    return v as unknown as Vec;
  }

  free(v: Vec): void {
    const id = this.id(v, 'free');
    if (id === PARAMS || id === GRAD) throw new EngineError('torch free: params and grad cannot be freed');
    try {
      this.n('free').freeVec(id);
    } catch (e) {
      rethrow(e, 'free');
    }
    const t = v as unknown as TorchVec;
    t.freed = true;
    this.live.delete(t);
  }

  copy(dst: Vec, src: Vec): void {
    const d = this.id(dst, 'copy');
    const s = this.id(src, 'copy');
    try {
      this.n('copy').copy(d, s);
    } catch (e) {
      rethrow(e, 'copy');
    }
  }

  fill(dst: Vec, value: number): void {
    const d = this.id(dst, 'fill');
    try {
      this.n('fill').fill(d, this.num(value, 'fill'));
    } catch (e) {
      rethrow(e, 'fill');
    }
  }

  scale(dst: Vec, a: number): void {
    const d = this.id(dst, 'scale');
    try {
      this.n('scale').scale(d, this.num(a, 'scale'));
    } catch (e) {
      rethrow(e, 'scale');
    }
  }

  axpy(dst: Vec, alpha: number, x: Vec): void {
    const d = this.id(dst, 'axpy');
    const s = this.id(x, 'axpy');
    try {
      this.n('axpy').axpy(d, this.num(alpha, 'axpy'), s);
    } catch (e) {
      rethrow(e, 'axpy');
    }
  }

  axpby(dst: Vec, a: number, b: number, x: Vec): void {
    const d = this.id(dst, 'axpby');
    const s = this.id(x, 'axpby');
    try {
      this.n('axpby').axpby(d, this.num(a, 'axpby'), this.num(b, 'axpby'), s);
    } catch (e) {
      rethrow(e, 'axpby');
    }
  }

  addNoise(dst: Vec, std: number): void {
    const d = this.id(dst, 'addNoise');
    if (typeof std !== 'number' || !Number.isFinite(std) || std < 0) {
      throw new EngineError(`torch addNoise: std must be a finite number >= 0, got ${String(std)}`);
    }
    try {
      this.n('addNoise').addNoise(d, std);
    } catch (e) {
      rethrow(e, 'addNoise');
    }
  }

  dot(a: Vec, b: Vec): number {
    const x = this.id(a, 'dot');
    const y = this.id(b, 'dot');
    try {
      return this.n('dot').dot(x, y);
    } catch (e) {
      rethrow(e, 'dot');
    }
  }

  norm(a: Vec): number {
    const x = this.id(a, 'norm');
    try {
      return this.n('norm').norm(x);
    } catch (e) {
      rethrow(e, 'norm');
    }
  }

  allFinite(a: Vec): boolean {
    const x = this.id(a, 'allFinite');
    try {
      return this.n('allFinite').allFinite(x);
    } catch (e) {
      rethrow(e, 'allFinite');
    }
  }

  read(v: Vec): Float32Array {
    const x = this.id(v, 'read');
    try {
      return this.n('read').read(x);
    } catch (e) {
      rethrow(e, 'read');
    }
  }

  write(v: Vec, data: Float32Array): void {
    const x = this.id(v, 'write');
    if (!(data instanceof Float32Array)) throw new EngineError('torch write: data must be a Float32Array');
    if (data.length !== this.numParams) {
      throw new EngineError(`torch write: data has ${data.length} floats, expected numParams = ${this.numParams}`);
    }
    try {
      this.n('write').write(x, data);
    } catch (e) {
      rethrow(e, 'write');
    }
  }

  // --- Model ---

  setMode(mode: Mode): void {
    if (mode !== 'train' && mode !== 'eval') {
      throw new EngineError(`torch setMode: mode must be 'train' or 'eval', got ${String(mode)}`);
    }
    try {
      this.n('setMode').setTrain(mode === 'train');
    } catch (e) {
      rethrow(e, 'setMode');
    }
    this._mode = mode;
  }

  lossAndGrad(batch: Batch): BatchResult {
    this.checkBatch(batch, 'lossAndGrad');
    try {
      this.n('lossAndGrad').lossAndGrad(batch.x, batch.y, batch.n, this.result);
    } catch (e) {
      rethrow(e, 'lossAndGrad');
    }
    return { loss: this.result[0], correct: this.result[1], n: batch.n };
  }

  evaluate(batch: Batch): BatchResult {
    this.checkBatch(batch, 'evaluate');
    try {
      this.n('evaluate').evaluate(batch.x, batch.y, batch.n, this.result);
    } catch (e) {
      rethrow(e, 'evaluate');
    }
    return { loss: this.result[0], correct: this.result[1], n: batch.n };
  }

  updateBatchNormStats(batch: Batch): void {
    this.checkBatch(batch, 'updateBatchNormStats');
    try {
      this.n('updateBatchNormStats').updateBatchNormStats(batch.x, batch.y, batch.n);
    } catch (e) {
      rethrow(e, 'updateBatchNormStats');
    }
  }

  resetBatchNormStats(): void {
    try {
      this.n('resetBatchNormStats').resetBuffers();
    } catch (e) {
      rethrow(e, 'resetBatchNormStats');
    }
  }

  exportParams(): Float32Array {
    return this.read(this.params);
  }

  importParams(data: Float32Array): void {
    this.write(this.params, data);
  }

  exportBuffers(): Float32Array {
    try {
      return this.n('exportBuffers').readBuffers();
    } catch (e) {
      rethrow(e, 'exportBuffers');
    }
  }

  importBuffers(data: Float32Array): void {
    if (!(data instanceof Float32Array)) throw new EngineError('torch importBuffers: data must be a Float32Array');
    if (data.length !== this.numBuffers) {
      throw new EngineError(`torch importBuffers: data has ${data.length} floats, expected numBuffers = ${this.numBuffers}`);
    }
    try {
      this.n('importBuffers').writeBuffers(data);
    } catch (e) {
      rethrow(e, 'importBuffers');
    }
  }

  seed(seed: number): void {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) {
      throw new EngineError(`torch seed: seed must be a finite number, got ${String(seed)}`);
    }
    try {
      this.n('seed').seed(nativeSeed(seed));
    } catch (e) {
      rethrow(e, 'seed');
    }
  }

  dispose(): void {
    const native = this.n('dispose');
    this.native = null;
    for (const v of this.live) v.freed = true;
    this.live.clear();
    (this.params as unknown as TorchVec).freed = true;
    (this.grad as unknown as TorchVec).freed = true;
    try {
      native.dispose();
    } catch (e) {
      rethrow(e, 'dispose');
    }
  }

  /**
   * Test oracle (not part of Model): loss and gradient at params through libtorch's autograd, with
   * the same dropout masks as lossAndGrad would draw after the same seed(). Buffers are not updated.
   */
  referenceLossAndGrad(batch: Batch): BatchResult & { grad: Float32Array } {
    this.checkBatch(batch, 'referenceLossAndGrad');
    const grad = new Float32Array(this.numParams);
    try {
      this.n('referenceLossAndGrad').referenceLossAndGrad(batch.x, batch.y, batch.n, this.result, grad);
    } catch (e) {
      rethrow(e, 'referenceLossAndGrad');
    }
    return { loss: this.result[0], correct: this.result[1], n: batch.n, grad };
  }
}
