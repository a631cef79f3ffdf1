// One-process simulations of the distributed algorithms, built from the worker and centre halves
// and exposed as Optimizers so the training loop (and the CLI's local mode) can run them. Replicas
// may share one Model (each keeps its own Vecs; model.params is the evaluation scratch) or use one
// Model each. After every step(), model.params holds the master/centre weights.
import type { BatchSource, Model } from '../../engine.js';
import { makeScoping, type ScopingSchedule, type ScopingSpec } from '../../schedules/scoping.js';
import { checkNonNeg, checkPositiveInt, type Optimizer, type OptimizerState, type StepResult } from '../common.js';
import { EasgdWorker, easgdApplyDeltas } from './easgd.js';
import { meanOf } from './host.js';
import { LocalEntropyWorker, localEntropyCentreStep, type LocalEntropyWorkerConfig } from './local-entropy.js';
import { ParleReplica, type ParleReplicaConfig } from './parle.js';

/** Per-replica models and batch sources for a simulation (default: all share the optimizer's). */
export interface ReplicaResources {
  models?: Model[];
  batches?: BatchSource[];
}

function pick<T>(list: T[] | undefined, i: number, fallback: T, what: string, n: number): T {
  if (list === undefined) return fallback;
  if (list.length !== n) throw new RangeError(`${what}: expected ${n} entries, got ${list.length}`);
  return list[i];
}

abstract class SimulatedBase implements Optimizer {
  abstract readonly algorithm: string;
  abstract readonly gradCallsPerStep: number;
  abstract readonly effectiveEpochFactor: number;
  abstract get coupling(): number | undefined;
  abstract step(): StepResult;
  abstract get gradCalls(): number;
  protected abstract setLr(lr: number): void;
  /** Adds the algorithm's vectors and counters to a state being exported. */
  protected abstract exportInto(s: OptimizerState): void;
  /** Restores them, and writes the master/centre into model.params. */
  protected abstract importFrom(s: OptimizerState): void;
  abstract dispose(): void;

  protected _steps = 0;
  private _lr = 0;
  protected gradCallsOffset = 0;

  constructor(readonly model: Model) {}

  get lr(): number {
    return this._lr;
  }

  set lr(v: number) {
    checkNonNeg(v, 'learning rate');
    this._lr = v;
    this.setLr(v);
  }

  get steps(): number {
    return this._steps;
  }

  /** State for checkpoints: steps, lr, replicas/centre, momentum buffers and counters. */
  exportState(): OptimizerState {
    const s: OptimizerState = {
      algorithm: this.algorithm,
      steps: this._steps,
      gradCalls: this.gradCalls,
      lr: this.lr,
      vectors: {},
      scalars: {},
    };
    this.exportInto(s);
    return s;
  }

  importState(s: OptimizerState): void {
    if (s.algorithm !== this.algorithm) throw new RangeError(`state is for ${s.algorithm}, this optimizer is ${this.algorithm}`);
    this._steps = s.steps;
    this.gradCallsOffset += s.gradCalls - this.gradCalls;
    this.lr = s.lr;
    this.importFrom(s);
  }
}

// ------------------------------------------------------------------------------------ Parle

export interface ParleConfig extends ParleReplicaConfig {
  algorithm: 'parle';
  /** Replicas n (default 3). */
  replicas?: number;
}

export class SimulatedParle extends SimulatedBase {
  readonly algorithm = 'parle';
  readonly replicas: ParleReplica[];
  readonly gradCallsPerStep: number;
  readonly effectiveEpochFactor: number;

  constructor(model: Model, batches: BatchSource, config: ParleConfig, resources: ReplicaResources = {}) {
    super(model);
    const n = config.replicas ?? 3;
    checkPositiveInt(n, 'parle replicas');
    const { algorithm: _a, ...rc } = config;
    const init = model.read(model.params);
    this.replicas = Array.from({ length: n }, (_, i) => {
      const m = pick(resources.models, i, model, 'parle models', n);
      const b = pick(resources.batches, i, batches, 'parle batches', n);
      return new ParleReplica(m, b, { ...rc, replicas: n }, init);
    });
    this.gradCallsPerStep = n * this.replicas[0].config.L;
    this.effectiveEpochFactor = this.replicas[0].config.L;
    this.lr = this.replicas[0].config.lr;
  }

  get coupling(): number {
    return this.replicas[0].couplings.gamma;
  }

  get gradCalls(): number {
    return this.gradCallsOffset + this.replicas.reduce((s, r) => s + r.oracle.calls, 0);
  }

  protected setLr(lr: number): void {
    for (const r of this.replicas ?? []) r.lr = lr;
  }

