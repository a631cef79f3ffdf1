// Original file: proto/deeprelax/v1/coordinator.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ExchangeRequest as _deeprelax_v1_ExchangeRequest, ExchangeRequest__Output as _deeprelax_v1_ExchangeRequest__Output } from '../../deeprelax/v1/ExchangeRequest.js';
import type { ExchangeResponse as _deeprelax_v1_ExchangeResponse, ExchangeResponse__Output as _deeprelax_v1_ExchangeResponse__Output } from '../../deeprelax/v1/ExchangeResponse.js';
import type { HeartbeatRequest as _deeprelax_v1_HeartbeatRequest, HeartbeatRequest__Output as _deeprelax_v1_HeartbeatRequest__Output } from '../../deeprelax/v1/HeartbeatRequest.js';
import type { HeartbeatResponse as _deeprelax_v1_HeartbeatResponse, HeartbeatResponse__Output as _deeprelax_v1_HeartbeatResponse__Output } from '../../deeprelax/v1/HeartbeatResponse.js';
import type { LeaveRequest as _deeprelax_v1_LeaveRequest, LeaveRequest__Output as _deeprelax_v1_LeaveRequest__Output } from '../../deeprelax/v1/LeaveRequest.js';
import type { LeaveResponse as _deeprelax_v1_LeaveResponse, LeaveResponse__Output as _deeprelax_v1_LeaveResponse__Output } from '../../deeprelax/v1/LeaveResponse.js';
import type { RegisterRequest as _deeprelax_v1_RegisterRequest, RegisterRequest__Output as _deeprelax_v1_RegisterRequest__Output } from '../../deeprelax/v1/RegisterRequest.js';
import type { RegisterResponse as _deeprelax_v1_RegisterResponse, RegisterResponse__Output as _deeprelax_v1_RegisterResponse__Output } from '../../deeprelax/v1/RegisterResponse.js';

export interface CoordinatorServiceClient extends grpc.Client {
  /**
   * One parameter exchange: header + chunks up, header + chunks down.
   */
  Exchange(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_deeprelax_v1_ExchangeRequest, _deeprelax_v1_ExchangeResponse__Output>;
  Exchange(options?: grpc.CallOptions): grpc.ClientDuplexStream<_deeprelax_v1_ExchangeRequest, _deeprelax_v1_ExchangeResponse__Output>;
  /**
   * One parameter exchange: header + chunks up, header + chunks down.
   */
  exchange(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_deeprelax_v1_ExchangeRequest, _deeprelax_v1_ExchangeResponse__Output>;
  exchange(options?: grpc.CallOptions): grpc.ClientDuplexStream<_deeprelax_v1_ExchangeRequest, _deeprelax_v1_ExchangeResponse__Output>;
  
  /**
   * Renews the lease and reports progress; the response carries the current assignment.
   */
  Heartbeat(argument: _deeprelax_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _deeprelax_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_deeprelax_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _deeprelax_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _deeprelax_v1_HeartbeatRequest, callback: grpc.requestCallback<_deeprelax_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Renews the lease and reports progress; the response carries the current assignment.
   */
  heartbeat(argument: _deeprelax_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _deeprelax_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_deeprelax_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _deeprelax_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _deeprelax_v1_HeartbeatRequest, callback: grpc.requestCallback<_deeprelax_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Leaves the pool cleanly; the worker's replica is dropped from its job's next round.
   */
  Leave(argument: _deeprelax_v1_LeaveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  Leave(argument: _deeprelax_v1_LeaveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_deeprelax_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  Leave(argument: _deeprelax_v1_LeaveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  Leave(argument: _deeprelax_v1_LeaveRequest, callback: grpc.requestCallback<_deeprelax_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Leaves the pool cleanly; the worker's replica is dropped from its job's next round.
   */
  leave(argument: _deeprelax_v1_LeaveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  leave(argument: _deeprelax_v1_LeaveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_deeprelax_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  leave(argument: _deeprelax_v1_LeaveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  leave(argument: _deeprelax_v1_LeaveRequest, callback: grpc.requestCallback<_deeprelax_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Joins the worker pool (or rejoins it, proposing the previous worker id).
   */
  Register(argument: _deeprelax_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _deeprelax_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_deeprelax_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _deeprelax_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _deeprelax_v1_RegisterRequest, callback: grpc.requestCallback<_deeprelax_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Joins the worker pool (or rejoins it, proposing the previous worker id).
   */
  register(argument: _deeprelax_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _deeprelax_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_deeprelax_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _deeprelax_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_deeprelax_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _deeprelax_v1_RegisterRequest, callback: grpc.requestCallback<_deeprelax_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface CoordinatorServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * One parameter exchange: header + chunks up, header + chunks down.
   */
  Exchange: grpc.handleBidiStreamingCall<_deeprelax_v1_ExchangeRequest__Output, _deeprelax_v1_ExchangeResponse>;
  
  /**
   * Renews the lease and reports progress; the response carries the current assignment.
   */
  Heartbeat: grpc.handleUnaryCall<_deeprelax_v1_HeartbeatRequest__Output, _deeprelax_v1_HeartbeatResponse>;
  
  /**
   * Leaves the pool cleanly; the worker's replica is dropped from its job's next round.
   */
  Leave: grpc.handleUnaryCall<_deeprelax_v1_LeaveRequest__Output, _deeprelax_v1_LeaveResponse>;
  
  /**
   * Joins the worker pool (or rejoins it, proposing the previous worker id).
   */
  Register: grpc.handleUnaryCall<_deeprelax_v1_RegisterRequest__Output, _deeprelax_v1_RegisterResponse>;
  
}

export interface CoordinatorServiceDefinition extends grpc.ServiceDefinition {
  Exchange: MethodDefinition<_deeprelax_v1_ExchangeRequest, _deeprelax_v1_ExchangeResponse, _deeprelax_v1_ExchangeRequest__Output, _deeprelax_v1_ExchangeResponse__Output>
  Heartbeat: MethodDefinition<_deeprelax_v1_HeartbeatRequest, _deeprelax_v1_HeartbeatResponse, _deeprelax_v1_HeartbeatRequest__Output, _deeprelax_v1_HeartbeatResponse__Output>
  Leave: MethodDefinition<_deeprelax_v1_LeaveRequest, _deeprelax_v1_LeaveResponse, _deeprelax_v1_LeaveRequest__Output, _deeprelax_v1_LeaveResponse__Output>
  Register: MethodDefinition<_deeprelax_v1_RegisterRequest, _deeprelax_v1_RegisterResponse, _deeprelax_v1_RegisterRequest__Output, _deeprelax_v1_RegisterResponse__Output>
}
