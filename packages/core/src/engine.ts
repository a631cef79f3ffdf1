// The Engine boundary. Training code in core is written once against these interfaces and must not
// care whether weights live in libtorch (CPU/CUDA), in TensorFlow.js, or in the analytic engine.
//
// Design rules:
//  - A Model owns every parameter-sized vector it hands out (Vec handles); all vector maths happens
//    engine-side through fused whole-vector operations, so an inner-loop step never copies weights
//    into JavaScript. A native engine keeps one contiguous buffer per Vec: each op is one kernel.
//  - `params` is the live weight vector that forward/backward read; `grad` receives the gradient of
//    the last lossAndGrad call. Both are ordinary Vecs (they may be read, written and used in ops).
//  - The flat layout of params/buffers is defined by layoutOf() in spec.ts, identical for all engines.
//  - All calls are synchronous; engines throw EngineError (never abort the process) on bad input.
import type { ModelSpec } from './spec.js';

/** Opaque handle to a parameter-sized vector living inside a Model. */
export interface Vec {
  readonly __vec: unique symbol;
}

/** A minibatch: x holds n samples of inputSize(spec) floats each (NCHW for images); y the labels. */
export interface Batch {
  x: Float32Array;
  y: Int32Array;
  n: number;
}

/** Loss is the mean softmax cross-entropy over the batch; correct counts argmax hits. */
export interface BatchResult {
  loss: number;
  correct: number;
  n: number;
}

export type Mode = 'train' | 'eval';

/** Fused whole-vector operations. All vectors have the model's numParams elements. */
export interface VectorOps {
  /** Allocates a new vector, zero-filled, or a copy of `from`. */
  vector(from?: Vec): Vec;
  /** Releases a vector; using it afterwards throws. params and grad cannot be freed. */
  free(v: Vec): void;
  /** dst <- src */
  copy(dst: Vec, src: Vec): void;
  /** dst <- value */
  fill(dst: Vec, value: number): void;
  /** dst <- a * dst */
  scale(dst: Vec, a: number): void;
  /** dst <- dst + alpha * x */
  axpy(dst: Vec, alpha: number, x: Vec): void;
  /** dst <- a * dst + b * x   (EMA: axpby(mu, alpha, 1 - alpha, y)) */
  axpby(dst: Vec, a: number, b: number, x: Vec): void;
  /** dst <- dst + std * N(0, I), from the model's seeded generator. */
  addNoise(dst: Vec, std: number): void;
  dot(a: Vec, b: Vec): number;
  /** Euclidean norm. */
  norm(a: Vec): number;
  /** True when every element is finite (no NaN/Inf). */
  allFinite(a: Vec): boolean;
  /** Copies the vector out to JavaScript. */
  read(v: Vec): Float32Array;
  /** Copies data in; throws EngineError unless data.length === numParams. */
  write(v: Vec, data: Float32Array): void;
}

export interface Model extends VectorOps {
  readonly spec: ModelSpec;
  readonly numParams: number;
  /** Number of non-trainable buffer floats (batch-norm running statistics). */
  readonly numBuffers: number;
  /** Live weights used by forward/backward. */
  readonly params: Vec;
  /** Gradient written by lossAndGrad. */
  readonly grad: Vec;

  /** train: dropout active, batch-norm uses and updates batch statistics; eval: neither. */
  setMode(mode: Mode): void;
  readonly mode: Mode;

  /** Forward + backward at params on the batch, in the current mode; gradient into `grad`. */
  lossAndGrad(batch: Batch): BatchResult;
  /** Forward only, in the current mode; no gradient, no change to params. */
  evaluate(batch: Batch): BatchResult;
  /**
   * Batch-norm refresh pass (ALGORITHMS.md §3.3): forward in train mode with dropout disabled,
   * updating running statistics only; no gradient. Mode is unchanged afterwards.
   */
  updateBatchNormStats(batch: Batch): void;
  /** Resets running statistics to mean 0, var 1. */
  resetBatchNormStats(): void;

  exportParams(): Float32Array;
  importParams(data: Float32Array): void;
  exportBuffers(): Float32Array;
  importBuffers(data: Float32Array): void;

  /** Re-seeds the generator used for addNoise and dropout masks. */
  seed(seed: number): void;
  /** Frees everything; any later call throws EngineError. */
  dispose(): void;
}

export interface ModelOptions {
  /** Seed for parameter initialisation (core's initialParameters) and for noise/dropout. */
  seed: number;
  /** Start from these weights instead of the seeded initialisation. */
  initialParams?: Float32Array;
}

export interface Engine {
  /** Registry name: 'tfjs', 'torch', 'analytic'. */
  readonly name: string;
  /** What it is running on, for logs: e.g. "tfjs-node 4.22.0 (cpu)", "libtorch 1.13 (cuda:0)". */
  readonly description: string;
  createModel(spec: ModelSpec, options: ModelOptions): Model;
}

export class EngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineError';
  }
}

/** A stream of fresh minibatches: every call returns a new batch (the gradient oracle of §2.0). */
export interface BatchSource {
  next(): Batch;
  /** Samples in the underlying dataset (N), for epoch accounting. */
  readonly size: number;
  readonly batchSize: number;
}
