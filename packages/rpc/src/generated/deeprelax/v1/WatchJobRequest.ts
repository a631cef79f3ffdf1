// Original file: proto/deeprelax/v1/jobs.proto

import type { Long } from '@grpc/proto-loader';

export interface WatchJobRequest {
  'jobId'?: (string);
  /**
   * Resume after this event sequence number (0: from the current status).
   */
  'afterSeq'?: (number | string | Long);
  /**
   * Also stream log events.
   */
  'logs'?: (boolean);
  /**
   * Also stream per-worker progress events.
   */
  'workerProgress'?: (boolean);
}

export interface WatchJobRequest__Output {
  'jobId': (string);
  /**
   * Resume after this event sequence number (0: from the current status).
   */
  'afterSeq': (number);
  /**
   * Also stream log events.
   */
  'logs': (boolean);
  /**
   * Also stream per-worker progress events.
   */
  'workerProgress': (boolean);
}
