// The coordinator's state and orchestration: the jobs it runs (JobRuntime), its view of the worker
// pool, the scheduler (FIFO queue, joining running jobs), membership (register, heartbeat, leave,
// sweep) and taking over RUNNING jobs on start. The gRPC services (jobs-service.ts,
// coordinator-service.ts) are thin layers over this class. PROTOCOL.md is the contract.
import { Float32Arena, initialParameters } from '@deeprelax/core';
import {
  CRC32_IMPLEMENTATION,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
  type Assignment,
  type HeartbeatRequest__Output,
  type HeartbeatResponse,
  type Lease,
  type RegisterRequest__Output,
  type RegisterResponse,
  type WorkerDirective,
  type WorkerProgress__Output,
  type WorkerState__Output,
} from '@deeprelax/rpc';
import {
  isTerminalState,
  StaleFencingError,
  TransitionConflictError,
  type JobRecord,
  type RunStore,
  type WorkerLease,
  type WorkerRecord,
} from '@deeprelax/store';
import type { Logger } from '@deeprelax/runtime';
import { readCheckpoint, type CheckpointData } from './checkpoint.js';
import type { CoordinatorConfig } from './config.js';
import type { DatasetCatalog } from './datasets.js';
import { viaStore, wireError } from './errors.js';
import { EngineProvider, JobEvaluator } from './evaluator.js';
import { JobRuntime } from './job-runtime.js';
import type { CoordinatorMetrics } from './metrics.js';
import { decodeSpec, resolveJobSpec, specToWire, type JobPlan, type ResolvedJob } from './spec.js';

/** The coordinator's view of one registered worker. */
export interface WorkerEntry {
  id: string;
  token: number;
  leaseExpiresAt: number;
  state: WorkerState__Output;
  /** The job the worker says it works on. */
  reportedJob: string;
  /** The job this coordinator assigned it to (mirrors the store). */
  jobId: string | null;
  progress: WorkerProgress__Output | null;
}

export interface CoordinatorDeps {
  store: RunStore;
  config: CoordinatorConfig;
  log: Logger;
  metrics: CoordinatorMetrics;
  catalog: DatasetCatalog;
}

export class Coordinator {
  readonly runtimes = new Map<string, JobRuntime>();
  readonly workers = new Map<string, WorkerEntry>();
  readonly store: RunStore;
  readonly config: CoordinatorConfig;
  readonly log: Logger;
  readonly metrics: CoordinatorMetrics;
  readonly catalog: DatasetCatalog;
  readonly engines: EngineProvider;
  /**
   * The vectors of the exchange path (received tensors, x, updates, replies), recycled, in
   * WebAssembly memory where the centre kernels run in place (config.wasmKernels).
   */
  readonly arena: Float32Arena;
  /** Plans of jobs seen by this process (for progress of jobs it does not run). */
  private readonly plans = new Map<string, JobPlan>();
  private readonly requestIds = new Map<string, string>();
  /** Jobs being taken over at start (exchanges get UNAVAILABLE meanwhile). */
  readonly restoring = new Set<string>();
  private scheduling: Promise<void> | null = null;
  /** Workers whose assignment is being written (a heartbeat must not undo it meanwhile). */
  private readonly assigning = new Set<string>();
  private rescheduling = false;
  private sweepTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(deps: CoordinatorDeps) {
    this.store = deps.store;
    this.config = deps.config;
    this.log = deps.log;
    this.metrics = deps.metrics;
    this.catalog = deps.catalog;
    this.engines = new EngineProvider(deps.config.engine, deps.config.engineThreads, deps.log, deps.config.cpuCacheMiB);
    this.arena = new Float32Arena({ wasm: deps.config.wasmKernels });
    this.metrics.watchExchangePath(this.arena, CRC32_IMPLEMENTATION);
  }

  // ------------------------------------------------------------------------------- lifecycle

