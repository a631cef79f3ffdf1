// Original file: proto/deeprelax/v1/coordinator.proto

import type { WorkerCapabilities as _deeprelax_v1_WorkerCapabilities, WorkerCapabilities__Output as _deeprelax_v1_WorkerCapabilities__Output } from '../../deeprelax/v1/WorkerCapabilities.js';

export interface RegisterRequest {
  /**
   * The previous worker id when rejoining; empty to get a new one.
   */
  'workerId'?: (string);
  'capabilities'?: (_deeprelax_v1_WorkerCapabilities | null);
}

export interface RegisterRequest__Output {
  /**
   * The previous worker id when rejoining; empty to get a new one.
   */
  'workerId': (string);
  'capabilities': (_deeprelax_v1_WorkerCapabilities__Output | null);
}
