/**
 * RunStore on Redis (ioredis). Multi-key changes are Lua scripts (scripts.ts); keys come from
 * keys.ts; connection failures surface as StoreUnavailableError, script failures as the typed
 * errors of errors.ts.
 *
 * Worker leases: a sorted set `workers:leases` of id -> deadline (ms, from the injected clock)
 * rather than one TTL key per worker. Reasons: listing live workers is one range query instead of
 * a SCAN; expiry is decided by the same clock that tests inject (Redis TTLs follow Redis's own
 * clock); and an expired worker is still visible until sweepExpiredWorkers() removes it, so the
 * coordinator can release its job and log it instead of the record silently vanishing. The cost is
 * that someone must call the sweep (the coordinator does, on a timer); live-ness never depends on
 * it, since every read compares the deadline with now.
 */
import type { ChainableCommander, Redis, RedisOptions } from 'ioredis';
import {
  IllegalTransitionError,
  NotFoundError,
  StoreClosedError,
  StoreError,
  StoreInternalError,
  StoreUnavailableError,
  TransitionConflictError,
} from '../errors.js';
import { ACTIVE_JOB_STATES, JOB_STATES, isLegalTransition, isTerminalState, sourcesOf, type JobState } from '../states.js';
import type {
  CheckpointRecord,
  Clock,
  EventInput,
  ExpiredWorker,
  Fenced,
  JobErrorInput,
  JobEvent,
  JobRecord,
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
  encodeNumberMap,
  jsonCopy,
  knownId,
  newJobId,
  newWorkerId,
} from '../validate.js';
import { decodeCheckpoint, decodeEvent, decodeJob, decodeMetric, decodeWorker, type Flat } from './codec.js';
import { RunStoreKeys } from './keys.js';
import { SCRIPTS, type ScriptName } from './scripts.js';
import { ScriptSignal, connectRedis, mapRedisError, scriptFailureToError } from './connection.js';

export interface RedisRunStoreOptions {
  /** redis://[user:pass@]host:port/db (default redis://127.0.0.1:6379). */
  url?: string;
  /** Namespace for every key (default "deeprelax:"). */
  prefix?: string;
  clock?: Clock;
  /** Approximate cap per job metric stream (XADD MAXLEN ~; default 100 000). */
  metricsMaxLen?: number;
  /** Approximate cap per job event stream (default 10 000). */
  eventsMaxLen?: number;
  /** Give up connecting after this long (default 5000 ms). */
  connectTimeoutMs?: number;
  /** A command without a reply after this long fails as unavailable (default 10 000 ms). */
  commandTimeoutMs?: number;
  /** Reconnection attempts a command waits through before failing as unavailable (default 2). */
  maxRetriesPerRequest?: number;
  /** How long one blocking read of a watch waits before looping (default 5000 ms). */
  watchBlockMs?: number;
  /** Passed through to ioredis last (TLS, sentinel, ...). */
  redisOptions?: RedisOptions;
}

type ScriptArg = string | number | Buffer;
type ScriptFn = (...args: ScriptArg[]) => Promise<unknown>;

const ID_RETRIES = 5;

export class RedisRunStore implements RunStore {
  readonly keys: RunStoreKeys;
  private readonly clock: Clock;
  private readonly metricsMaxLen: string;
  private readonly eventsMaxLen: string;
  private readonly watchBlockMs: number;
  private readonly commandTimeoutMs: number;
  private readonly watchers = new Set<Redis>();
  private readonly closing = new AbortController();
  private closed = false;

  /** Connects and returns a ready store; StoreUnavailableError if Redis cannot be reached. */
  static async open(opts: RedisRunStoreOptions = {}): Promise<RedisRunStore> {
    const commandTimeoutMs = opts.commandTimeoutMs ?? 10_000;
    const redis = await connectRedis(opts.url ?? 'redis://127.0.0.1:6379', {
      connectTimeout: opts.connectTimeoutMs ?? 5000,
      commandTimeout: commandTimeoutMs,
      maxRetriesPerRequest: opts.maxRetriesPerRequest ?? 2,
      ...opts.redisOptions,
    });
    return new RedisRunStore(redis, opts, commandTimeoutMs);
  }