  /** Takes over RUNNING jobs, starts the sweep timer and a first scheduling pass. */
  async start(): Promise<void> {
    await this.resumeRunningJobs();
    this.sweepTimer = setInterval(() => void this.tick(), this.config.sweepIntervalMs);
    this.sweepTimer.unref?.();
    await this.schedule();
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    try {
      const expired = await this.store.sweepExpiredWorkers();
      for (const e of expired) {
        const entry = this.workers.get(e.workerId);
        const jobId = e.jobId ?? entry?.jobId ?? null;
        this.dropMember(e.workerId, 'lease expired');
        this.workers.delete(e.workerId);
        this.log.warn({ worker: e.workerId, job: jobId }, 'worker lease expired; removed');
      }
      await this.schedule();
    } catch (err) {
      if (!this.closed) this.log.warn({ err }, 'sweep failed');
    }
  }

  /**
   * Stops: writes a checkpoint of every running job at its current round (x is always at a round
   * boundary) so a successor resumes without loss, then leaves the jobs RUNNING in the store.
   */
  async close(options: { checkpoint?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.scheduling) await this.scheduling.catch(() => {});
    for (const rt of [...this.runtimes.values()]) {
      if (rt.state === 'running' && options.checkpoint !== false) await rt.checkpointNow().catch(() => {});
      await rt.drain();
      rt.abandon();
    }
  }

  // ------------------------------------------------------------------------------- jobs

  planOf(jobId: string): JobPlan | null {
    return this.runtimes.get(jobId)?.plan ?? this.plans.get(jobId) ?? null;
  }

  /** The plan of a stored job (resolving its spec if this process has not seen it). */
  async planFor(r: JobRecord): Promise<JobPlan | null> {
    const p = this.planOf(r.id);
    if (p) return p;
    try {
      const resolved = await resolveJobSpec(decodeSpec(r.spec), this.catalog);
      this.plans.set(r.id, resolved.plan);
      return resolved.plan;
    } catch {
      return null;
    }
  }

  async submit(spec: Parameters<typeof resolveJobSpec>[0], requestId: string): Promise<JobRecord> {
    if (requestId) {
      const prev = this.requestIds.get(requestId);
      if (prev) return viaStore(() => this.store.getJob(prev));
    }
    const resolved = await resolveJobSpec(spec, this.catalog);
    const rec = await viaStore(() =>
      this.store.createJob({ spec: JSON.stringify(resolved.spec), minWorkers: resolved.spec.minWorkers, maxWorkers: resolved.spec.maxWorkers }),
    );
    if (requestId) this.requestIds.set(requestId, rec.id);
    this.plans.set(rec.id, resolved.plan);
    this.log.info(
      { job: rec.id, algorithm: resolved.plan.algorithm, model: resolved.spec.model, totalRounds: resolved.plan.totalRounds },
      'job submitted',
    );
    void this.schedule();
    return rec;
  }

  async cancel(jobId: string, reason: string): Promise<JobRecord> {
    const rec = await viaStore(() => this.store.cancelJob(jobId, reason ? { reason } : {}));
    this.runtimes.get(jobId)?.cancel();
    void this.schedule();
    return rec;
  }

  // ------------------------------------------------------------------------------- scheduling

