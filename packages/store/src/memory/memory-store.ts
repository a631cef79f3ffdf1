/**
 * The in-memory RunStore: the embedded default for single-machine runs, and the reference the
 * Redis implementation is checked against. Every method does its whole effect synchronously
 * between two awaits, which is what makes it atomic; records handed out are copies.
 */
import {
  IllegalTransitionError,
  LeaseExpiredError,
  NotFoundError,
  PreconditionFailedError,
  StaleFencingError,
  StoreClosedError,
  TransitionConflictError,
} from '../errors.js';
import { ACTIVE_JOB_STATES, isLegalTransition, isTerminalState, sourcesOf, type JobState } from '../states.js';
import type {
  CheckpointRecord,
  Clock,
  EventInput,
  ExpiredWorker,
  Fenced,
  JobErrorInput,
  JobEvent,
  JobRecord,
  JsonValue,
  ListJobsFilter,
  MetricInput,
  MetricRecord,
  NewCheckpoint,
  NewJob,
  NewWorker,
  ProgressUpdate,
  RunStore,
  StreamQuery,
  TransitionOptions,
  WatchOptions,
  WorkerLease,
  WorkerRecord,
} from '../types.js';
import {
  checkCheckpoint,
  checkEventKind,
  checkFencing,
  checkJobError,
  checkListLimit,
  checkMetric,
  checkNewJob,
  checkNewWorker,
  checkProgress,
  checkRequiredFencing,
  checkState,
  checkStreamId,
  checkStreamQuery,
  compareStreamIds,
  decodeNumberMap,
  encodeNumberMap,
  jsonCopy,
  knownId,
  newJobId,
  newWorkerId,
} from '../validate.js';

export interface InMemoryRunStoreOptions {
  clock?: Clock;
  /** Entries kept per job metric stream (default 100 000). */
  metricsMaxLen?: number;
  /** Entries kept per job event stream (default 10 000). */
  eventsMaxLen?: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** An append-only log with Redis-stream-like ids ("ms-seq", strictly increasing). */
class MemStream<T extends { id: string }> {
  readonly entries: T[] = [];
  private lastMs = 0;
  private lastSeq = -1;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly maxLen: number) {}

  nextId(now: number): string {
    if (now > this.lastMs) {
      this.lastMs = now;
      this.lastSeq = 0;
    } else {
      this.lastSeq += 1;
    }
    return `${this.lastMs}-${this.lastSeq}`;
  }

  push(entry: T): void {
    this.entries.push(entry);
    if (this.entries.length > this.maxLen) this.entries.splice(0, this.entries.length - this.maxLen);
    for (const l of [...this.listeners]) l();
  }

  read(after: string | null, end: string | null, limit: number): T[] {
    const out: T[] = [];
    for (const e of this.entries) {
      if (after !== null && compareStreamIds(e.id, after) <= 0) continue;
      if (end !== null && compareStreamIds(e.id, end) > 0) break;
      out.push(e);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Resolves on the next push, or when `stop` fires. */
  waitForPush(stop: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.listeners.delete(done);
        stop.removeEventListener('abort', done);
        resolve();
      };
      this.listeners.add(done);
      stop.addEventListener('abort', done, { once: true });
      if (stop.aborted) done();
    });
  }
}

interface MemJob {
  record: Mutable<JobRecord>;
  workers: Set<string>;
  checkpoint: CheckpointRecord | null;
  metrics: MemStream<MetricRecord>;
  events: MemStream<JobEvent>;
}

type MemWorker = Omit<Mutable<WorkerRecord>, 'live'>;

export class InMemoryRunStore implements RunStore {
  private readonly clock: Clock;
  private readonly metricsMaxLen: number;
  private readonly eventsMaxLen: number;
  private readonly jobs = new Map<string, MemJob>();
  private readonly workers = new Map<string, MemWorker>();
  private seq = 0;
  private fencing = 0;
  private closed = false;
  private readonly closing = new AbortController();