  private constructor(private readonly redis: Redis, opts: RedisRunStoreOptions, commandTimeoutMs: number) {
    this.keys = new RunStoreKeys(opts.prefix ?? 'deeprelax:');
    this.clock = opts.clock ?? Date.now;
    this.metricsMaxLen = String(opts.metricsMaxLen ?? 100_000);
    this.eventsMaxLen = String(opts.eventsMaxLen ?? 10_000);
    this.watchBlockMs = opts.watchBlockMs ?? 5000;
    this.commandTimeoutMs = commandTimeoutMs;
    for (const [name, s] of Object.entries(SCRIPTS)) {
      redis.defineCommand(name, s.numberOfKeys === null ? { lua: s.lua } : { numberOfKeys: s.numberOfKeys, lua: s.lua });
    }
  }

  // ------------------------------------------------------------------ plumbing

  /** Runs one store operation, turning every failure into a StoreError. */
  private async run<T>(op: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreClosedError();
    try {
      return await op();
    } catch (e) {
      const m = this.mapError(e);
      throw m instanceof ScriptSignal ? new StoreInternalError(`unexpected script outcome ${m.failure.code}`, { cause: m }) : m;
    }
  }

  private mapError(e: unknown): Error {
    return this.closed && !(e instanceof StoreError) ? new StoreClosedError() : mapRedisError(e);
  }

  private async script(name: ScriptName, keys: string[], args: ScriptArg[]): Promise<unknown> {
    const fn = (this.redis as unknown as Record<string, ScriptFn>)[`${name}Buffer`];
    if (!fn) throw new StoreInternalError(`script ${name} not defined`);
    const all = SCRIPTS[name].numberOfKeys === null ? [keys.length, ...keys, ...args] : [...keys, ...args];
    return fn.apply(this.redis, all);
  }

  private async jobScript(name: ScriptName, jobId: string, keys: string[], args: ScriptArg[], workerId?: string): Promise<unknown> {
    try {
      return await this.script(name, keys, args);
    } catch (e) {
      throw scriptFailureToError(this.mapError(e), workerId === undefined ? { job: jobId } : { job: jobId, worker: workerId });
    }
  }

  private now(): string {
    return String(Math.floor(this.clock()));
  }

  private fence(token: number | null): string {
    return token === null ? '' : String(token);
  }

  // ------------------------------------------------------------------ jobs

  async createJob(input: NewJob): Promise<JobRecord> {
    const n = checkNewJob(input);
    return this.run(async () => {
      for (let attempt = 0; ; attempt += 1) {
        const id = newJobId();
        const k = this.keys;
        try {
          const flat = await this.script(
            'createJob',
            [k.job(id), k.seq(), k.fencing(), k.jobsInState('queued'), k.jobEvents(id)],
            [id, this.now(), Buffer.from(n.spec), String(n.minWorkers), n.maxWorkers === null ? '' : String(n.maxWorkers), this.eventsMaxLen],
          );
          return decodeJob(flat as Flat);
        } catch (e) {
          const m = this.mapError(e);
          if (m instanceof ScriptSignal && m.failure.code === 'ID_TAKEN' && attempt < ID_RETRIES) continue;
          throw m;
        }
      }
    });
  }

  async getJob(jobId: string): Promise<JobRecord> {
    const id = knownId('job', jobId);
    return this.run(async () => {
      const h = await this.redis.hgetallBuffer(this.keys.job(id));
      if (Object.keys(h).length === 0) throw new NotFoundError('job', id);
      return decodeJob(Object.entries(h).flat());
    });
  }

  async listJobs(filter: ListJobsFilter = {}): Promise<JobRecord[]> {
    const states = filter.states ? [...new Set(filter.states.map((s) => checkState(s, 'states')))] : [...JOB_STATES];
    const limit = checkListLimit(filter.limit);
    return this.run(async () => {
      const hashes = (await this.script(
        'listJobs',
        states.map((s) => this.keys.jobsInState(s)),
        [this.keys.stems().jobStem, String(limit ?? 0)],
      )) as Flat[];
      const jobs = hashes.map(decodeJob).sort((a, b) => a.seq - b.seq);
      return limit === null ? jobs : jobs.slice(0, limit);
    });
  }

