// Original file: proto/deeprelax/v1/jobs.proto


export interface ListWorkersRequest {
  /**
   * Only workers assigned to this job (all when empty).
   */
  'jobId'?: (string);
}

export interface ListWorkersRequest__Output {
  /**
   * Only workers assigned to this job (all when empty).
   */
  'jobId': (string);
}
