import type { Engine } from '../engine.js';

/** Numeric tolerances of the suite; every one can be overridden per engine. */
export interface ConformanceTolerances {
  /** Loss vs the float64 reference: |loss - ref| <= lossAtol + lossRtol * |ref|. */
  lossAtol: number;
  lossRtol: number;
  /** Gradient vs float64 central differences of the reference, elementwise. */
  gradAtol: number;
  gradRtol: number;
  /** Batch-norm running statistics after a train pass vs the reference, elementwise. */
  bufferAtol: number;
  bufferRtol: number;
  /**
   * Self-consistency finite differences in float32: step length along unit directions, and the
   * allowed error of L(w+) - L(w-) against grad . (w+ - w-).
   */
  fdStep: number;
  fdAtol: number;
  fdRtol: number;
  /** Elementwise vector ops (scale, axpy, axpby) relative to |a*dst| + |b*x|. */
  vecRtol: number;
  /** dot and norm relative to sum |a_i b_i| (float32 accumulation). */
  reduceRtol: number;
  /** Width of statistical acceptance bands, in standard errors (noise, dropout rates). */
  sigmas: number;
  /**
   * Same seed, same calls -> same loss and gradient. 0 demands bit-identical results; an engine
   * with non-deterministic kernels (e.g. CUDA atomics) may allow a relative tolerance.
   */
  determinismRtol: number;
}

export const DEFAULT_TOLERANCES: ConformanceTolerances = {
  lossAtol: 2e-5,
  lossRtol: 2e-5,
  gradAtol: 1e-5,
  gradRtol: 1e-3,
  bufferAtol: 1e-5,
  bufferRtol: 1e-5,
  fdStep: 3e-3,
  fdAtol: 1e-6,
  fdRtol: 1e-2,
  vecRtol: 1e-6,
  reduceRtol: 1e-5,
  sigmas: 6,
  determinismRtol: 0,
};

export interface CaseContext {
  engine: Engine;
  tol: ConformanceTolerances;
}

export interface ConformanceCase {
  /** Stable id used in skip lists, e.g. 'vec.axpy-axpby'. */
  id: string;
  title: string;
  run(ctx: CaseContext): void | Promise<void>;
}
