// Store errors as wire errors. @deeprelax/rpc's toStatus is the one mapping to gRPC status; this
// only turns the store's taxonomy into rpc's (the handlers rethrow the result).
import {
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  RpcError,
  UnavailableError,
} from '@deeprelax/rpc';
import {
  IllegalTransitionError,
  LeaseExpiredError,
  NotFoundError as StoreNotFoundError,
  PreconditionFailedError,
  StaleFencingError,
  StoreError,
  TransitionConflictError,
} from '@deeprelax/store';

/** The rpc error of any error thrown by the store (or passed through when already an RpcError). */
export function wireError(err: unknown, field?: string): Error {
  if (err instanceof RpcError) return err;
  if (err instanceof StoreNotFoundError) return new NotFoundError(err.message, { cause: err });
  if (err instanceof StaleFencingError) return new FailedPreconditionError(err.message, { reason: 'stale-fencing', cause: err });
  if (err instanceof LeaseExpiredError) return new FailedPreconditionError(err.message, { reason: 'lease-expired', cause: err });
  if (err instanceof PreconditionFailedError) return new FailedPreconditionError(err.message, { reason: err.reason, cause: err });
  if (err instanceof IllegalTransitionError) return new FailedPreconditionError(err.message, { reason: 'illegal-transition', cause: err });
  if (err instanceof TransitionConflictError) return new FailedPreconditionError(err.message, { reason: 'transition-conflict', cause: err });
  if (err instanceof StoreError) {
    switch (err.code) {
      case 'INVALID_ARGUMENT':
        return new InvalidArgumentError(field ?? null, err.message, { cause: err });
      case 'UNAVAILABLE':
      case 'CLOSED':
        return new UnavailableError(err.message, { cause: err });
      default:
        return new InternalError(err.message, { cause: err });
    }
  }
  return err instanceof Error ? err : new InternalError(String(err));
}

/** Runs `fn`, converting store errors to rpc errors. */
export async function viaStore<T>(fn: () => Promise<T>, field?: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw wireError(err, field);
  }
}
