// How the worker reacts to an error from the coordinator (coordinator.proto's error list).
import {
  AbortedError,
  CancelledError,
  DataLossError,
  DeadlineExceededError,
  FailedPreconditionError,
  InternalError,
  NotFoundError,
  UnavailableError,
  toRpcError,
  type RpcError,
} from '@deeprelax/rpc';

export type ErrorAction =
  /** The coordinator is away or slow: back off and try again. */
  | 'retry'
  /** Stale round or phase: PULL x and continue from the reply's round. */
  | 'pull'
  /** Lease expired, stale fencing token, unknown worker or not assigned: register again. */
  | 'register'
  /** Anything else: the assignment cannot go on. */
  | 'fail';

export function classify(err: unknown): { action: ErrorAction; error: RpcError } {
  const e = toRpcError(err);
  if (e instanceof AbortedError) return { action: 'pull', error: e };
  if (e instanceof FailedPreconditionError || e instanceof NotFoundError) return { action: 'register', error: e };
  // DATA_LOSS: a checksum mismatch or truncated stream on the way; the same exchange may be sent again.
  if (e instanceof UnavailableError || e instanceof DeadlineExceededError || e instanceof CancelledError || e instanceof DataLossError) {
    return { action: 'retry', error: e };
  }
  // grpc-js reports a connection torn down mid-stream as INTERNAL ("Received RST_STREAM ...").
  if (e instanceof InternalError && /RST_STREAM|ECONNRESET|socket|closed|GOAWAY|connection/i.test(e.message)) {
    return { action: 'retry', error: e };
  }
  return { action: 'fail', error: e };
}

/** One line for logs: "UNAVAILABLE: No connection established". */
export function describe(err: unknown): string {
  const e = toRpcError(err);
  return `${e.codeName}: ${e.message}`;
}