  step(): StepResult {
    const before = this.gradCalls;
    const g = this.coupling;
    const inner = this.replicas.map((r) => r.innerLoop());
    const zMean = meanOf(inner.map((r) => r.z));
    const xs = this.replicas.map((r) => r.outerStep(zMean));
    this.model.write(this.model.params, meanOf(xs, new Float32Array(xs[0].length)));
    this._steps++;
    const loss = inner.reduce((s, r) => s + r.loss, 0) / inner.length;
    return {
      loss,
      correct: inner.reduce((s, r) => s + r.correct, 0),
      n: inner.reduce((s, r) => s + r.n, 0),
      gradCalls: this.gradCalls - before,
      coupling: g,
    };
  }

  protected exportInto(s: OptimizerState): void {
    this.replicas.forEach((r, i) => r.exportInto(`replica${i}`, s));
  }

  protected importFrom(s: OptimizerState): void {
    this.replicas.forEach((r, i) => r.importFrom(`replica${i}`, s));
    const xs = this.replicas.map((r) => r.readReplica());
    this.model.write(this.model.params, meanOf(xs, new Float32Array(xs[0].length)));
  }

  dispose(): void {
    for (const r of this.replicas) r.dispose();
  }
}

// ------------------------------------------------------------------------------- EASGD/EAMSGD

export interface EasgdConfig {
  algorithm: 'easgd' | 'eamsgd';
  /** Workers p (default 4). */
  workers?: number;
  /** Local lr (default 0.1 for easgd, 0.01 for eamsgd, as the [MPIT] examples). */
  lr?: number;
  /** Moving rate α (default 0.9/p, i.e. β = 0.9). */
  alpha?: number;
  /** Communication period τ (default 1). */
  tau?: number;
  /** EAMSGD momentum δ (default 0 for easgd, 0.99 for eamsgd). */
  momentum?: number;
  weightDecay?: number;
  /** 'sync' (default): all workers against the same x̃_t; 'async': round-robin, each exchange applied at once. */
  mode?: 'sync' | 'async';
}

export class SimulatedEasgd extends SimulatedBase {
  readonly algorithm: 'easgd' | 'eamsgd';
  readonly workers: EasgdWorker[];
  /** The centre x̃ (double precision). */
  readonly centre: Float64Array;
  readonly mode: 'sync' | 'async';
  readonly gradCallsPerStep: number;
  readonly effectiveEpochFactor = 1;

  constructor(model: Model, batches: BatchSource, config: EasgdConfig, resources: ReplicaResources = {}) {
    super(model);
    this.algorithm = config.algorithm;
    const p = config.workers ?? 4;
    checkPositiveInt(p, 'easgd workers');
    const eam = config.algorithm === 'eamsgd';
    this.mode = config.mode ?? 'sync';
    if (this.mode !== 'sync' && this.mode !== 'async') throw new RangeError('easgd mode must be sync|async');
    const init = model.read(model.params);
    this.centre = Float64Array.from(init);
    const wc = {
      lr: config.lr ?? (eam ? 0.01 : 0.1),
      alpha: config.alpha ?? 0.9 / p,
      tau: config.tau ?? 1,
      momentum: config.momentum ?? (eam ? 0.99 : 0),
      weightDecay: config.weightDecay ?? 0,
    };
    this.workers = Array.from(
      { length: p },
      (_, i) =>
        new EasgdWorker(
          pick(resources.models, i, model, 'easgd models', p),
          pick(resources.batches, i, batches, 'easgd batches', p),
          wc,
          init,
        ),
    );
    this.gradCallsPerStep = p;
    this.lr = wc.lr;
  }

  get coupling(): undefined {
    return undefined;
  }

  get gradCalls(): number {
    return this.gradCallsOffset + this.workers.reduce((s, w) => s + w.oracle.calls, 0);
  }

  protected setLr(lr: number): void {
    for (const w of this.workers ?? []) w.lr = lr;
  }

  step(): StepResult {
    const before = this.gradCalls;
    let loss = 0;
    let correct = 0;
    let n = 0;
    if (this.mode === 'sync') {
      const snapshot = Float64Array.from(this.centre);
      const deltas: Float32Array[] = [];
      for (const w of this.workers) {
        const r = w.step(w.exchangeDue ? snapshot : undefined);
        loss += r.loss;
        correct += r.correct;
        n += r.n;
        if (r.delta) deltas.push(r.delta);
      }
      easgdApplyDeltas(this.centre, deltas);
    } else {
      for (const w of this.workers) {
        const r = w.step(w.exchangeDue ? this.centre : undefined);
        loss += r.loss;
        correct += r.correct;
        n += r.n;
        if (r.delta) easgdApplyDeltas(this.centre, r.delta);
      }
    }
    this.model.write(this.model.params, Float32Array.from(this.centre));
    this._steps++;
    return { loss: loss / this.workers.length, correct, n, gradCalls: this.gradCalls - before };
  }

