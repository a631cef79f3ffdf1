// Entropy-SGD (ALGORITHMS.md §2.2), with the three reference variants of the §2.2 difference table,
// and the two DR-code specialisations built on it: H-ESGD (§2.4, class HJB) and HEAT 'dr-compat'
// (§2.5, ESGD with a uniform trajectory average).
//
//   ESGD_step(x):
//     t ← t + 1;  g ← g_t (scoping, default g0 (1 + g1)^t)
//     grad(x, B0)                      # discarded when L > 0; the SGD gradient when L = 0
//     y ← x; μ ← x
//     L times:  d ← ∇f_B(y) ⊕ λy ⊕ g(y − x) ⊕ (ε/sqrt(η'/2)) ζ   (momentum placement per variant)
//               y ← y − η' d;  μ ← beta1 μ + (1 − beta1) y
//     G ← x − μ  (the factor g of the paper is absorbed into η, as in all codes)
//     outer: per variant (none / λx + Nesterov / Nesterov);  x ← x − η G_eff
import type { BatchSource, Model, Vec } from '../engine.js';
import { makeScoping, type ScopingSpec } from '../schedules/scoping.js';
import {
  ScopedOptimizer,
  checkInUnit,
  checkNonNeg,
  checkPositiveInt,
  type Momentum,
  type MomentumInit,
  type StepResult,
} from './common.js';
import { directionNoiseStd, runInnerLoop, type InnerAverage, type InnerMomentumScope } from './inner.js';

/**
 * 'lua' = [ESGD-LUA] entropyoptim.lua (produced the Entropy-SGD paper's results),
 * 'py'  = [ESGD-PY] python/optim.py with its scoping bug fixed (t increments),
 * 'dr'  = [DR-CODE] optim.py class ESGD (produced the Deep Relaxation paper's Table 1).
 */
export type EsgdVariant = 'lua' | 'py' | 'dr';

/** The individual aspects in which the variants differ; each can be overridden. */
export interface EsgdVariantAspects {
  innerMomentumScope: InnerMomentumScope;
  /** Inner momentum buffer persists across outer steps (DR) instead of restarting at 0. */
  persistentInnerBuffer: boolean;
  /** Nesterov/momentum on the outer direction G when L > 0. */
  outerMomentum: boolean;
  /** G ← G + λx before the outer momentum when L > 0. */
  outerWeightDecay: boolean;
  /** Outer momentum buffer initialisation. */
  outerMomentumInit: MomentumInit;
  /** λ on the SGD gradient when L = 0 (false in [DR-CODE]). */
  sgdWeightDecay: boolean;
  /** One more gradient evaluation at the new x after the step, for logging (L+2 calls, [DR-CODE]). */
  loggingEval: boolean;
}

export const ESGD_VARIANTS: Readonly<Record<EsgdVariant, Readonly<EsgdVariantAspects>>> = {
  lua: {
    innerMomentumScope: 'grad',
    persistentInnerBuffer: false,
    outerMomentum: false,
    outerWeightDecay: false,
    outerMomentumInit: 'first',
    sgdWeightDecay: true,
    loggingEval: false,
  },
  py: {
    innerMomentumScope: 'grad+wd',
    persistentInnerBuffer: false,
    outerMomentum: true,
    outerWeightDecay: true,
    outerMomentumInit: 'first-then-update',
    sgdWeightDecay: true,
    loggingEval: false,
  },
  dr: {
    innerMomentumScope: 'all',
    persistentInnerBuffer: true,
    outerMomentum: true,
    outerWeightDecay: false,
    outerMomentumInit: 'zero',
    sgdWeightDecay: false,
    loggingEval: true,
  },
};

/** The default variant: see ESGD_DEFAULT_VARIANT_REASON. */
export const ESGD_DEFAULT_VARIANT: EsgdVariant = 'lua';
export const ESGD_DEFAULT_VARIANT_REASON =
  "'lua' is the code that produced the Entropy-SGD paper's results and the only source of complete " +
  'per-network protocols (L, lr schedules, g0, g1, noise, epochs; §2.2), so the presets and the update ' +
  'rule they were tuned for match; its outer step x ← x − η(x − μ) is exactly paper Algorithm 1 (no ' +
  'outer momentum), and L = 0 reduces to SGD with λ (T1). Use variant "dr" to reproduce the DR code.';

