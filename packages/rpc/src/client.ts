// Typed clients. `createJobServiceStub` / `createCoordinatorServiceStub` give the raw generated
// stubs with the deeprelax channel options and credentials; `JobsClient` and `CoordinatorClient`
// wrap them in promise / async-iterator methods with deadlines and typed errors (RpcError
// subclasses, via fromStatus).
import * as grpc from '@grpc/grpc-js';
import type { CoordinatorServiceClient } from './generated/deeprelax/v1/CoordinatorService.js';
import type { ExchangeHeader } from './generated/deeprelax/v1/ExchangeHeader.js';
import type { ExchangeReply__Output } from './generated/deeprelax/v1/ExchangeReply.js';
import type { ExchangeRequest } from './generated/deeprelax/v1/ExchangeRequest.js';
import type { ExchangeResponse__Output } from './generated/deeprelax/v1/ExchangeResponse.js';
import type { FetchWeightsRequest } from './generated/deeprelax/v1/FetchWeightsRequest.js';
import type { HeartbeatRequest } from './generated/deeprelax/v1/HeartbeatRequest.js';
import type { HeartbeatResponse__Output } from './generated/deeprelax/v1/HeartbeatResponse.js';
import type { Job__Output } from './generated/deeprelax/v1/Job.js';
import type { JobEvent__Output } from './generated/deeprelax/v1/JobEvent.js';
import type { JobServiceClient } from './generated/deeprelax/v1/JobService.js';
import type { JobSpec } from './generated/deeprelax/v1/JobSpec.js';
import type { LeaveRequest } from './generated/deeprelax/v1/LeaveRequest.js';
import type { ListJobsRequest } from './generated/deeprelax/v1/ListJobsRequest.js';
import type { ListJobsResponse__Output } from './generated/deeprelax/v1/ListJobsResponse.js';
import type { ListWorkersRequest } from './generated/deeprelax/v1/ListWorkersRequest.js';
import type { ListWorkersResponse__Output } from './generated/deeprelax/v1/ListWorkersResponse.js';
import type { RegisterRequest } from './generated/deeprelax/v1/RegisterRequest.js';
import type { RegisterResponse__Output } from './generated/deeprelax/v1/RegisterResponse.js';
import type { WatchJobRequest } from './generated/deeprelax/v1/WatchJobRequest.js';
import type { WeightsFrame__Output } from './generated/deeprelax/v1/WeightsFrame.js';
import type { WeightsHeader__Output } from './generated/deeprelax/v1/WeightsHeader.js';
import type { WorkerInfo__Output } from './generated/deeprelax/v1/WorkerInfo.js';
import { bearerClientInterceptor, channelCredentials, type ClientTlsConfig } from './auth.js';
import { toRpcError } from './errors.js';
import { dtypeToProto, type WireDType } from './dtype.js';
import type { NamedTensor, ReceiveLimits, TensorExpectations } from './frames.js';
import { protoGrpc } from './loader.js';
import { clientChannelOptions, DEFAULT_DEADLINES, deadlineIn } from './options.js';
import { MessageReader, receiveTensorStream, tensorStreamMessages, writeMessages } from './streams.js';

export interface ClientOptions {
  /** Bearer token sent with every call. */
  token?: string | null;
  /** TLS; insecure when absent. */
  tls?: ClientTlsConfig | null;
  /** Overrides of the channel options. */
  channelOptions?: grpc.ChannelOptions;
  /** More client interceptors. */
  interceptors?: grpc.Interceptor[];
}

/** Per-call options. */
export interface CallOptions {
  /** Deadline in ms from now (default per method kind; Infinity for none). */
  deadlineMs?: number;
  /** Cancels the call. */
  signal?: AbortSignal;
  metadata?: grpc.Metadata;
}

function stubArgs(options: ClientOptions): [grpc.ChannelCredentials, grpc.ClientOptions] {
  const interceptors = [...(options.interceptors ?? [])];
  // With TLS the token travels as call credentials; without, through an interceptor.
  if (options.token && !options.tls) interceptors.unshift(bearerClientInterceptor(options.token));
  const o: grpc.ClientOptions = { ...clientChannelOptions(options.channelOptions) };
  if (options.tls?.serverName) o['grpc.ssl_target_name_override'] = options.tls.serverName;
  if (interceptors.length > 0) o.interceptors = interceptors;
  return [channelCredentials(options.tls, options.token), o];
}

/** The generated JobService stub with deeprelax's channel options and credentials. */
export function createJobServiceStub(address: string, options: ClientOptions = {}): JobServiceClient {
  return new (protoGrpc().deeprelax.v1.JobService)(address, ...stubArgs(options));
}

