import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { CancelJobRequest as _deeprelax_v1_CancelJobRequest, CancelJobRequest__Output as _deeprelax_v1_CancelJobRequest__Output } from './deeprelax/v1/CancelJobRequest.js';
import type { CappedCoupling as _deeprelax_v1_CappedCoupling, CappedCoupling__Output as _deeprelax_v1_CappedCoupling__Output } from './deeprelax/v1/CappedCoupling.js';
import type { CouplingSchedule as _deeprelax_v1_CouplingSchedule, CouplingSchedule__Output as _deeprelax_v1_CouplingSchedule__Output } from './deeprelax/v1/CouplingSchedule.js';
import type { DatasetSpec as _deeprelax_v1_DatasetSpec, DatasetSpec__Output as _deeprelax_v1_DatasetSpec__Output } from './deeprelax/v1/DatasetSpec.js';
import type { ExponentialCoupling as _deeprelax_v1_ExponentialCoupling, ExponentialCoupling__Output as _deeprelax_v1_ExponentialCoupling__Output } from './deeprelax/v1/ExponentialCoupling.js';
import type { FetchWeightsRequest as _deeprelax_v1_FetchWeightsRequest, FetchWeightsRequest__Output as _deeprelax_v1_FetchWeightsRequest__Output } from './deeprelax/v1/FetchWeightsRequest.js';
import type { GetJobRequest as _deeprelax_v1_GetJobRequest, GetJobRequest__Output as _deeprelax_v1_GetJobRequest__Output } from './deeprelax/v1/GetJobRequest.js';
import type { HyperParameters as _deeprelax_v1_HyperParameters, HyperParameters__Output as _deeprelax_v1_HyperParameters__Output } from './deeprelax/v1/HyperParameters.js';
import type { Interval as _deeprelax_v1_Interval, Interval__Output as _deeprelax_v1_Interval__Output } from './deeprelax/v1/Interval.js';
import type { Job as _deeprelax_v1_Job, Job__Output as _deeprelax_v1_Job__Output } from './deeprelax/v1/Job.js';
import type { JobError as _deeprelax_v1_JobError, JobError__Output as _deeprelax_v1_JobError__Output } from './deeprelax/v1/JobError.js';
import type { JobEvent as _deeprelax_v1_JobEvent, JobEvent__Output as _deeprelax_v1_JobEvent__Output } from './deeprelax/v1/JobEvent.js';
import type { JobProgress as _deeprelax_v1_JobProgress, JobProgress__Output as _deeprelax_v1_JobProgress__Output } from './deeprelax/v1/JobProgress.js';
import type { JobServiceClient as _deeprelax_v1_JobServiceClient, JobServiceDefinition as _deeprelax_v1_JobServiceDefinition } from './deeprelax/v1/JobService.js';
import type { JobSpec as _deeprelax_v1_JobSpec, JobSpec__Output as _deeprelax_v1_JobSpec__Output } from './deeprelax/v1/JobSpec.js';
import type { JobStatusEvent as _deeprelax_v1_JobStatusEvent, JobStatusEvent__Output as _deeprelax_v1_JobStatusEvent__Output } from './deeprelax/v1/JobStatusEvent.js';
import type { ListJobsRequest as _deeprelax_v1_ListJobsRequest, ListJobsRequest__Output as _deeprelax_v1_ListJobsRequest__Output } from './deeprelax/v1/ListJobsRequest.js';
import type { ListJobsResponse as _deeprelax_v1_ListJobsResponse, ListJobsResponse__Output as _deeprelax_v1_ListJobsResponse__Output } from './deeprelax/v1/ListJobsResponse.js';
import type { ListWorkersRequest as _deeprelax_v1_ListWorkersRequest, ListWorkersRequest__Output as _deeprelax_v1_ListWorkersRequest__Output } from './deeprelax/v1/ListWorkersRequest.js';
import type { ListWorkersResponse as _deeprelax_v1_ListWorkersResponse, ListWorkersResponse__Output as _deeprelax_v1_ListWorkersResponse__Output } from './deeprelax/v1/ListWorkersResponse.js';
import type { LogEvent as _deeprelax_v1_LogEvent, LogEvent__Output as _deeprelax_v1_LogEvent__Output } from './deeprelax/v1/LogEvent.js';
import type { LrRow as _deeprelax_v1_LrRow, LrRow__Output as _deeprelax_v1_LrRow__Output } from './deeprelax/v1/LrRow.js';
import type { LrSchedule as _deeprelax_v1_LrSchedule, LrSchedule__Output as _deeprelax_v1_LrSchedule__Output } from './deeprelax/v1/LrSchedule.js';
import type { MetricSample as _deeprelax_v1_MetricSample, MetricSample__Output as _deeprelax_v1_MetricSample__Output } from './deeprelax/v1/MetricSample.js';
import type { PiecewiseLr as _deeprelax_v1_PiecewiseLr, PiecewiseLr__Output as _deeprelax_v1_PiecewiseLr__Output } from './deeprelax/v1/PiecewiseLr.js';
import type { StepDecayLr as _deeprelax_v1_StepDecayLr, StepDecayLr__Output as _deeprelax_v1_StepDecayLr__Output } from './deeprelax/v1/StepDecayLr.js';
import type { SubmitJobRequest as _deeprelax_v1_SubmitJobRequest, SubmitJobRequest__Output as _deeprelax_v1_SubmitJobRequest__Output } from './deeprelax/v1/SubmitJobRequest.js';
import type { TensorChunk as _deeprelax_v1_TensorChunk, TensorChunk__Output as _deeprelax_v1_TensorChunk__Output } from './deeprelax/v1/TensorChunk.js';
import type { TensorHeader as _deeprelax_v1_TensorHeader, TensorHeader__Output as _deeprelax_v1_TensorHeader__Output } from './deeprelax/v1/TensorHeader.js';
import type { VarianceCoupling as _deeprelax_v1_VarianceCoupling, VarianceCoupling__Output as _deeprelax_v1_VarianceCoupling__Output } from './deeprelax/v1/VarianceCoupling.js';
import type { WatchJobRequest as _deeprelax_v1_WatchJobRequest, WatchJobRequest__Output as _deeprelax_v1_WatchJobRequest__Output } from './deeprelax/v1/WatchJobRequest.js';
import type { WeightsFrame as _deeprelax_v1_WeightsFrame, WeightsFrame__Output as _deeprelax_v1_WeightsFrame__Output } from './deeprelax/v1/WeightsFrame.js';
import type { WeightsHeader as _deeprelax_v1_WeightsHeader, WeightsHeader__Output as _deeprelax_v1_WeightsHeader__Output } from './deeprelax/v1/WeightsHeader.js';
import type { WorkerCapabilities as _deeprelax_v1_WorkerCapabilities, WorkerCapabilities__Output as _deeprelax_v1_WorkerCapabilities__Output } from './deeprelax/v1/WorkerCapabilities.js';
import type { WorkerInfo as _deeprelax_v1_WorkerInfo, WorkerInfo__Output as _deeprelax_v1_WorkerInfo__Output } from './deeprelax/v1/WorkerInfo.js';
import type { WorkerProgress as _deeprelax_v1_WorkerProgress, WorkerProgress__Output as _deeprelax_v1_WorkerProgress__Output } from './deeprelax/v1/WorkerProgress.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  deeprelax: {
    v1: {
      Algorithm: EnumTypeDefinition
      CancelJobRequest: MessageTypeDefinition<_deeprelax_v1_CancelJobRequest, _deeprelax_v1_CancelJobRequest__Output>
      CappedCoupling: MessageTypeDefinition<_deeprelax_v1_CappedCoupling, _deeprelax_v1_CappedCoupling__Output>
      CentreLrScaling: EnumTypeDefinition
      CouplingSchedule: MessageTypeDefinition<_deeprelax_v1_CouplingSchedule, _deeprelax_v1_CouplingSchedule__Output>
      DType: EnumTypeDefinition
      DatasetSpec: MessageTypeDefinition<_deeprelax_v1_DatasetSpec, _deeprelax_v1_DatasetSpec__Output>
      EngineKind: EnumTypeDefinition
      ExponentialCoupling: MessageTypeDefinition<_deeprelax_v1_ExponentialCoupling, _deeprelax_v1_ExponentialCoupling__Output>
      FetchWeightsRequest: MessageTypeDefinition<_deeprelax_v1_FetchWeightsRequest, _deeprelax_v1_FetchWeightsRequest__Output>
      GetJobRequest: MessageTypeDefinition<_deeprelax_v1_GetJobRequest, _deeprelax_v1_GetJobRequest__Output>
      HyperParameters: MessageTypeDefinition<_deeprelax_v1_HyperParameters, _deeprelax_v1_HyperParameters__Output>
      Interval: MessageTypeDefinition<_deeprelax_v1_Interval, _deeprelax_v1_Interval__Output>
      Job: MessageTypeDefinition<_deeprelax_v1_Job, _deeprelax_v1_Job__Output>
      JobError: MessageTypeDefinition<_deeprelax_v1_JobError, _deeprelax_v1_JobError__Output>
      JobEvent: MessageTypeDefinition<_deeprelax_v1_JobEvent, _deeprelax_v1_JobEvent__Output>
      JobProgress: MessageTypeDefinition<_deeprelax_v1_JobProgress, _deeprelax_v1_JobProgress__Output>
      JobService: SubtypeConstructor<typeof grpc.Client, _deeprelax_v1_JobServiceClient> & { service: _deeprelax_v1_JobServiceDefinition }
      JobSpec: MessageTypeDefinition<_deeprelax_v1_JobSpec, _deeprelax_v1_JobSpec__Output>
      JobState: EnumTypeDefinition
      JobStatusEvent: MessageTypeDefinition<_deeprelax_v1_JobStatusEvent, _deeprelax_v1_JobStatusEvent__Output>
      ListJobsRequest: MessageTypeDefinition<_deeprelax_v1_ListJobsRequest, _deeprelax_v1_ListJobsRequest__Output>
      ListJobsResponse: MessageTypeDefinition<_deeprelax_v1_ListJobsResponse, _deeprelax_v1_ListJobsResponse__Output>
      ListWorkersRequest: MessageTypeDefinition<_deeprelax_v1_ListWorkersRequest, _deeprelax_v1_ListWorkersRequest__Output>
      ListWorkersResponse: MessageTypeDefinition<_deeprelax_v1_ListWorkersResponse, _deeprelax_v1_ListWorkersResponse__Output>
      LogEvent: MessageTypeDefinition<_deeprelax_v1_LogEvent, _deeprelax_v1_LogEvent__Output>
      LogLevel: EnumTypeDefinition
      LrRow: MessageTypeDefinition<_deeprelax_v1_LrRow, _deeprelax_v1_LrRow__Output>
      LrSchedule: MessageTypeDefinition<_deeprelax_v1_LrSchedule, _deeprelax_v1_LrSchedule__Output>
      MetricSample: MessageTypeDefinition<_deeprelax_v1_MetricSample, _deeprelax_v1_MetricSample__Output>
      NoiseScaling: EnumTypeDefinition
      OuterBase: EnumTypeDefinition
      PiecewiseLr: MessageTypeDefinition<_deeprelax_v1_PiecewiseLr, _deeprelax_v1_PiecewiseLr__Output>
      StepDecayLr: MessageTypeDefinition<_deeprelax_v1_StepDecayLr, _deeprelax_v1_StepDecayLr__Output>
      SubmitJobRequest: MessageTypeDefinition<_deeprelax_v1_SubmitJobRequest, _deeprelax_v1_SubmitJobRequest__Output>
      TensorChunk: MessageTypeDefinition<_deeprelax_v1_TensorChunk, _deeprelax_v1_TensorChunk__Output>
      TensorHeader: MessageTypeDefinition<_deeprelax_v1_TensorHeader, _deeprelax_v1_TensorHeader__Output>
      VarianceCoupling: MessageTypeDefinition<_deeprelax_v1_VarianceCoupling, _deeprelax_v1_VarianceCoupling__Output>
      WatchJobRequest: MessageTypeDefinition<_deeprelax_v1_WatchJobRequest, _deeprelax_v1_WatchJobRequest__Output>
      WeightsFrame: MessageTypeDefinition<_deeprelax_v1_WeightsFrame, _deeprelax_v1_WeightsFrame__Output>
      WeightsHeader: MessageTypeDefinition<_deeprelax_v1_WeightsHeader, _deeprelax_v1_WeightsHeader__Output>
      WorkerCapabilities: MessageTypeDefinition<_deeprelax_v1_WorkerCapabilities, _deeprelax_v1_WorkerCapabilities__Output>
      WorkerInfo: MessageTypeDefinition<_deeprelax_v1_WorkerInfo, _deeprelax_v1_WorkerInfo__Output>
      WorkerProgress: MessageTypeDefinition<_deeprelax_v1_WorkerProgress, _deeprelax_v1_WorkerProgress__Output>
      WorkerState: EnumTypeDefinition
    }
  }
}

