// The seed's distributed local-entropy SDE, discretised (ALGORITHMS.md §1.4, §2.8):
//   worker i (parallel):  y_i ← x; μ_i ← x
//        L times:  y_i ← y_i − η'[∇f_B(y_i) + g (y_i − x)] + sqrt(2η'T) ζ;   μ_i ← α μ_i + (1 − α) y_i
//   centre:        x ← x − (η/γ)(x − mean_i μ_i) = x − η g (x − mean_i μ_i)
// with g = 1/γ the coupling and T = ε² (code noise units). Without the reset y_i ← x between rounds,
// L = 1 and T = 0 it is synchronous EASGD (ρ = g).
import type { BatchSource, Model, Vec } from '../../engine.js';
import { checkInUnit, checkNonNeg, checkPositiveInt, GradientOracle, Momentum, type OptimizerState } from '../common.js';
import { directionNoiseStd, runInnerLoop } from '../inner.js';
import type { HostVector } from './host.js';

export interface LocalEntropyWorkerConfig {
  /** Inner steps per round (default 20). */
  L?: number;
  /** Inner step η' (default 0.1). */
  innerLr?: number;
  /** Noise ε (default 1e-4); T = ε² with 'code' scaling, ε²/2 with 'paper'. */
  noise?: number;
  noiseScaling?: 'code' | 'paper';
  /** EMA weight on the old μ (default 0.75). */
  beta1?: number;
  weightDecay?: number;
  /** Inner momentum (default 0: the plain Euler–Maruyama chain). */
  innerMomentum?: number;
  /** Restart y_i ← x every round (default true). */
  reset?: boolean;
}

export interface LocalEntropyRound {
  /** μ_i, for the centre. */
  mu: Float32Array;
  loss: number;
  correct: number;
  n: number;
}

export class LocalEntropyWorker {
  readonly model: Model;
  readonly oracle: GradientOracle;
  readonly config: Required<LocalEntropyWorkerConfig>;
  /** The anchor x of the last round, the chain y_i (kept across rounds when reset = false), μ_i. */
  readonly vectors: { x: Vec; y: Vec; mu: Vec };
  private readonly d: Vec;
  private readonly mom: Momentum;
  private started = false;
  private disposed = false;

  constructor(model: Model, batches: BatchSource, config: LocalEntropyWorkerConfig = {}) {
    const c: Required<LocalEntropyWorkerConfig> = {
      L: config.L ?? 20,
      innerLr: config.innerLr ?? 0.1,
      noise: config.noise ?? 1e-4,
      noiseScaling: config.noiseScaling ?? 'code',
      beta1: config.beta1 ?? 0.75,
      weightDecay: config.weightDecay ?? 0,
      innerMomentum: config.innerMomentum ?? 0,
      reset: config.reset ?? true,
    };
    checkPositiveInt(c.L, 'local-entropy L');
    if (!(c.innerLr > 0)) throw new RangeError('local-entropy innerLr must be > 0');
    checkNonNeg(c.noise, 'local-entropy noise');
    checkInUnit(c.beta1, 'local-entropy beta1');
    checkNonNeg(c.weightDecay, 'local-entropy weightDecay');
    this.config = c;
    this.model = model;
    this.oracle = new GradientOracle(model, batches);
    this.vectors = { x: model.vector(), y: model.vector(), mu: model.vector() };
    this.d = model.vector();
    this.mom = new Momentum(model, { momentum: c.innerMomentum, nesterov: true, init: 'zero' });
  }

  /** One worker round against the coordinator's x with coupling g = 1/γ; returns μ_i. */
  round(x: HostVector, coupling: number): LocalEntropyRound {
    if (this.disposed) throw new Error('local-entropy worker used after dispose()');
    checkNonNeg(coupling, 'local-entropy coupling');
    const m = this.model;
    const c = this.config;
    const { x: xv, y, mu } = this.vectors;
    m.write(xv, x instanceof Float32Array ? x : Float32Array.from(x));
    if (c.reset || !this.started) m.copy(m.params, xv);
    else m.copy(m.params, y);
    m.copy(mu, xv);
    if (c.reset) this.mom.reset();
    const r = runInnerLoop(m, this.oracle, xv, mu, this.d, {
      L: c.L,
      innerLr: c.innerLr,
      coupling,
      weightDecay: c.weightDecay,
      noiseStd: directionNoiseStd(c.noise, c.innerLr, c.noiseScaling),
      beta1: c.beta1,
      average: 'ema',
      scope: 'all',
      momentum: this.mom,
    });
    m.copy(y, m.params);
    this.started = true;
    return { mu: m.read(mu), loss: r.lossSum / c.L, correct: r.correct, n: r.n };
  }

  /** Adds the persistent chain state (y_i, momentum) under `prefix` (matters when reset = false). */
  exportInto(prefix: string, s: OptimizerState): void {
    s.scalars[`${prefix}.started`] = this.started ? 1 : 0;
    if (this.started) s.vectors[`${prefix}.y`] = this.model.read(this.vectors.y);
    this.mom.exportInto(`${prefix}.momentum`, s);
  }

  importFrom(prefix: string, s: OptimizerState): void {
    const y = s.vectors[`${prefix}.y`];
    this.started = s.scalars[`${prefix}.started`] === 1 && y !== undefined;
    if (this.started) this.model.write(this.vectors.y, y!);
    this.mom.importFrom(`${prefix}.momentum`, s);
  }

  dispose(): void {
    if (this.disposed) return;
    const m = this.model;
    for (const v of [this.vectors.x, this.vectors.y, this.vectors.mu, this.d]) m.free(v);
    this.mom.dispose();
    this.disposed = true;
  }
}

/**
 * Centre side: x ← x − stepSize · (x − mean_i μ_i). The SDE discretisation of §2.8 uses
 * stepSize = η/γ = η·g; the Entropy-SGD code convention absorbs g into η (stepSize = η).
 */
export function localEntropyCentreStep(x: HostVector, mus: readonly HostVector[], stepSize: number): void {
  if (mus.length === 0) throw new RangeError('local-entropy: no worker results');
  checkNonNeg(stepSize, 'local-entropy step size');
  const n = x.length;
  const acc = new Float64Array(n);
  for (const mu of mus) {
    if (mu.length !== n) throw new RangeError('local-entropy: μ has the wrong length');
    for (let i = 0; i < n; i++) acc[i] += mu[i];
  }
  const p = mus.length;
  for (let i = 0; i < n; i++) x[i] -= stepSize * (x[i] - acc[i] / p);
}
