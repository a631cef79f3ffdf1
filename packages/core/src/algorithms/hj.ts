// HJ: gradient descent on the Moreau envelope (non-viscous Hamilton–Jacobi) via the damped Hopf–Lax
// fixed point p = ∇f(x − τp) (ALGORITHMS.md §2.3; [DR-CODE] class FP):
//   t ← t + 1;  τ ← 1/g_t
//   p ← grad(x, B0) + λx
//   L times:  z ← x − τp;  q ← grad(z, B_k) + λz;  p ← β p + (1 − β) q      (β = 0.75)
//   Nesterov(μ) on p;  x ← x − η p_eff
// The inner iteration contracts on curvature a iff |β − (1 − β) a τ| < 1 (aτ < 7 for β = 0.75).
import type { BatchSource, Model, Vec } from '../engine.js';
import { makeScoping, type ScopingSpec } from '../schedules/scoping.js';
import { ScopedMomentumOptimizer, checkInUnit, checkNonNeg, checkPositiveInt, type StepResult } from './common.js';

export interface HjConfig {
  algorithm: 'hj';
  /** Outer lr η (default 0.1, the FP class default). */
  lr?: number;
  /** Fixed-point iterations L (default 20). */
  L?: number;
  /** Damping β of the fixed-point iteration (default 0.75, hard-coded in [DR-CODE]). */
  beta?: number;
  /** Coupling g0/g1 with HJ time τ = 1/g (defaults g0 = 10, i.e. τ = 0.1; g1 = 1e-3). */
  g0?: number;
  g1?: number;
  scoping?: ScopingSpec;
  momentum?: number;
  nesterov?: boolean;
  dampening?: number;
  weightDecay?: number;
  /** Extra gradient evaluation at the new x, as [DR-CODE] does for logging (default false). */
  loggingEval?: boolean;
}

export type ResolvedHjConfig = Required<Omit<HjConfig, 'g0' | 'g1'>>;

export function resolveHjConfig(c: HjConfig): ResolvedHjConfig {
  const r: ResolvedHjConfig = {
    algorithm: 'hj',
    lr: c.lr ?? 0.1,
    L: c.L ?? 20,
    beta: c.beta ?? 0.75,
    scoping: c.scoping ?? { kind: 'exponential', g0: c.g0 ?? 10, g1: c.g1 ?? 1e-3 },
    momentum: c.momentum ?? 0.9,
    nesterov: c.nesterov ?? true,
    dampening: c.dampening ?? 0,
    weightDecay: c.weightDecay ?? 0,
    loggingEval: c.loggingEval ?? false,
  };
  checkPositiveInt(r.L, 'hj L', true);
  checkNonNeg(r.lr, 'hj lr');
  checkNonNeg(r.weightDecay, 'hj weightDecay');
  checkInUnit(r.beta, 'hj beta');
  makeScoping(r.scoping);
  return r;
}

export class HopfLax extends ScopedMomentumOptimizer {
  readonly algorithm = 'hj';
  readonly config: ResolvedHjConfig;
  readonly gradCallsPerStep: number;
  readonly effectiveEpochFactor: number;
  /** x (anchor of the last step) and p (the fixed-point estimate of ∇u(x, τ) before momentum). */
  readonly vectors: { x: Vec; p: Vec };

  constructor(model: Model, batches: BatchSource, config: HjConfig) {
    const c = resolveHjConfig(config);
    super(model, batches, c);
    this.config = c;
    this.gradCallsPerStep = c.L + 1 + (c.loggingEval ? 1 : 0);
    this.effectiveEpochFactor = Math.max(c.L, 1);
    this.vectors = { x: this.alloc(), p: this.alloc() };
  }

  step(): StepResult {
    this.checkAlive();
    const m = this.model;
    const c = this.config;
    const { x, p } = this.vectors;
    const before = this.oracle.calls;
    const g = this.advanceScoping();
    const tau = 1 / g;
    const wd = c.weightDecay;
    const beta = c.beta;
    const r0 = this.oracle.eval();
    m.copy(x, m.params);
    m.copy(p, m.grad);
    if (wd !== 0) m.axpy(p, wd, x);
    for (let k = 0; k < c.L; k++) {
      m.copy(m.params, x);
      m.axpy(m.params, -tau, p);
      this.oracle.eval();
      m.axpby(p, beta, 1 - beta, m.grad);
      if (wd !== 0) m.axpy(p, (1 - beta) * wd, m.params);
    }
    this.momentumStep(x, p);
    if (c.loggingEval) this.oracle.eval();
    this._steps++;
    return { loss: r0.loss, correct: r0.correct, n: r0.n, gradCalls: this.oracle.calls - before, coupling: g };
  }
}
