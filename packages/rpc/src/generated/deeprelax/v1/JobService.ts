// Original file: proto/deeprelax/v1/jobs.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CancelJobRequest as _deeprelax_v1_CancelJobRequest, CancelJobRequest__Output as _deeprelax_v1_CancelJobRequest__Output } from '../../deeprelax/v1/CancelJobRequest.js';
import type { FetchWeightsRequest as _deeprelax_v1_FetchWeightsRequest, FetchWeightsRequest__Output as _deeprelax_v1_FetchWeightsRequest__Output } from '../../deeprelax/v1/FetchWeightsRequest.js';
import type { GetJobRequest as _deeprelax_v1_GetJobRequest, GetJobRequest__Output as _deeprelax_v1_GetJobRequest__Output } from '../../deeprelax/v1/GetJobRequest.js';
import type { Job as _deeprelax_v1_Job, Job__Output as _deeprelax_v1_Job__Output } from '../../deeprelax/v1/Job.js';
import type { JobEvent as _deeprelax_v1_JobEvent, JobEvent__Output as _deeprelax_v1_JobEvent__Output } from '../../deeprelax/v1/JobEvent.js';
import type { ListJobsRequest as _deeprelax_v1_ListJobsRequest, ListJobsRequest__Output as _deeprelax_v1_ListJobsRequest__Output } from '../../deeprelax/v1/ListJobsRequest.js';
import type { ListJobsResponse as _deeprelax_v1_ListJobsResponse, ListJobsResponse__Output as _deeprelax_v1_ListJobsResponse__Output } from '../../deeprelax/v1/ListJobsResponse.js';
import type { ListWorkersRequest as _deeprelax_v1_ListWorkersRequest, ListWorkersRequest__Output as _deeprelax_v1_ListWorkersRequest__Output } from '../../deeprelax/v1/ListWorkersRequest.js';
import type { ListWorkersResponse as _deeprelax_v1_ListWorkersResponse, ListWorkersResponse__Output as _deeprelax_v1_ListWorkersResponse__Output } from '../../deeprelax/v1/ListWorkersResponse.js';
import type { SubmitJobRequest as _deeprelax_v1_SubmitJobRequest, SubmitJobRequest__Output as _deeprelax_v1_SubmitJobRequest__Output } from '../../deeprelax/v1/SubmitJobRequest.js';
import type { WatchJobRequest as _deeprelax_v1_WatchJobRequest, WatchJobRequest__Output as _deeprelax_v1_WatchJobRequest__Output } from '../../deeprelax/v1/WatchJobRequest.js';
import type { WeightsFrame as _deeprelax_v1_WeightsFrame, WeightsFrame__Output as _deeprelax_v1_WeightsFrame__Output } from '../../deeprelax/v1/WeightsFrame.js';

