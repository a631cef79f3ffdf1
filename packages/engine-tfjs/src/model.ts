// The Model of engine.ts over TensorFlow.js. Every parameter-sized vector (params, grad, the vectors
// handed out by vector()) is ONE rank-1 float32 tensor in the torch flat layout. tfjs tensors are
// immutable, so an operation on a vector computes a new tensor, swaps it into the handle and disposes
// the old one; every temporary is created inside tf.tidy, so the tensor count stays flat.
import type { Tensor, Tensor1D } from '@tensorflow/tfjs';
import {
  EngineError,
  Rng,
  initialBuffers,
  initialParameters,
  inputSize,
  type Batch,
  type BatchResult,
  type Mode,
  type Model,
  type ModelSpec,
  type ParamLayout,
  type Vec,
} from '@deeprelax/core';
import type { Tf } from './backend.js';
import { Network, type KernelChoices } from './network.js';

/** Stream id of the noise/dropout generator (initialisation uses core's own stream). */
const NOISE_STREAM = 0x6e6f;

class TfVec {
  constructor(
    readonly owner: TfjsModel,
    public t: Tensor1D | null,
    readonly pinned: boolean,
  ) {}
}

export interface TfjsModelOptions {
  seed: number;
  initialParams?: Float32Array;
  /** How conv and linear layers are differentiated on this backend (network.ts). */
  kernels: KernelChoices;
}

export class TfjsModel implements Model {
  readonly numParams: number;
  readonly numBuffers: number;
  readonly params: Vec;
  readonly grad: Vec;

  private readonly net: Network;
  private readonly inSize: number;
  private readonly vecs = new Set<TfVec>();
  private readonly paramsVec: TfVec;
  private readonly gradVec: TfVec;
  private buffers: Tensor1D | null;
  private rng: Rng;
  private currentMode: Mode = 'train';
  private disposed = false;
  /** Smallest per-channel sample count of any batch norm for a batch of one (BN needs >1 in train). */
  private readonly bnCountPerSample: number;

  constructor(
    private readonly tf: Tf,
    readonly spec: ModelSpec,
    readonly layout: ParamLayout,
    options: TfjsModelOptions,
  ) {
    this.numParams = layout.numParams;
    this.numBuffers = layout.numBuffers;
    this.inSize = inputSize(spec);
    this.net = new Network(tf, spec, layout, options.kernels);
    let init: Float32Array;
    if (options.initialParams !== undefined) {
      if (!(options.initialParams instanceof Float32Array) || options.initialParams.length !== this.numParams) {
        throw new EngineError(
          `initialParams must be a Float32Array of ${this.numParams} floats for model '${spec.name}', got ${describe(options.initialParams)}`,
        );
      }
      init = options.initialParams.slice();
    } else {
      init = initialParameters(spec, options.seed);
    }
    this.rng = new Rng(options.seed, NOISE_STREAM);
    this.paramsVec = this.track(new TfVec(this, tf.tensor1d(init, 'float32'), true));
    this.gradVec = this.track(new TfVec(this, tf.zeros([this.numParams], 'float32') as Tensor1D, true));
    this.params = this.paramsVec as unknown as Vec;
    this.grad = this.gradVec as unknown as Vec;
    this.buffers = this.numBuffers > 0 ? tf.tensor1d(initialBuffers(spec), 'float32') : null;
    let minCount = Infinity;
    spec.layers.forEach((l, i) => {
      if (l.kind === 'batchnorm1d') minCount = Math.min(minCount, 1);
      if (l.kind === 'batchnorm2d') {
        const s = i === 0 ? spec.inputShape : layout.outputShapes[i - 1];
        minCount = Math.min(minCount, s[1] * s[2]);
      }
    });
    this.bnCountPerSample = minCount;
  }

  // ---------------------------------------------------------------- mode, seed, lifecycle

  get mode(): Mode {
    return this.currentMode;
  }

  setMode(mode: Mode): void {
    this.alive();
    if (mode !== 'train' && mode !== 'eval') throw new EngineError(`mode must be 'train' or 'eval', got ${String(mode)}`);
    this.currentMode = mode;
  }

  seed(seed: number): void {
    this.alive();
    if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new EngineError(`seed must be a finite number, got ${String(seed)}`);
    this.rng = new Rng(seed, NOISE_STREAM);
  }

