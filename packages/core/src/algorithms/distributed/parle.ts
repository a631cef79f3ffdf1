// Parle (ALGORITHMS.md §2.7): n replicas, each running Entropy-SGD on its own x^a, elastically coupled
// to the master x = mean_a x^a. Split into the replica side (ParleReplica: innerLoop, outerStep) and
// the centre side (means, meanOf in host.ts), so a coordinator can do the two all-reduces.
//
// Canonical round:
//   replica a:  y ← x^a; z ← x^a
//               L times: d ← ∇f_B(y) + λy + c_γ(y − x^a) [+ noise];  Nesterov (persistent inner buffer);
//                        y ← y − η_in d_eff;  z ← α z + (1 − α) y
//   centre:     x̄_z ← mean_a z^a                                     (all-reduce #1)
//   replica a:  G ← (x^a − z^a) + c_ρ (x^a − x̄_z);  Nesterov (outer buffer);  x^a ← x^a − η G_eff
//   centre:     x ← mean_a x^a                                       (all-reduce #2; evaluated model)
// Scoping per round k (0-based): c_γ = min(0.01 (1 + 0.5/nb)^k, 1), c_ρ = min(0.01·L·n (1 + 0.5/nb)^k, 10)
// ([PARLE-CODE], with the per-tensor counter quirk fixed).
import type { BatchSource, Model, Vec } from '../../engine.js';
import { makeScoping, type ScopingSchedule, type ScopingSpec } from '../../schedules/scoping.js';
import { checkInUnit, checkNonNeg, checkPositiveInt, GradientOracle, Momentum, type OptimizerState } from '../common.js';
import { directionNoiseStd, drain, innerLoopSteps } from '../inner.js';
import type { HostVector } from './host.js';

export interface ParleReplicaConfig {
  /** Inner steps per round L (default 25). */
  L?: number;
  /** Outer lr η (default 0.1). */
  lr?: number;
  /** Inner lr η_in (default: tied to lr, as in parle_mpi.py). */
  innerLr?: number;
  /** EMA weight on the old z (default 0.75). */
  beta1?: number;
  /** Outer momentum (default 0.9, Nesterov). */
  momentum?: number;
  /** Inner momentum (default: momentum). */
  innerMomentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
  /** Langevin noise ε, code scaling (default 0 for Parle). */
  noise?: number;
  /** Number of replicas n (for the default c_ρ schedule; default 1). */
  replicas?: number;
  /** Minibatches per epoch nb (for the default schedules; default ceil(N/m) of the batch source). */
  batchesPerEpoch?: number;
  /** Coupling c_γ per round (default capped 0.01·(1+0.5/nb)^k, cap 1). */
  gammaScoping?: ScopingSpec;
  /** Elastic coupling c_ρ per round (default capped 0.01·L·n·(1+0.5/nb)^k, cap 10). */
  rhoScoping?: ScopingSpec;
  /** Restart z^a ← x^a every round (default true; [PARLE-CODE] keeps z across rounds). */
  resetZ?: boolean;
  /** Base of the outer step: 'x' (canonical, [DE-CODE]) or 'inner' (y_L, [PARLE-CODE]). */
  outerBase?: 'x' | 'inner';
}

export interface ResolvedParleReplicaConfig {
  L: number;
  lr: number;
  innerLr: number | undefined;
  beta1: number;
  momentum: number;
  innerMomentum: number;
  nesterov: boolean;
  weightDecay: number;
  noise: number;
  gammaScoping: ScopingSpec;
  rhoScoping: ScopingSpec;
  resetZ: boolean;
  outerBase: 'x' | 'inner';
}

/**
 * Defaults and checks of a replica's configuration. Only the size and batch size of `batches` are read
 * (for the default schedules' nb), so a plan can resolve one before it has a batch source.
 */
