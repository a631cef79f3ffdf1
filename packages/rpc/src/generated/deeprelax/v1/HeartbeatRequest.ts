// Original file: proto/deeprelax/v1/coordinator.proto

import type { WorkerState as _deeprelax_v1_WorkerState, WorkerState__Output as _deeprelax_v1_WorkerState__Output } from '../../deeprelax/v1/WorkerState.js';
import type { WorkerProgress as _deeprelax_v1_WorkerProgress, WorkerProgress__Output as _deeprelax_v1_WorkerProgress__Output } from '../../deeprelax/v1/WorkerProgress.js';
import type { Long } from '@grpc/proto-loader';

export interface HeartbeatRequest {
  'workerId'?: (string);
  'fencingToken'?: (number | string | Long);
  'state'?: (_deeprelax_v1_WorkerState);
  /**
   * The job the worker is working on, empty when idle.
   */
  'jobId'?: (string);
  'progress'?: (_deeprelax_v1_WorkerProgress | null);
}

export interface HeartbeatRequest__Output {
  'workerId': (string);
  'fencingToken': (number);
  'state': (_deeprelax_v1_WorkerState__Output);
  /**
   * The job the worker is working on, empty when idle.
   */
  'jobId': (string);
  'progress': (_deeprelax_v1_WorkerProgress__Output | null);
}
