// Original file: proto/deeprelax/v1/jobs.proto

import type { JobSpec as _deeprelax_v1_JobSpec, JobSpec__Output as _deeprelax_v1_JobSpec__Output } from '../../deeprelax/v1/JobSpec.js';

export interface SubmitJobRequest {
  'spec'?: (_deeprelax_v1_JobSpec | null);
  /**
   * Idempotency key chosen by the client (optional).
   */
  'requestId'?: (string);
}

export interface SubmitJobRequest__Output {
  'spec': (_deeprelax_v1_JobSpec__Output | null);
  /**
   * Idempotency key chosen by the client (optional).
   */
  'requestId': (string);
}
