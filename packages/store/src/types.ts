import type { JobState } from './states.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Milliseconds since the epoch. Injected so tests can drive leases without sleeping. */
export type Clock = () => number;

// ---------------------------------------------------------------- jobs

export interface NewJob {
  /** The job spec, opaque to the store (JSON text or protobuf bytes). Strings are stored as UTF-8. */
  spec: Uint8Array | string;  // at most MAX_SPEC_BYTES (1 MiB)
  /** Workers needed before the job may start (default 1). */
  minWorkers?: number;
  /** Most live workers assignWorker will admit; null = no limit (default). */
  maxWorkers?: number | null;
}

export interface JobProgress {
  round: number;
  effectiveEpochs: number;
  updatedAt: number;
}

export interface JobErrorInfo {
  code: string;
  message: string;
  at: number;
}

export interface JobRecord {
  id: string;
  state: JobState;
  spec: Uint8Array;
  minWorkers: number;
  maxWorkers: number | null;
  /** Submission order, unique and increasing; the queue is FIFO by seq. */
  seq: number;
  /** Replaced by a larger one on every transition and on fenceJob. */
  fencingToken: number;
  createdAt: number;
  updatedAt: number;
  /** First time the job entered `running`. */
  startedAt: number | null;
  /** When it entered a terminal state. */
  endedAt: number | null;
  progress: JobProgress | null;
  latestMetrics: Record<string, number> | null;
  error: JobErrorInfo | null;
}

export interface ProgressUpdate {
  round: number;
  effectiveEpochs: number;
  /** Replaces latestMetrics when given (NaN and ±Infinity survive the round trip). */
  metrics?: Record<string, number>;
}

export interface JobErrorInput {
  code: string;
  message: string;
}

export interface Fenced {
  /** When given, the operation fails with StaleFencingError unless it equals the current token. */
  fencingToken?: number;
}

export interface TransitionOptions extends Fenced {
  /** Recorded on the job in the same atomic step (typically with to = 'failed'). */
  error?: JobErrorInput;
}

export interface ListJobsFilter {
  /** Only these states (default: all). */
  states?: readonly JobState[];
  /** At most this many, lowest seq first. */
  limit?: number;
}

// ---------------------------------------------------------------- workers

export interface NewWorker {
  /** Human-readable name (host:pid, pod name). */
  name: string;
  /** Lease length; each heartbeat extends the lease to now + ttlMs. */
  ttlMs: number;
  /** Re-register under a known id (a restarted worker rejoining). Omit to get a fresh id. */
  workerId?: string;
  /** Capabilities etc., opaque to the store. */
  meta?: JsonObject;
}

export interface WorkerLease {
  workerId: string;
  fencingToken: number;
  ttlMs: number;
  expiresAt: number;
  /** The job the worker is assigned to (null after register, release, or its job ending). */
  jobId: string | null;
}

export interface WorkerRecord {
  id: string;
  name: string;
  meta: JsonObject;
  fencingToken: number;
  ttlMs: number;
  registeredAt: number;
  lastHeartbeatAt: number;
  leaseExpiresAt: number;
  /** leaseExpiresAt > now at the time of the read. */
  live: boolean;
  jobId: string | null;
  assignedAt: number | null;
}

export interface ExpiredWorker {
  workerId: string;
  /** The job it was assigned to, now released. */
  jobId: string | null;
  leaseExpiresAt: number;
}

// ---------------------------------------------------------------- checkpoints

export interface NewCheckpoint {
  round: number;
  /** Where the bytes are (path, volume URL). The store never touches them. */
  location: string;
  meta?: JsonObject;
}

export interface CheckpointRecord {
  jobId: string;
  round: number;
  location: string;
  meta: JsonObject;
  recordedAt: number;
}

// ---------------------------------------------------------------- streams

export interface MetricInput {
  round: number;
  effectiveEpochs: number;
  /** null for job-level metrics (validation error of x), else the reporting worker. */
  workerId?: string | null;
  values: Record<string, number>;
}

export interface MetricRecord {
  /** Stream id "ms-seq"; strictly increasing within a job. */
  id: string;
  at: number;
  round: number;
  effectiveEpochs: number;
  workerId: string | null;
  values: Record<string, number>;
}

export interface EventInput {
  /** Free-form kind; the store itself writes job.created, job.state, job.fenced, job.error,
   *  checkpoint.recorded, worker.assigned, worker.released. */
  kind: string;
  data?: JsonValue;
}

export interface JobEvent {
  id: string;
  at: number;
  kind: string;
  data: JsonValue;
}

export interface StreamQuery {
  /** Exclusive lower bound (a previously read id); null/absent = from the start. */
  after?: string | null;
  /** Inclusive upper bound; null/absent = to the end. */
  end?: string | null;
  /** At most this many entries (default 1000). */
  limit?: number;
}