  async nextQueuedJob(): Promise<JobRecord | null> {
    const [head] = await this.listJobs({ states: ['queued'], limit: 1 });
    return head ?? null;
  }

  async transitionJob(jobId: string, from: JobState, to: JobState, opts: TransitionOptions = {}): Promise<JobRecord> {
    checkState(from, 'from');
    checkState(to, 'to');
    const token = checkFencing(opts.fencingToken);
    const error = opts.error === undefined ? null : checkJobError(opts.error);
    if (!isLegalTransition(from, to)) throw new IllegalTransitionError(jobId, from, to);
    const id = knownId('job', jobId);
    return this.run(async () => {
      try {
        return await this.transitionScript(id, [from], to, { token, error, idempotent: false, reason: null });
      } catch (e) {
        if (e instanceof ScriptSignal && e.failure.code === 'CONFLICT') {
          throw new TransitionConflictError(id, from, String(e.failure.actual) as JobState, to);
        }
        throw e;
      }
    });
  }

  async cancelJob(jobId: string, opts: { reason?: string } = {}): Promise<JobRecord> {
    const id = knownId('job', jobId);
    const reason = opts.reason === undefined ? null : String(opts.reason);
    return this.run(async () => {
      try {
        return await this.transitionScript(id, sourcesOf('cancelled'), 'cancelled', { token: null, error: null, idempotent: true, reason });
      } catch (e) {
        if (e instanceof ScriptSignal && e.failure.code === 'CONFLICT') {
          throw new IllegalTransitionError(id, String(e.failure.actual) as JobState, 'cancelled');
        }
        throw e;
      }
    });
  }

  private async transitionScript(
    id: string,
    allowedFrom: readonly JobState[],
    to: JobState,
    o: { token: number | null; error: JobErrorInput | null; idempotent: boolean; reason: string | null },
  ): Promise<JobRecord> {
    const k = this.keys;
    const now = this.now();
    const flat = await this.jobScript(
      'transitionJob',
      id,
      [k.job(id), k.fencing(), k.jobWorkers(id), k.jobEvents(id), ...k.allStateSets()],
      [
        allowedFrom.join(','),
        to,
        now,
        this.fence(o.token),
        o.idempotent ? '1' : '0',
        isTerminalState(to) ? '1' : '0',
        o.error === null ? '' : JSON.stringify({ code: o.error.code, message: o.error.message, at: Number(now) }),
        this.eventsMaxLen,
        k.stems().workerStem,
        o.reason === null ? '' : `1${o.reason}`,
        JOB_STATES.join(','),
      ],
    );
    return decodeJob(flat as Flat);
  }

  async fenceJob(jobId: string): Promise<JobRecord> {
    const id = knownId('job', jobId);
    return this.run(async () => {
      const k = this.keys;
      const flat = await this.jobScript('fenceJob', id, [k.job(id), k.fencing(), k.jobEvents(id)], [this.now(), this.eventsMaxLen]);
      return decodeJob(flat as Flat);
    });
  }

  private async patchJob(id: string, token: number | null, event: { kind: string; data: unknown } | null, fields: (now: string) => string[]): Promise<JobRecord> {
    return this.run(async () => {
      const now = this.now();
      const flat = await this.jobScript(
        'patchJob',
        id,
        [this.keys.job(id), this.keys.jobEvents(id)],
        [this.fence(token), now, this.eventsMaxLen, event?.kind ?? '', event === null ? '' : JSON.stringify(event.data), ...fields(now)],
      );
      return decodeJob(flat as Flat);
    });
  }

  async updateJobProgress(jobId: string, progress: ProgressUpdate, opts: Fenced = {}): Promise<JobRecord> {
    const p = checkProgress(progress);
    const token = checkFencing(opts.fencingToken);
    const id = knownId('job', jobId);
    return this.patchJob(id, token, null, (now) => {
      const f = ['progress', JSON.stringify({ round: p.round, effectiveEpochs: p.effectiveEpochs, updatedAt: Number(now) })];
      if (p.metrics !== null) f.push('latestMetrics', encodeNumberMap(p.metrics));
      return f;
    });
  }

