// Original file: proto/deeprelax/v1/jobs.proto

import type { ExponentialCoupling as _deeprelax_v1_ExponentialCoupling, ExponentialCoupling__Output as _deeprelax_v1_ExponentialCoupling__Output } from '../../deeprelax/v1/ExponentialCoupling.js';
import type { CappedCoupling as _deeprelax_v1_CappedCoupling, CappedCoupling__Output as _deeprelax_v1_CappedCoupling__Output } from '../../deeprelax/v1/CappedCoupling.js';
import type { VarianceCoupling as _deeprelax_v1_VarianceCoupling, VarianceCoupling__Output as _deeprelax_v1_VarianceCoupling__Output } from '../../deeprelax/v1/VarianceCoupling.js';

/**
 * A coupling strength over rounds ("scoping"), in the code convention of ALGORITHMS.md §1.1:
 * g is the coupling (g = 1/gamma of the Deep Relaxation paper) and scoping increases g.
 * t counts rounds.
 */
export interface CouplingSchedule {
  /**
   * g_t = constant.
   */
  'constant'?: (number | string);
  /**
   * g_t = g0 (1 + g1)^t (Entropy-SGD).
   */
  'exponential'?: (_deeprelax_v1_ExponentialCoupling | null);
  /**
   * g_t = min(g0 (1 + rate)^t, cap) (Parle: rate = 0.5 / batches per epoch).
   */
  'capped'?: (_deeprelax_v1_CappedCoupling | null);
  /**
   * Variance form: g_t = 1 / (gamma0 (1 - decay)^t) (the Parle README's gamma = rho schedule).
   */
  'variance'?: (_deeprelax_v1_VarianceCoupling | null);
  'schedule'?: "constant"|"exponential"|"capped"|"variance";
}

/**
 * A coupling strength over rounds ("scoping"), in the code convention of ALGORITHMS.md §1.1:
 * g is the coupling (g = 1/gamma of the Deep Relaxation paper) and scoping increases g.
 * t counts rounds.
 */
export interface CouplingSchedule__Output {
  /**
   * g_t = constant.
   */
  'constant'?: (number);
  /**
   * g_t = g0 (1 + g1)^t (Entropy-SGD).
   */
  'exponential'?: (_deeprelax_v1_ExponentialCoupling__Output | null);
  /**
   * g_t = min(g0 (1 + rate)^t, cap) (Parle: rate = 0.5 / batches per epoch).
   */
  'capped'?: (_deeprelax_v1_CappedCoupling__Output | null);
  /**
   * Variance form: g_t = 1 / (gamma0 (1 - decay)^t) (the Parle README's gamma = rho schedule).
   */
  'variance'?: (_deeprelax_v1_VarianceCoupling__Output | null);
  'schedule'?: "constant"|"exponential"|"capped"|"variance";
}