export interface EsgdConfig extends Partial<EsgdVariantAspects> {
  algorithm: 'esgd';
  /** Reference variant (default 'lua'); the aspect fields override single aspects of it. */
  variant?: EsgdVariant;
  /** Outer lr η (default 1, the ESGD schedules' first value). */
  lr?: number;
  /** Inner steps L (default 20; 0 = SGD). */
  L?: number;
  /** SGLD step η' (default 0.1). */
  innerLr?: number;
  /** Noise ε (default 1e-4). */
  noise?: number;
  /** 'code' (default): direction noise ε/sqrt(η'/2), T = ε²; 'paper' (Algorithm 1): T = ε²/2. */
  noiseScaling?: 'code' | 'paper';
  /** EMA weight on the old average μ (code beta1, default 0.75; paper α = 1 − beta1). */
  beta1?: number;
  /** 'ema' (default) or 'uniform' (HEAT dr-compat). */
  average?: InnerAverage;
  /** Initial coupling g0 (default 1e-4) and scoping rate g1 (default 1e-3): g_t = g0 (1+g1)^t. */
  g0?: number;
  g1?: number;
  /** Any scoping schedule; overrides g0/g1. */
  scoping?: ScopingSpec;
  /** Momentum μ, outer and inner (default 0.9). */
  momentum?: number;
  /** Inner momentum (default: momentum). */
  innerMomentum?: number;
  nesterov?: boolean;
  dampening?: number;
  /** λ (default 0). */
  weightDecay?: number;
  /** Keep a copy of the last inner iterate y_L in vectors.yLast (tests, diagnostics). */
  recordInnerIterate?: boolean;
}

export type ResolvedEsgdConfig = Required<Omit<EsgdConfig, 'g0' | 'g1'>> & { g0?: number; g1?: number };

export function resolveEsgdConfig(c: EsgdConfig): ResolvedEsgdConfig {
  const variant = c.variant ?? ESGD_DEFAULT_VARIANT;
  const aspects = ESGD_VARIANTS[variant];
  if (!aspects) throw new RangeError(`esgd: unknown variant ${String(variant)}`);
  const momentum = c.momentum ?? 0.9;
  const scoping: ScopingSpec = c.scoping ?? { kind: 'exponential', g0: c.g0 ?? 1e-4, g1: c.g1 ?? 1e-3 };
  const r: ResolvedEsgdConfig = {
    ...aspects,
    algorithm: 'esgd',
    variant,
    lr: c.lr ?? 1,
    L: c.L ?? 20,
    innerLr: c.innerLr ?? 0.1,
    noise: c.noise ?? 1e-4,
    noiseScaling: c.noiseScaling ?? 'code',
    beta1: c.beta1 ?? 0.75,
    average: c.average ?? 'ema',
    scoping,
    momentum,
    innerMomentum: c.innerMomentum ?? momentum,
    nesterov: c.nesterov ?? true,
    dampening: c.dampening ?? 0,
    weightDecay: c.weightDecay ?? 0,
    recordInnerIterate: c.recordInnerIterate ?? false,
  };
  for (const k of Object.keys(aspects) as (keyof EsgdVariantAspects)[]) {
    if (c[k] !== undefined) (r as unknown as Record<string, unknown>)[k] = c[k];
  }
  if (c.scoping === undefined) {
    r.g0 = c.g0 ?? 1e-4;
    r.g1 = c.g1 ?? 1e-3;
  }
  checkPositiveInt(r.L, 'esgd L', true);
  checkNonNeg(r.lr, 'esgd lr');
  checkNonNeg(r.noise, 'esgd noise');
  checkNonNeg(r.weightDecay, 'esgd weightDecay');
  checkInUnit(r.beta1, 'esgd beta1');
  if (r.L > 0 && !(r.innerLr > 0)) throw new RangeError('esgd innerLr must be > 0');
  if (r.noiseScaling !== 'code' && r.noiseScaling !== 'paper') throw new RangeError('esgd noiseScaling must be code|paper');
  if (r.average !== 'ema' && r.average !== 'uniform') throw new RangeError('esgd average must be ema|uniform');
  makeScoping(r.scoping);
  return r;
}

export class EntropySgd extends ScopedOptimizer {
  readonly algorithm: string;
  readonly config: ResolvedEsgdConfig;
  readonly gradCallsPerStep: number;
  readonly effectiveEpochFactor: number;
  /** Working vectors, readable for tests/diagnostics: x (anchor of the last step), mu (μ_L), direction (G). */
  readonly vectors: { x: Vec; mu: Vec; direction: Vec; yLast?: Vec };
  private readonly d: Vec;
  private seedVec: Vec | null = null;
  private readonly innerMom: Momentum;
  private readonly outerMom: Momentum;

