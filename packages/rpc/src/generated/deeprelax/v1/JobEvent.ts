// Original file: proto/deeprelax/v1/jobs.proto

import type { JobStatusEvent as _deeprelax_v1_JobStatusEvent, JobStatusEvent__Output as _deeprelax_v1_JobStatusEvent__Output } from '../../deeprelax/v1/JobStatusEvent.js';
import type { JobProgress as _deeprelax_v1_JobProgress, JobProgress__Output as _deeprelax_v1_JobProgress__Output } from '../../deeprelax/v1/JobProgress.js';
import type { MetricSample as _deeprelax_v1_MetricSample, MetricSample__Output as _deeprelax_v1_MetricSample__Output } from '../../deeprelax/v1/MetricSample.js';
import type { WorkerProgress as _deeprelax_v1_WorkerProgress, WorkerProgress__Output as _deeprelax_v1_WorkerProgress__Output } from '../../deeprelax/v1/WorkerProgress.js';
import type { LogEvent as _deeprelax_v1_LogEvent, LogEvent__Output as _deeprelax_v1_LogEvent__Output } from '../../deeprelax/v1/LogEvent.js';
import type { Long } from '@grpc/proto-loader';

export interface JobEvent {
  /**
   * Per-job sequence number, increasing.
   */
  'seq'?: (number | string | Long);
  'jobId'?: (string);
  'timeUnixMs'?: (number | string | Long);
  'status'?: (_deeprelax_v1_JobStatusEvent | null);
  'progress'?: (_deeprelax_v1_JobProgress | null);
  'metric'?: (_deeprelax_v1_MetricSample | null);
  'worker'?: (_deeprelax_v1_WorkerProgress | null);
  'log'?: (_deeprelax_v1_LogEvent | null);
  'event'?: "status"|"progress"|"metric"|"worker"|"log";
}

export interface JobEvent__Output {
  /**
   * Per-job sequence number, increasing.
   */
  'seq': (number);
  'jobId': (string);
  'timeUnixMs': (number);
  'status'?: (_deeprelax_v1_JobStatusEvent__Output | null);
  'progress'?: (_deeprelax_v1_JobProgress__Output | null);
  'metric'?: (_deeprelax_v1_MetricSample__Output | null);
  'worker'?: (_deeprelax_v1_WorkerProgress__Output | null);
  'log'?: (_deeprelax_v1_LogEvent__Output | null);
  'event'?: "status"|"progress"|"metric"|"worker"|"log";
}
