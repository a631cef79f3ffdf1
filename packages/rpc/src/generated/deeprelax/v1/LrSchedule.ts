// Original file: proto/deeprelax/v1/jobs.proto

import type { PiecewiseLr as _deeprelax_v1_PiecewiseLr, PiecewiseLr__Output as _deeprelax_v1_PiecewiseLr__Output } from '../../deeprelax/v1/PiecewiseLr.js';
import type { StepDecayLr as _deeprelax_v1_StepDecayLr, StepDecayLr__Output as _deeprelax_v1_StepDecayLr__Output } from '../../deeprelax/v1/StepDecayLr.js';

/**
 * A learning rate as a function of the epoch (1-indexed, as in the reference code).
 */
export interface LrSchedule {
  /**
   * The same rate throughout.
   */
  'constant'?: (number | string);
  /**
   * Rows [[last_epoch, lr], ...] with last_epoch increasing: epoch e gets the rate of the first
   * row with e <= last_epoch; after the last row, the last rate.
   */
  'piecewise'?: (_deeprelax_v1_PiecewiseLr | null);
  /**
   * lr = lr0 x factor^floor((epoch - 1) / every_epochs) (Parle: 0.1, 0.1, 1).
   */
  'stepDecay'?: (_deeprelax_v1_StepDecayLr | null);
  'schedule'?: "constant"|"piecewise"|"stepDecay";
}

/**
 * A learning rate as a function of the epoch (1-indexed, as in the reference code).
 */
export interface LrSchedule__Output {
  /**
   * The same rate throughout.
   */
  'constant'?: (number);
  /**
   * Rows [[last_epoch, lr], ...] with last_epoch increasing: epoch e gets the rate of the first
   * row with e <= last_epoch; after the last row, the last rate.
   */
  'piecewise'?: (_deeprelax_v1_PiecewiseLr__Output | null);
  /**
   * lr = lr0 x factor^floor((epoch - 1) / every_epochs) (Parle: 0.1, 0.1, 1).
   */
  'stepDecay'?: (_deeprelax_v1_StepDecayLr__Output | null);
  'schedule'?: "constant"|"piecewise"|"stepDecay";
}
