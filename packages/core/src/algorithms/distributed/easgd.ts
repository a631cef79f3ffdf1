// Elastic-Averaging SGD and EAMSGD (ALGORITHMS.md §2.6), split into a worker side (a replica x^i held
// in a Vec of the worker's Model) and a centre side (x̃ as a host vector on the coordinator).
//
// Exchange (every τ local steps, worker reads a possibly stale x̃):
//   Δ = α (x^i − x̃);  x^i ← x^i − Δ (worker);  x̃ ← x̃ + Δ (centre)
// Local step (gradient at the PRE-exchange value x^i):
//   EASGD:   x^i ← x^i − η ∇f(x^i)
//   EAMSGD:  [MPIT] look-ahead: v ← δ v; x^i ← x^i + v; g = ∇f(x^i); x^i ← x^i − η g; v ← v − η g
// Synchronous EASGD: every worker steps against the same x̃_t and the centre adds all Δ_i:
//   x̃_{t+1} = x̃_t + α Σ_i (x^i_t − x̃_t) = (1 − pα) x̃_t + pα mean_i x^i_t.
// Asynchronous EASGD: the centre adds each worker's Δ as it arrives.
import type { BatchSource, Model, Vec } from '../../engine.js';
import { checkInUnit, checkNonNeg, checkPositiveInt, GradientOracle, type OptimizerState } from '../common.js';
import type { HostVector } from './host.js';

export interface EasgdWorkerConfig {
  /** Local learning rate η. */
  lr: number;
  /** Moving rate α = ηρ (paper experiments: β/p with β = 0.9). */
  alpha: number;
  /** Communication period τ (default 1). */
  tau?: number;
  /** EAMSGD momentum δ (default 0 = EASGD; the EAMSGD experiments use 0.99). */
  momentum?: number;
  /** Coupled L2 on the local gradient (default 0). */
  weightDecay?: number;
}

export interface EasgdWorkerStep {
  loss: number;
  correct: number;
  n: number;
  /** The elastic difference Δ to add to the centre (null when no exchange was due). */
  delta: Float32Array | null;
}

export class EasgdWorker {
  readonly model: Model;
  /** The worker's replica x^i. */
  readonly replica: Vec;
  readonly oracle: GradientOracle;
  lr: number;
  readonly alpha: number;
  readonly tau: number;
  readonly momentum: number;
  readonly weightDecay: number;
  private readonly v: Vec | null;
  private readonly delta: Vec;
  private readonly scratch: Vec;
  private t = 0;
  private disposed = false;

  /** The replica starts at `init` (default: the model's current params). */
  constructor(model: Model, batches: BatchSource, config: EasgdWorkerConfig, init?: HostVector) {
    checkNonNeg(config.lr, 'easgd lr');
    checkInUnit(config.alpha, 'easgd alpha');
    const tau = config.tau ?? 1;
    checkPositiveInt(tau, 'easgd tau');
    const mom = config.momentum ?? 0;
    checkInUnit(mom, 'eamsgd momentum');
    checkNonNeg(config.weightDecay ?? 0, 'easgd weightDecay');
    this.model = model;
    this.oracle = new GradientOracle(model, batches);
    this.lr = config.lr;
    this.alpha = config.alpha;
    this.tau = tau;
    this.momentum = mom;
    this.weightDecay = config.weightDecay ?? 0;
    this.replica = model.vector(model.params);
    if (init !== undefined) model.write(this.replica, Float32Array.from(init));
    this.v = mom > 0 ? model.vector() : null;
    this.delta = model.vector();
    this.scratch = model.vector();
  }

  /** Local steps taken. */
  get steps(): number {
    return this.t;
  }

  /** Whether the next step() exchanges with the centre (t mod τ = 0) and so needs it. */
  get exchangeDue(): boolean {
    return this.t % this.tau === 0;
  }

