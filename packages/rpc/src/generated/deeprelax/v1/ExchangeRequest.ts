// Original file: proto/deeprelax/v1/coordinator.proto

import type { ExchangeHeader as _deeprelax_v1_ExchangeHeader, ExchangeHeader__Output as _deeprelax_v1_ExchangeHeader__Output } from '../../deeprelax/v1/ExchangeHeader.js';
import type { TensorChunk as _deeprelax_v1_TensorChunk, TensorChunk__Output as _deeprelax_v1_TensorChunk__Output } from '../../deeprelax/v1/TensorChunk.js';

export interface ExchangeRequest {
  'header'?: (_deeprelax_v1_ExchangeHeader | null);
  'chunk'?: (_deeprelax_v1_TensorChunk | null);
  'frame'?: "header"|"chunk";
}

export interface ExchangeRequest__Output {
  'header'?: (_deeprelax_v1_ExchangeHeader__Output | null);
  'chunk'?: (_deeprelax_v1_TensorChunk__Output | null);
  'frame'?: "header"|"chunk";
}