  constructor(model: Model, batches: BatchSource, config: EsgdConfig, algorithmName = 'esgd') {
    const c = resolveEsgdConfig(config);
    super(model, batches, c.lr, c.scoping);
    this.algorithm = algorithmName;
    this.config = c;
    const extra = c.loggingEval ? 1 : 0;
    this.gradCallsPerStep = (c.L === 0 ? 1 : c.L + 1) + extra;
    this.effectiveEpochFactor = Math.max(c.L, 1);
    this.d = this.alloc();
    this.vectors = { x: this.alloc(), mu: this.alloc(), direction: this.alloc() };
    if (c.recordInnerIterate) this.vectors.yLast = this.alloc();
    this.innerMom = this.momentumNamed('innerMomentum', {
      momentum: c.innerMomentum,
      dampening: c.dampening,
      nesterov: c.nesterov,
      init: 'zero',
    });
    this.outerMom = this.momentumNamed('outerMomentum', {
      momentum: c.momentum,
      dampening: c.dampening,
      nesterov: c.nesterov,
      init: c.outerMomentumInit,
    });
  }

  /** Scoping counter (outer steps taken). */
  get scopingCounter(): number {
    return this.t;
  }

  step(): StepResult {
    this.checkAlive();
    const m = this.model;
    const c = this.config;
    const before = this.oracle.calls;
    const x = this.vectors.x;
    const mu = this.vectors.mu;
    const G = this.vectors.direction;
    const g = this.advanceScoping();
    const r0 = this.oracle.eval();
    const needSeed = this.outerMom.active && c.outerMomentumInit === 'first-then-update';
    if (needSeed) {
      if (this.seedVec === null) this.seedVec = this.alloc();
      m.copy(this.seedVec, m.grad);
    }
    m.copy(x, m.params);
    if (c.L === 0) {
      // plain SGD with the variant's λ placement
      m.copy(this.d, m.grad);
      if (c.sgdWeightDecay && c.weightDecay !== 0) m.axpy(this.d, c.weightDecay, x);
      m.copy(G, this.d);
      this.outerMom.apply(this.d, needSeed ? this.seedVec! : undefined);
    } else {
      m.copy(mu, x);
      if (!c.persistentInnerBuffer) this.innerMom.reset();
      runInnerLoop(m, this.oracle, x, mu, this.d, {
        L: c.L,
        innerLr: c.innerLr,
        coupling: g,
        weightDecay: c.weightDecay,
        noiseStd: directionNoiseStd(c.noise, c.innerLr, c.noiseScaling),
        beta1: c.beta1,
        average: c.average,
        scope: c.innerMomentumScope,
        momentum: this.innerMom,
      });
      if (this.vectors.yLast) m.copy(this.vectors.yLast, m.params);
      m.copy(G, x);
      m.axpy(G, -1, mu);
      m.copy(this.d, G);
      if (c.outerWeightDecay && c.weightDecay !== 0) m.axpy(this.d, c.weightDecay, x);
      if (c.outerMomentum) this.outerMom.apply(this.d, needSeed ? this.seedVec! : undefined);
    }
    this.descendFrom(x, this.d);
    if (c.loggingEval) this.oracle.eval();
    this._steps++;
    return { loss: r0.loss, correct: r0.correct, n: r0.n, gradCalls: this.oracle.calls - before, coupling: g };
  }
}

// --------------------------------------------------------------------------------- H-ESGD

/**
 * H-ESGD (§2.4, [DR-CODE] class HJB): ESGD 'dr' at zero temperature using the last inner iterate:
 * noise 0 (code: 1e-8), η' = 0.25, beta1 = 1e-4. The outer direction x − y_L → x − prox_{f/g}(x).
 */
export interface HesgdConfig extends Omit<EsgdConfig, 'algorithm'> {
  algorithm: 'hesgd';
}

export function hesgdAsEsgd(c: HesgdConfig): EsgdConfig {
  return {
    ...c,
    algorithm: 'esgd',
    variant: c.variant ?? 'dr',
    noise: c.noise ?? 0,
    innerLr: c.innerLr ?? 0.25,
    beta1: c.beta1 ?? 1e-4,
  };
}

export class HEsgd extends EntropySgd {
  constructor(model: Model, batches: BatchSource, config: HesgdConfig) {
    super(model, batches, hesgdAsEsgd(config), 'hesgd');
  }
}
