// Shared building blocks of ALGORITHMS.md §2.0: the counting gradient oracle, Torch-style momentum
// with the buffer-initialisation variants of the reference codes, the Optimizer contract and a base
// class that owns the vectors it allocates.
import type { BatchResult, BatchSource, Model, Vec } from '../engine.js';
import { makeScoping, type ScopingSchedule, type ScopingSpec } from '../schedules/scoping.js';

/** Outcome of one outer step. */
export interface StepResult {
  /** Mean minibatch loss reported for this step (see each optimizer for which evaluation). */
  loss: number;
  /** Argmax hits and samples of that evaluation (train error = 1 − correct/n). */
  correct: number;
  n: number;
  /** Gradient evaluations made by this step. */
  gradCalls: number;
  /** Coupling g used by this step (algorithms with scoping). */
  coupling?: number;
}

/** Serialisable optimizer state for checkpoints. */
export interface OptimizerState {
  algorithm: string;
  steps: number;
  gradCalls: number;
  lr: number;
  /** Named state vectors (momentum buffers, replicas ...), float32. */
  vectors: Record<string, Float32Array>;
  /** Named scalars/flags. */
  scalars: Record<string, number>;
}

/**
 * One optimizer, written once against Model + BatchSource. After construction and after every
 * step(), model.params holds the weights to evaluate (x, or the master/centre for simulated
 * distributed algorithms).
 */
export interface Optimizer {
  readonly algorithm: string;
  readonly model: Model;
  /** Outer learning rate; a training loop sets it from its schedule each epoch. */
  lr: number;
  /** Outer steps taken. */
  readonly steps: number;
  /** Gradient evaluations made so far (lossAndGrad calls, §3.4). */
  readonly gradCalls: number;
  /** Gradient evaluations one step makes. */
  readonly gradCallsPerStep: number;
  /** Effective-epoch multiplier (§3.4): L for the two-loop methods, 1 for SGD. */
  readonly effectiveEpochFactor: number;
  /** Coupling g the next step will use (undefined when the algorithm has none). */
  readonly coupling: number | undefined;
  /** One outer step. */
  step(): StepResult;
  exportState(): OptimizerState;
  importState(state: OptimizerState): void;
  /** Frees the optimizer's vectors (not the model). */
  dispose(): void;
}

/** The gradient oracle of §2.0: every call draws a fresh minibatch and is counted. */
export class GradientOracle {
  calls = 0;
  constructor(
    readonly model: Model,
    readonly batches: BatchSource,
  ) {}

  /** Gradient of a fresh minibatch at model.params into model.grad. */
  eval(): BatchResult {
    const r = this.model.lossAndGrad(this.batches.next());
    this.calls++;
    return r;
  }
}

/**
 * Buffer initialisation of Torch-style momentum (§2.0):
 *  - 'first': b = d on the first call (Lua optim.sgd, entropyoptim.lua, torch.optim.SGD);
 *  - 'first-then-update': b = seed (the first raw gradient, or d), then b ← μ b + (1 − damp) d
 *    immediately ([ESGD-PY] outer loop);
 *  - 'zero': b = 0, then b ← μ b + (1 − damp) d (all inner loops).
 */
export type MomentumInit = 'first' | 'first-then-update' | 'zero';

export interface MomentumOptions {
  momentum: number;
  dampening?: number;
  nesterov?: boolean;
  init?: MomentumInit;
}

function checkUnit(x: number, what: string): void {
  if (typeof x !== 'number' || !Number.isFinite(x) || x < 0 || x > 1) throw new RangeError(`${what} must be in [0, 1], got ${x}`);
}

/**
 * Torch-style momentum on a direction d:  b ← μ b + (1 − damp) d;  Nesterov: d ← d + μ b;
 * classical: d ← b. With μ = 0 it is the identity and holds no buffer.
 */
export class Momentum {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly init: MomentumInit;
  private buf: Vec | null = null;
  private started = false;

