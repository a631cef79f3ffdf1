// The error taxonomy of the wire, and its mapping to and from gRPC status codes.
//
// Services throw these typed errors; `toStatus` (the one mapping, used by every server wrapper)
// turns any thrown value into a gRPC status, and `fromStatus` (used by every client helper) turns
// a status received by a client back into the same class, with `field` and `reason` restored from
// the trailers. Anything that is not an RpcError becomes INTERNAL.
import * as grpc from '@grpc/grpc-js';

/** Trailer naming the offending request field (INVALID_ARGUMENT and friends). */
export const FIELD_TRAILER = 'deeprelax-field';
/** Trailer with a machine-readable reason slug ("checksum", "stale-round", "truncated", ...). */
export const REASON_TRAILER = 'deeprelax-reason';

export interface RpcErrorOptions {
  /** The request field the error is about, e.g. "spec.hyper.lr" or "tensors[0].crc32". */
  field?: string;
  /** Machine-readable reason, e.g. "checksum", "stale-round", "oversize". */
  reason?: string;
  cause?: unknown;
}

/** Base class of every error that crosses the wire. `code` is its gRPC status. */
export abstract class RpcError extends Error {
  abstract readonly code: grpc.status;
  readonly field: string | null;
  readonly reason: string | null;
  constructor(message: string, options: RpcErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.field = options.field ?? null;
    this.reason = options.reason ?? null;
  }
  /** Name of the status code, e.g. "NOT_FOUND". */
  get codeName(): string {
    return grpc.status[this.code] ?? String(this.code);
  }
}

/** The client gave up (CANCELLED). */
export class CancelledError extends RpcError {
  readonly code = grpc.status.CANCELLED;
}
/** A request is malformed; `field` names what is wrong. */
export class InvalidArgumentError extends RpcError {
  readonly code = grpc.status.INVALID_ARGUMENT;
  constructor(field: string | null, message: string, options: Omit<RpcErrorOptions, 'field'> = {}) {
    super(field ? `${field}: ${message}` : message, { ...options, ...(field ? { field } : {}) });
  }
}
export class DeadlineExceededError extends RpcError {
  readonly code = grpc.status.DEADLINE_EXCEEDED;
}
export class NotFoundError extends RpcError {
  readonly code = grpc.status.NOT_FOUND;
}
export class AlreadyExistsError extends RpcError {
  readonly code = grpc.status.ALREADY_EXISTS;
}
export class PermissionDeniedError extends RpcError {
  readonly code = grpc.status.PERMISSION_DENIED;
}
/** Over a size or rate limit (e.g. a tensor larger than the receiver accepts). */
export class ResourceExhaustedError extends RpcError {
  readonly code = grpc.status.RESOURCE_EXHAUSTED;
}
/** The system is not in a state for this (expired lease, stale fencing token, finished job). */
export class FailedPreconditionError extends RpcError {
  readonly code = grpc.status.FAILED_PRECONDITION;
}
/** A concurrency conflict the caller resolves by re-reading state, e.g. a stale round. */
export class AbortedError extends RpcError {
  readonly code = grpc.status.ABORTED;
}
export class OutOfRangeError extends RpcError {
  readonly code = grpc.status.OUT_OF_RANGE;
}
export class UnimplementedError extends RpcError {
  readonly code = grpc.status.UNIMPLEMENTED;
}
export class InternalError extends RpcError {
  readonly code = grpc.status.INTERNAL;
}
/** Transient: the server is down or restarting; retry with backoff. */
export class UnavailableError extends RpcError {
  readonly code = grpc.status.UNAVAILABLE;
}
/** Corrupt or incomplete data: checksum mismatch, a stream that ended early. */
export class DataLossError extends RpcError {
  readonly code = grpc.status.DATA_LOSS;
}
/** Missing or wrong credentials. */
export class UnauthenticatedError extends RpcError {
  readonly code = grpc.status.UNAUTHENTICATED;
}

type Make = (message: string, options: RpcErrorOptions) => RpcError;