export interface JobServiceClient extends grpc.Client {
  /**
   * Moves a queued or running job to CANCELLED; its workers are released. Cancelling a job in
   * CANCELLED state is a no-op; in SUCCEEDED or FAILED state it is FAILED_PRECONDITION.
   */
  CancelJob(argument: _deeprelax_v1_CancelJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _deeprelax_v1_CancelJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _deeprelax_v1_CancelJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _deeprelax_v1_CancelJobRequest, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  /**
   * Moves a queued or running job to CANCELLED; its workers are released. Cancelling a job in
   * CANCELLED state is a no-op; in SUCCEEDED or FAILED state it is FAILED_PRECONDITION.
   */
  cancelJob(argument: _deeprelax_v1_CancelJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _deeprelax_v1_CancelJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _deeprelax_v1_CancelJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _deeprelax_v1_CancelJobRequest, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  
  /**
   * The job's reference weights x (and batch-norm buffers): one WeightsFrame with the header,
   * then TensorChunk frames. Latest checkpoint while running, final weights when done.
   */
  FetchWeights(argument: _deeprelax_v1_FetchWeightsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_deeprelax_v1_WeightsFrame__Output>;
  FetchWeights(argument: _deeprelax_v1_FetchWeightsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_deeprelax_v1_WeightsFrame__Output>;
  /**
   * The job's reference weights x (and batch-norm buffers): one WeightsFrame with the header,
   * then TensorChunk frames. Latest checkpoint while running, final weights when done.
   */
  fetchWeights(argument: _deeprelax_v1_FetchWeightsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_deeprelax_v1_WeightsFrame__Output>;
  fetchWeights(argument: _deeprelax_v1_FetchWeightsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_deeprelax_v1_WeightsFrame__Output>;
  
  GetJob(argument: _deeprelax_v1_GetJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _deeprelax_v1_GetJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _deeprelax_v1_GetJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _deeprelax_v1_GetJobRequest, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _deeprelax_v1_GetJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _deeprelax_v1_GetJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _deeprelax_v1_GetJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _deeprelax_v1_GetJobRequest, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  
  /**
   * Newest first.
   */
  ListJobs(argument: _deeprelax_v1_ListJobsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _deeprelax_v1_ListJobsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_deeprelax_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _deeprelax_v1_ListJobsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _deeprelax_v1_ListJobsRequest, callback: grpc.requestCallback<_deeprelax_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Newest first.
   */
  listJobs(argument: _deeprelax_v1_ListJobsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _deeprelax_v1_ListJobsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_deeprelax_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _deeprelax_v1_ListJobsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _deeprelax_v1_ListJobsRequest, callback: grpc.requestCallback<_deeprelax_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The worker pool.
   */
  ListWorkers(argument: _deeprelax_v1_ListWorkersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  ListWorkers(argument: _deeprelax_v1_ListWorkersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_deeprelax_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  ListWorkers(argument: _deeprelax_v1_ListWorkersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  ListWorkers(argument: _deeprelax_v1_ListWorkersRequest, callback: grpc.requestCallback<_deeprelax_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The worker pool.
   */
  listWorkers(argument: _deeprelax_v1_ListWorkersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  listWorkers(argument: _deeprelax_v1_ListWorkersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_deeprelax_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  listWorkers(argument: _deeprelax_v1_ListWorkersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  listWorkers(argument: _deeprelax_v1_ListWorkersRequest, callback: grpc.requestCallback<_deeprelax_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Validates and queues a job. Returns the stored job (state QUEUED, defaults filled in).
   * Submitting again with the same request_id returns the first job instead of a new one.
   */
  SubmitJob(argument: _deeprelax_v1_SubmitJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  SubmitJob(argument: _deeprelax_v1_SubmitJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  SubmitJob(argument: _deeprelax_v1_SubmitJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  SubmitJob(argument: _deeprelax_v1_SubmitJobRequest, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  /**
   * Validates and queues a job. Returns the stored job (state QUEUED, defaults filled in).
   * Submitting again with the same request_id returns the first job instead of a new one.
   */
  submitJob(argument: _deeprelax_v1_SubmitJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  submitJob(argument: _deeprelax_v1_SubmitJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  submitJob(argument: _deeprelax_v1_SubmitJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  submitJob(argument: _deeprelax_v1_SubmitJobRequest, callback: grpc.requestCallback<_deeprelax_v1_Job__Output>): grpc.ClientUnaryCall;
  
  /**
   * Server stream of a job's events: first its current status, then status changes, progress,
   * metrics and (optionally) logs as they happen. Ends after the event of a terminal state.
   */
  WatchJob(argument: _deeprelax_v1_WatchJobRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_deeprelax_v1_JobEvent__Output>;
  WatchJob(argument: _deeprelax_v1_WatchJobRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_deeprelax_v1_JobEvent__Output>;
  /**
   * Server stream of a job's events: first its current status, then status changes, progress,
   * metrics and (optionally) logs as they happen. Ends after the event of a terminal state.
   */
  watchJob(argument: _deeprelax_v1_WatchJobRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_deeprelax_v1_JobEvent__Output>;
  watchJob(argument: _deeprelax_v1_WatchJobRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_deeprelax_v1_JobEvent__Output>;
  
}

export interface JobServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Moves a queued or running job to CANCELLED; its workers are released. Cancelling a job in
   * CANCELLED state is a no-op; in SUCCEEDED or FAILED state it is FAILED_PRECONDITION.
   */
  CancelJob: grpc.handleUnaryCall<_deeprelax_v1_CancelJobRequest__Output, _deeprelax_v1_Job>;
  
  /**
   * The job's reference weights x (and batch-norm buffers): one WeightsFrame with the header,
   * then TensorChunk frames. Latest checkpoint while running, final weights when done.
   */
  FetchWeights: grpc.handleServerStreamingCall<_deeprelax_v1_FetchWeightsRequest__Output, _deeprelax_v1_WeightsFrame>;
  
  GetJob: grpc.handleUnaryCall<_deeprelax_v1_GetJobRequest__Output, _deeprelax_v1_Job>;
  
  /**
   * Newest first.
   */
  ListJobs: grpc.handleUnaryCall<_deeprelax_v1_ListJobsRequest__Output, _deeprelax_v1_ListJobsResponse>;
  
  /**
   * The worker pool.
   */
  ListWorkers: grpc.handleUnaryCall<_deeprelax_v1_ListWorkersRequest__Output, _deeprelax_v1_ListWorkersResponse>;
  
  /**
   * Validates and queues a job. Returns the stored job (state QUEUED, defaults filled in).
   * Submitting again with the same request_id returns the first job instead of a new one.
   */
  SubmitJob: grpc.handleUnaryCall<_deeprelax_v1_SubmitJobRequest__Output, _deeprelax_v1_Job>;
  
  /**
   * Server stream of a job's events: first its current status, then status changes, progress,
   * metrics and (optionally) logs as they happen. Ends after the event of a terminal state.
   */
  WatchJob: grpc.handleServerStreamingCall<_deeprelax_v1_WatchJobRequest__Output, _deeprelax_v1_JobEvent>;
  
}

export interface JobServiceDefinition extends grpc.ServiceDefinition {
  CancelJob: MethodDefinition<_deeprelax_v1_CancelJobRequest, _deeprelax_v1_Job, _deeprelax_v1_CancelJobRequest__Output, _deeprelax_v1_Job__Output>
  FetchWeights: MethodDefinition<_deeprelax_v1_FetchWeightsRequest, _deeprelax_v1_WeightsFrame, _deeprelax_v1_FetchWeightsRequest__Output, _deeprelax_v1_WeightsFrame__Output>
  GetJob: MethodDefinition<_deeprelax_v1_GetJobRequest, _deeprelax_v1_Job, _deeprelax_v1_GetJobRequest__Output, _deeprelax_v1_Job__Output>
  ListJobs: MethodDefinition<_deeprelax_v1_ListJobsRequest, _deeprelax_v1_ListJobsResponse, _deeprelax_v1_ListJobsRequest__Output, _deeprelax_v1_ListJobsResponse__Output>
  ListWorkers: MethodDefinition<_deeprelax_v1_ListWorkersRequest, _deeprelax_v1_ListWorkersResponse, _deeprelax_v1_ListWorkersRequest__Output, _deeprelax_v1_ListWorkersResponse__Output>
  SubmitJob: MethodDefinition<_deeprelax_v1_SubmitJobRequest, _deeprelax_v1_Job, _deeprelax_v1_SubmitJobRequest__Output, _deeprelax_v1_Job__Output>
  WatchJob: MethodDefinition<_deeprelax_v1_WatchJobRequest, _deeprelax_v1_JobEvent, _deeprelax_v1_WatchJobRequest__Output, _deeprelax_v1_JobEvent__Output>
}
