// Original file: proto/deeprelax/v1/common.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One value of a named metric.
 */
export interface MetricSample {
  /**
   * "train_loss", "train_error", "val_loss", "val_error", "samples_per_second", ...
   */
  'name'?: (string);
  'value'?: (number | string);
  /**
   * Round of the job the value belongs to.
   */
  'round'?: (number | string | Long);
  /**
   * Epochs of data seen per replica (see ALGORITHMS.md §3.4).
   */
  'epoch'?: (number | string);
  /**
   * Effective epochs: epoch x L (inner steps per round), the x-axis of the paper's plots.
   */
  'effectiveEpoch'?: (number | string);
  /**
   * Wall-clock milliseconds since the job started running.
   */
  'wallMs'?: (number | string | Long);
  /**
   * Worker the value comes from; empty for values of the reference weights x.
   */
  'workerId'?: (string);
  'timeUnixMs'?: (number | string | Long);
}

/**
 * One value of a named metric.
 */
export interface MetricSample__Output {
  /**
   * "train_loss", "train_error", "val_loss", "val_error", "samples_per_second", ...
   */
  'name': (string);
  'value': (number);
  /**
   * Round of the job the value belongs to.
   */
  'round': (number);
  /**
   * Epochs of data seen per replica (see ALGORITHMS.md §3.4).
   */
  'epoch': (number);
  /**
   * Effective epochs: epoch x L (inner steps per round), the x-axis of the paper's plots.
   */
  'effectiveEpoch': (number);
  /**
   * Wall-clock milliseconds since the job started running.
   */
  'wallMs': (number);
  /**
   * Worker the value comes from; empty for values of the reference weights x.
   */
  'workerId': (string);
  'timeUnixMs': (number);
}