/** The generated CoordinatorService stub with deeprelax's channel options and credentials. */
export function createCoordinatorServiceStub(address: string, options: ClientOptions = {}): CoordinatorServiceClient {
  return new (protoGrpc().deeprelax.v1.CoordinatorService)(address, ...stubArgs(options));
}

type UnaryInvoker<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, res?: Res) => void,
) => grpc.ClientUnaryCall;

/** Calls a unary method; resolves with the response or rejects with an RpcError. */
export function callUnary<Req, Res>(
  invoke: UnaryInvoker<Req, Res>,
  request: Req,
  options: CallOptions = {},
  defaultDeadlineMs: number = DEFAULT_DEADLINES.unary,
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(toRpcError(options.signal.reason ?? abortError()));
      return;
    }
    const call = invoke(
      request,
      options.metadata ?? new grpc.Metadata(),
      { deadline: deadlineIn(options.deadlineMs ?? defaultDeadlineMs) },
      (err, res) => {
        options.signal?.removeEventListener('abort', onAbort);
        if (err) reject(toRpcError(err));
        else resolve(res as Res);
      },
    );
    const onAbort = () => call.cancel();
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(): Error {
  const e = new Error('aborted');
  e.name = 'AbortError';
  return e;
}

function streamCallOptions(options: CallOptions, defaultDeadlineMs: number): grpc.CallOptions {
  return { deadline: deadlineIn(options.deadlineMs ?? defaultDeadlineMs) };
}

function linkAbort(signal: AbortSignal | undefined, call: { cancel(): void }): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    call.cancel();
    return () => {};
  }
  const onAbort = () => call.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

// ---- exchange ----------------------------------------------------------------------------------

export interface ExchangeOptions extends CallOptions {
  /** Wire dtype of the tensors sent (default float32). */
  dtype?: WireDType;
  chunkBytes?: number;
  /** Limits on the reply's tensors. */
  limits?: ReceiveLimits;
  /** Expected reply tensors, checked against the reply header before its bytes arrive. */
  expect?: TensorExpectations;
  /**
   * Receive the reply's tensors into these arrays (by name, when the length matches). A failed
   * exchange may leave them partly overwritten.
   */
  into?: Readonly<Record<string, Float32Array>>;
}

export interface ExchangeOutcome {
  reply: ExchangeReply__Output;
  tensors: NamedTensor[];
  /** The reply's tensors by name. */
  byName: Map<string, Float32Array>;
}

/**
 * One parameter exchange on a CoordinatorService stub: sends the header and the tensors' chunks,
 * half-closes, and receives and verifies the reply's header and tensors. Rejects with an
 * RpcError (e.g. AbortedError for a stale round) as soon as the server rejects.
 */
export async function exchange(
  stub: CoordinatorServiceClient,
  header: Omit<ExchangeHeader, 'tensors'>,
  tensors: readonly NamedTensor[],
  options: ExchangeOptions = {},
): Promise<ExchangeOutcome> {
  const call = stub.Exchange(
    options.metadata ?? new grpc.Metadata(),
    streamCallOptions(options, DEFAULT_DEADLINES.exchange),
  );
  const reader = new MessageReader<ExchangeResponse__Output>(call);
  const unlink = linkAbort(options.signal, call);
  try {
    const receiving = receiveTensorStream<ExchangeReply__Output>(reader, {
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.expect ? { expect: () => options.expect } : {}),
      ...(options.into ? { into: options.into } : {}),
      headerField: 'reply.tensors',
    });
    // Surface a server rejection even while still sending.
    receiving.catch(() => {});
    try {
      await writeMessages<ExchangeRequest>(
        call,
        tensorStreamMessages<ExchangeHeader>(header, tensors, {
          ...(options.dtype ? { dtype: options.dtype } : {}),
          ...(options.chunkBytes ? { chunkBytes: options.chunkBytes } : {}),
        }),
        () => reader.failure,
      );
      call.end();
    } catch (err) {
      // A failed write usually means the server already answered with an error: prefer it.
      await receiving;
      throw err;
    }
    const { header: reply, tensors: got } = await receiving;
    return { reply, tensors: got, byName: new Map(got.map((t) => [t.name, t.values])) };
  } catch (err) {
    call.cancel();
    throw toRpcError(err);
  } finally {
    unlink();
    reader.dispose();
  }
}

// ---- facades -----------------------------------------------------------------------------------

