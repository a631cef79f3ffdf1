// A pure-TypeScript Engine over closed-form objectives (objectives.ts), with exact gradients and
// optional seeded additive Gaussian gradient noise. Used to test the algorithms against the
// closed forms of ALGORITHMS.md §4, and as a cheap engine for simulations.
//
//  - Vectors are Float64Array internally; read/write speak Float32Array as the interface requires
//    (readF64/writeF64 are extra, for tests that need double precision).
//  - lossAndGrad ignores the batch contents (a batch is just a tick of the gradient oracle);
//    loss = f(params), grad = grad f(params) + gradNoiseStd * N(0, I).
//  - No batch-norm buffers: numBuffers = 0 and the BN methods are no-ops.
//  - Use after dispose, foreign or freed vectors and wrong sizes throw EngineError.
import {
  EngineError,
  type Batch,
  type BatchResult,
  type BatchSource,
  type Engine,
  type Mode,
  type Model,
  type ModelOptions,
  type Vec,
} from '../engine.js';
import { initialParameters } from '../init.js';
import { Rng } from '../rng.js';
import { layoutOf, type ModelSpec } from '../spec.js';
import type { Objective } from './objectives.js';
import { allFiniteValues } from '../finite.js';

const GRAD_NOISE_STREAM = 0x6e01;
const ADD_NOISE_STREAM = 0xadd0;

/**
 * The ModelSpec describing an analytic model of dimension `dim`: one bias-free linear layer 1 -> dim,
 * so that layoutOf(spec).numParams === dim and inputSize(spec) === 1.
 */
export function analyticSpec(dim: number, name = 'analytic'): ModelSpec {
  return {
    name,
    inputShape: [1],
    numClasses: dim,
    layers: [{ kind: 'linear', inFeatures: 1, outFeatures: dim, bias: false }],
  };
}

class AVec {
  constructor(
    public data: Float64Array | null,
    public readonly owner: AnalyticModel,
    public readonly pinned: boolean,
  ) {}
}

export interface AnalyticModelOptions extends ModelOptions {
  /** Standard deviation of additive Gaussian noise on every gradient (default 0: exact gradients). */
  gradNoiseStd?: number;
}

export class AnalyticModel implements Model {
  readonly spec: ModelSpec;
  readonly numParams: number;
  readonly numBuffers = 0;
  readonly objective: Objective;
  readonly params: Vec;
  readonly grad: Vec;
  /** Number of lossAndGrad calls so far (gradient-call accounting checks). */
  lossAndGradCalls = 0;
  /** Number of evaluate calls so far. */
  evaluateCalls = 0;
  /** Number of updateBatchNormStats calls so far (they are no-ops). */
  bnRefreshCalls = 0;
  private gradNoiseStd: number;
  private gradRng: Rng;
  private noiseRng: Rng;
  private _mode: Mode = 'train';
  private disposed = false;
  private readonly live = new Set<AVec>();

  constructor(objective: Objective, spec: ModelSpec, options: AnalyticModelOptions) {
    if (!options || typeof options.seed !== 'number' || !Number.isFinite(options.seed)) {
      throw new EngineError('analytic: options.seed must be a finite number');
    }
    let n: number;
    try {
      n = layoutOf(spec).numParams;
    } catch (e) {
      throw new EngineError(`analytic: invalid spec: ${(e as Error).message}`);
    }
    if (n !== objective.dim) {
      throw new EngineError(
        `analytic: spec has ${n} parameters but objective ${objective.name} has dimension ${objective.dim}`,
      );
    }
    const noise = options.gradNoiseStd ?? 0;
    if (!(noise >= 0) || !Number.isFinite(noise)) throw new EngineError('analytic: gradNoiseStd must be >= 0');
    this.spec = spec;
    this.numParams = n;
    this.objective = objective;
    this.gradNoiseStd = noise;
    this.gradRng = new Rng(options.seed, GRAD_NOISE_STREAM);
    this.noiseRng = new Rng(options.seed, ADD_NOISE_STREAM);
    const p = new AVec(new Float64Array(n), this, true);
    const g = new AVec(new Float64Array(n), this, true);
    this.live.add(p);
    this.live.add(g);
    this.params = p as unknown as Vec;
    this.grad = g as unknown as Vec;
    if (options.initialParams !== undefined) {
      this.importParams(options.initialParams);
    } else {
      const init = initialParameters(spec, options.seed);
      p.data!.set(init);
    }
  }