  async recordJobError(jobId: string, error: JobErrorInput, opts: Fenced = {}): Promise<JobRecord> {
    const e = checkJobError(error);
    const token = checkFencing(opts.fencingToken);
    const id = knownId('job', jobId);
    return this.patchJob(id, token, { kind: 'job.error', data: { code: e.code, message: e.message } }, (now) => [
      'error',
      JSON.stringify({ code: e.code, message: e.message, at: Number(now) }),
    ]);
  }

  // ------------------------------------------------------------------ workers

  async registerWorker(input: NewWorker): Promise<WorkerLease> {
    const n = checkNewWorker(input);
    return this.run(async () => {
      const k = this.keys;
      const st = k.stems();
      for (let attempt = 0; ; attempt += 1) {
        const id = n.workerId ?? newWorkerId();
        try {
          const r = (await this.script(
            'registerWorker',
            [k.worker(id), k.workerLeases(), k.fencing()],
            [id, this.now(), String(n.ttlMs), n.name, JSON.stringify(n.meta), n.workerId === null ? '1' : '0', st.jobStem, st.workersSuffix, st.eventsSuffix, this.eventsMaxLen],
          )) as [number, Buffer];
          return { workerId: id, fencingToken: Number(r[0]), ttlMs: n.ttlMs, expiresAt: Number(String(r[1])), jobId: null };
        } catch (e) {
          const m = this.mapError(e);
          if (m instanceof ScriptSignal && m.failure.code === 'ID_TAKEN' && attempt < ID_RETRIES) continue;
          throw m;
        }
      }
    });
  }

  async heartbeatWorker(workerId: string, fencingToken: number): Promise<WorkerLease> {
    const token = checkRequiredFencing(fencingToken);
    const id = knownId('worker', workerId);
    return this.run(async () => {
      const r = (await this.workerScript('heartbeatWorker', id, [this.keys.worker(id), this.keys.workerLeases()], [id, String(token), this.now()])) as Buffer[];
      const [tok, ttl, exp] = r.slice(0, 3).map((b) => Number(String(b)));
      const jobId = String(r[3]);
      return { workerId: id, fencingToken: tok!, ttlMs: ttl!, expiresAt: exp!, jobId: jobId === '' ? null : jobId };
    });
  }

  private async workerScript(name: ScriptName, workerId: string, keys: string[], args: ScriptArg[], jobId?: string): Promise<unknown> {
    try {
      return await this.script(name, keys, args);
    } catch (e) {
      throw scriptFailureToError(this.mapError(e), jobId === undefined ? { worker: workerId } : { worker: workerId, job: jobId });
    }
  }

  async getWorker(workerId: string): Promise<WorkerRecord> {
    const id = knownId('worker', workerId);
    return this.run(async () => {
      const h = await this.redis.hgetall(this.keys.worker(id));
      if (Object.keys(h).length === 0) throw new NotFoundError('worker', id);
      return decodeWorker(Object.entries(h).flat(), this.clock());
    });
  }

