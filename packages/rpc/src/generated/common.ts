import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { MetricSample as _deeprelax_v1_MetricSample, MetricSample__Output as _deeprelax_v1_MetricSample__Output } from './deeprelax/v1/MetricSample.js';
import type { TensorChunk as _deeprelax_v1_TensorChunk, TensorChunk__Output as _deeprelax_v1_TensorChunk__Output } from './deeprelax/v1/TensorChunk.js';
import type { TensorHeader as _deeprelax_v1_TensorHeader, TensorHeader__Output as _deeprelax_v1_TensorHeader__Output } from './deeprelax/v1/TensorHeader.js';
import type { WorkerCapabilities as _deeprelax_v1_WorkerCapabilities, WorkerCapabilities__Output as _deeprelax_v1_WorkerCapabilities__Output } from './deeprelax/v1/WorkerCapabilities.js';
import type { WorkerInfo as _deeprelax_v1_WorkerInfo, WorkerInfo__Output as _deeprelax_v1_WorkerInfo__Output } from './deeprelax/v1/WorkerInfo.js';
import type { WorkerProgress as _deeprelax_v1_WorkerProgress, WorkerProgress__Output as _deeprelax_v1_WorkerProgress__Output } from './deeprelax/v1/WorkerProgress.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  deeprelax: {
    v1: {
      DType: EnumTypeDefinition
      EngineKind: EnumTypeDefinition
      MetricSample: MessageTypeDefinition<_deeprelax_v1_MetricSample, _deeprelax_v1_MetricSample__Output>
      TensorChunk: MessageTypeDefinition<_deeprelax_v1_TensorChunk, _deeprelax_v1_TensorChunk__Output>
      TensorHeader: MessageTypeDefinition<_deeprelax_v1_TensorHeader, _deeprelax_v1_TensorHeader__Output>
      WorkerCapabilities: MessageTypeDefinition<_deeprelax_v1_WorkerCapabilities, _deeprelax_v1_WorkerCapabilities__Output>
      WorkerInfo: MessageTypeDefinition<_deeprelax_v1_WorkerInfo, _deeprelax_v1_WorkerInfo__Output>
      WorkerProgress: MessageTypeDefinition<_deeprelax_v1_WorkerProgress, _deeprelax_v1_WorkerProgress__Output>
      WorkerState: EnumTypeDefinition
    }
  }
}