  // ---------------------------------------------------------------------------------- helpers
  private alive(): void {
    if (this.disposed) throw new EngineError('analytic: model used after dispose()');
  }

  private d(v: Vec): Float64Array {
    this.alive();
    if (!((v as unknown) instanceof AVec)) throw new EngineError('analytic: not a vector of this engine');
    const a = v as unknown as AVec;
    if (a.owner !== this) throw new EngineError('analytic: vector belongs to another model');
    if (a.data === null) throw new EngineError('analytic: vector used after free()');
    return a.data;
  }

  private checkLength(data: ArrayLike<number>, what: string): void {
    if (!data || typeof data.length !== 'number') throw new EngineError(`analytic: ${what}: expected an array`);
    if (data.length !== this.numParams) {
      throw new EngineError(`analytic: ${what}: expected ${this.numParams} values, got ${data.length}`);
    }
  }

  private checkBatch(batch: Batch): void {
    if (!batch || typeof batch !== 'object' || !Number.isInteger(batch.n) || batch.n <= 0) {
      throw new EngineError('analytic: batch must have a positive integer n');
    }
  }

  private checkScalar(x: number, what: string): void {
    if (typeof x !== 'number' || Number.isNaN(x)) throw new EngineError(`analytic: ${what} must be a number`);
  }

  // ------------------------------------------------------------------------------ vector ops
  vector(from?: Vec): Vec {
    this.alive();
    const data = from === undefined ? new Float64Array(this.numParams) : Float64Array.from(this.d(from));
    const v = new AVec(data, this, false);
    this.live.add(v);
    return v as unknown as Vec;
  }

  free(v: Vec): void {
    this.d(v);
    const a = v as unknown as AVec;
    if (a.pinned) throw new EngineError('analytic: params and grad cannot be freed');
    a.data = null;
    this.live.delete(a);
  }

  copy(dst: Vec, src: Vec): void {
    const s = this.d(src);
    this.d(dst).set(s);
  }

  fill(dst: Vec, value: number): void {
    this.checkScalar(value, 'fill value');
    this.d(dst).fill(value);
  }

  scale(dst: Vec, a: number): void {
    this.checkScalar(a, 'scale factor');
    const x = this.d(dst);
    for (let i = 0; i < x.length; i++) x[i] *= a;
  }

  axpy(dst: Vec, alpha: number, x: Vec): void {
    this.checkScalar(alpha, 'axpy alpha');
    const xs = this.d(x);
    const ys = this.d(dst);
    for (let i = 0; i < ys.length; i++) ys[i] += alpha * xs[i];
  }

  axpby(dst: Vec, a: number, b: number, x: Vec): void {
    this.checkScalar(a, 'axpby a');
    this.checkScalar(b, 'axpby b');
    const xs = this.d(x);
    const ys = this.d(dst);
    for (let i = 0; i < ys.length; i++) ys[i] = a * ys[i] + b * xs[i];
  }

  addNoise(dst: Vec, std: number): void {
    this.checkScalar(std, 'noise std');
    if (std < 0) throw new EngineError('analytic: noise std must be >= 0');
    const ys = this.d(dst);
    for (let i = 0; i < ys.length; i++) ys[i] += std * this.noiseRng.normal();
  }