  constructor(
    private readonly model: Model,
    opts: MomentumOptions,
  ) {
    checkUnit(opts.momentum, 'momentum');
    checkUnit(opts.dampening ?? 0, 'dampening');
    this.momentum = opts.momentum;
    this.dampening = opts.dampening ?? 0;
    this.nesterov = opts.nesterov ?? true;
    this.init = opts.init ?? 'first';
    if (this.nesterov && this.momentum > 0 && this.dampening !== 0) {
      throw new RangeError('Nesterov momentum requires zero dampening');
    }
  }

  get active(): boolean {
    return this.momentum > 0;
  }

  /** d ← d_eff in place. `seed` is the vector copied into the buffer by 'first-then-update'. */
  apply(d: Vec, seed?: Vec): void {
    const mu = this.momentum;
    if (mu === 0) return;
    const m = this.model;
    if (this.buf === null) this.buf = m.vector();
    const b = this.buf;
    if (!this.started) {
      switch (this.init) {
        case 'first':
          m.copy(b, d);
          break;
        case 'first-then-update':
          m.copy(b, seed ?? d);
          m.axpby(b, mu, 1 - this.dampening, d);
          break;
        case 'zero':
          m.fill(b, 0);
          m.axpby(b, mu, 1 - this.dampening, d);
          break;
      }
      this.started = true;
    } else {
      m.axpby(b, mu, 1 - this.dampening, d);
    }
    if (this.nesterov) m.axpy(d, mu, b);
    else m.copy(d, b);
  }

  /** Forgets the buffer: the next apply() initialises it again. */
  reset(): void {
    this.started = false;
  }

  exportInto(prefix: string, state: OptimizerState): void {
    state.scalars[`${prefix}.started`] = this.started ? 1 : 0;
    if (this.buf !== null && this.started) state.vectors[`${prefix}.buffer`] = this.model.read(this.buf);
  }

  importFrom(prefix: string, state: OptimizerState): void {
    const started = state.scalars[`${prefix}.started`];
    const buf = state.vectors[`${prefix}.buffer`];
    this.started = started === 1 && buf !== undefined;
    if (this.started) {
      if (this.buf === null) this.buf = this.model.vector();
      this.model.write(this.buf, buf!);
    }
  }

  dispose(): void {
    if (this.buf !== null) this.model.free(this.buf);
    this.buf = null;
    this.started = false;
  }
}

export function checkPositiveInt(x: number, what: string, allowZero = false): void {
  if (!Number.isInteger(x) || x < (allowZero ? 0 : 1)) {
    throw new RangeError(`${what} must be an integer >= ${allowZero ? 0 : 1}, got ${x}`);
  }
}

export function checkNonNeg(x: number, what: string): void {
  if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new RangeError(`${what} must be a finite number >= 0, got ${x}`);
}

export function checkInUnit(x: number, what: string): void {
  checkUnit(x, what);
}

/** Base class: lr, step counter, owned vectors and momenta, state export/import. */
export abstract class BaseOptimizer implements Optimizer {
  abstract readonly algorithm: string;
  abstract readonly gradCallsPerStep: number;
  abstract readonly effectiveEpochFactor: number;
  abstract step(): StepResult;

  readonly model: Model;
  protected readonly oracle: GradientOracle;
  protected _steps = 0;
  private _lr = 0;
  private readonly owned: Vec[] = [];
  protected readonly momenta: Record<string, Momentum> = {};
  /** Vectors whose contents are part of the state (exported by name). */
  protected readonly stateVectors: Record<string, Vec> = {};
  private disposed = false;

  constructor(model: Model, batches: BatchSource, lr: number) {
    this.model = model;
    this.oracle = new GradientOracle(model, batches);
    this.lr = lr;
  }

  get lr(): number {
    return this._lr;
  }

  set lr(v: number) {
    checkNonNeg(v, 'learning rate');
    this._lr = v;
  }

  get steps(): number {
    return this._steps;
  }

  get gradCalls(): number {
    return this.oracle.calls;
  }

  get coupling(): number | undefined {
    return undefined;
  }

  protected alloc(from?: Vec): Vec {
    const v = this.model.vector(from);
    this.owned.push(v);
    return v;
  }

  protected momentumNamed(name: string, opts: MomentumOptions): Momentum {
    const m = new Momentum(this.model, opts);
    this.momenta[name] = m;
    return m;
  }

