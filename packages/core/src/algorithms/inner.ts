// The SGLD inner loop shared by Entropy-SGD (and its H-ESGD / HEAT-compat forms), Parle's replica
// side and the distributed local-entropy worker (ALGORITHMS.md §2.2, §2.7, §2.8). The iterate y is
// model.params (gradients are evaluated there); x is the anchor it is coupled to.
import type { Model, Vec } from '../engine.js';
import type { GradientOracle, Momentum } from './common.js';

/**
 * Which terms the inner momentum filters (§2.2 difference table):
 *  'grad'     [ESGD-LUA]: ∇f only; λy, coupling and noise are added after momentum;
 *  'grad+wd'  [ESGD-PY]:  ∇f + λy; coupling and noise after;
 *  'all'      [DR-CODE], Parle: ∇f + λy + coupling + noise.
 */
export type InnerMomentumScope = 'grad' | 'grad+wd' | 'all';

/** How μ averages the inner iterates: EMA with weight beta1 on the old value, or uniform over x, y_1..y_L. */
export type InnerAverage = 'ema' | 'uniform';

export interface InnerLoopSpec {
  L: number;
  innerLr: number;
  /** Coupling g: the direction gets + g (y − x). */
  coupling: number;
  weightDecay: number;
  /** Std of the Gaussian added to the direction before the step (code: ε / sqrt(η'/2)). */
  noiseStd: number;
  /** EMA weight on the old average (code beta1). */
  beta1: number;
  average: InnerAverage;
  scope: InnerMomentumScope;
  momentum: Momentum;
}

export interface InnerLoopResult {
  lossSum: number;
  correct: number;
  n: number;
}

/**
 * Runs L steps   d = ∇f_B(y) [+ λy] [+ g(y − x) + σζ] → momentum → y ← y − η' d;  μ ← average.
 * y = model.params and μ must be initialised by the caller (μ = x for the canonical loop).
 * `d` is a work vector.
 */
export function runInnerLoop(
  model: Model,
  oracle: GradientOracle,
  x: Vec,
  mu: Vec,
  d: Vec,
  s: InnerLoopSpec,
): InnerLoopResult {
  return drain(innerLoopSteps(model, oracle, x, mu, d, s));
}

/**
 * runInnerLoop as a generator that pauses after each of the first L − 1 steps (yielding the step
 * number), so a caller can let other work run between steps (a worker's pending upload) without
 * changing a single operation: drained without pauses it is runInnerLoop.
 */
export function* innerLoopSteps(
  model: Model,
  oracle: GradientOracle,
  x: Vec,
  mu: Vec,
  d: Vec,
  s: InnerLoopSpec,
): Generator<number, InnerLoopResult, void> {
  const y = model.params;
  const { coupling: g, weightDecay: wd, noiseStd, scope } = s;
  let lossSum = 0;
  let correct = 0;
  let n = 0;
  const addRest = (withWd: boolean) => {
    if (withWd && wd !== 0) model.axpy(d, wd, y);
    if (g !== 0) {
      model.axpy(d, g, y);
      model.axpy(d, -g, x);
    }
    if (noiseStd > 0) model.addNoise(d, noiseStd);
  };
  for (let k = 1; k <= s.L; k++) {
    const r = oracle.eval();
    lossSum += r.loss;
    correct += r.correct;
    n += r.n;
    model.copy(d, model.grad);
    if (scope === 'all') {
      addRest(true);
      s.momentum.apply(d);
    } else {
      if (scope === 'grad+wd' && wd !== 0) model.axpy(d, wd, y);
      s.momentum.apply(d);
      addRest(scope === 'grad');
    }
    model.axpy(y, -s.innerLr, d);
    if (s.average === 'ema') model.axpby(mu, s.beta1, 1 - s.beta1, y);
    else model.axpby(mu, k / (k + 1), 1 / (k + 1), y);
    if (k < s.L) yield k;
  }
  return { lossSum, correct, n };
}

/** Runs a step generator to its end without pausing; returns its result. */
export function drain<R>(steps: Generator<unknown, R, void>): R {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Direction noise std for the SGLD step: code ε/sqrt(η'/2) (T = ε²), paper ε/sqrt(η') (T = ε²/2). */
export function directionNoiseStd(eps: number, innerLr: number, scaling: 'code' | 'paper'): number {
  if (eps === 0) return 0;
  return scaling === 'code' ? eps / Math.sqrt(innerLr / 2) : eps / Math.sqrt(innerLr);
}
