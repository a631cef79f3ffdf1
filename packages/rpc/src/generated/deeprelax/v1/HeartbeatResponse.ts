// Original file: proto/deeprelax/v1/coordinator.proto

import type { Lease as _deeprelax_v1_Lease, Lease__Output as _deeprelax_v1_Lease__Output } from '../../deeprelax/v1/Lease.js';
import type { WorkerDirective as _deeprelax_v1_WorkerDirective, WorkerDirective__Output as _deeprelax_v1_WorkerDirective__Output } from '../../deeprelax/v1/WorkerDirective.js';
import type { Assignment as _deeprelax_v1_Assignment, Assignment__Output as _deeprelax_v1_Assignment__Output } from '../../deeprelax/v1/Assignment.js';

export interface HeartbeatResponse {
  'lease'?: (_deeprelax_v1_Lease | null);
  'directive'?: (_deeprelax_v1_WorkerDirective);
  /**
   * Set with WORKER_DIRECTIVE_START.
   */
  'assignment'?: (_deeprelax_v1_Assignment | null);
}

export interface HeartbeatResponse__Output {
  'lease': (_deeprelax_v1_Lease__Output | null);
  'directive': (_deeprelax_v1_WorkerDirective__Output);
  /**
   * Set with WORKER_DIRECTIVE_START.
   */
  'assignment': (_deeprelax_v1_Assignment__Output | null);
}