  protected exportInto(s: OptimizerState): void {
    s.vectors.centre = Float32Array.from(this.centre);
    this.workers.forEach((w, i) => w.exportInto(`worker${i}`, s));
  }

  protected importFrom(s: OptimizerState): void {
    if (s.vectors.centre) this.centre.set(s.vectors.centre);
    this.workers.forEach((w, i) => w.importFrom(`worker${i}`, s));
    this.model.write(this.model.params, Float32Array.from(this.centre));
  }

  dispose(): void {
    for (const w of this.workers) w.dispose();
  }
}

// ------------------------------------------------------------------------- distributed ESGD

export interface DistEsgdConfig extends LocalEntropyWorkerConfig {
  algorithm: 'dist-esgd';
  /** Workers p (default 4). */
  workers?: number;
  /** Centre lr η (default 1). */
  lr?: number;
  /** Coupling g = 1/γ: g0 (default 1e-4), g1 (default 1e-3) per round, or any scoping. */
  g0?: number;
  g1?: number;
  scoping?: ScopingSpec;
  /**
   * 'coupling' (default, the SDE discretisation of §2.8): x ← x − η g (x − mean μ);
   * 'none' (Entropy-SGD code convention, g absorbed into η): x ← x − η (x − mean μ).
   */
  lrScaling?: 'coupling' | 'none';
}

export class SimulatedDistEsgd extends SimulatedBase {
  readonly algorithm = 'dist-esgd';
  readonly workers: LocalEntropyWorker[];
  /** The coordinator's x (double precision). */
  readonly x: Float64Array;
  readonly gradCallsPerStep: number;
  readonly effectiveEpochFactor: number;
  private readonly scoping: ScopingSchedule;
  private readonly lrScaling: 'coupling' | 'none';
  private k = 0;

  constructor(model: Model, batches: BatchSource, config: DistEsgdConfig, resources: ReplicaResources = {}) {
    super(model);
    const p = config.workers ?? 4;
    checkPositiveInt(p, 'dist-esgd workers');
    const { algorithm: _a, workers: _w, lr, g0, g1, scoping, lrScaling, ...wc } = config;
    this.scoping = makeScoping(scoping ?? { kind: 'exponential', g0: g0 ?? 1e-4, g1: g1 ?? 1e-3 });
    this.lrScaling = lrScaling ?? 'coupling';
    if (this.lrScaling !== 'coupling' && this.lrScaling !== 'none') throw new RangeError('dist-esgd lrScaling must be coupling|none');
    this.x = Float64Array.from(model.read(model.params));
    this.workers = Array.from(
      { length: p },
      (_, i) =>
        new LocalEntropyWorker(
          pick(resources.models, i, model, 'dist-esgd models', p),
          pick(resources.batches, i, batches, 'dist-esgd batches', p),
          wc,
        ),
    );
    this.gradCallsPerStep = p * this.workers[0].config.L;
    this.effectiveEpochFactor = this.workers[0].config.L;
    this.lr = lr ?? 1;
  }

  /** Coupling of the next round (t increments before use, as ESGD). */
  get coupling(): number {
    return this.scoping.couplingAt(this.k + 1);
  }

  get gradCalls(): number {
    return this.gradCallsOffset + this.workers.reduce((s, w) => s + w.oracle.calls, 0);
  }

  protected setLr(): void {}

  step(): StepResult {
    const before = this.gradCalls;
    this.k++;
    const g = this.scoping.couplingAt(this.k);
    const rounds = this.workers.map((w) => w.round(this.x, g));
    localEntropyCentreStep(
      this.x,
      rounds.map((r) => r.mu),
      this.lrScaling === 'coupling' ? this.lr * g : this.lr,
    );
    this.model.write(this.model.params, Float32Array.from(this.x));
    this._steps++;
    return {
      loss: rounds.reduce((s, r) => s + r.loss, 0) / rounds.length,
      correct: rounds.reduce((s, r) => s + r.correct, 0),
      n: rounds.reduce((s, r) => s + r.n, 0),
      gradCalls: this.gradCalls - before,
      coupling: g,
    };
  }

  protected exportInto(s: OptimizerState): void {
    s.vectors.x = Float32Array.from(this.x);
    s.scalars.t = this.k;
    this.workers.forEach((w, i) => w.exportInto(`worker${i}`, s));
  }

  protected importFrom(s: OptimizerState): void {
    if (s.vectors.x) this.x.set(s.vectors.x);
    this.k = s.scalars.t ?? s.steps;
    this.workers.forEach((w, i) => w.importFrom(`worker${i}`, s));
    this.model.write(this.model.params, Float32Array.from(this.x));
  }

  dispose(): void {
    for (const w of this.workers) w.dispose();
  }
}
