// Original file: proto/deeprelax/v1/common.proto

import type { WorkerCapabilities as _deeprelax_v1_WorkerCapabilities, WorkerCapabilities__Output as _deeprelax_v1_WorkerCapabilities__Output } from '../../deeprelax/v1/WorkerCapabilities.js';
import type { WorkerState as _deeprelax_v1_WorkerState, WorkerState__Output as _deeprelax_v1_WorkerState__Output } from '../../deeprelax/v1/WorkerState.js';
import type { WorkerProgress as _deeprelax_v1_WorkerProgress, WorkerProgress__Output as _deeprelax_v1_WorkerProgress__Output } from '../../deeprelax/v1/WorkerProgress.js';
import type { Long } from '@grpc/proto-loader';

/**
 * Registry entry of a worker, as users see it.
 */
export interface WorkerInfo {
  'workerId'?: (string);
  'capabilities'?: (_deeprelax_v1_WorkerCapabilities | null);
  'state'?: (_deeprelax_v1_WorkerState);
  /**
   * Job the worker is assigned to; empty when idle.
   */
  'jobId'?: (string);
  'replica'?: (number);
  'registeredUnixMs'?: (number | string | Long);
  'lastHeartbeatUnixMs'?: (number | string | Long);
  'leaseExpiresUnixMs'?: (number | string | Long);
  'progress'?: (_deeprelax_v1_WorkerProgress | null);
}

/**
 * Registry entry of a worker, as users see it.
 */
export interface WorkerInfo__Output {
  'workerId': (string);
  'capabilities': (_deeprelax_v1_WorkerCapabilities__Output | null);
  'state': (_deeprelax_v1_WorkerState__Output);
  /**
   * Job the worker is assigned to; empty when idle.
   */
  'jobId': (string);
  'replica': (number);
  'registeredUnixMs': (number);
  'lastHeartbeatUnixMs': (number);
  'leaseExpiresUnixMs': (number);
  'progress': (_deeprelax_v1_WorkerProgress__Output | null);
}
