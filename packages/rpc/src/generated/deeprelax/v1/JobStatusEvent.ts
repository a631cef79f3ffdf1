// Original file: proto/deeprelax/v1/jobs.proto

import type { JobState as _deeprelax_v1_JobState, JobState__Output as _deeprelax_v1_JobState__Output } from '../../deeprelax/v1/JobState.js';
import type { JobError as _deeprelax_v1_JobError, JobError__Output as _deeprelax_v1_JobError__Output } from '../../deeprelax/v1/JobError.js';

export interface JobStatusEvent {
  'state'?: (_deeprelax_v1_JobState);
  'previous'?: (_deeprelax_v1_JobState);
  'message'?: (string);
  'error'?: (_deeprelax_v1_JobError | null);
}

export interface JobStatusEvent__Output {
  'state': (_deeprelax_v1_JobState__Output);
  'previous': (_deeprelax_v1_JobState__Output);
  'message': (string);
  'error': (_deeprelax_v1_JobError__Output | null);
}
