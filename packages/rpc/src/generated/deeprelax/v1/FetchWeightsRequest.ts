// Original file: proto/deeprelax/v1/jobs.proto

import type { DType as _deeprelax_v1_DType, DType__Output as _deeprelax_v1_DType__Output } from '../../deeprelax/v1/DType.js';

export interface FetchWeightsRequest {
  'jobId'?: (string);
  /**
   * Wire dtype (default float32).
   */
  'dtype'?: (_deeprelax_v1_DType);
  /**
   * Also send the batch-norm buffers (tensor "buffers").
   */
  'includeBuffers'?: (boolean);
}

export interface FetchWeightsRequest__Output {
  'jobId': (string);
  /**
   * Wire dtype (default float32).
   */
  'dtype': (_deeprelax_v1_DType__Output);
  /**
   * Also send the batch-norm buffers (tensor "buffers").
   */
  'includeBuffers': (boolean);
}
