// Original file: proto/deeprelax/v1/jobs.proto

import type { JobState as _deeprelax_v1_JobState, JobState__Output as _deeprelax_v1_JobState__Output } from '../../deeprelax/v1/JobState.js';

export interface ListJobsRequest {
  /**
   * Only jobs in these states (all when empty).
   */
  'states'?: (_deeprelax_v1_JobState)[];
  /**
   * At most this many jobs (server default 100).
   */
  'pageSize'?: (number);
  /**
   * next_page_token of the previous page.
   */
  'pageToken'?: (string);
}

export interface ListJobsRequest__Output {
  /**
   * Only jobs in these states (all when empty).
   */
  'states': (_deeprelax_v1_JobState__Output)[];
  /**
   * At most this many jobs (server default 100).
   */
  'pageSize': (number);
  /**
   * next_page_token of the previous page.
   */
  'pageToken': (string);
}