export function resolveParleReplicaConfig(
  c: ParleReplicaConfig,
  batches: Pick<BatchSource, 'size' | 'batchSize'>,
): ResolvedParleReplicaConfig {
  const L = c.L ?? 25;
  checkPositiveInt(L, 'parle L');
  const n = c.replicas ?? 1;
  checkPositiveInt(n, 'parle replicas');
  const nb = c.batchesPerEpoch ?? Math.ceil(batches.size / batches.batchSize);
  checkPositiveInt(nb, 'parle batchesPerEpoch');
  const momentum = c.momentum ?? 0.9;
  const r: ResolvedParleReplicaConfig = {
    L,
    lr: c.lr ?? 0.1,
    innerLr: c.innerLr,
    beta1: c.beta1 ?? 0.75,
    momentum,
    innerMomentum: c.innerMomentum ?? momentum,
    nesterov: c.nesterov ?? true,
    weightDecay: c.weightDecay ?? 0,
    noise: c.noise ?? 0,
    gammaScoping: c.gammaScoping ?? { kind: 'capped', g0: 0.01, rate: 0.5 / nb, cap: 1 },
    rhoScoping: c.rhoScoping ?? { kind: 'capped', g0: 0.01 * L * n, rate: 0.5 / nb, cap: 10 },
    resetZ: c.resetZ ?? true,
    outerBase: c.outerBase ?? 'x',
  };
  checkNonNeg(r.lr, 'parle lr');
  if (r.innerLr !== undefined) checkNonNeg(r.innerLr, 'parle innerLr');
  checkInUnit(r.beta1, 'parle beta1');
  checkNonNeg(r.weightDecay, 'parle weightDecay');
  checkNonNeg(r.noise, 'parle noise');
  makeScoping(r.gammaScoping);
  makeScoping(r.rhoScoping);
  if (r.outerBase !== 'x' && r.outerBase !== 'inner') throw new RangeError('parle outerBase must be x|inner');
  return r;
}

export interface ParleInnerResult {
  /** z^a, to be averaged by the centre (all-reduce #1). */
  z: Float32Array;
  /** Mean inner minibatch loss. */
  loss: number;
  correct: number;
  n: number;
}

/** The replica side of Parle. Its replica x^a, z^a and momentum buffers live in Vecs of `model`. */
export class ParleReplica {
  readonly model: Model;
  readonly oracle: GradientOracle;
  readonly config: ResolvedParleReplicaConfig;
  /** x^a, z^a and the outer direction G^a of the last round. */
  readonly vectors: { x: Vec; z: Vec; direction: Vec };
  lr: number;
  private readonly gammaSched: ScopingSchedule;
  private readonly rhoSched: ScopingSchedule;
  private readonly d: Vec;
  private readonly scratch: Vec;
  private readonly yLast: Vec | null;
  private readonly innerMom: Momentum;
  private readonly outerMom: Momentum;
  private k = 0;
  private phase: 'inner' | 'outer' = 'inner';
  private disposed = false;

  /** x^a starts at `init` (default: the model's current params). */
  constructor(model: Model, batches: BatchSource, config: ParleReplicaConfig, init?: HostVector) {
    this.config = resolveParleReplicaConfig(config, batches);
    const c = this.config;
    this.model = model;
    this.oracle = new GradientOracle(model, batches);
    this.lr = c.lr;
    this.gammaSched = makeScoping(c.gammaScoping);
    this.rhoSched = makeScoping(c.rhoScoping);
    this.vectors = { x: model.vector(model.params), z: model.vector(), direction: model.vector() };
    if (init !== undefined) model.write(this.vectors.x, Float32Array.from(init));
    model.copy(this.vectors.z, this.vectors.x);
    this.d = model.vector();
    this.scratch = model.vector();
    this.yLast = c.outerBase === 'inner' ? model.vector() : null;
    this.innerMom = new Momentum(model, { momentum: c.innerMomentum, nesterov: c.nesterov, init: 'zero' });
    this.outerMom = new Momentum(model, { momentum: c.momentum, nesterov: c.nesterov, init: 'zero' });
  }

  /** Rounds completed. */
  get round(): number {
    return this.k;
  }

  /** Couplings (c_γ, c_ρ) of the current round. */
  get couplings(): { gamma: number; rho: number } {
    return { gamma: this.gammaSched.couplingAt(this.k), rho: this.rhoSched.couplingAt(this.k) };
  }

  /** Inner learning rate in use (innerLr, or lr when tied). */
  get innerLr(): number {
    return this.config.innerLr ?? this.lr;
  }