  /** One scheduling pass at a time; a request during a pass runs another pass after it. */
  schedule(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.scheduling) {
      this.rescheduling = true;
      return this.scheduling;
    }
    this.scheduling = (async () => {
      do {
        this.rescheduling = false;
        await this.scheduleOnce();
      } while (this.rescheduling && !this.closed);
    })()
      .catch((err: unknown) => {
        if (!this.closed) this.log.warn({ err }, 'scheduling failed');
      })
      .finally(() => {
        this.scheduling = null;
      });
    return this.scheduling;
  }

  private async scheduleOnce(): Promise<void> {
    const live = await this.store.listLiveWorkers();
    this.metrics.liveWorkers.set(live.length);
    const idle = live.filter((w) => w.jobId === null && this.workers.get(w.id)?.state !== 'WORKER_STATE_LEAVING');
    // Running jobs with free slots first, oldest first.
    const running = [...this.runtimes.values()].filter((r) => r.state === 'running').sort((a, b) => a.seq - b.seq);
    for (const rt of running) {
      while (idle.length > 0 && rt.members.size < rt.spec.maxWorkers) await this.assign(rt, idle.shift()!, false);
    }
    // Then the head of the queue, strictly FIFO.
    for (;;) {
      if (this.closed) return;
      const head = await this.store.nextQueuedJob();
      if (!head) break;
      let resolved: ResolvedJob;
      try {
        resolved = await resolveJobSpec(decodeSpec(head.spec), this.catalog);
      } catch (err) {
        const e = wireError(err);
        this.log.error({ job: head.id, err: e }, 'queued job cannot run; failing it');
        await this.store
          .transitionJob(head.id, 'queued', 'failed', { fencingToken: head.fencingToken, error: { code: 'INVALID_ARGUMENT', message: e.message } })
          .catch(() => {});
        continue;
      }
      if (idle.length < resolved.spec.minWorkers) break;
      let rec: JobRecord;
      try {
        rec = await this.store.transitionJob(head.id, 'queued', 'running', { fencingToken: head.fencingToken });
      } catch (err) {
        if (err instanceof TransitionConflictError || err instanceof StaleFencingError) continue;
        throw err;
      }
      const rt = this.createRuntime(rec, resolved, {
        x: initialParameters(resolved.model, resolved.spec.seed ?? 0),
        buffers: null,
        round: 0,
        wallMs: 0,
        lastEvalRound: 0,
        samples: 0,
      });
      const take = Math.min(resolved.spec.maxWorkers, idle.length);
      for (let i = 0; i < take; i++) await this.assign(rt, idle.shift()!, true);
      rt.log.info({ workers: rt.members.size, totalRounds: rt.plan.totalRounds }, 'job started');
      await rt.appendEvent('log', { level: 'LOG_LEVEL_INFO', message: `started with ${rt.members.size} workers`, workerId: '' });
    }
    const queued = await this.store.listJobs({ states: ['queued'] });
    this.metrics.queueDepth.set(queued.length);
    this.metrics.runningJobs.set([...this.runtimes.values()].filter((r) => r.state === 'running').length);
  }

  private async assign(rt: JobRuntime, w: WorkerRecord, active: boolean): Promise<void> {
    if (rt.state !== 'running') return;
    this.assigning.add(w.id);
    try {
      await this.store.assignWorker(w.id, rt.id, { fencingToken: w.fencingToken });
    } catch (err) {
      this.log.debug({ err, worker: w.id, job: rt.id }, 'assignment failed');
      return;
    } finally {
      this.assigning.delete(w.id);
    }
    const entry = this.entryOf(w);
    entry.jobId = rt.id;
    rt.addMember(w.id, w.fencingToken, rt.nextReplica(), active);
  }

  private entryOf(w: WorkerRecord): WorkerEntry {
    let e = this.workers.get(w.id);
    if (!e || e.token !== w.fencingToken) {
      e = {
        id: w.id,
        token: w.fencingToken,
        leaseExpiresAt: w.leaseExpiresAt,
        state: 'WORKER_STATE_IDLE',
        reportedJob: '',
        jobId: w.jobId,
        progress: null,
      };
      this.workers.set(w.id, e);
    }
    return e;
  }

  // ------------------------------------------------------------------------------- runtimes

  private createRuntime(
    rec: JobRecord,
    resolved: ResolvedJob,
    init: Pick<CheckpointData, 'x' | 'buffers' | 'round' | 'wallMs' | 'lastEvalRound' | 'samples'> & { latestMetrics?: Record<string, number> },
  ): JobRuntime {
    const log = this.log.child({ job: rec.id });
    const spec = resolved.spec;
    const evaluator = new JobEvaluator({
      model: resolved.model,
      seed: spec.seed ?? 0,
      data: () => this.catalog.load(resolved.dataset, { train: spec.dataset?.trainLimit ?? 0, test: spec.dataset?.valLimit ?? 0 }),
      engine: this.engines,
      batchSize: this.config.evalBatchSize,
      trainBatchSize: resolved.plan.batchSize,
      bnRefreshBatches: this.config.bnRefreshBatches,
    });
    const rt = new JobRuntime(
      {
        resolved,
        jobId: rec.id,
        seq: rec.seq,
        fencingToken: rec.fencingToken,
        x: init.x,
        buffers: init.buffers,
        round: init.round,
        wallMs: init.wallMs,
        lastEvalRound: init.lastEvalRound,
        samples: init.samples,
        latestMetrics: init.latestMetrics ?? rec.latestMetrics ?? {},
      },
      {
        store: this.store,
        config: this.config,
        metrics: this.metrics,
        log,
        evaluator,
        arena: this.arena,
        onEnded: (r) => {
          if (this.runtimes.get(r.id) === r) this.runtimes.delete(r.id);
          this.metrics.runningJobs.set([...this.runtimes.values()].filter((x) => x.state === 'running').length);
          void this.schedule();
        },
        onReleased: (ids) => {
          for (const id of ids) {
            const e = this.workers.get(id);
            if (e && e.jobId === rec.id) e.jobId = null;
          }
          void this.schedule();
        },
      },
    );
    this.runtimes.set(rec.id, rt);
    this.plans.set(rec.id, resolved.plan);
    return rt;
  }

  /** Takes over every RUNNING job of the store (fenceJob), from its latest checkpoint. */
  private async resumeRunningJobs(): Promise<void> {
    const running = await this.store.listJobs({ states: ['running'] });
    for (const r of running) {
      this.restoring.add(r.id);
      const log = this.log.child({ job: r.id });
      let rec = r;
      try {
        rec = await this.store.fenceJob(r.id);
        const resolved = await resolveJobSpec(decodeSpec(rec.spec), this.catalog);
        const ck = await this.store.latestCheckpoint(rec.id);
        let data: CheckpointData | null = null;
        if (ck) {
          data = await readCheckpoint(ck.location);
          if (data.x.length !== resolved.plan.numParams) {
            throw new Error(`checkpoint ${ck.location} has ${data.x.length} parameters, the model ${resolved.plan.numParams}`);
          }
        }
        const latest = (data?.extra?.latestMetrics as Record<string, number> | undefined) ?? rec.latestMetrics ?? {};
        const rt = this.createRuntime(rec, resolved, {
          x: data?.x ?? initialParameters(resolved.model, resolved.spec.seed ?? 0),
          buffers: data?.buffers ?? null,
          round: data?.round ?? 0,
          wallMs: data?.wallMs ?? 0,
          lastEvalRound: data?.lastEvalRound ?? 0,
          samples: data?.samples ?? 0,
          latestMetrics: latest,
        });
        for (const w of await this.store.jobWorkers(rec.id)) {
          const entry = this.entryOf(w);
          entry.jobId = rec.id;
          rt.addMember(w.id, w.fencingToken, -1, true);
        }
        log.info({ round: rt.round, checkpoint: ck?.location ?? null, members: rt.members.size }, 'resumed running job');
        await rt.appendEvent('log', { level: 'LOG_LEVEL_INFO', message: `coordinator resumed the job at round ${rt.round}`, workerId: '' });
        if (rt.round >= rt.plan.totalRounds) void rt.finish();
      } catch (err) {
        log.error({ err }, 'cannot resume the job; failing it');
        await this.store
          .transitionJob(rec.id, 'running', 'failed', { fencingToken: rec.fencingToken, error: { code: 'DATA_LOSS', message: `resume failed: ${(err as Error).message}` } })
          .catch(() => {});
      } finally {
        this.restoring.delete(r.id);
      }
    }
  }

  // ------------------------------------------------------------------------------- membership

  private leaseOf(l: WorkerLease): Lease {
    return {
      fencingToken: l.fencingToken,
      ttlMs: l.ttlMs,
      expiresUnixMs: l.expiresAt,
      heartbeatIntervalMs: this.config.heartbeatIntervalMs,
    };
  }

  /** The assignment of a worker, or null when it has none this coordinator runs. */
  assignmentOf(workerId: string): Assignment | null {
    const e = this.workers.get(workerId);
    if (!e?.jobId) return null;
    const rt = this.runtimes.get(e.jobId);
    const m = rt?.members.get(workerId);
    if (!rt || !m || rt.state !== 'running') return null;
    const p = rt.plan;
    return {
      jobId: rt.id,
      spec: specToWire(rt.spec),
      replica: Math.max(0, m.replica),
      replicas: rt.members.size,
      round: p.mode === 'sync' && p.centre === 'parle' && rt.currentPhase === 1 ? rt.round + 1 : rt.round,
      mode: p.mode === 'sync' ? 'EXCHANGE_MODE_SYNC' : 'EXCHANGE_MODE_ASYNC',
      numParams: p.numParams,
      numBuffers: p.numBuffers,
      maxChunkBytes: this.config.maxChunkBytes,
    };
  }

  async register(req: RegisterRequest__Output): Promise<RegisterResponse> {
    const caps = req.capabilities;
    const previous = req.workerId ? this.workers.get(req.workerId) : undefined;
    const name = caps?.hostname ? `${caps.hostname}:${caps.pid}` : 'worker';
    const lease = await viaStore(
      () =>
        this.store.registerWorker({
          name: name.slice(0, 256),
          ttlMs: this.config.leaseTtlMs,
          ...(req.workerId ? { workerId: req.workerId } : {}),
          meta: { capabilities: (caps ?? {}) as never },
        }),
      'worker_id',
    );
    if (previous?.jobId) this.runtimes.get(previous.jobId)?.removeMember(lease.workerId, 'reregistered');
    this.dropMember(lease.workerId, 'reregistered');
    const entry: WorkerEntry = {
      id: lease.workerId,
      token: lease.fencingToken,
      leaseExpiresAt: lease.expiresAt,
      state: 'WORKER_STATE_IDLE',
      reportedJob: '',
      jobId: null,
      progress: null,
    };
    this.workers.set(entry.id, entry);
    this.log.info({ worker: entry.id, name, rejoin: Boolean(req.workerId) }, 'worker registered');
    await this.schedule();
    return { workerId: entry.id, lease: this.leaseOf(lease), assignment: this.assignmentOf(entry.id) };
  }

  async heartbeat(req: HeartbeatRequest__Output): Promise<HeartbeatResponse> {
    if (!req.workerId) throw new InvalidArgumentError('worker_id', 'required');
    const asOf = Date.now();
    const lease = await viaStore(() => this.store.heartbeatWorker(req.workerId, req.fencingToken));
    let entry = this.workers.get(req.workerId);
    if (!entry || entry.token !== lease.fencingToken) {
      entry = {
        id: req.workerId,
        token: lease.fencingToken,
        leaseExpiresAt: lease.expiresAt,
        state: req.state,
        reportedJob: req.jobId,
        jobId: null,
        progress: null,
      };
      this.workers.set(entry.id, entry);
    }
    entry.leaseExpiresAt = lease.expiresAt;
    entry.state = req.state;
    entry.reportedJob = req.jobId;
    entry.progress = req.progress;
    // Reconcile with the store, the authority on assignments.
    if (lease.jobId !== null) {
      const rt = this.runtimes.get(lease.jobId);
      if (rt && rt.members.has(entry.id)) {
        entry.jobId = lease.jobId;
      } else if ((!rt && this.restoring.has(lease.jobId)) || this.assigning.has(entry.id)) {
        entry.jobId = lease.jobId;
      } else {
        // Assigned in the store to a job nobody here runs (or no longer as a member): free it.
        await this.store.releaseWorker(entry.id).catch(() => {});
        entry.jobId = null;
      }
    } else {
      // Released in the store (job ended, re-registered elsewhere): drop memberships older than
      // what the store just said (a concurrent assignment is newer and stays).
      this.dropMember(entry.id, 'released', asOf);
      if (entry.jobId && !this.runtimes.get(entry.jobId)?.members.has(entry.id)) entry.jobId = null;
    }
    if (entry.jobId && req.progress && req.jobId === entry.jobId) this.runtimes.get(entry.jobId)?.updateWorkerProgress(entry.id, req.progress);
    if (entry.jobId === null && req.state !== 'WORKER_STATE_LEAVING') await this.schedule();
    const assignment = this.assignmentOf(entry.id);
    let directive: WorkerDirective = 'WORKER_DIRECTIVE_UNSPECIFIED';
    if (assignment) {
      if (req.jobId !== assignment.jobId) directive = 'WORKER_DIRECTIVE_START';
    } else if (req.jobId) {
      directive = this.restoring.has(req.jobId) ? 'WORKER_DIRECTIVE_UNSPECIFIED' : 'WORKER_DIRECTIVE_STOP';
    }
    return {
      lease: this.leaseOf(lease),
      directive,
      ...(directive === 'WORKER_DIRECTIVE_START' && assignment ? { assignment } : {}),
    };
  }

  async leave(workerId: string, fencingToken: number, reason: string): Promise<void> {
    await viaStore(() => this.store.leaveWorker(workerId, fencingToken));
    this.dropMember(workerId, `left${reason ? `: ${reason}` : ''}`);
    this.workers.delete(workerId);
    this.log.info({ worker: workerId, reason }, 'worker left');
    void this.schedule();
  }

  /** Removes the worker from whatever job here has it as a member. */
  private dropMember(workerId: string, reason: string, addedBefore = Infinity): void {
    for (const rt of this.runtimes.values()) {
      const m = rt.members.get(workerId);
      if (m && m.addedAt < addedBefore) rt.removeMember(workerId, reason);
    }
  }

  /**
   * Checks that (worker, token) holds a live lease; FAILED_PRECONDITION (stale token, expired
   * lease) or NOT_FOUND otherwise. A worker unknown to this process is looked up in the store.
   */
  async checkLease(workerId: string, fencingToken: number): Promise<WorkerEntry> {
    let e = this.workers.get(workerId);
    if (!e) {
      const w = await viaStore(() => this.store.getWorker(workerId));
      e = this.entryOf(w);
    }
    if (e.token !== fencingToken) {
      throw new FailedPreconditionError(`worker ${workerId}: fencing token ${fencingToken} is stale (current ${e.token}); register again`, {
        reason: 'stale-fencing',
      });
    }
    if (e.leaseExpiresAt <= Date.now()) {
      throw new FailedPreconditionError(`worker ${workerId}: lease expired; register again`, { reason: 'lease-expired' });
    }
    return e;
  }

  /** The runtime of a job, or null when the job exists but is not running here (ended, queued). */
  async runtimeFor(jobId: string): Promise<JobRuntime | null> {
    const rt = this.runtimes.get(jobId);
    if (rt) return rt;
    if (this.restoring.has(jobId)) throw new UnavailableError(`job ${jobId} is being restored; retry`);
    const rec = await viaStore(() => this.store.getJob(jobId));
    if (!isTerminalState(rec.state) && rec.state === 'running') {
      this.log.debug({ job: jobId }, 'exchange for a running job this coordinator does not hold');
    }
    return null;
  }

  /** Throws NOT_FOUND for an unknown job (store semantics). */
  async jobRecord(jobId: string): Promise<JobRecord> {
    if (!jobId) throw new NotFoundError('job id is empty');
    return viaStore(() => this.store.getJob(jobId));
  }
}