export interface WatchOptions {
  /** Start after this id; null/absent = replay the whole stream, then follow. */
  after?: string | null;
  /** Ends the iteration (without error). */
  signal?: AbortSignal;
}

// ---------------------------------------------------------------- the interface

/**
 * Run metadata for deeprelax: the job state machine, worker membership with fenced leases,
 * checkpoint locations, and per-job metric and event streams. Every method either does its whole
 * effect atomically or nothing, and throws only StoreError subclasses (errors.ts).
 */
export interface RunStore {
  // jobs
  /** Creates a job in state `queued` at the back of the queue, with a generated id. */
  createJob(input: NewJob): Promise<JobRecord>;
  getJob(jobId: string): Promise<JobRecord>;
  /** Jobs ordered by submission (seq ascending); with states ['queued'] this is the queue, head first. */
  listJobs(filter?: ListJobsFilter): Promise<JobRecord[]>;
  /** Head of the FIFO queue, or null. */
  nextQueuedJob(): Promise<JobRecord | null>;
  /**
   * Atomic compare-and-set `from -> to`. IllegalTransitionError if the table forbids it,
   * TransitionConflictError if the job is not in `from`, StaleFencingError if a token is given and
   * is not the current one. Entering a terminal state releases the job's workers.
   */
  transitionJob(jobId: string, from: JobState, to: JobState, opts?: TransitionOptions): Promise<JobRecord>;
  /** queued|running -> cancelled; idempotent on an already cancelled job; IllegalTransitionError otherwise. */
  cancelJob(jobId: string, opts?: { reason?: string }): Promise<JobRecord>;
  /** New fencing token without a state change (a restarted coordinator taking over a running job). */
  fenceJob(jobId: string): Promise<JobRecord>;
  updateJobProgress(jobId: string, progress: ProgressUpdate, opts?: Fenced): Promise<JobRecord>;
  recordJobError(jobId: string, error: JobErrorInput, opts?: Fenced): Promise<JobRecord>;

  // workers
  /** New lease (and a new, larger fencing token). Re-registering a known id releases its job. */
  registerWorker(input: NewWorker): Promise<WorkerLease>;
  /** Renews the lease. StaleFencingError for an old token, LeaseExpiredError once it ran out. */
  heartbeatWorker(workerId: string, fencingToken: number): Promise<WorkerLease>;
  /** A registered worker, live or expired-but-not-yet-swept. */
  getWorker(workerId: string): Promise<WorkerRecord>;
  /** Workers whose lease has not run out, ordered by registration time then id. */
  listLiveWorkers(): Promise<WorkerRecord[]>;
  /** Assigns a live, free worker to a queued or running job (idempotent for the same job). */
  assignWorker(workerId: string, jobId: string, opts?: Fenced): Promise<WorkerRecord>;
  /** Frees the worker from its job (no-op if it has none). */
  releaseWorker(workerId: string, opts?: Fenced): Promise<WorkerRecord>;
  /** Live workers assigned to the job, ordered by assignment time then id. */
  jobWorkers(jobId: string): Promise<WorkerRecord[]>;
  /** The worker leaves for good: released from its job and forgotten. */
  leaveWorker(workerId: string, fencingToken: number): Promise<void>;
  /** Forgets workers whose lease ran out, releasing their jobs. Returns what it removed. */
  sweepExpiredWorkers(): Promise<ExpiredWorker[]>;

  // checkpoints
  /**
   * Records the job's latest checkpoint; returns the one it replaced (so its files can go).
   * A round lower than the recorded one fails with PreconditionFailedError('stale-checkpoint').
   */
  recordCheckpoint(jobId: string, checkpoint: NewCheckpoint, opts?: Fenced): Promise<CheckpointRecord | null>;
  latestCheckpoint(jobId: string): Promise<CheckpointRecord | null>;

  // metric and event streams (bounded: old entries are trimmed approximately)
  appendMetric(jobId: string, metric: MetricInput): Promise<string>;
  readMetrics(jobId: string, query?: StreamQuery): Promise<MetricRecord[]>;
  /**
   * Replays entries after opts.after, then follows new ones until opts.signal aborts or the store
   * closes. NotFoundError (unknown job) and StoreUnavailableError (connection lost) are thrown
   * from the iteration; resume with after = the last id seen.
   */
  watchMetrics(jobId: string, opts?: WatchOptions): AsyncIterable<MetricRecord>;
  appendJobEvent(jobId: string, event: EventInput): Promise<string>;
  readJobEvents(jobId: string, query?: StreamQuery): Promise<JobEvent[]>;
  watchJobEvents(jobId: string, opts?: WatchOptions): AsyncIterable<JobEvent>;

  /** Releases connections and ends watches; later calls fail with StoreClosedError. */
  close(): Promise<void>;
}