  /** First half of a round: L inner steps; returns z^a for all-reduce #1. */
  innerLoop(): ParleInnerResult {
    return drain(this.innerLoopSteps());
  }

  /**
   * innerLoop() as a generator that pauses between inner steps (same operations, same order):
   * a distributed worker drives it with event-loop turns in between, so the previous round's
   * upload proceeds while it computes.
   */
  *innerLoopSteps(): Generator<number, ParleInnerResult, void> {
    this.alive();
    if (this.phase !== 'inner') throw new Error('parle: innerLoop() called twice without outerStep()');
    const m = this.model;
    const c = this.config;
    const { x, z } = this.vectors;
    const ilr = this.innerLr;
    m.copy(m.params, x);
    if (c.resetZ) m.copy(z, x);
    const r = yield* innerLoopSteps(m, this.oracle, x, z, this.d, {
      L: c.L,
      innerLr: ilr,
      coupling: this.couplings.gamma,
      weightDecay: c.weightDecay,
      noiseStd: c.noise > 0 && ilr > 0 ? directionNoiseStd(c.noise, ilr, 'code') : 0,
      beta1: c.beta1,
      average: 'ema',
      scope: 'all',
      momentum: this.innerMom,
    });
    if (this.yLast) m.copy(this.yLast, m.params);
    this.phase = 'outer';
    return { z: m.read(z), loss: r.lossSum / c.L, correct: r.correct, n: r.n };
  }

  /** Second half: G = (x^a − z^a) + c_ρ (x^a − x̄_z), Nesterov, step; returns x^a for all-reduce #2. */
  outerStep(zMean: HostVector): Float32Array {
    this.alive();
    if (this.phase !== 'outer') throw new Error('parle: outerStep() called before innerLoop()');
    const m = this.model;
    const { x, z, direction: G } = this.vectors;
    const rho = this.couplings.rho;
    m.write(this.scratch, zMean instanceof Float32Array ? zMean : Float32Array.from(zMean));
    m.copy(G, x);
    m.axpy(G, -1, z);
    if (rho !== 0) {
      m.axpy(G, rho, x);
      m.axpy(G, -rho, this.scratch);
    }
    m.copy(this.d, G);
    this.outerMom.apply(this.d);
    if (this.yLast) m.copy(x, this.yLast);
    m.axpy(x, -this.lr, this.d);
    this.k++;
    this.phase = 'inner';
    return m.read(x);
  }

  readReplica(): Float32Array {
    return this.model.read(this.vectors.x);
  }

  /** Adds this replica's state (x^a, z^a, momentum buffers, round counter) under `prefix`. */
  exportInto(prefix: string, s: OptimizerState): void {
    if (this.phase !== 'inner') throw new Error('parle: export state between rounds only');
    s.vectors[`${prefix}.x`] = this.model.read(this.vectors.x);
    s.vectors[`${prefix}.z`] = this.model.read(this.vectors.z);
    s.scalars[`${prefix}.round`] = this.k;
    this.innerMom.exportInto(`${prefix}.innerMomentum`, s);
    this.outerMom.exportInto(`${prefix}.outerMomentum`, s);
  }

  importFrom(prefix: string, s: OptimizerState): void {
    const x = s.vectors[`${prefix}.x`];
    const z = s.vectors[`${prefix}.z`];
    if (x) this.model.write(this.vectors.x, x);
    if (z) this.model.write(this.vectors.z, z);
    this.k = s.scalars[`${prefix}.round`] ?? this.k;
    this.phase = 'inner';
    this.innerMom.importFrom(`${prefix}.innerMomentum`, s);
    this.outerMom.importFrom(`${prefix}.outerMomentum`, s);
  }

  private alive(): void {
    if (this.disposed) throw new Error('parle replica used after dispose()');
  }

  dispose(): void {
    if (this.disposed) return;
    const m = this.model;
    for (const v of [this.vectors.x, this.vectors.z, this.vectors.direction, this.d, this.scratch]) m.free(v);
    if (this.yLast) m.free(this.yLast);
    this.innerMom.dispose();
    this.outerMom.dispose();
    this.disposed = true;
  }
}
