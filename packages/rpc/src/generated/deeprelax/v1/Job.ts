// Original file: proto/deeprelax/v1/jobs.proto

import type { JobSpec as _deeprelax_v1_JobSpec, JobSpec__Output as _deeprelax_v1_JobSpec__Output } from '../../deeprelax/v1/JobSpec.js';
import type { JobState as _deeprelax_v1_JobState, JobState__Output as _deeprelax_v1_JobState__Output } from '../../deeprelax/v1/JobState.js';
import type { JobProgress as _deeprelax_v1_JobProgress, JobProgress__Output as _deeprelax_v1_JobProgress__Output } from '../../deeprelax/v1/JobProgress.js';
import type { MetricSample as _deeprelax_v1_MetricSample, MetricSample__Output as _deeprelax_v1_MetricSample__Output } from '../../deeprelax/v1/MetricSample.js';
import type { JobError as _deeprelax_v1_JobError, JobError__Output as _deeprelax_v1_JobError__Output } from '../../deeprelax/v1/JobError.js';
import type { WorkerProgress as _deeprelax_v1_WorkerProgress, WorkerProgress__Output as _deeprelax_v1_WorkerProgress__Output } from '../../deeprelax/v1/WorkerProgress.js';
import type { Long } from '@grpc/proto-loader';

export interface Job {
  'id'?: (string);
  /**
   * The spec as stored, defaults filled in.
   */
  'spec'?: (_deeprelax_v1_JobSpec | null);
  'state'?: (_deeprelax_v1_JobState);
  'createdUnixMs'?: (number | string | Long);
  'startedUnixMs'?: (number | string | Long);
  'finishedUnixMs'?: (number | string | Long);
  'progress'?: (_deeprelax_v1_JobProgress | null);
  /**
   * The latest value of each metric.
   */
  'latestMetrics'?: (_deeprelax_v1_MetricSample)[];
  /**
   * Why the job failed (FAILED only).
   */
  'error'?: (_deeprelax_v1_JobError | null);
  /**
   * Location of the latest checkpoint of x; empty until one is written.
   */
  'checkpoint'?: (string);
  /**
   * Replicas currently assigned.
   */
  'workers'?: (_deeprelax_v1_WorkerProgress)[];
  /**
   * Incremented on every stored change; a watcher can tell stale snapshots.
   */
  'version'?: (number | string | Long);
}

export interface Job__Output {
  'id': (string);
  /**
   * The spec as stored, defaults filled in.
   */
  'spec': (_deeprelax_v1_JobSpec__Output | null);
  'state': (_deeprelax_v1_JobState__Output);
  'createdUnixMs': (number);
  'startedUnixMs': (number);
  'finishedUnixMs': (number);
  'progress': (_deeprelax_v1_JobProgress__Output | null);
  /**
   * The latest value of each metric.
   */
  'latestMetrics': (_deeprelax_v1_MetricSample__Output)[];
  /**
   * Why the job failed (FAILED only).
   */
  'error': (_deeprelax_v1_JobError__Output | null);
  /**
   * Location of the latest checkpoint of x; empty until one is written.
   */
  'checkpoint': (string);
  /**
   * Replicas currently assigned.
   */
  'workers': (_deeprelax_v1_WorkerProgress__Output)[];
  /**
   * Incremented on every stored change; a watcher can tell stale snapshots.
   */
  'version': (number);
}
