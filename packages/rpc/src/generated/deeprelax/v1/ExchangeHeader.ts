// Original file: proto/deeprelax/v1/coordinator.proto

import type { ExchangeKind as _deeprelax_v1_ExchangeKind, ExchangeKind__Output as _deeprelax_v1_ExchangeKind__Output } from '../../deeprelax/v1/ExchangeKind.js';
import type { TensorHeader as _deeprelax_v1_TensorHeader, TensorHeader__Output as _deeprelax_v1_TensorHeader__Output } from '../../deeprelax/v1/TensorHeader.js';
import type { WorkerProgress as _deeprelax_v1_WorkerProgress, WorkerProgress__Output as _deeprelax_v1_WorkerProgress__Output } from '../../deeprelax/v1/WorkerProgress.js';
import type { Long } from '@grpc/proto-loader';

export interface ExchangeHeader {
  'jobId'?: (string);
  'workerId'?: (string);
  'fencingToken'?: (number | string | Long);
  'kind'?: (_deeprelax_v1_ExchangeKind);
  /**
   * SYNC: the round this contribution belongs to (the coordinator's current round, else ABORTED).
   * ASYNC: the round (version of x) the worker last received; tells the coordinator how stale
   * the contribution is. PULL: ignored.
   */
  'round'?: (number | string | Long);
  /**
   * SYNC: the reduction within the round, for algorithms with several (Parle: 0, then 1).
   */
  'phase'?: (number);
  /**
   * The tensors that follow, in order.
   */
  'tensors'?: (_deeprelax_v1_TensorHeader)[];
  /**
   * Progress since the previous exchange (loss, steps, samples).
   */
  'progress'?: (_deeprelax_v1_WorkerProgress | null);
}

export interface ExchangeHeader__Output {
  'jobId': (string);
  'workerId': (string);
  'fencingToken': (number);
  'kind': (_deeprelax_v1_ExchangeKind__Output);
  /**
   * SYNC: the round this contribution belongs to (the coordinator's current round, else ABORTED).
   * ASYNC: the round (version of x) the worker last received; tells the coordinator how stale
   * the contribution is. PULL: ignored.
   */
  'round': (number);
  /**
   * SYNC: the reduction within the round, for algorithms with several (Parle: 0, then 1).
   */
  'phase': (number);
  /**
   * The tensors that follow, in order.
   */
  'tensors': (_deeprelax_v1_TensorHeader__Output)[];
  /**
   * Progress since the previous exchange (loss, steps, samples).
   */
  'progress': (_deeprelax_v1_WorkerProgress__Output | null);
}
