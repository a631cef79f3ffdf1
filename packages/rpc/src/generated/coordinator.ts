import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Assignment as _deeprelax_v1_Assignment, Assignment__Output as _deeprelax_v1_Assignment__Output } from './deeprelax/v1/Assignment.js';
import type { CancelJobRequest as _deeprelax_v1_CancelJobRequest, CancelJobRequest__Output as _deeprelax_v1_CancelJobRequest__Output } from './deeprelax/v1/CancelJobRequest.js';
import type { CappedCoupling as _deeprelax_v1_CappedCoupling, CappedCoupling__Output as _deeprelax_v1_CappedCoupling__Output } from './deeprelax/v1/CappedCoupling.js';
import type { CoordinatorServiceClient as _deeprelax_v1_CoordinatorServiceClient, CoordinatorServiceDefinition as _deeprelax_v1_CoordinatorServiceDefinition } from './deeprelax/v1/CoordinatorService.js';
import type { CouplingSchedule as _deeprelax_v1_CouplingSchedule, CouplingSchedule__Output as _deeprelax_v1_CouplingSchedule__Output } from './deeprelax/v1/CouplingSchedule.js';
import type { DatasetSpec as _deeprelax_v1_DatasetSpec, DatasetSpec__Output as _deeprelax_v1_DatasetSpec__Output } from './deeprelax/v1/DatasetSpec.js';
import type { ExchangeHeader as _deeprelax_v1_ExchangeHeader, ExchangeHeader__Output as _deeprelax_v1_ExchangeHeader__Output } from './deeprelax/v1/ExchangeHeader.js';
import type { ExchangeReply as _deeprelax_v1_ExchangeReply, ExchangeReply__Output as _deeprelax_v1_ExchangeReply__Output } from './deeprelax/v1/ExchangeReply.js';
import type { ExchangeRequest as _deeprelax_v1_ExchangeRequest, ExchangeRequest__Output as _deeprelax_v1_ExchangeRequest__Output } from './deeprelax/v1/ExchangeRequest.js';
import type { ExchangeResponse as _deeprelax_v1_ExchangeResponse, ExchangeResponse__Output as _deeprelax_v1_ExchangeResponse__Output } from './deeprelax/v1/ExchangeResponse.js';
import type { ExponentialCoupling as _deeprelax_v1_ExponentialCoupling, ExponentialCoupling__Output as _deeprelax_v1_ExponentialCoupling__Output } from './deeprelax/v1/ExponentialCoupling.js';
import type { FetchWeightsRequest as _deeprelax_v1_FetchWeightsRequest, FetchWeightsRequest__Output as _deeprelax_v1_FetchWeightsRequest__Output } from './deeprelax/v1/FetchWeightsRequest.js';
import type { GetJobRequest as _deeprelax_v1_GetJobRequest, GetJobRequest__Output as _deeprelax_v1_GetJobRequest__Output } from './deeprelax/v1/GetJobRequest.js';
import type { HeartbeatRequest as _deeprelax_v1_HeartbeatRequest, HeartbeatRequest__Output as _deeprelax_v1_HeartbeatRequest__Output } from './deeprelax/v1/HeartbeatRequest.js';
import type { HeartbeatResponse as _deeprelax_v1_HeartbeatResponse, HeartbeatResponse__Output as _deeprelax_v1_HeartbeatResponse__Output } from './deeprelax/v1/HeartbeatResponse.js';
import type { HyperParameters as _deeprelax_v1_HyperParameters, HyperParameters__Output as _deeprelax_v1_HyperParameters__Output } from './deeprelax/v1/HyperParameters.js';
import type { Interval as _deeprelax_v1_Interval, Interval__Output as _deeprelax_v1_Interval__Output } from './deeprelax/v1/Interval.js';
import type { Job as _deeprelax_v1_Job, Job__Output as _deeprelax_v1_Job__Output } from './deeprelax/v1/Job.js';
import type { JobError as _deeprelax_v1_JobError, JobError__Output as _deeprelax_v1_JobError__Output } from './deeprelax/v1/JobError.js';
import type { JobEvent as _deeprelax_v1_JobEvent, JobEvent__Output as _deeprelax_v1_JobEvent__Output } from './deeprelax/v1/JobEvent.js';
import type { JobProgress as _deeprelax_v1_JobProgress, JobProgress__Output as _deeprelax_v1_JobProgress__Output } from './deeprelax/v1/JobProgress.js';
import type { JobServiceClient as _deeprelax_v1_JobServiceClient, JobServiceDefinition as _deeprelax_v1_JobServiceDefinition } from './deeprelax/v1/JobService.js';
import type { JobSpec as _deeprelax_v1_JobSpec, JobSpec__Output as _deeprelax_v1_JobSpec__Output } from './deeprelax/v1/JobSpec.js';
import type { JobStatusEvent as _deeprelax_v1_JobStatusEvent, JobStatusEvent__Output as _deeprelax_v1_JobStatusEvent__Output } from './deeprelax/v1/JobStatusEvent.js';
import type { Lease as _deeprelax_v1_Lease, Lease__Output as _deeprelax_v1_Lease__Output } from './deeprelax/v1/Lease.js';
import type { LeaveRequest as _deeprelax_v1_LeaveRequest, LeaveRequest__Output as _deeprelax_v1_LeaveRequest__Output } from './deeprelax/v1/LeaveRequest.js';
import type { LeaveResponse as _deeprelax_v1_LeaveResponse, LeaveResponse__Output as _deeprelax_v1_LeaveResponse__Output } from './deeprelax/v1/LeaveResponse.js';
import type { ListJobsRequest as _deeprelax_v1_ListJobsRequest, ListJobsRequest__Output as _deeprelax_v1_ListJobsRequest__Output } from './deeprelax/v1/ListJobsRequest.js';
import type { ListJobsResponse as _deeprelax_v1_ListJobsResponse, ListJobsResponse__Output as _deeprelax_v1_ListJobsResponse__Output } from './deeprelax/v1/ListJobsResponse.js';
import type { ListWorkersRequest as _deeprelax_v1_ListWorkersRequest, ListWorkersRequest__Output as _deeprelax_v1_ListWorkersRequest__Output } from './deeprelax/v1/ListWorkersRequest.js';
import type { ListWorkersResponse as _deeprelax_v1_ListWorkersResponse, ListWorkersResponse__Output as _deeprelax_v1_ListWorkersResponse__Output } from './deeprelax/v1/ListWorkersResponse.js';
import type { LogEvent as _deeprelax_v1_LogEvent, LogEvent__Output as _deeprelax_v1_LogEvent__Output } from './deeprelax/v1/LogEvent.js';
import type { LrRow as _deeprelax_v1_LrRow, LrRow__Output as _deeprelax_v1_LrRow__Output } from './deeprelax/v1/LrRow.js';
import type { LrSchedule as _deeprelax_v1_LrSchedule, LrSchedule__Output as _deeprelax_v1_LrSchedule__Output } from './deeprelax/v1/LrSchedule.js';
import type { MetricSample as _deeprelax_v1_MetricSample, MetricSample__Output as _deeprelax_v1_MetricSample__Output } from './deeprelax/v1/MetricSample.js';
import type { PiecewiseLr as _deeprelax_v1_PiecewiseLr, PiecewiseLr__Output as _deeprelax_v1_PiecewiseLr__Output } from './deeprelax/v1/PiecewiseLr.js';
import type { RegisterRequest as _deeprelax_v1_RegisterRequest, RegisterRequest__Output as _deeprelax_v1_RegisterRequest__Output } from './deeprelax/v1/RegisterRequest.js';
import type { RegisterResponse as _deeprelax_v1_RegisterResponse, RegisterResponse__Output as _deeprelax_v1_RegisterResponse__Output } from './deeprelax/v1/RegisterResponse.js';
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
      Assignment: MessageTypeDefinition<_deeprelax_v1_Assignment, _deeprelax_v1_Assignment__Output>
      CancelJobRequest: MessageTypeDefinition<_deeprelax_v1_CancelJobRequest, _deeprelax_v1_CancelJobRequest__Output>
      CappedCoupling: MessageTypeDefinition<_deeprelax_v1_CappedCoupling, _deeprelax_v1_CappedCoupling__Output>
      CentreLrScaling: EnumTypeDefinition
      CoordinatorService: SubtypeConstructor<typeof grpc.Client, _deeprelax_v1_CoordinatorServiceClient> & { service: _deeprelax_v1_CoordinatorServiceDefinition }
      CouplingSchedule: MessageTypeDefinition<_deeprelax_v1_CouplingSchedule, _deeprelax_v1_CouplingSchedule__Output>
      DType: EnumTypeDefinition
      DatasetSpec: MessageTypeDefinition<_deeprelax_v1_DatasetSpec, _deeprelax_v1_DatasetSpec__Output>
      EngineKind: EnumTypeDefinition
      ExchangeHeader: MessageTypeDefinition<_deeprelax_v1_ExchangeHeader, _deeprelax_v1_ExchangeHeader__Output>
      ExchangeKind: EnumTypeDefinition
      ExchangeMode: EnumTypeDefinition
      ExchangeReply: MessageTypeDefinition<_deeprelax_v1_ExchangeReply, _deeprelax_v1_ExchangeReply__Output>
      ExchangeRequest: MessageTypeDefinition<_deeprelax_v1_ExchangeRequest, _deeprelax_v1_ExchangeRequest__Output>
      ExchangeResponse: MessageTypeDefinition<_deeprelax_v1_ExchangeResponse, _deeprelax_v1_ExchangeResponse__Output>
      ExponentialCoupling: MessageTypeDefinition<_deeprelax_v1_ExponentialCoupling, _deeprelax_v1_ExponentialCoupling__Output>
      FetchWeightsRequest: MessageTypeDefinition<_deeprelax_v1_FetchWeightsRequest, _deeprelax_v1_FetchWeightsRequest__Output>
      GetJobRequest: MessageTypeDefinition<_deeprelax_v1_GetJobRequest, _deeprelax_v1_GetJobRequest__Output>
      HeartbeatRequest: MessageTypeDefinition<_deeprelax_v1_HeartbeatRequest, _deeprelax_v1_HeartbeatRequest__Output>
      HeartbeatResponse: MessageTypeDefinition<_deeprelax_v1_HeartbeatResponse, _deeprelax_v1_HeartbeatResponse__Output>
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
      Lease: MessageTypeDefinition<_deeprelax_v1_Lease, _deeprelax_v1_Lease__Output>
      LeaveRequest: MessageTypeDefinition<_deeprelax_v1_LeaveRequest, _deeprelax_v1_LeaveRequest__Output>
      LeaveResponse: MessageTypeDefinition<_deeprelax_v1_LeaveResponse, _deeprelax_v1_LeaveResponse__Output>
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
      RegisterRequest: MessageTypeDefinition<_deeprelax_v1_RegisterRequest, _deeprelax_v1_RegisterRequest__Output>
      RegisterResponse: MessageTypeDefinition<_deeprelax_v1_RegisterResponse, _deeprelax_v1_RegisterResponse__Output>
      StepDecayLr: MessageTypeDefinition<_deeprelax_v1_StepDecayLr, _deeprelax_v1_StepDecayLr__Output>
      SubmitJobRequest: MessageTypeDefinition<_deeprelax_v1_SubmitJobRequest, _deeprelax_v1_SubmitJobRequest__Output>
      TensorChunk: MessageTypeDefinition<_deeprelax_v1_TensorChunk, _deeprelax_v1_TensorChunk__Output>
      TensorHeader: MessageTypeDefinition<_deeprelax_v1_TensorHeader, _deeprelax_v1_TensorHeader__Output>
      VarianceCoupling: MessageTypeDefinition<_deeprelax_v1_VarianceCoupling, _deeprelax_v1_VarianceCoupling__Output>
      WatchJobRequest: MessageTypeDefinition<_deeprelax_v1_WatchJobRequest, _deeprelax_v1_WatchJobRequest__Output>
      WeightsFrame: MessageTypeDefinition<_deeprelax_v1_WeightsFrame, _deeprelax_v1_WeightsFrame__Output>
      WeightsHeader: MessageTypeDefinition<_deeprelax_v1_WeightsHeader, _deeprelax_v1_WeightsHeader__Output>
      WorkerCapabilities: MessageTypeDefinition<_deeprelax_v1_WorkerCapabilities, _deeprelax_v1_WorkerCapabilities__Output>
      WorkerDirective: EnumTypeDefinition
      WorkerInfo: MessageTypeDefinition<_deeprelax_v1_WorkerInfo, _deeprelax_v1_WorkerInfo__Output>
      WorkerProgress: MessageTypeDefinition<_deeprelax_v1_WorkerProgress, _deeprelax_v1_WorkerProgress__Output>
      WorkerState: EnumTypeDefinition
    }
  }
}