  constructor(opts: InMemoryRunStoreOptions = {}) {
    const clock = opts.clock ?? Date.now;
    this.clock = () => Math.floor(clock());
    this.metricsMaxLen = opts.metricsMaxLen ?? 100_000;
    this.eventsMaxLen = opts.eventsMaxLen ?? 10_000;
  }

  // ------------------------------------------------------------------ helpers

  private open(): void {
    if (this.closed) throw new StoreClosedError();
  }

  private job(jobId: string): MemJob {
    const j = this.jobs.get(knownId('job', jobId));
    if (!j) throw new NotFoundError('job', jobId);
    return j;
  }

  private worker(workerId: string): MemWorker {
    const w = this.workers.get(knownId('worker', workerId));
    if (!w) throw new NotFoundError('worker', workerId);
    return w;
  }

  private checkJobFence(j: MemJob, token: number | null): void {
    if (token !== null && token !== j.record.fencingToken) {
      throw new StaleFencingError('job', j.record.id, token, j.record.fencingToken);
    }
  }

  private checkWorkerFence(w: MemWorker, token: number | null): void {
    if (token !== null && token !== w.fencingToken) throw new StaleFencingError('worker', w.id, token, w.fencingToken);
  }

  private emit(j: MemJob, kind: string, data: JsonValue, now: number): string {
    const id = j.events.nextId(now);
    j.events.push({ id, at: now, kind, data: jsonCopy(data) });
    return id;
  }

  private jobOut(j: MemJob): JobRecord {
    return structuredClone(j.record);
  }

  private workerOut(w: MemWorker, now: number): WorkerRecord {
    return { ...structuredClone(w), live: w.leaseExpiresAt > now };
  }

  /** Detaches the worker from its job (if any) and logs why on the job's event stream. */
  private detach(w: MemWorker, reason: string, now: number): void {
    if (w.jobId === null) return;
    const j = this.jobs.get(w.jobId);
    if (j) {
      j.workers.delete(w.id);
      this.emit(j, 'worker.released', { workerId: w.id, reason }, now);
    }
    w.jobId = null;
    w.assignedAt = null;
  }

  private applyTransition(j: MemJob, to: JobState, now: number, extra: { error?: JobErrorInput; reason?: string }): void {
    const r = j.record;
    const from = r.state;
    r.state = to;
    r.fencingToken = ++this.fencing;
    r.updatedAt = now;
    if (to === 'running' && r.startedAt === null) r.startedAt = now;
    if (extra.error) r.error = { code: extra.error.code, message: extra.error.message, at: now };
    if (isTerminalState(to)) {
      r.endedAt = now;
      for (const wid of j.workers) {
        const w = this.workers.get(wid);
        if (w && w.jobId === r.id) {
          w.jobId = null;
          w.assignedAt = null;
        }
      }
      j.workers.clear();
    }
    const data: Record<string, JsonValue> = { from, to, fencingToken: r.fencingToken };
    if (extra.reason !== undefined) data.reason = extra.reason;
    this.emit(j, 'job.state', data, now);
  }

  // ------------------------------------------------------------------ jobs

  async createJob(input: NewJob): Promise<JobRecord> {
    this.open();
    const n = checkNewJob(input);
    let id = newJobId();
    while (this.jobs.has(id)) id = newJobId();
    const now = this.clock();
    const record: Mutable<JobRecord> = {
      id,
      state: 'queued',
      spec: n.spec,
      minWorkers: n.minWorkers,
      maxWorkers: n.maxWorkers,
      seq: ++this.seq,
      fencingToken: ++this.fencing,
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      endedAt: null,
      progress: null,
      latestMetrics: null,
      error: null,
    };
    const j: MemJob = {
      record,
      workers: new Set(),
      checkpoint: null,
      metrics: new MemStream(this.metricsMaxLen),
      events: new MemStream(this.eventsMaxLen),
    };
    this.jobs.set(id, j);
    this.emit(j, 'job.created', { state: 'queued', seq: record.seq }, now);
    return this.jobOut(j);
  }

  async getJob(jobId: string): Promise<JobRecord> {
    this.open();
    return this.jobOut(this.job(jobId));
  }