  dot(a: Vec, b: Vec): number {
    const x = this.d(a);
    const y = this.d(b);
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i] * y[i];
    return s;
  }

  norm(a: Vec): number {
    const x = this.d(a);
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i] * x[i];
    return Math.sqrt(s);
  }

  allFinite(a: Vec): boolean {
    return allFiniteValues(this.d(a));
  }

  read(v: Vec): Float32Array {
    return Float32Array.from(this.d(v));
  }

  write(v: Vec, data: Float32Array): void {
    const dst = this.d(v);
    this.checkLength(data, 'write');
    dst.set(data);
  }

  /** Double-precision copy of a vector (analytic engine only). */
  readF64(v: Vec): Float64Array {
    return Float64Array.from(this.d(v));
  }

  /** Double-precision write (analytic engine only). */
  writeF64(v: Vec, data: ArrayLike<number>): void {
    const dst = this.d(v);
    this.checkLength(data, 'writeF64');
    dst.set(data);
  }

  // -------------------------------------------------------------------------- model methods
  get mode(): Mode {
    return this._mode;
  }

  setMode(mode: Mode): void {
    this.alive();
    if (mode !== 'train' && mode !== 'eval') throw new EngineError(`analytic: unknown mode ${String(mode)}`);
    this._mode = mode;
  }

  lossAndGrad(batch: Batch): BatchResult {
    this.alive();
    this.checkBatch(batch);
    const p = this.d(this.params);
    const g = this.d(this.grad);
    this.objective.gradient(p, g);
    if (this.gradNoiseStd > 0) {
      for (let i = 0; i < g.length; i++) g[i] += this.gradNoiseStd * this.gradRng.normal();
    }
    this.lossAndGradCalls++;
    return { loss: this.objective.value(p), correct: 0, n: batch.n };
  }

  evaluate(batch: Batch): BatchResult {
    this.alive();
    this.checkBatch(batch);
    this.evaluateCalls++;
    return { loss: this.objective.value(this.d(this.params)), correct: 0, n: batch.n };
  }

  updateBatchNormStats(batch: Batch): void {
    this.alive();
    this.checkBatch(batch);
    this.bnRefreshCalls++;
  }

  resetBatchNormStats(): void {
    this.alive();
  }

  exportParams(): Float32Array {
    return this.read(this.params);
  }

  importParams(data: Float32Array): void {
    this.write(this.params, data);
  }

  exportBuffers(): Float32Array {
    this.alive();
    return new Float32Array(0);
  }

  importBuffers(data: Float32Array): void {
    this.alive();
    if (!data || data.length !== 0) {
      throw new EngineError(`analytic: expected 0 buffer values, got ${data?.length}`);
    }
  }

  seed(seed: number): void {
    this.alive();
    if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new EngineError('analytic: seed must be finite');
    this.gradRng = new Rng(seed, GRAD_NOISE_STREAM);
    this.noiseRng = new Rng(seed, ADD_NOISE_STREAM);
  }

  dispose(): void {
    this.alive();
    for (const v of this.live) v.data = null;
    this.live.clear();
    this.disposed = true;
  }
}

export interface AnalyticEngineOptions {
  objective: Objective;
  /** Default gradient-noise std for models created by this engine. */
  gradNoiseStd?: number;
}

/** Engine 'analytic': every model it creates minimises the same closed-form objective. */
export class AnalyticEngine implements Engine {
  readonly name = 'analytic';
  readonly description: string;
  private readonly opts: AnalyticEngineOptions;

  constructor(opts: AnalyticEngineOptions) {
    this.opts = opts;
    this.description = `analytic ${opts.objective.name} (float64, pure TypeScript)`;
  }

  /** The spec must have objective.dim parameters; analyticSpec(dim) is the canonical one. */
  createModel(spec: ModelSpec, options: AnalyticModelOptions): AnalyticModel {
    return new AnalyticModel(this.opts.objective, spec, {
      ...options,
      gradNoiseStd: options.gradNoiseStd ?? this.opts.gradNoiseStd,
    });
  }
}

/** Convenience: an analytic model for `objective` with its canonical spec. */
export function createAnalyticModel(
  objective: Objective,
  options: { seed: number; initialParams?: ArrayLike<number>; gradNoiseStd?: number },
): AnalyticModel {
  const model = new AnalyticModel(objective, analyticSpec(objective.dim, objective.name), {
    seed: options.seed,
    gradNoiseStd: options.gradNoiseStd,
  });
  if (options.initialParams !== undefined) model.writeF64(model.params, options.initialParams);
  return model;
}

/**
 * A BatchSource for analytic models: every next() is a fresh one-sample-per-row tick batch
 * (contents are irrelevant to the analytic engine). `size` and `batchSize` drive epoch accounting.
 */
export class TickBatchSource implements BatchSource {
  readonly size: number;
  readonly batchSize: number;
  /** Number of batches handed out. */
  drawn = 0;

  constructor(size = 1, batchSize = 1) {
    if (!Number.isInteger(size) || size <= 0) throw new RangeError('TickBatchSource: size must be a positive integer');
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new RangeError('TickBatchSource: batchSize must be a positive integer');
    }
    this.size = size;
    this.batchSize = batchSize;
  }

  next(): Batch {
    this.drawn++;
    const n = this.batchSize;
    return { x: new Float32Array(n), y: new Int32Array(n), n };
  }
}