/** Promise-based client of the jobs service (CLI, users' code). */
export class JobsClient {
  readonly stub: JobServiceClient;

  constructor(address: string, options: ClientOptions = {}) {
    this.stub = createJobServiceStub(address, options);
  }

  submitJob(spec: JobSpec, requestId = '', options: CallOptions = {}): Promise<Job__Output> {
    return callUnary((r, m, o, cb) => this.stub.SubmitJob(r, m, o, cb), { spec, requestId }, options);
  }

  getJob(jobId: string, options: CallOptions = {}): Promise<Job__Output> {
    return callUnary((r, m, o, cb) => this.stub.GetJob(r, m, o, cb), { jobId }, options);
  }

  listJobs(request: ListJobsRequest = {}, options: CallOptions = {}): Promise<ListJobsResponse__Output> {
    return callUnary((r, m, o, cb) => this.stub.ListJobs(r, m, o, cb), request, options);
  }

  cancelJob(jobId: string, reason = '', options: CallOptions = {}): Promise<Job__Output> {
    return callUnary((r, m, o, cb) => this.stub.CancelJob(r, m, o, cb), { jobId, reason }, options);
  }

  async listWorkers(jobId = '', options: CallOptions = {}): Promise<WorkerInfo__Output[]> {
    const res = await callUnary<ListWorkersRequest, ListWorkersResponse__Output>(
      (r, m, o, cb) => this.stub.ListWorkers(r, m, o, cb),
      { jobId },
      options,
    );
    return res.workers;
  }

  /**
   * The job's events until it reaches a terminal state (no deadline by default). Breaking out of
   * the loop cancels the call.
   */
  async *watchJob(request: WatchJobRequest, options: CallOptions = {}): AsyncGenerator<JobEvent__Output> {
    const call = this.stub.WatchJob(
      request,
      options.metadata ?? new grpc.Metadata(),
      streamCallOptions(options, Infinity),
    );
    const reader = new MessageReader<JobEvent__Output>(call);
    const unlink = linkAbort(options.signal, call);
    let done = false;
    try {
      for (;;) {
        const ev = await reader.next();
        if (ev === null) {
          done = true;
          return;
        }
        yield ev;
      }
    } finally {
      unlink();
      if (!done) call.cancel();
      reader.dispose();
    }
  }

  /** The job's weights ("x" and, if asked, "buffers"), verified. */
  async fetchWeights(
    request: Omit<FetchWeightsRequest, 'dtype'> & { dtype?: WireDType },
    options: CallOptions & { limits?: ReceiveLimits } = {},
  ): Promise<{ header: WeightsHeader__Output; tensors: NamedTensor[] }> {
    const call = this.stub.FetchWeights(
      { ...request, dtype: dtypeToProto(request.dtype ?? 'float32') },
      options.metadata ?? new grpc.Metadata(),
      streamCallOptions(options, DEFAULT_DEADLINES.fetch),
    );
    const reader = new MessageReader<WeightsFrame__Output>(call);
    const unlink = linkAbort(options.signal, call);
    try {
      return await receiveTensorStream<WeightsHeader__Output>(reader, {
        ...(options.limits ? { limits: options.limits } : {}),
      });
    } catch (err) {
      call.cancel();
      throw toRpcError(err);
    } finally {
      unlink();
      reader.dispose();
    }
  }

  close(): void {
    this.stub.close();
  }
}

/** Promise-based client of the coordinator service (workers). */
export class CoordinatorClient {
  readonly stub: CoordinatorServiceClient;

  constructor(address: string, options: ClientOptions = {}) {
    this.stub = createCoordinatorServiceStub(address, options);
  }

  register(request: RegisterRequest, options: CallOptions = {}): Promise<RegisterResponse__Output> {
    return callUnary((r, m, o, cb) => this.stub.Register(r, m, o, cb), request, options);
  }

  heartbeat(request: HeartbeatRequest, options: CallOptions = {}): Promise<HeartbeatResponse__Output> {
    return callUnary((r, m, o, cb) => this.stub.Heartbeat(r, m, o, cb), request, options);
  }

  async leave(request: LeaveRequest, options: CallOptions = {}): Promise<void> {
    await callUnary((r, m, o, cb) => this.stub.Leave(r, m, o, cb), request, options);
  }

  exchange(
    header: Omit<ExchangeHeader, 'tensors'>,
    tensors: readonly NamedTensor[],
    options: ExchangeOptions = {},
  ): Promise<ExchangeOutcome> {
    return exchange(this.stub, header, tensors, options);
  }

  close(): void {
    this.stub.close();
  }
}