  dispose(): void {
    this.alive();
    for (const v of this.vecs) {
      v.t?.dispose();
      v.t = null;
    }
    this.vecs.clear();
    this.buffers?.dispose();
    this.buffers = null;
    this.disposed = true;
  }

  // ---------------------------------------------------------------- forward / backward

  lossAndGrad(batch: Batch): BatchResult {
    this.alive();
    this.checkBatch(batch, 'lossAndGrad');
    const tf = this.tf;
    const train = this.currentMode === 'train';
    const updateStats = train && this.buffers !== null;
    let stats: Tensor | null = null;
    let newBuffers: Tensor1D | null = null;
    try {
      const grad = tf.tidy(() => {
        const x = this.net.input(batch.x, batch.n);
        const labels = tf.tensor1d(batch.y, 'int32');
        // The forward pass runs inside tf.grad's own tidy: side outputs must be kept explicitly.
        const f = (flat: Tensor): Tensor => {
          const updated: Tensor[] | undefined = updateStats ? [] : undefined;
          const logits = this.net.forward(flat as Tensor1D, x, {
            train,
            dropout: train,
            buffers: this.buffers,
            nextSeed: () => this.rng.nextU32(),
            newBuffers: updated,
            differentiating: true,
          });
          const out = this.lossAndCorrect(logits, labels);
          stats = tf.keep(out.stats);
          if (updated) newBuffers = tf.keep(tf.concat(updated) as Tensor1D);
          return out.loss;
        };
        const flat = this.live(this.paramsVec);
        if (this.numParams === 0) {
          f(flat);
          return tf.zeros([0], 'float32') as Tensor1D;
        }
        return tf.grad(f)(flat) as Tensor1D;
      });
      const [loss, correct] = (stats as Tensor | null)!.dataSync();
      this.replace(this.gradVec, grad);
      if (newBuffers) {
        this.replaceBuffers(newBuffers);
        newBuffers = null;
      }
      return { loss, correct, n: batch.n };
    } finally {
      (stats as Tensor | null)?.dispose();
      (newBuffers as Tensor1D | null)?.dispose();
    }
  }

  /**
   * Forward only. In train mode this behaves like a torch forward under no_grad: dropout is active
   * and batch norm normalises with, and updates its running statistics from, the batch.
   */
  evaluate(batch: Batch): BatchResult {
    this.alive();
    this.checkBatch(batch, 'evaluate');
    const train = this.currentMode === 'train';
    const { stats, buffers } = this.forwardOnly(batch, train, train, false);
    try {
      const [loss, correct] = stats.dataSync();
      if (buffers) this.replaceBuffers(buffers);
      return { loss, correct, n: batch.n };
    } finally {
      stats.dispose();
    }
  }

  updateBatchNormStats(batch: Batch): void {
    this.alive();
    this.checkBatch(batch, 'updateBatchNormStats', true);
    if (this.buffers === null) return;
    const { stats, buffers } = this.forwardOnly(batch, true, false, true);
    stats.dispose();
    if (buffers) this.replaceBuffers(buffers);
  }

  resetBatchNormStats(): void {
    this.alive();
    if (this.buffers === null) return;
    this.replaceBuffers(this.tf.tensor1d(initialBuffers(this.spec), 'float32'));
  }

  /** Forward without gradient; returns [loss, correct] and, in train mode with BN, new buffers. */
  private forwardOnly(
    batch: Batch,
    train: boolean,
    dropout: boolean,
    statsOnly: boolean,
  ): { stats: Tensor; buffers: Tensor1D | null } {
    const tf = this.tf;
    const updateStats = train && this.buffers !== null;
    const out = tf.tidy(() => {
      const x = this.net.input(batch.x, batch.n);
      const newBuffers: Tensor[] | undefined = updateStats ? [] : undefined;
      const ctx = {
        train,
        dropout,
        buffers: this.buffers,
        nextSeed: () => this.rng.nextU32(),
        newBuffers,
        end: statsOnly ? this.net.bnEnd : undefined,
      };
      const y = this.net.forward(this.live(this.paramsVec), x, ctx);
      const stats = statsOnly
        ? tf.zeros([2])
        : this.lossAndCorrect(y, tf.tensor1d(batch.y, 'int32')).stats;
      return newBuffers ? [stats, tf.concat(newBuffers)] : [stats];
    });
    return { stats: out[0], buffers: (out[1] as Tensor1D | undefined) ?? null };
  }

