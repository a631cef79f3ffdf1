// Original file: proto/deeprelax/v1/jobs.proto

import type { WeightsHeader as _deeprelax_v1_WeightsHeader, WeightsHeader__Output as _deeprelax_v1_WeightsHeader__Output } from '../../deeprelax/v1/WeightsHeader.js';
import type { TensorChunk as _deeprelax_v1_TensorChunk, TensorChunk__Output as _deeprelax_v1_TensorChunk__Output } from '../../deeprelax/v1/TensorChunk.js';

export interface WeightsFrame {
  'header'?: (_deeprelax_v1_WeightsHeader | null);
  'chunk'?: (_deeprelax_v1_TensorChunk | null);
  'frame'?: "header"|"chunk";
}

export interface WeightsFrame__Output {
  'header'?: (_deeprelax_v1_WeightsHeader__Output | null);
  'chunk'?: (_deeprelax_v1_TensorChunk__Output | null);
  'frame'?: "header"|"chunk";
}
