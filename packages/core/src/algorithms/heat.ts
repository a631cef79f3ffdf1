// HEAT (ALGORITHMS.md §2.5): descent on the heat-equation smoothing v(x, t) = (G_t * f)(x).
//  'gaussian' (default): G = (1/L) Σ_l grad(x + sqrt(t) Z_l, B_l) [+ λx], Z_l ~ N(0, I) iid,
//                        Nesterov(μ), x ← x − η G_eff. t = 1/g is scoped like γ.
//  'dr-compat':          [DR-CODE] class HEAT: ESGD 'dr' with the uniform trajectory average
//                        μ = (x + Σ_k y_k)/(L + 1) (class defaults L = 100, g0 = 10, ε = 1e-4, η' = 0.1).
import type { BatchSource, Model, Vec } from '../engine.js';
import { makeScoping, type ScopingSpec } from '../schedules/scoping.js';
import { ScopedMomentumOptimizer, checkNonNeg, checkPositiveInt, type StepResult } from './common.js';
import { EntropySgd, type EsgdConfig } from './esgd.js';

export interface HeatConfig extends Omit<EsgdConfig, 'algorithm'> {
  algorithm: 'heat';
  /** Estimator (default 'gaussian'). */
  estimator?: 'gaussian' | 'dr-compat';
  /**
   * Coupling g0/g1: the smoothing variance is t = 1/g (gaussian defaults: g0 = 1e4, i.e. perturbation
   * std 0.01; g1 = 1e-3). dr-compat defaults: g0 = 10, g1 = 0 (the class defaults).
   */
  g0?: number;
  g1?: number;
}

export interface ResolvedHeatGaussianConfig {
  algorithm: 'heat';
  estimator: 'gaussian';
  lr: number;
  L: number;
  scoping: ScopingSpec;
  momentum: number;
  nesterov: boolean;
  dampening: number;
  weightDecay: number;
}

export function resolveHeatGaussianConfig(c: HeatConfig): ResolvedHeatGaussianConfig {
  const r: ResolvedHeatGaussianConfig = {
    algorithm: 'heat',
    estimator: 'gaussian',
    lr: c.lr ?? 0.1,
    L: c.L ?? 20,
    scoping: c.scoping ?? { kind: 'exponential', g0: c.g0 ?? 1e4, g1: c.g1 ?? 1e-3 },
    momentum: c.momentum ?? 0.9,
    nesterov: c.nesterov ?? true,
    dampening: c.dampening ?? 0,
    weightDecay: c.weightDecay ?? 0,
  };
  checkPositiveInt(r.L, 'heat L');
  checkNonNeg(r.lr, 'heat lr');
  checkNonNeg(r.weightDecay, 'heat weightDecay');
  makeScoping(r.scoping);
  return r;
}

/** The ESGD configuration equivalent to HEAT 'dr-compat'. */
export function heatDrCompatAsEsgd(c: HeatConfig): EsgdConfig {
  const { estimator: _e, ...rest } = c;
  return {
    ...rest,
    algorithm: 'esgd',
    variant: c.variant ?? 'dr',
    average: 'uniform',
    L: c.L ?? 100,
    g0: c.g0 ?? 10,
    g1: c.g1 ?? 0,
    lr: c.lr ?? 0.1,
  };
}

export class HeatGaussian extends ScopedMomentumOptimizer {
  readonly algorithm = 'heat';
  readonly config: ResolvedHeatGaussianConfig;
  readonly gradCallsPerStep: number;
  readonly effectiveEpochFactor: number;
  /** x (anchor of the last step) and direction (the smoothed-gradient estimate before momentum). */
  readonly vectors: { x: Vec; direction: Vec };

  constructor(model: Model, batches: BatchSource, config: HeatConfig) {
    const c = resolveHeatGaussianConfig(config);
    super(model, batches, c);
    this.config = c;
    this.gradCallsPerStep = c.L;
    this.effectiveEpochFactor = c.L;
    this.vectors = { x: this.alloc(), direction: this.alloc() };
  }

  /** Smoothing variance t = 1/g the next step uses. */
  get smoothingTime(): number {
    return 1 / this.coupling;
  }

  step(): StepResult {
    this.checkAlive();
    const m = this.model;
    const c = this.config;
    const { x, direction: G } = this.vectors;
    const before = this.oracle.calls;
    const g = this.advanceScoping();
    const std = Math.sqrt(1 / g);
    m.copy(x, m.params);
    m.fill(G, 0);
    let loss = 0;
    let correct = 0;
    let n = 0;
    for (let l = 0; l < c.L; l++) {
      m.copy(m.params, x);
      if (std > 0) m.addNoise(m.params, std);
      const r = this.oracle.eval();
      loss += r.loss;
      correct += r.correct;
      n += r.n;
      m.axpy(G, 1 / c.L, m.grad);
    }
    this.momentumStep(x, G, c.weightDecay);
    this._steps++;
    return { loss: loss / c.L, correct, n, gradCalls: this.oracle.calls - before, coupling: g };
  }
}

/** HEAT 'dr-compat': the [DR-CODE] HEAT class (ESGD 'dr' with a uniform trajectory average). */
export class HeatDrCompat extends EntropySgd {
  constructor(model: Model, batches: BatchSource, config: HeatConfig) {
    super(model, batches, heatDrCompatAsEsgd(config), 'heat');
  }
}
