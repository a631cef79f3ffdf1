// Original file: proto/deeprelax/v1/common.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Training progress of one replica, reported by its worker with heartbeats and exchanges and
 * relayed to users in job events.
 */
export interface WorkerProgress {
  'workerId'?: (string);
  /**
   * Replica index within the job (0..p-1).
   */
  'replica'?: (number);
  /**
   * Last round the replica completed.
   */
  'round'?: (number | string | Long);
  /**
   * Inner steps (minibatches) taken by this replica in this job so far.
   */
  'steps'?: (number | string | Long);
  /**
   * Training samples processed by this replica in this job so far.
   */
  'samples'?: (number | string | Long);
  /**
   * Epochs of this replica's data stream so far (samples / training-set size).
   */
  'epoch'?: (number | string);
  /**
   * Mean minibatch training loss since the previous report (unset if no step was taken).
   */
  'trainLoss'?: (number | string);
  /**
   * Mean minibatch training error (fraction misclassified) since the previous report.
   */
  'trainError'?: (number | string);
  'stepsPerSecond'?: (number | string);
  'samplesPerSecond'?: (number | string);
  'timeUnixMs'?: (number | string | Long);
  '_trainLoss'?: "trainLoss";
  '_trainError'?: "trainError";
}

/**
 * Training progress of one replica, reported by its worker with heartbeats and exchanges and
 * relayed to users in job events.
 */
export interface WorkerProgress__Output {
  'workerId': (string);
  /**
   * Replica index within the job (0..p-1).
   */
  'replica': (number);
  /**
   * Last round the replica completed.
   */
  'round': (number);
  /**
   * Inner steps (minibatches) taken by this replica in this job so far.
   */
  'steps': (number);
  /**
   * Training samples processed by this replica in this job so far.
   */
  'samples': (number);
  /**
   * Epochs of this replica's data stream so far (samples / training-set size).
   */
  'epoch': (number);
  /**
   * Mean minibatch training loss since the previous report (unset if no step was taken).
   */
  'trainLoss'?: (number);
  /**
   * Mean minibatch training error (fraction misclassified) since the previous report.
   */
  'trainError'?: (number);
  'stepsPerSecond': (number);
  'samplesPerSecond': (number);
  'timeUnixMs': (number);
  '_trainLoss'?: "trainLoss";
  '_trainError'?: "trainError";
}