  async listJobs(filter: ListJobsFilter = {}): Promise<JobRecord[]> {
    this.open();
    const states = filter.states?.map((s) => checkState(s, 'states')) ?? null;
    const limit = checkListLimit(filter.limit);
    const out = [...this.jobs.values()]
      .filter((j) => states === null || states.includes(j.record.state))
      .sort((a, b) => a.record.seq - b.record.seq);
    return (limit === null ? out : out.slice(0, limit)).map((j) => this.jobOut(j));
  }

  async nextQueuedJob(): Promise<JobRecord | null> {
    const [head] = await this.listJobs({ states: ['queued'], limit: 1 });
    return head ?? null;
  }

  async transitionJob(jobId: string, from: JobState, to: JobState, opts: TransitionOptions = {}): Promise<JobRecord> {
    this.open();
    checkState(from, 'from');
    checkState(to, 'to');
    const token = checkFencing(opts.fencingToken);
    const error = opts.error === undefined ? undefined : checkJobError(opts.error);
    if (!isLegalTransition(from, to)) throw new IllegalTransitionError(jobId, from, to);
    const j = this.job(jobId);
    this.checkJobFence(j, token);
    if (j.record.state !== from) throw new TransitionConflictError(jobId, from, j.record.state, to);
    this.applyTransition(j, to, this.clock(), error === undefined ? {} : { error });
    return this.jobOut(j);
  }

  async cancelJob(jobId: string, opts: { reason?: string } = {}): Promise<JobRecord> {
    this.open();
    const j = this.job(jobId);
    const state = j.record.state;
    if (state === 'cancelled') return this.jobOut(j);
    if (!sourcesOf('cancelled').includes(state)) throw new IllegalTransitionError(jobId, state, 'cancelled');
    this.applyTransition(j, 'cancelled', this.clock(), opts.reason === undefined ? {} : { reason: String(opts.reason) });
    return this.jobOut(j);
  }

  async fenceJob(jobId: string): Promise<JobRecord> {
    this.open();
    const j = this.job(jobId);
    const now = this.clock();
    j.record.fencingToken = ++this.fencing;
    j.record.updatedAt = now;
    this.emit(j, 'job.fenced', { fencingToken: j.record.fencingToken }, now);
    return this.jobOut(j);
  }

  async updateJobProgress(jobId: string, progress: ProgressUpdate, opts: Fenced = {}): Promise<JobRecord> {
    this.open();
    const p = checkProgress(progress);
    const token = checkFencing(opts.fencingToken);
    const j = this.job(jobId);
    this.checkJobFence(j, token);
    const now = this.clock();
    j.record.progress = { round: p.round, effectiveEpochs: p.effectiveEpochs, updatedAt: now };
    if (p.metrics !== null) j.record.latestMetrics = decodeNumberMap(encodeNumberMap(p.metrics));
    j.record.updatedAt = now;
    return this.jobOut(j);
  }

  async recordJobError(jobId: string, error: JobErrorInput, opts: Fenced = {}): Promise<JobRecord> {
    this.open();
    const e = checkJobError(error);
    const token = checkFencing(opts.fencingToken);
    const j = this.job(jobId);
    this.checkJobFence(j, token);
    const now = this.clock();
    j.record.error = { code: e.code, message: e.message, at: now };
    j.record.updatedAt = now;
    this.emit(j, 'job.error', { code: e.code, message: e.message }, now);
    return this.jobOut(j);
  }

  // ------------------------------------------------------------------ workers

  async registerWorker(input: NewWorker): Promise<WorkerLease> {
    this.open();
    const n = checkNewWorker(input);
    const now = this.clock();
    let id = n.workerId;
    if (id === null) {
      id = newWorkerId();
      while (this.workers.has(id)) id = newWorkerId();
    } else {
      const old = this.workers.get(id);
      if (old) this.detach(old, 'reregistered', now);
    }
    const w: MemWorker = {
      id,
      name: n.name,
      meta: n.meta,
      fencingToken: ++this.fencing,
      ttlMs: n.ttlMs,
      registeredAt: now,
      lastHeartbeatAt: now,
      leaseExpiresAt: now + n.ttlMs,
      jobId: null,
      assignedAt: null,
    };
    this.workers.set(id, w);
    return { workerId: id, fencingToken: w.fencingToken, ttlMs: w.ttlMs, expiresAt: w.leaseExpiresAt, jobId: null };
  }

