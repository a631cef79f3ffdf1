// Server-side wrappers: write service methods as async functions that return values or throw
// RpcErrors; the wrappers do the gRPC plumbing (callbacks, back-pressure, cancellation) and map
// every error through toStatus, the one mapping.
import * as grpc from '@grpc/grpc-js';
import type { ExchangeHeader__Output } from './generated/deeprelax/v1/ExchangeHeader.js';
import type { ExchangeReply } from './generated/deeprelax/v1/ExchangeReply.js';
import type { ExchangeRequest__Output } from './generated/deeprelax/v1/ExchangeRequest.js';
import type { ExchangeResponse } from './generated/deeprelax/v1/ExchangeResponse.js';
import type { FetchWeightsRequest__Output } from './generated/deeprelax/v1/FetchWeightsRequest.js';
import type { WeightsFrame } from './generated/deeprelax/v1/WeightsFrame.js';
import type { WeightsHeader } from './generated/deeprelax/v1/WeightsHeader.js';
import type { VectorPool } from './array-pool.js';
import { toStatus } from './errors.js';
import { dtypeFromProto, type WireDType } from './dtype.js';
import type { NamedTensor, ReceiveLimits, TensorExpectations } from './frames.js';
import { MessageReader, receiveTensorStream, tensorStreamMessages, writeMessages } from './streams.js';

/** An AbortSignal that fires when the call is cancelled (client gone, deadline passed). */
export function callSignal(call: { on(event: 'cancelled', l: () => void): unknown; cancelled?: boolean }): AbortSignal {
  const ac = new AbortController();
  if (call.cancelled) ac.abort();
  else call.on('cancelled', () => ac.abort());
  return ac.signal;
}

/** A unary method from an async function. */
export function unary<Req, Res>(
  fn: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request, call))
      .then(
        (res) => callback(null, res),
        (err: unknown) => callback(toStatus(err)),
      );
  };
}

/**
 * A server-streaming method from an async generator. Messages are written with back-pressure;
 * when the client cancels, the generator is closed (its `finally` blocks run) and `signal` aborts.
 */
export function serverStream<Req, Res>(
  fn: (request: Req, call: grpc.ServerWritableStream<Req, Res>, signal: AbortSignal) => AsyncIterable<Res> | Iterable<Res>,
): grpc.handleServerStreamingCall<Req, Res> {
  return (call) => {
    const signal = callSignal(call);
    void (async () => {
      try {
        await writeMessages(call, fn(call.request, call, signal), () => (signal.aborted ? 'cancelled' : null));
        if (!signal.aborted) call.end();
      } catch (err) {
        if (!signal.aborted) call.emit('error', toStatus(err));
      }
    })();
  };
}

/** A bidirectional-streaming method from an async function that owns the call until it resolves. */
export function bidiStream<Req, Res>(
  fn: (call: grpc.ServerDuplexStream<Req, Res>, signal: AbortSignal) => Promise<void>,
): grpc.handleBidiStreamingCall<Req, Res> {
  return (call) => {
    const signal = callSignal(call);
    void (async () => {
      try {
        await fn(call, signal);
        if (!signal.aborted) call.end();
      } catch (err) {
        if (!signal.aborted) call.emit('error', toStatus(err));
      }
    })();
  };
}

// ---- parameter exchange ------------------------------------------------------------------------

/** What an exchange implementation receives: the verified header and tensors. */
export interface ExchangeContext {
  header: ExchangeHeader__Output;
  tensors: NamedTensor[];
  /** The tensors by name. */
  byName: Map<string, Float32Array>;
  call: grpc.ServerDuplexStream<ExchangeRequest__Output, ExchangeResponse>;
  /** Aborts when the worker cancels or its deadline passes (e.g. while waiting for a round). */
  signal: AbortSignal;
}

/** What an exchange implementation answers. */
export interface ExchangeResult {
  reply: Omit<ExchangeReply, 'tensors'>;
  /**
   * Sent without copying when float32: do not modify these arrays until the call has ended;
   * pass a snapshot of state that other exchanges may change meanwhile (e.g. async EASGD's x).
   */
  tensors?: readonly NamedTensor[];
  /** Wire dtype of the reply's tensors; default: the dtype of the request's first tensor. */
  dtype?: WireDType;
  chunkBytes?: number;
  /** false: write the reply's chunks back to back, without an event-loop turn between them. */
  pace?: boolean;
  /** Called once the call has ended (reply written, or failed): the reply's arrays are free again. */
  release?: () => void;
}

