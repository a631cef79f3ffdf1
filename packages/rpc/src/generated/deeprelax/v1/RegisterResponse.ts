// Original file: proto/deeprelax/v1/coordinator.proto

import type { Lease as _deeprelax_v1_Lease, Lease__Output as _deeprelax_v1_Lease__Output } from '../../deeprelax/v1/Lease.js';
import type { Assignment as _deeprelax_v1_Assignment, Assignment__Output as _deeprelax_v1_Assignment__Output } from '../../deeprelax/v1/Assignment.js';

export interface RegisterResponse {
  'workerId'?: (string);
  'lease'?: (_deeprelax_v1_Lease | null);
  /**
   * Set when work is waiting for this worker.
   */
  'assignment'?: (_deeprelax_v1_Assignment | null);
}

export interface RegisterResponse__Output {
  'workerId': (string);
  'lease': (_deeprelax_v1_Lease__Output | null);
  /**
   * Set when work is waiting for this worker.
   */
  'assignment': (_deeprelax_v1_Assignment__Output | null);
}
