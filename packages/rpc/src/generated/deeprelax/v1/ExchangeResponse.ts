// Original file: proto/deeprelax/v1/coordinator.proto

import type { ExchangeReply as _deeprelax_v1_ExchangeReply, ExchangeReply__Output as _deeprelax_v1_ExchangeReply__Output } from '../../deeprelax/v1/ExchangeReply.js';
import type { TensorChunk as _deeprelax_v1_TensorChunk, TensorChunk__Output as _deeprelax_v1_TensorChunk__Output } from '../../deeprelax/v1/TensorChunk.js';

export interface ExchangeResponse {
  'header'?: (_deeprelax_v1_ExchangeReply | null);
  'chunk'?: (_deeprelax_v1_TensorChunk | null);
  'frame'?: "header"|"chunk";
}

export interface ExchangeResponse__Output {
  'header'?: (_deeprelax_v1_ExchangeReply__Output | null);
  'chunk'?: (_deeprelax_v1_TensorChunk__Output | null);
  'frame'?: "header"|"chunk";
}
