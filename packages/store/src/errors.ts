/**
 * The store's error taxonomy. Every failure a caller can act on is one of these classes with a
 * stable `code` (mapped to a gRPC status elsewhere, in one function). Both implementations throw
 * exactly the same classes for the same situations; the conformance suite checks it.
 */
import type { JobState } from './states.js';

export type StoreErrorCode =
  | 'NOT_FOUND'
  | 'ILLEGAL_TRANSITION'
  | 'TRANSITION_CONFLICT'
  | 'STALE_FENCING'
  | 'LEASE_EXPIRED'
  | 'FAILED_PRECONDITION'
  | 'INVALID_ARGUMENT'
  | 'UNAVAILABLE'
  | 'CLOSED'
  | 'INTERNAL';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export type EntityKind = 'job' | 'worker';

/** The job or worker id does not exist (or can never exist: malformed id). */
export class NotFoundError extends StoreError {
  constructor(readonly entity: EntityKind, readonly id: string) {
    super('NOT_FOUND', `${entity} ${JSON.stringify(id)} not found`);
  }
}

/** `from -> to` is not in JOB_TRANSITIONS. Raised before the store is touched. */
export class IllegalTransitionError extends StoreError {
  constructor(readonly jobId: string, readonly from: JobState, readonly to: JobState) {
    super('ILLEGAL_TRANSITION', `job ${jobId}: transition ${from} -> ${to} is not allowed`);
  }
}

/** Compare-and-set lost: the job was not in the expected state (someone else moved it). */
export class TransitionConflictError extends StoreError {
  constructor(
    readonly jobId: string,
    readonly expected: JobState,
    readonly actual: JobState,
    readonly to: JobState,
  ) {
    super('TRANSITION_CONFLICT', `job ${jobId}: expected state ${expected} to move to ${to}, found ${actual}`);
  }
}

/** A fencing token older than (or otherwise different from) the current one was presented. */
export class StaleFencingError extends StoreError {
  constructor(
    readonly entity: EntityKind,
    readonly id: string,
    readonly presented: number,
    readonly current: number,
  ) {
    super('STALE_FENCING', `${entity} ${id}: fencing token ${presented} is stale (current ${current})`);
  }
}

/** The worker's lease ran out; it must register again (and gets a new fencing token). */
export class LeaseExpiredError extends StoreError {
  constructor(readonly workerId: string, readonly expiredAt: number) {
    super('LEASE_EXPIRED', `worker ${workerId}: lease expired at ${new Date(expiredAt).toISOString()}`);
  }
}

export type PreconditionReason =
  | 'worker-busy' // worker already assigned to another job
  | 'job-not-active' // job is terminal; no more workers
  | 'job-full' // job already has maxWorkers live workers
  | 'stale-checkpoint'; // checkpoint round older than the recorded latest

export class PreconditionFailedError extends StoreError {
  constructor(readonly reason: PreconditionReason, message: string) {
    super('FAILED_PRECONDITION', message);
  }
}

export class InvalidArgumentError extends StoreError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

/** The backing service (Redis) could not be reached or did not answer in time. */
export class StoreUnavailableError extends StoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UNAVAILABLE', message, options);
  }
}

/** The store was closed with close(). */
export class StoreClosedError extends StoreError {
  constructor() {
    super('CLOSED', 'run store is closed');
  }
}

/** Anything else: a bug, or a reply the store does not understand. */
export class StoreInternalError extends StoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INTERNAL', message, options);
  }
}