  async heartbeatWorker(workerId: string, fencingToken: number): Promise<WorkerLease> {
    this.open();
    const token = checkRequiredFencing(fencingToken);
    const w = this.worker(workerId);
    this.checkWorkerFence(w, token);
    const now = this.clock();
    if (w.leaseExpiresAt <= now) throw new LeaseExpiredError(w.id, w.leaseExpiresAt);
    w.lastHeartbeatAt = now;
    w.leaseExpiresAt = now + w.ttlMs;
    return { workerId: w.id, fencingToken: w.fencingToken, ttlMs: w.ttlMs, expiresAt: w.leaseExpiresAt, jobId: w.jobId };
  }

  async getWorker(workerId: string): Promise<WorkerRecord> {
    this.open();
    return this.workerOut(this.worker(workerId), this.clock());
  }

  async listLiveWorkers(): Promise<WorkerRecord[]> {
    this.open();
    const now = this.clock();
    return [...this.workers.values()]
      .filter((w) => w.leaseExpiresAt > now)
      .sort((a, b) => a.registeredAt - b.registeredAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((w) => this.workerOut(w, now));
  }

  async assignWorker(workerId: string, jobId: string, opts: Fenced = {}): Promise<WorkerRecord> {
    this.open();
    const token = checkFencing(opts.fencingToken);
    knownId('job', jobId);
    const w = this.worker(workerId);
    this.checkWorkerFence(w, token);
    const now = this.clock();
    if (w.leaseExpiresAt <= now) throw new LeaseExpiredError(w.id, w.leaseExpiresAt);
    const j = this.job(jobId);
    if (!ACTIVE_JOB_STATES.includes(j.record.state)) {
      throw new PreconditionFailedError('job-not-active', `job ${jobId} is ${j.record.state}; it takes no workers`);
    }
    if (w.jobId === jobId) return this.workerOut(w, now);
    if (w.jobId !== null) throw new PreconditionFailedError('worker-busy', `worker ${workerId} is assigned to job ${w.jobId}`);
    if (j.record.maxWorkers !== null) {
      let live = 0;
      for (const id of j.workers) if ((this.workers.get(id)?.leaseExpiresAt ?? 0) > now) live += 1;
      if (live >= j.record.maxWorkers) {
        throw new PreconditionFailedError('job-full', `job ${jobId} already has ${live} of at most ${j.record.maxWorkers} workers`);
      }
    }
    j.workers.add(w.id);
    w.jobId = jobId;
    w.assignedAt = now;
    this.emit(j, 'worker.assigned', { workerId: w.id }, now);
    return this.workerOut(w, now);
  }

  async releaseWorker(workerId: string, opts: Fenced = {}): Promise<WorkerRecord> {
    this.open();
    const token = checkFencing(opts.fencingToken);
    const w = this.worker(workerId);
    this.checkWorkerFence(w, token);
    const now = this.clock();
    this.detach(w, 'released', now);
    return this.workerOut(w, now);
  }

  async jobWorkers(jobId: string): Promise<WorkerRecord[]> {
    this.open();
    const j = this.job(jobId);
    const now = this.clock();
    const out: MemWorker[] = [];
    for (const id of j.workers) {
      const w = this.workers.get(id);
      if (w && w.leaseExpiresAt > now) out.push(w);
    }
    return out
      .sort((a, b) => (a.assignedAt ?? 0) - (b.assignedAt ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((w) => this.workerOut(w, now));
  }

  async leaveWorker(workerId: string, fencingToken: number): Promise<void> {
    this.open();
    const token = checkRequiredFencing(fencingToken);
    const w = this.worker(workerId);
    this.checkWorkerFence(w, token);
    this.detach(w, 'left', this.clock());
    this.workers.delete(w.id);
  }

  async sweepExpiredWorkers(): Promise<ExpiredWorker[]> {
    this.open();
    const now = this.clock();
    const expired = [...this.workers.values()]
      .filter((w) => w.leaseExpiresAt <= now)
      .sort((a, b) => a.leaseExpiresAt - b.leaseExpiresAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return expired.map((w) => {
      const jobId = w.jobId;
      this.detach(w, 'expired', now);
      this.workers.delete(w.id);
      return { workerId: w.id, jobId, leaseExpiresAt: w.leaseExpiresAt };
    });
  }

  // ------------------------------------------------------------------ checkpoints

  async recordCheckpoint(jobId: string, checkpoint: NewCheckpoint, opts: Fenced = {}): Promise<CheckpointRecord | null> {
    this.open();
    const c = checkCheckpoint(checkpoint);
    const token = checkFencing(opts.fencingToken);
    const j = this.job(jobId);
    this.checkJobFence(j, token);
    const prev = j.checkpoint;
    if (prev !== null && c.round < prev.round) {
      throw new PreconditionFailedError('stale-checkpoint', `job ${jobId}: checkpoint round ${c.round} is older than recorded round ${prev.round}`);
    }
    const now = this.clock();
    j.checkpoint = { jobId: j.record.id, round: c.round, location: c.location, meta: c.meta, recordedAt: now };
    this.emit(j, 'checkpoint.recorded', { round: c.round, location: c.location }, now);
    return prev === null ? null : structuredClone(prev);
  }

  async latestCheckpoint(jobId: string): Promise<CheckpointRecord | null> {
    this.open();
    const j = this.job(jobId);
    return j.checkpoint === null ? null : structuredClone(j.checkpoint);
  }

  // ------------------------------------------------------------------ streams

  async appendMetric(jobId: string, metric: MetricInput): Promise<string> {
    this.open();
    const m = checkMetric(metric);
    const j = this.job(jobId);
    const now = this.clock();
    const id = j.metrics.nextId(now);
    j.metrics.push({ id, at: now, round: m.round, effectiveEpochs: m.effectiveEpochs, workerId: m.workerId, values: decodeNumberMap(encodeNumberMap(m.values)) });
    return id;
  }

  async readMetrics(jobId: string, query?: StreamQuery): Promise<MetricRecord[]> {
    this.open();
    const q = checkStreamQuery(query);
    return structuredClone(this.job(jobId).metrics.read(q.after, q.end, q.limit));
  }

  watchMetrics(jobId: string, opts: WatchOptions = {}): AsyncIterable<MetricRecord> {
    return this.watch(jobId, (j) => j.metrics, opts);
  }

  async appendJobEvent(jobId: string, event: EventInput): Promise<string> {
    this.open();
    const kind = checkEventKind(event?.kind);
    const data = jsonCopy(event.data);
    const j = this.job(jobId);
    return this.emit(j, kind, data, this.clock());
  }

  async readJobEvents(jobId: string, query?: StreamQuery): Promise<JobEvent[]> {
    this.open();
    const q = checkStreamQuery(query);
    return structuredClone(this.job(jobId).events.read(q.after, q.end, q.limit));
  }

  watchJobEvents(jobId: string, opts: WatchOptions = {}): AsyncIterable<JobEvent> {
    return this.watch(jobId, (j) => j.events, opts);
  }

  private async *watch<T extends { id: string }>(jobId: string, pick: (j: MemJob) => MemStream<T>, opts: WatchOptions): AsyncGenerator<T> {
    this.open();
    let after = opts.after ?? null;
    if (after !== null) checkStreamId(after, 'after');
    const stream = pick(this.job(jobId));
    const stop = opts.signal ? AbortSignal.any([opts.signal, this.closing.signal]) : this.closing.signal;
    while (!stop.aborted) {
      const batch = stream.read(after, null, 1000);
      if (batch.length === 0) {
        await stream.waitForPush(stop);
        continue;
      }
      for (const e of batch) {
        if (stop.aborted) return;
        after = e.id;
        yield structuredClone(e);
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
  }
}
