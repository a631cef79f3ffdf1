// Original file: proto/deeprelax/v1/coordinator.proto

import type { JobSpec as _deeprelax_v1_JobSpec, JobSpec__Output as _deeprelax_v1_JobSpec__Output } from '../../deeprelax/v1/JobSpec.js';
import type { ExchangeMode as _deeprelax_v1_ExchangeMode, ExchangeMode__Output as _deeprelax_v1_ExchangeMode__Output } from '../../deeprelax/v1/ExchangeMode.js';
import type { Long } from '@grpc/proto-loader';

/**
 * A replica of a job given to a worker.
 */
export interface Assignment {
  'jobId'?: (string);
  'spec'?: (_deeprelax_v1_JobSpec | null);
  /**
   * Replica index, 0..p-1; seeds the replica's data stream and noise with (spec.seed, replica).
   */
  'replica'?: (number);
  /**
   * Replicas currently in the job.
   */
  'replicas'?: (number);
  /**
   * Round the replica starts at (PULL x first).
   */
  'round'?: (number | string | Long);
  'mode'?: (_deeprelax_v1_ExchangeMode);
  /**
   * Sizes the coordinator expects for "x" and "buffers" (checked by the worker after building
   * the model).
   */
  'numParams'?: (number | string | Long);
  'numBuffers'?: (number | string | Long);
  /**
   * Largest chunk the coordinator accepts, in bytes.
   */
  'maxChunkBytes'?: (number);
}

/**
 * A replica of a job given to a worker.
 */
export interface Assignment__Output {
  'jobId': (string);
  'spec': (_deeprelax_v1_JobSpec__Output | null);
  /**
   * Replica index, 0..p-1; seeds the replica's data stream and noise with (spec.seed, replica).
   */
  'replica': (number);
  /**
   * Replicas currently in the job.
   */
  'replicas': (number);
  /**
   * Round the replica starts at (PULL x first).
   */
  'round': (number);
  'mode': (_deeprelax_v1_ExchangeMode__Output);
  /**
   * Sizes the coordinator expects for "x" and "buffers" (checked by the worker after building
   * the model).
   */
  'numParams': (number);
  'numBuffers': (number);
  /**
   * Largest chunk the coordinator accepts, in bytes.
   */
  'maxChunkBytes': (number);
}
