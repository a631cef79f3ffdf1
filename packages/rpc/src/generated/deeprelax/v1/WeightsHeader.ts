// Original file: proto/deeprelax/v1/jobs.proto

import type { JobState as _deeprelax_v1_JobState, JobState__Output as _deeprelax_v1_JobState__Output } from '../../deeprelax/v1/JobState.js';
import type { TensorHeader as _deeprelax_v1_TensorHeader, TensorHeader__Output as _deeprelax_v1_TensorHeader__Output } from '../../deeprelax/v1/TensorHeader.js';
import type { Long } from '@grpc/proto-loader';

export interface WeightsHeader {
  'jobId'?: (string);
  /**
   * Round of the job the weights belong to.
   */
  'round'?: (number | string | Long);
  'model'?: (string);
  'state'?: (_deeprelax_v1_JobState);
  /**
   * "x" (the flat parameter vector, packages/core layout) and, if asked for, "buffers".
   */
  'tensors'?: (_deeprelax_v1_TensorHeader)[];
}

export interface WeightsHeader__Output {
  'jobId': (string);
  /**
   * Round of the job the weights belong to.
   */
  'round': (number);
  'model': (string);
  'state': (_deeprelax_v1_JobState__Output);
  /**
   * "x" (the flat parameter vector, packages/core layout) and, if asked for, "buffers".
   */
  'tensors': (_deeprelax_v1_TensorHeader__Output)[];
}
