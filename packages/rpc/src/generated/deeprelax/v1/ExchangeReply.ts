// Original file: proto/deeprelax/v1/coordinator.proto

import type { TensorHeader as _deeprelax_v1_TensorHeader, TensorHeader__Output as _deeprelax_v1_TensorHeader__Output } from '../../deeprelax/v1/TensorHeader.js';
import type { WorkerDirective as _deeprelax_v1_WorkerDirective, WorkerDirective__Output as _deeprelax_v1_WorkerDirective__Output } from '../../deeprelax/v1/WorkerDirective.js';
import type { Long } from '@grpc/proto-loader';

export interface ExchangeReply {
  'jobId'?: (string);
  /**
   * SYNC/PULL: the round the worker runs next. ASYNC: the version of x after this update.
   */
  'round'?: (number | string | Long);
  'phase'?: (number);
  /**
   * The tensors that follow, in order.
   */
  'tensors'?: (_deeprelax_v1_TensorHeader)[];
  /**
   * Replicas that were reduced into this result (SYNC).
   */
  'contributors'?: (number);
  /**
   * STOP when the job has ended or the replica was removed.
   */
  'directive'?: (_deeprelax_v1_WorkerDirective);
}

export interface ExchangeReply__Output {
  'jobId': (string);
  /**
   * SYNC/PULL: the round the worker runs next. ASYNC: the version of x after this update.
   */
  'round': (number);
  'phase': (number);
  /**
   * The tensors that follow, in order.
   */
  'tensors': (_deeprelax_v1_TensorHeader__Output)[];
  /**
   * Replicas that were reduced into this result (SYNC).
   */
  'contributors': (number);
  /**
   * STOP when the job has ended or the replica was removed.
   */
  'directive': (_deeprelax_v1_WorkerDirective__Output);
}