export interface ExchangeHandlerOptions {
  limits?: ReceiveLimits;
  /**
   * Called with the header before the tensors' bytes are accepted: throw (e.g. AbortedError for a
   * stale round, FailedPreconditionError for a stale fencing token) to reject the exchange early,
   * or return the expected tensor names and sizes.
   */
  expect?: (
    header: ExchangeHeader__Output,
  ) => TensorExpectations | void | Promise<TensorExpectations | void>;
  /**
   * Staging arrays to receive the tensors into (by name, when the length matches), e.g. one
   * per worker, to spare large allocations. Never the live x: a failed exchange may leave them
   * partly overwritten.
   */
  into?: (header: ExchangeHeader__Output) => Readonly<Record<string, Float32Array>> | undefined;
  /**
   * Receive tensors into arrays taken from this pool and recycled from call to call, instead of
   * new ones: large allocations per exchange are what drives the garbage collector. E.g. core's
   * Float32Arena, shared with the code that reduces them. Only tensors whose length `expect` fixed
   * in advance are pooled (an unchecked header never sizes an allocation), and an array goes back
   * to the pool when its call has ended (reply written, or failed). So `fn` must not keep the
   * received tensors, nor send them back, once its promise has settled. Ignored when `into` is
   * given.
   */
  pool?: VectorPool;
}

/**
 * Runs `fn` once every message written to `call` has been handed to gRPC (serialized, so views
 * of the reply's arrays are no longer read) or the call is gone. A written message can sit in the
 * stream's buffer after write() returned, so this waits for 'finish' (after end() and the last
 * write's callback) rather than for writeMessages.
 */
function afterFlush(call: grpc.ServerDuplexStream<unknown, unknown>, fn: () => void): void {
  if (call.writableFinished || call.destroyed) {
    fn();
    return;
  }
  // Not 'error': bidiStream emits it by hand before grpc-js has ended the stream, so messages may
  // still be queued. A cancelled call is destroyed, which emits 'close'.
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    call.off('finish', once);
    call.off('close', once);
    fn();
  };
  call.on('finish', once);
  call.on('close', once);
}

/**
 * The CoordinatorService.Exchange method: receives header + chunks, verifies (order, sizes,
 * checksums, and finiteness when limits.requireFinite), calls `fn`, and streams its reply back.
 * Nothing reaches `fn` unless every check passed.
 */
export function exchangeHandler(
  fn: (ctx: ExchangeContext) => Promise<ExchangeResult>,
  options: ExchangeHandlerOptions = {},
): grpc.handleBidiStreamingCall<ExchangeRequest__Output, ExchangeResponse> {
  const pool = options.into ? null : (options.pool ?? null);
  return bidiStream<ExchangeRequest__Output, ExchangeResponse>(async (call, signal) => {
    const reader = new MessageReader<ExchangeRequest__Output>(call);
    const taken: Float32Array[] = [];
    let release: (() => void) | undefined;
    const pooled = pool
      ? (h: ExchangeHeader__Output, expected: TensorExpectations): Record<string, Float32Array> | undefined => {
          const out: Record<string, Float32Array> = {};
          for (const t of h.tensors) {
            const want = expected.lengths?.[t.name];
            if (want === undefined || want !== Number(t.length) || want === 0 || Object.hasOwn(out, t.name)) continue;
            const a = pool.take(want);
            taken.push(a);
            out[t.name] = a;
          }
          return out;
        }
      : options.into;
    try {
      const { header, tensors } = await receiveTensorStream<ExchangeHeader__Output>(reader, {
        ...(options.limits ? { limits: options.limits } : {}),
        ...(options.expect ? { expect: options.expect } : {}),
        ...(pooled ? { into: pooled } : {}),
      });
      const byName = new Map(tensors.map((t) => [t.name, t.values]));
      const result = await fn({ header, tensors, byName, call, signal });
      release = result.release;
      const dtype = result.dtype ?? dtypeFromProto(header.tensors[0]?.dtype);
      await writeMessages<ExchangeResponse>(
        call,
        tensorStreamMessages<ExchangeReply>(result.reply, result.tensors ?? [], {
          dtype,
          ...(result.chunkBytes ? { chunkBytes: result.chunkBytes } : {}),
          ...(result.pace === false ? { pace: false } : {}),
        }),
        () => (signal.aborted ? 'cancelled' : null),
      );
    } finally {
      reader.dispose();
      if (pool) for (const a of taken) pool.give(a);
      if (release) afterFlush(call, release);
    }
  });
}

// ---- weights -----------------------------------------------------------------------------------

export interface WeightsResult {
  header: Omit<WeightsHeader, 'tensors'>;
  /** Sent without copying when float32: pass a snapshot if the weights may change meanwhile. */
  tensors: readonly NamedTensor[];
  chunkBytes?: number;
}

/**
 * The JobService.FetchWeights method: `fn` returns the header and tensors; they are streamed in
 * the dtype the request asked for.
 */
export function fetchWeightsHandler(
  fn: (request: FetchWeightsRequest__Output, signal: AbortSignal) => Promise<WeightsResult>,
): grpc.handleServerStreamingCall<FetchWeightsRequest__Output, WeightsFrame> {
  return serverStream<FetchWeightsRequest__Output, WeightsFrame>(async function* (request, _call, signal) {
    const dtype = dtypeFromProto(request.dtype, 'dtype');
    const result = await fn(request, signal);
    yield* tensorStreamMessages<WeightsHeader>(result.header, result.tensors, {
      dtype,
      ...(result.chunkBytes ? { chunkBytes: result.chunkBytes } : {}),
    });
  });
}