  protected checkAlive(): void {
    if (this.disposed) throw new Error(`${this.algorithm}: optimizer used after dispose()`);
  }

  exportState(): OptimizerState {
    this.checkAlive();
    const s: OptimizerState = {
      algorithm: this.algorithm,
      steps: this._steps,
      gradCalls: this.oracle.calls,
      lr: this._lr,
      vectors: {},
      scalars: {},
    };
    for (const [k, m] of Object.entries(this.momenta)) m.exportInto(k, s);
    for (const [k, v] of Object.entries(this.stateVectors)) s.vectors[k] = this.model.read(v);
    return s;
  }

  importState(s: OptimizerState): void {
    this.checkAlive();
    if (s.algorithm !== this.algorithm) {
      throw new RangeError(`state is for ${s.algorithm}, this optimizer is ${this.algorithm}`);
    }
    this._steps = s.steps;
    this.oracle.calls = s.gradCalls;
    this.lr = s.lr;
    for (const [k, m] of Object.entries(this.momenta)) m.importFrom(k, s);
    for (const [k, v] of Object.entries(this.stateVectors)) {
      const data = s.vectors[k];
      if (data !== undefined) this.model.write(v, data);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    for (const m of Object.values(this.momenta)) m.dispose();
    for (const v of this.owned) this.model.free(v);
    this.owned.length = 0;
    this.disposed = true;
  }
}

/**
 * Base of the scoped methods (ESGD, HJ, HEAT): the scoping counter t, which increments before use
 * (the first step uses g_1), the coupling of the next step, the outer update x ← x − η d, and t in
 * the exported state (scalar 't'; states without it fall back to the step count).
 */
export abstract class ScopedOptimizer extends BaseOptimizer {
  protected readonly scoping: ScopingSchedule;
  protected t = 0;

  constructor(model: Model, batches: BatchSource, lr: number, scoping: ScopingSpec) {
    super(model, batches, lr);
    this.scoping = makeScoping(scoping);
  }

  /** Coupling the next step uses (t increments before use: the first step uses g_1). */
  override get coupling(): number {
    return this.scoping.couplingAt(this.t + 1);
  }

  /** t ← t + 1; returns the coupling g_t of this step. */
  protected advanceScoping(): number {
    this.t++;
    return this.scoping.couplingAt(this.t);
  }

  /** The outer update: params ← x − η d. */
  protected descendFrom(x: Vec, d: Vec): void {
    this.model.copy(this.model.params, x);
    this.model.axpy(this.model.params, -this.lr, d);
  }

  override exportState(): OptimizerState {
    const s = super.exportState();
    s.scalars.t = this.t;
    return s;
  }

  override importState(s: OptimizerState): void {
    super.importState(s);
    this.t = s.scalars.t ?? s.steps;
  }
}

/** The outer-momentum settings of a resolved configuration. */
export interface OuterMomentumConfig {
  lr: number;
  scoping: ScopingSpec;
  momentum: number;
  dampening: number;
  nesterov: boolean;
}

/**
 * A scoped method whose outer step is Nesterov(μ) on a direction computed at the anchor x (HJ, HEAT
 * 'gaussian'): one momentum 'momentum' with a zero-initialised buffer and a work vector d.
 */
export abstract class ScopedMomentumOptimizer extends ScopedOptimizer {
  private readonly d: Vec;
  private readonly mom: Momentum;

  constructor(model: Model, batches: BatchSource, c: OuterMomentumConfig) {
    super(model, batches, c.lr, c.scoping);
    this.d = this.alloc();
    this.mom = this.momentumNamed('momentum', {
      momentum: c.momentum,
      dampening: c.dampening,
      nesterov: c.nesterov,
      init: 'zero',
    });
  }

  /** d ← direction (+ λx when weightDecay ≠ 0); Nesterov(μ) on d; params ← x − η d. */
  protected momentumStep(x: Vec, direction: Vec, weightDecay = 0): void {
    const m = this.model;
    m.copy(this.d, direction);
    if (weightDecay !== 0) m.axpy(this.d, weightDecay, x);
    this.mom.apply(this.d);
    this.descendFrom(x, this.d);
  }
}