  /**
   * One local iteration. When an exchange is due, `centre` (x̃ as read from the coordinator) is
   * required and the returned delta must be added to the centre (easgdApplyDeltas).
   */
  step(centre?: HostVector): EasgdWorkerStep {
    if (this.disposed) throw new Error('easgd worker used after dispose()');
    const m = this.model;
    const due = this.exchangeDue;
    let out: Float32Array | null = null;
    if (due) {
      if (centre === undefined) throw new RangeError('easgd: an exchange is due; pass the centre');
      m.write(this.scratch, centre instanceof Float32Array ? centre : Float32Array.from(centre));
      m.copy(this.delta, this.replica);
      m.axpby(this.delta, this.alpha, -this.alpha, this.scratch);
      // Round Δ to the wire format once, so that worker and centre apply the very same values.
      out = m.read(this.delta);
      m.write(this.delta, out);
    }
    let r;
    if (this.v === null) {
      m.copy(m.params, this.replica);
      r = this.oracle.eval();
      if (this.weightDecay !== 0) m.axpy(m.grad, this.weightDecay, m.params);
      m.axpy(this.replica, -this.lr, m.grad);
    } else {
      m.scale(this.v, this.momentum);
      m.axpy(this.replica, 1, this.v);
      m.copy(m.params, this.replica);
      r = this.oracle.eval();
      if (this.weightDecay !== 0) m.axpy(m.grad, this.weightDecay, m.params);
      m.axpy(this.replica, -this.lr, m.grad);
      m.axpy(this.v, -this.lr, m.grad);
    }
    if (due) m.axpy(this.replica, -1, this.delta);
    this.t++;
    return { loss: r.loss, correct: r.correct, n: r.n, delta: out };
  }

  readReplica(): Float32Array {
    return this.model.read(this.replica);
  }

  /** Adds this worker's state (replica, momentum, step counter) under `prefix` (checkpoints). */
  exportInto(prefix: string, s: OptimizerState): void {
    s.vectors[`${prefix}.x`] = this.model.read(this.replica);
    if (this.v) s.vectors[`${prefix}.v`] = this.model.read(this.v);
    s.scalars[`${prefix}.t`] = this.t;
  }

  importFrom(prefix: string, s: OptimizerState): void {
    const x = s.vectors[`${prefix}.x`];
    const v = s.vectors[`${prefix}.v`];
    if (x) this.model.write(this.replica, x);
    if (v && this.v) this.model.write(this.v, v);
    this.t = s.scalars[`${prefix}.t`] ?? this.t;
  }

  dispose(): void {
    if (this.disposed) return;
    const m = this.model;
    m.free(this.replica);
    if (this.v) m.free(this.v);
    m.free(this.delta);
    m.free(this.scratch);
    this.disposed = true;
  }
}

/** Centre side: x̃ ← x̃ + Σ Δ_i (synchronous: all deltas of a round; asynchronous: one at a time). */
export function easgdApplyDeltas(centre: HostVector, deltas: HostVector | readonly HostVector[]): void {
  const list = Array.isArray(deltas) ? (deltas as readonly HostVector[]) : [deltas as HostVector];
  for (const d of list) {
    if (d.length !== centre.length) throw new RangeError(`easgd: delta has ${d.length} values, centre ${centre.length}`);
    for (let i = 0; i < centre.length; i++) centre[i] += d[i];
  }
}

/**
 * The moving-average form of the synchronous centre update:
 * x̃ ← (1 − pα) x̃ + pα · mean_i x^i (x^i the pre-update replicas).
 */
export function easgdCentreMovingAverage(centre: HostVector, replicas: readonly HostVector[], alpha: number): void {
  const p = replicas.length;
  if (p === 0) throw new RangeError('easgd: no replicas');
  const n = centre.length;
  const beta = p * alpha;
  const acc = new Float64Array(n);
  for (const r of replicas) {
    if (r.length !== n) throw new RangeError('easgd: replica has the wrong length');
    for (let i = 0; i < n; i++) acc[i] += r[i];
  }
  for (let i = 0; i < n; i++) centre[i] = (1 - beta) * centre[i] + (beta * acc[i]) / p;
}
