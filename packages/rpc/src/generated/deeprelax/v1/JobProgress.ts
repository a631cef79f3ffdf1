// Original file: proto/deeprelax/v1/jobs.proto

import type { Long } from '@grpc/proto-loader';

export interface JobProgress {
  /**
   * Rounds completed (synchronous) or exchanges applied (asynchronous).
   */
  'round'?: (number | string | Long);
  /**
   * Rounds the job will run in total (0 if not known in advance).
   */
  'totalRounds'?: (number | string | Long);
  /**
   * Epochs of data per replica so far, and in total.
   */
  'epoch'?: (number | string);
  'totalEpochs'?: (number | string);
  'effectiveEpoch'?: (number | string);
  /**
   * Completed fraction, 0..1.
   */
  'fraction'?: (number | string);
  'liveWorkers'?: (number);
  /**
   * Training samples processed by all replicas together.
   */
  'samples'?: (number | string | Long);
  /**
   * Wall-clock milliseconds since the job started running.
   */
  'wallMs'?: (number | string | Long);
}

export interface JobProgress__Output {
  /**
   * Rounds completed (synchronous) or exchanges applied (asynchronous).
   */
  'round': (number);
  /**
   * Rounds the job will run in total (0 if not known in advance).
   */
  'totalRounds': (number);
  /**
   * Epochs of data per replica so far, and in total.
   */
  'epoch': (number);
  'totalEpochs': (number);
  'effectiveEpoch': (number);
  /**
   * Completed fraction, 0..1.
   */
  'fraction': (number);
  'liveWorkers': (number);
  /**
   * Training samples processed by all replicas together.
   */
  'samples': (number);
  /**
   * Wall-clock milliseconds since the job started running.
   */
  'wallMs': (number);
}