/** Client side: which class a received status code becomes (the inverse of each class's code). */
const MAKE_OF_CODE: Record<number, Make> = {
  [grpc.status.CANCELLED]: (m, o) => new CancelledError(m, o),
  [grpc.status.UNKNOWN]: (m, o) => new InternalError(m, o),
  [grpc.status.INVALID_ARGUMENT]: (m, o) => {
    const { field, ...rest } = o;
    const prefix = field ? `${field}: ` : '';
    return new InvalidArgumentError(field ?? null, prefix && m.startsWith(prefix) ? m.slice(prefix.length) : m, rest);
  },
  [grpc.status.DEADLINE_EXCEEDED]: (m, o) => new DeadlineExceededError(m, o),
  [grpc.status.NOT_FOUND]: (m, o) => new NotFoundError(m, o),
  [grpc.status.ALREADY_EXISTS]: (m, o) => new AlreadyExistsError(m, o),
  [grpc.status.PERMISSION_DENIED]: (m, o) => new PermissionDeniedError(m, o),
  [grpc.status.RESOURCE_EXHAUSTED]: (m, o) => new ResourceExhaustedError(m, o),
  [grpc.status.FAILED_PRECONDITION]: (m, o) => new FailedPreconditionError(m, o),
  [grpc.status.ABORTED]: (m, o) => new AbortedError(m, o),
  [grpc.status.OUT_OF_RANGE]: (m, o) => new OutOfRangeError(m, o),
  [grpc.status.UNIMPLEMENTED]: (m, o) => new UnimplementedError(m, o),
  [grpc.status.INTERNAL]: (m, o) => new InternalError(m, o),
  [grpc.status.UNAVAILABLE]: (m, o) => new UnavailableError(m, o),
  [grpc.status.DATA_LOSS]: (m, o) => new DataLossError(m, o),
  [grpc.status.UNAUTHENTICATED]: (m, o) => new UnauthenticatedError(m, o),
};

/** A status as a server sends it. */
export interface WireStatus {
  code: grpc.status;
  details: string;
  metadata: grpc.Metadata;
}

function isGrpcStatusLike(e: unknown): e is { code: number; details?: string; metadata?: grpc.Metadata } {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { code?: unknown }).code === 'number' &&
    (e as { code: number }).code > 0 &&
    (e as { code: number }).code <= 16 &&
    ('details' in e || 'metadata' in e)
  );
}

/**
 * THE mapping from anything a handler throws to the gRPC status sent to the client.
 * - RpcError: its code, its message, and trailers for field and reason;
 * - an error already carrying a gRPC status (e.g. from a downstream call): passed through;
 * - an AbortError (the call was cancelled): CANCELLED;
 * - anything else: INTERNAL.
 */
export function toStatus(err: unknown): WireStatus {
  const metadata = new grpc.Metadata();
  if (err instanceof RpcError) {
    if (err.field) metadata.set(FIELD_TRAILER, err.field);
    if (err.reason) metadata.set(REASON_TRAILER, err.reason);
    return { code: err.code, details: err.message, metadata };
  }
  if (isGrpcStatusLike(err)) {
    return {
      code: err.code as grpc.status,
      details: err.details ?? (err instanceof Error ? err.message : ''),
      metadata: err.metadata instanceof grpc.Metadata ? err.metadata : metadata,
    };
  }
  if (err instanceof Error && err.name === 'AbortError') {
    return { code: grpc.status.CANCELLED, details: err.message || 'cancelled', metadata };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: grpc.status.INTERNAL, details: `internal error: ${message}`, metadata };
}

function trailer(md: grpc.Metadata | undefined, key: string): string | undefined {
  const v = md?.get(key)[0];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/**
 * The inverse of toStatus on the client side: a status (or grpc-js ServiceError) becomes the
 * RpcError subclass of its code, with field and reason restored from the trailers.
 */
export function fromStatus(s: { code: number; details?: string; metadata?: grpc.Metadata }): RpcError {
  if (s instanceof RpcError) return s;
  const make = MAKE_OF_CODE[s.code] ?? ((m: string, o: RpcErrorOptions) => new InternalError(m, o));
  const field = trailer(s.metadata, FIELD_TRAILER);
  const reason = trailer(s.metadata, REASON_TRAILER);
  return make(s.details ?? '', {
    ...(field ? { field } : {}),
    ...(reason ? { reason } : {}),
    cause: s,
  });
}

/** fromStatus for whatever a client call rejected with (a ServiceError, or a local error). */
export function toRpcError(err: unknown): RpcError {
  if (err instanceof RpcError) return err;
  if (isGrpcStatusLike(err)) return fromStatus(err);
  if (err instanceof Error && err.name === 'AbortError') {
    return new CancelledError(err.message || 'cancelled', { cause: err });
  }
  return new InternalError(err instanceof Error ? err.message : String(err), { cause: err });
}