  /** Mean softmax cross-entropy and [loss, correct] stacked for a single read-back. */
  private lossAndCorrect(logits: Tensor, labels: Tensor): { loss: Tensor; stats: Tensor } {
    const tf = this.tf;
    const logp = tf.logSoftmax(logits);
    const onehot = tf.oneHot(labels as Tensor1D, this.spec.numClasses);
    const loss = tf.neg(tf.mean(tf.sum(tf.mul(logp, onehot), 1)));
    const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'));
    return { loss, stats: tf.stack([loss, hits]) };
  }

  private checkBatch(batch: Batch, what: string, forceTrain = false): void {
    if (!batch || typeof batch !== 'object') throw new EngineError(`${what}: batch must be an object {x, y, n}`);
    const { x, y, n } = batch;
    if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) {
      throw new EngineError(`${what}: batch.n must be a positive integer, got ${String(n)}`);
    }
    if (!(x instanceof Float32Array)) throw new EngineError(`${what}: batch.x must be a Float32Array, got ${describe(x)}`);
    if (x.length !== n * this.inSize) {
      throw new EngineError(
        `${what}: batch.x has ${x.length} floats, expected n * inputSize = ${n} * ${this.inSize} = ${n * this.inSize} (input shape [${this.spec.inputShape}])`,
      );
    }
    if (!(y instanceof Int32Array)) throw new EngineError(`${what}: batch.y must be an Int32Array, got ${describe(y)}`);
    if (y.length !== n) throw new EngineError(`${what}: batch.y has ${y.length} labels, expected n = ${n}`);
    const k = this.spec.numClasses;
    for (let i = 0; i < n; i++) {
      const c = y[i];
      if (c < 0 || c >= k) throw new EngineError(`${what}: label y[${i}] = ${c} is out of range [0, ${k})`);
    }
    if ((forceTrain || this.currentMode === 'train') && n * this.bnCountPerSample <= 1) {
      throw new EngineError(
        `${what}: batch norm in train mode needs more than 1 value per channel; got a batch of ${n} (${n * this.bnCountPerSample} per channel)`,
      );
    }
  }

  // ---------------------------------------------------------------- import / export

  exportParams(): Float32Array {
    this.alive();
    return this.read(this.params);
  }

  importParams(data: Float32Array): void {
    this.alive();
    this.checkData(data, this.numParams, 'importParams');
    this.replace(this.paramsVec, this.tf.tensor1d(data.slice(), 'float32'));
  }

  exportBuffers(): Float32Array {
    this.alive();
    return this.buffers ? new Float32Array(this.buffers.dataSync()) : new Float32Array(0);
  }

  importBuffers(data: Float32Array): void {
    this.alive();
    this.checkData(data, this.numBuffers, 'importBuffers');
    if (this.numBuffers === 0) return;
    this.replaceBuffers(this.tf.tensor1d(data.slice(), 'float32'));
  }

  // ---------------------------------------------------------------- vector operations

  vector(from?: Vec): Vec {
    this.alive();
    const t = from === undefined ? (this.tf.zeros([this.numParams], 'float32') as Tensor1D) : this.live(this.vec(from)).clone();
    return this.track(new TfVec(this, t, false)) as unknown as Vec;
  }

  free(v: Vec): void {
    this.alive();
    const h = this.vec(v);
    if (h.pinned) throw new EngineError('free: params and grad belong to the model and cannot be freed');
    this.live(h).dispose();
    h.t = null;
    this.vecs.delete(h);
  }

  copy(dst: Vec, src: Vec): void {
    this.alive();
    const d = this.vec(dst);
    const s = this.live(this.vec(src));
    if (d.t === s) return;
    this.replace(d, s.clone());
  }

  fill(dst: Vec, value: number): void {
    this.alive();
    const d = this.vec(dst);
    this.live(d);
    this.checkScalar(value, 'fill value');
    this.replace(d, this.tf.fill([this.numParams], value, 'float32') as Tensor1D);
  }

  scale(dst: Vec, a: number): void {
    this.alive();
    const d = this.vec(dst);
    const t = this.live(d);
    this.checkScalar(a, 'scale factor');
    this.replace(d, this.tf.tidy(() => this.tf.mul(t, a) as Tensor1D));
  }

  axpy(dst: Vec, alpha: number, x: Vec): void {
    this.alive();
    const d = this.vec(dst);
    const t = this.live(d);
    const xt = this.live(this.vec(x));
    this.checkScalar(alpha, 'axpy alpha');
    this.replace(d, this.tf.tidy(() => this.tf.add(t, this.tf.mul(xt, alpha)) as Tensor1D));
  }

  axpby(dst: Vec, a: number, b: number, x: Vec): void {
    this.alive();
    const d = this.vec(dst);
    const t = this.live(d);
    const xt = this.live(this.vec(x));
    this.checkScalar(a, 'axpby a');
    this.checkScalar(b, 'axpby b');
    this.replace(d, this.tf.tidy(() => this.tf.add(this.tf.mul(t, a), this.tf.mul(xt, b)) as Tensor1D));
  }

  addNoise(dst: Vec, std: number): void {
    this.alive();
    const d = this.vec(dst);
    const t = this.live(d);
    this.checkScalar(std, 'noise std');
    if (std < 0) throw new EngineError(`addNoise: std must be >= 0, got ${std}`);
    const seed = this.rng.nextU32();
    this.replace(
      d,
      this.tf.tidy(() => this.tf.add(t, this.tf.randomNormal([this.numParams], 0, std, 'float32', seed)) as Tensor1D),
    );
  }

  dot(a: Vec, b: Vec): number {
    this.alive();
    const at = this.live(this.vec(a));
    const bt = this.live(this.vec(b));
    return this.scalarOut(() => this.tf.sum(this.tf.mul(at, bt)));
  }

  norm(a: Vec): number {
    this.alive();
    const t = this.live(this.vec(a));
    return this.scalarOut(() => this.tf.sqrt(this.tf.sum(this.tf.square(t))));
  }

  allFinite(a: Vec): boolean {
    this.alive();
    const t = this.live(this.vec(a));
    if (this.numParams === 0) return true;
    return this.scalarOut(() => this.tf.cast(this.tf.all(this.tf.isFinite(t)), 'float32')) === 1;
  }

  read(v: Vec): Float32Array {
    this.alive();
    // dataSync may return the backend's own storage (cpu backend): always hand out a copy.
    return new Float32Array(this.live(this.vec(v)).dataSync());
  }

  write(v: Vec, data: Float32Array): void {
    this.alive();
    const h = this.vec(v);
    this.live(h);
    this.checkData(data, this.numParams, 'write');
    // tensor1d may keep a reference to the array (cpu backend): copy, so later edits don't leak in.
    this.replace(h, this.tf.tensor1d(data.slice(), 'float32'));
  }

  // ---------------------------------------------------------------- internals

  private alive(): void {
    if (this.disposed) throw new EngineError(`model '${this.spec.name}' has been disposed`);
  }

  private track(v: TfVec): TfVec {
    this.vecs.add(v);
    return v;
  }

  private vec(v: Vec): TfVec {
    const h = v as unknown as TfVec;
    if (!(h instanceof TfVec)) throw new EngineError('not a Vec of a tfjs model');
    if (h.owner !== this) throw new EngineError(`Vec belongs to another model than '${this.spec.name}'`);
    return h;
  }

  private live(h: TfVec): Tensor1D {
    if (h.t === null) throw new EngineError('Vec has been freed');
    return h.t;
  }

  private replace(h: TfVec, t: Tensor1D): void {
    const old = h.t;
    h.t = t;
    if (old && old !== t) old.dispose();
  }

  private replaceBuffers(t: Tensor1D): void {
    const old = this.buffers;
    this.buffers = t;
    if (old && old !== t) old.dispose();
  }

  private scalarOut(f: () => Tensor): number {
    const t = this.tf.tidy(f);
    try {
      return t.dataSync()[0];
    } finally {
      t.dispose();
    }
  }

  private checkData(data: Float32Array, expected: number, what: string): void {
    if (!(data instanceof Float32Array)) throw new EngineError(`${what}: expected a Float32Array, got ${describe(data)}`);
    if (data.length !== expected) {
      throw new EngineError(`${what}: expected ${expected} floats for model '${this.spec.name}', got ${data.length}`);
    }
  }

  private checkScalar(v: number, what: string): void {
    if (typeof v !== 'number' || Number.isNaN(v)) throw new EngineError(`${what} must be a number, got ${String(v)}`);
  }
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as ArrayLike<number>).length})`;
  return typeof v;
}
