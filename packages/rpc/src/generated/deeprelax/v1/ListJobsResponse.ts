// Original file: proto/deeprelax/v1/jobs.proto

import type { Job as _deeprelax_v1_Job, Job__Output as _deeprelax_v1_Job__Output } from '../../deeprelax/v1/Job.js';

export interface ListJobsResponse {
  'jobs'?: (_deeprelax_v1_Job)[];
  /**
   * Empty when this is the last page.
   */
  'nextPageToken'?: (string);
}

export interface ListJobsResponse__Output {
  'jobs': (_deeprelax_v1_Job__Output)[];
  /**
   * Empty when this is the last page.
   */
  'nextPageToken': (string);
}
