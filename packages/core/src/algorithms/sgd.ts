// SGD with Torch-style (Nesterov) momentum and coupled weight decay (ALGORITHMS.md §2.0, §2.1):
//   d = grad(x, B) + λ x;  b ← μ b + (1 − damp) d;  d_eff = d + μ b (Nesterov) or b;  x ← x − η d_eff
import type { BatchSource, Model, Vec } from '../engine.js';
import { BaseOptimizer, checkNonNeg, type Momentum, type MomentumInit, type StepResult } from './common.js';

export interface SgdConfig {
  algorithm: 'sgd';
  /** Learning rate η (default 0.1). */
  lr?: number;
  /** Momentum μ (default 0.9). */
  momentum?: number;
  /** Nesterov momentum (default true). */
  nesterov?: boolean;
  /** Dampening (default 0; must be 0 with Nesterov). */
  dampening?: number;
  /** Coupled L2 weight decay λ (default 0). */
  weightDecay?: number;
  /** Buffer initialisation (default 'first', as Lua optim.sgd and torch.optim.SGD). */
  momentumInit?: MomentumInit;
}

export type ResolvedSgdConfig = Required<SgdConfig>;

export function resolveSgdConfig(c: SgdConfig): ResolvedSgdConfig {
  const r: ResolvedSgdConfig = {
    algorithm: 'sgd',
    lr: c.lr ?? 0.1,
    momentum: c.momentum ?? 0.9,
    nesterov: c.nesterov ?? true,
    dampening: c.dampening ?? 0,
    weightDecay: c.weightDecay ?? 0,
    momentumInit: c.momentumInit ?? 'first',
  };
  checkNonNeg(r.lr, 'sgd lr');
  checkNonNeg(r.weightDecay, 'sgd weightDecay');
  return r;
}

export class Sgd extends BaseOptimizer {
  readonly algorithm = 'sgd';
  readonly gradCallsPerStep = 1;
  readonly effectiveEpochFactor = 1;
  readonly config: ResolvedSgdConfig;
  private readonly d: Vec;
  private readonly mom: Momentum;

  constructor(model: Model, batches: BatchSource, config: SgdConfig) {
    const c = resolveSgdConfig(config);
    super(model, batches, c.lr);
    this.config = c;
    this.d = this.alloc();
    this.mom = this.momentumNamed('momentum', {
      momentum: c.momentum,
      dampening: c.dampening,
      nesterov: c.nesterov,
      init: c.momentumInit,
    });
  }

  step(): StepResult {
    this.checkAlive();
    const m = this.model;
    const before = this.oracle.calls;
    const r = this.oracle.eval();
    m.copy(this.d, m.grad);
    if (this.config.weightDecay !== 0) m.axpy(this.d, this.config.weightDecay, m.params);
    this.mom.apply(this.d, m.grad);
    m.axpy(m.params, -this.lr, this.d);
    this._steps++;
    return { loss: r.loss, correct: r.correct, n: r.n, gradCalls: this.oracle.calls - before };
  }
}