  async listLiveWorkers(): Promise<WorkerRecord[]> {
    return this.run(async () => {
      const now = this.now();
      const hashes = (await this.script('listLiveWorkers', [this.keys.workerLeases()], [now, this.keys.stems().workerStem])) as Flat[];
      return hashes
        .map((h) => decodeWorker(h, Number(now)))
        .sort((a, b) => a.registeredAt - b.registeredAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    });
  }

  async assignWorker(workerId: string, jobId: string, opts: Fenced = {}): Promise<WorkerRecord> {
    const token = checkFencing(opts.fencingToken);
    const jid = knownId('job', jobId);
    const wid = knownId('worker', workerId);
    const k = this.keys;
    return this.run(async () => {
      const now = this.now();
      const flat = await this.workerScript(
        'assignWorker',
        wid,
        [k.worker(wid), k.workerLeases(), k.job(jid), k.jobWorkers(jid), k.jobEvents(jid)],
        [wid, jid, this.fence(token), now, this.eventsMaxLen, ACTIVE_JOB_STATES.join(',')],
        jid,
      );
      return decodeWorker(flat as Flat, Number(now));
    });
  }

  async releaseWorker(workerId: string, opts: Fenced = {}): Promise<WorkerRecord> {
    const token = checkFencing(opts.fencingToken);
    const id = knownId('worker', workerId);
    return this.run(async () => {
      const now = this.now();
      const flat = await this.releaseScript(id, token, now, 'release');
      return decodeWorker(flat, Number(now));
    });
  }

  async leaveWorker(workerId: string, fencingToken: number): Promise<void> {
    const token = checkRequiredFencing(fencingToken);
    const id = knownId('worker', workerId);
    await this.run(() => this.releaseScript(id, token, this.now(), 'leave'));
  }

  private async releaseScript(id: string, token: number | null, now: string, mode: 'release' | 'leave'): Promise<Flat> {
    const k = this.keys;
    const st = k.stems();
    return (await this.workerScript(
      'releaseWorker',
      id,
      [k.worker(id), k.workerLeases()],
      [id, this.fence(token), now, st.jobStem, st.workersSuffix, st.eventsSuffix, this.eventsMaxLen, mode],
    )) as Flat;
  }

  async jobWorkers(jobId: string): Promise<WorkerRecord[]> {
    const id = knownId('job', jobId);
    return this.run(async () => {
      const now = this.now();
      const k = this.keys;
      const hashes = (await this.jobScript('jobWorkers', id, [k.job(id), k.jobWorkers(id), k.workerLeases()], [now, k.stems().workerStem])) as Flat[];
      return hashes
        .map((h) => decodeWorker(h, Number(now)))
        .sort((a, b) => (a.assignedAt ?? 0) - (b.assignedAt ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    });
  }

  async sweepExpiredWorkers(): Promise<ExpiredWorker[]> {
    return this.run(async () => {
      const st = this.keys.stems();
      const flat = (await this.script(
        'sweepExpiredWorkers',
        [this.keys.workerLeases()],
        [this.now(), st.workerStem, st.jobStem, st.workersSuffix, st.eventsSuffix, this.eventsMaxLen],
      )) as Buffer[];
      const out: ExpiredWorker[] = [];
      for (let i = 0; i + 2 < flat.length; i += 3) {
        const jobId = String(flat[i + 1]);
        out.push({ workerId: String(flat[i]), jobId: jobId === '' ? null : jobId, leaseExpiresAt: Number(String(flat[i + 2])) });
      }
      return out;
    });
  }

  // ------------------------------------------------------------------ checkpoints

  async recordCheckpoint(jobId: string, checkpoint: NewCheckpoint, opts: Fenced = {}): Promise<CheckpointRecord | null> {
    const c = checkCheckpoint(checkpoint);
    const token = checkFencing(opts.fencingToken);
    const id = knownId('job', jobId);
    return this.run(async () => {
      const k = this.keys;
      const prev = await this.jobScript(
        'recordCheckpoint',
        id,
        [k.job(id), k.jobCheckpoint(id), k.jobEvents(id)],
        [this.fence(token), this.now(), String(c.round), c.location, JSON.stringify(c.meta), this.eventsMaxLen],
      );
      return decodeCheckpoint(id, prev as Flat);
    });
  }

  async latestCheckpoint(jobId: string): Promise<CheckpointRecord | null> {
    const id = knownId('job', jobId);
    return this.run(async () => {
      const [exists, cp] = await this.atomically((m) => m.exists(this.keys.job(id)).hgetall(this.keys.jobCheckpoint(id)));
      if (exists === 0) throw new NotFoundError('job', id);
      return decodeCheckpoint(id, Object.entries(cp as Record<string, string>).flat());
    });
  }

  /** MULTI/EXEC of read commands; returns the replies, failing on the first error. */
  private async atomically(build: (m: ChainableCommander) => ChainableCommander): Promise<unknown[]> {
    const res = await build(this.redis.multi()).exec();
    if (res === null) throw new StoreUnavailableError('Redis transaction aborted');
    return res.map(([err, v]) => {
      if (err) throw err;
      return v;
    });
  }

  // ------------------------------------------------------------------ streams

  async appendMetric(jobId: string, metric: MetricInput): Promise<string> {
    const m = checkMetric(metric);
    const id = knownId('job', jobId);
    const fields = ['at', this.now(), 'round', String(m.round), 'epochs', String(m.effectiveEpochs), 'worker', m.workerId ?? '', 'values', encodeNumberMap(m.values)];
    return this.append(id, this.keys.jobMetrics(id), this.metricsMaxLen, fields);
  }

  async appendJobEvent(jobId: string, event: EventInput): Promise<string> {
    const kind = checkEventKind(event?.kind);
    const data = JSON.stringify(jsonCopy(event.data));
    const id = knownId('job', jobId);
    return this.append(id, this.keys.jobEvents(id), this.eventsMaxLen, ['at', this.now(), 'kind', kind, 'data', data]);
  }

  private async append(id: string, stream: string, maxLen: string, fields: string[]): Promise<string> {
    return this.run(async () => String(await this.jobScript('appendToJobStream', id, [this.keys.job(id), stream], [maxLen, ...fields])));
  }

  async readMetrics(jobId: string, query?: StreamQuery): Promise<MetricRecord[]> {
    return this.readStream(jobId, query, (k, id) => k.jobMetrics(id), decodeMetric);
  }

  async readJobEvents(jobId: string, query?: StreamQuery): Promise<JobEvent[]> {
    return this.readStream(jobId, query, (k, id) => k.jobEvents(id), decodeEvent);
  }

  private async readStream<T>(jobId: string, query: StreamQuery | undefined, key: (k: RunStoreKeys, id: string) => string, decode: (id: string, f: Flat) => T): Promise<T[]> {
    const q = checkStreamQuery(query);
    const id = knownId('job', jobId);
    return this.run(async () => {
      const [exists, entries] = await this.atomically((m) =>
        m.exists(this.keys.job(id)).xrange(key(this.keys, id), q.after === null ? '-' : `(${q.after}`, q.end ?? '+', 'COUNT', q.limit),
      );
      if (exists === 0) throw new NotFoundError('job', id);
      return (entries as [string, string[]][]).map(([eid, f]) => decode(eid, f));
    });
  }

  watchMetrics(jobId: string, opts: WatchOptions = {}): AsyncIterable<MetricRecord> {
    return this.watch(jobId, (k, id) => k.jobMetrics(id), decodeMetric, opts);
  }

  watchJobEvents(jobId: string, opts: WatchOptions = {}): AsyncIterable<JobEvent> {
    return this.watch(jobId, (k, id) => k.jobEvents(id), decodeEvent, opts);
  }

  /**
   * Replays the stream after `after`, then follows it with XREAD BLOCK on a connection of its own
   * (a blocking read would stall every other command on the shared one). Ends on abort or close().
   */
  private async *watch<T extends { id: string }>(
    jobId: string,
    key: (k: RunStoreKeys, id: string) => string,
    decode: (id: string, f: Flat) => T,
    opts: WatchOptions,
  ): AsyncGenerator<T> {
    if (this.closed) throw new StoreClosedError();
    let after = opts.after ?? null;
    if (after !== null) checkStreamId(after, 'after');
    const id = knownId('job', jobId);
    const exists = await this.run(() => this.redis.exists(this.keys.job(id)));
    if (exists === 0) throw new NotFoundError('job', id);
    const stop = opts.signal ? AbortSignal.any([opts.signal, this.closing.signal]) : this.closing.signal;
    const conn = this.redis.duplicate({ lazyConnect: true, commandTimeout: this.watchBlockMs + this.commandTimeoutMs });
    conn.on('error', () => {});
    const onStop = (): void => conn.disconnect();
    this.watchers.add(conn);
    stop.addEventListener('abort', onStop, { once: true });
    try {
      while (!stop.aborted) {
        let reply: [string, [string, string[]][]][] | null;
        try {
          if (conn.status === 'wait') await conn.connect();
          reply = (await conn.xread('COUNT', 1000, 'BLOCK', this.watchBlockMs, 'STREAMS', key(this.keys, id), after ?? '0-0')) as typeof reply;
        } catch (e) {
          if (stop.aborted) return;
          throw this.mapError(e);
        }
        for (const [, entries] of reply ?? []) {
          for (const [eid, fields] of entries) {
            if (stop.aborted) return;
            after = eid;
            yield decode(eid, fields);
          }
        }
      }
    } finally {
      stop.removeEventListener('abort', onStop);
      this.watchers.delete(conn);
      conn.disconnect();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    for (const c of this.watchers) c.disconnect();
    if (this.redis.status === 'ready') {
      try {
        await this.redis.quit();
        return;
      } catch {
        // fall through to a hard disconnect
      }
    }
    this.redis.disconnect();
  }
}
