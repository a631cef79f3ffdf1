// One running job on this coordinator: the reference weights x, the round, the members, the open
// synchronous phase (contributions, expected set, deadline), asynchronous updates, and the
// evaluation / checkpoint / progress bookkeeping. PROTOCOL.md is the contract this implements.
//
// x is copy-on-write: it is never modified in place. Every update builds a new array from the
// validated contributions and swaps it in only when it is finite, so a rejected exchange cannot
// touch x and replies/snapshots may keep references to older arrays safely.
import { initialBuffers, type Float32Arena } from '@deeprelax/core';
import {
  AbortedError,
  InvalidArgumentError,
  type ExchangeHeader__Output,
  type ExchangeResult,
  type JobProgress__Output,
  type MetricSample,
  type TensorExpectations,
  TensorNames,
  type WireDType,
  type WorkerProgress__Output,
  dtypeFromProto,
} from '@deeprelax/rpc';
import { StaleFencingError, type RunStore } from '@deeprelax/store';
import type { Logger } from '@deeprelax/runtime';
import { desgdCentreChecked, easgdAsyncApplyChecked, easgdSyncCentreChecked, parleMeanChecked } from './centre.js';
import { removeCheckpoint, writeCheckpoint } from './checkpoint.js';
import type { CoordinatorConfig } from './config.js';
import type { JobEvaluator } from './evaluator.js';
import type { CoordinatorMetrics } from './metrics.js';
import {
  effectiveEpochAt,
  epochAt,
  epochIndexOfRound,
  schedulesOf,
  type JobSchedules,
  type ResolvedJob,
} from './spec.js';

export type RuntimeState = 'running' | 'finishing' | 'ended';

export interface Member {
  workerId: string;
  /** The worker's lease fencing token when it was assigned. */
  token: number;
  /** Replica index (-1 until known, after a coordinator restart). */
  replica: number;
  /** Expected in synchronous rounds from `activeFrom` on. */
  active: boolean;
  activeFrom: number;
  progress: WorkerProgress__Output | null;
  lastProgressEventAt: number;
  /** When it became a member (ms). */
  addedAt: number;
}

interface Pending {
  workerId: string;
  tensor: Float32Array;
  resolve: (r: ExchangeResult) => void;
  reject: (e: Error) => void;
}

interface OpenPhase {
  round: number;
  phase: number;
  contributions: Map<string, Pending>;
  firstAt: number;
  timer: NodeJS.Timeout | null;
}

export interface RuntimeDeps {
  store: RunStore;
  config: CoordinatorConfig;
  metrics: CoordinatorMetrics;
  log: Logger;
  evaluator: JobEvaluator;
  /** Where vectors of the job's length come from and go back to (shared with the exchange handler). */
  arena: Float32Arena;
  /** The job left this coordinator (ended, cancelled, taken over); its workers are free. */
  onEnded: (rt: JobRuntime) => void;
  /** Members were released (their workers are idle now). */
  onReleased: (workerIds: string[]) => void;
}

export interface RuntimeInit {
  resolved: ResolvedJob;
  jobId: string;
  seq: number;
  fencingToken: number;
  x: Float32Array;
  buffers: Float32Array | null;
  round: number;
  wallMs: number;
  lastEvalRound: number;
  samples: number;
  latestMetrics: Record<string, number>;
}

const STOP = 'WORKER_DIRECTIVE_STOP' as const;
const CONTINUE = 'WORKER_DIRECTIVE_UNSPECIFIED' as const;

export class JobRuntime {
  readonly id: string;
  readonly seq: number;
  readonly resolved: ResolvedJob;
  readonly members = new Map<string, Member>();
  private fencingToken: number;
  private _state: RuntimeState = 'running';
  private _x: Float32Array;
  /**
   * Vectors of this job's length come from the coordinator's arena (x, the next x, reply tensors):
   * recycled, and where the WebAssembly kernels update them in place. x is never modified in
   * place; a vector goes back to the arena once it is neither x nor read by anyone: `readers`
   * counts replies in flight, evaluations and checkpoints reading it (retain / their release
   * callbacks); `pinned` ones were handed out with no end (the `x` getter) and are never recycled.
   */
  private readonly readers = new Map<Float32Array, number>();
  private readonly pinned = new WeakSet<Float32Array>();
  private _buffers: Float32Array | null;
  private _round: number;
  /** Parle: 0 (collecting z) or 1 (collecting x^a). */
  private phase = 0;
  private phase0Contributors = new Set<string>();
  /** PULLs waiting for Parle's second reduction. */
  private phaseWaiters: (() => void)[] = [];
  private open: OpenPhase | null = null;
  private readonly schedules: JobSchedules;
  readonly log: Logger;
  private readonly wallOffset: number;
  private readonly resumedAt = Date.now();
  private lastRoundAt = performance.now();
  private lastEvalRound: number;
  private lastEvalAt = Date.now();
  private lastCkptRound: number;
  private lastCkptAt = Date.now();
  private evalRunning: Promise<void> | null = null;
  private evalPending = false;
  private ckptChain: Promise<void> = Promise.resolve();
  private lastProgressAt = 0;
  private progressTimer: NodeJS.Timeout | null = null;
  private readonly samplesBase: number;
  private readonly workerSamples = new Map<string, number>();
  private trainLossSum = 0;
  private trainErrorSum = 0;
  private trainCount = 0;
  private trainErrorCount = 0;
  readonly latestMetrics: Record<string, number>;
  private lastCheckpointPath: string | null = null;
  private finished: Promise<void> | null = null;
  private readonly dtype: WireDType;

  constructor(
    init: RuntimeInit,
    private readonly deps: RuntimeDeps,
  ) {
    this.id = init.jobId;
    this.seq = init.seq;
    this.resolved = init.resolved;
    this.fencingToken = init.fencingToken;
    // x lives in the arena from the start: the first update runs the kernels too, and the job
    // holds a slot of its length for its whole life (the arena drops a segment once every slot
    // is back, which then happens only when the job has ended).
    this._x = this.pool.take(init.x.length);
    this._x.set(init.x);
    this._buffers = init.buffers ?? (init.resolved.plan.numBuffers > 0 ? initialBuffers(init.resolved.model) : null);
    this._round = init.round;
    this.wallOffset = init.wallMs;
    this.lastEvalRound = init.lastEvalRound;
    this.lastCkptRound = init.round;
    this.samplesBase = init.samples;
    this.latestMetrics = { ...init.latestMetrics };
    this.schedules = schedulesOf(init.resolved.spec);
    this.log = deps.log;
    this.dtype = dtypeFromProto(init.resolved.spec.exchangeDtype);
  }

  // ----------------------------------------------------------------------------- accessors

  private get pool(): Float32Arena {
    return this.deps.arena;
  }

  /**
   * Marks `a` as read by `uses` readers; returns the callback each calls once done (extra calls
   * are ignored). When the last is done and `a` is no longer x, it goes back to the arena.
   */
  private retain(a: Float32Array, uses = 1): () => void {
    this.readers.set(a, (this.readers.get(a) ?? 0) + uses);
    let left = uses;
    return () => {
      if (left <= 0) return;
      left--;
      const n = (this.readers.get(a) ?? 1) - 1;
      if (n > 0) this.readers.set(a, n);
      else {
        this.readers.delete(a);
        this.recycle(a);
      }
    };
  }

  /** Gives `a` back to the arena unless it is x, read, or pinned. */
  private recycle(a: Float32Array): void {
    if (a !== this._x && !this.readers.has(a) && !this.pinned.has(a)) this.pool.give(a);
  }

  /** Swaps in a new x; the old one is recycled once nobody reads it. */
  private replaceX(next: Float32Array): void {
    const old = this._x;
    this._x = next;
    if (old !== next) this.recycle(old);
  }

  get state(): RuntimeState {
    return this._state;
  }
  get round(): number {
    return this._round;
  }
  get currentPhase(): number {
    return this.phase;
  }
  get plan() {
    return this.resolved.plan;
  }
  get spec() {
    return this.resolved.spec;
  }
  /** The live x (never modified in place; treat as read-only; never recycled once read here). */
  get x(): Float32Array {
    this.pinned.add(this._x);
    return this._x;
  }

  /** A copy of x, for readers that keep it for a while (e.g. a weights download). */
  copyOfX(): Float32Array {
    return Float32Array.from(this._x);
  }
  get buffers(): Float32Array | null {
    return this._buffers;
  }
  get token(): number {
    return this.fencingToken;
  }
  get wallMs(): number {
    return this.wallOffset + (Date.now() - this.resumedAt);
  }
  get samples(): number {
    let s = this.samplesBase;
    for (const v of this.workerSamples.values()) s += v;
    return s;
  }
  get wireDType(): WireDType {
    return this.dtype;
  }

  progress(): JobProgress__Output {
    const p = this.plan;
    return {
      round: this._round,
      totalRounds: p.totalRounds,
      epoch: epochAt(p, this._round),
      totalEpochs: p.epochs,
      effectiveEpoch: effectiveEpochAt(p, this._round),
      fraction: Math.min(1, this._round / p.totalRounds),
      liveWorkers: this.members.size,
      samples: this.samples,
      wallMs: this.wallMs,
    };
  }

  // ----------------------------------------------------------------------------- membership

  /** The lowest free replica index. */
  nextReplica(): number {
    const used = new Set([...this.members.values()].map((m) => m.replica));
    for (let i = 0; ; i++) if (!used.has(i)) return i;
  }

  /** Adds a member. `active`: expected in rounds from the current one (job start, resume). */
  addMember(workerId: string, token: number, replica: number, active: boolean): Member {
    const m: Member = {
      workerId,
      token,
      replica,
      active,
      activeFrom: this._round,
      progress: null,
      lastProgressEventAt: 0,
      addedAt: Date.now(),
    };
    this.members.set(workerId, m);
    this.log.info({ worker: workerId, replica, round: this._round }, 'worker joined the job');
    return m;
  }

  /** Removes a member (left, expired, re-registered); an open round stops waiting for it. */
  removeMember(workerId: string, reason: string): void {
    const m = this.members.get(workerId);
    if (!m) return;
    this.members.delete(workerId);
    this.log.info({ worker: workerId, reason, round: this._round }, 'worker removed from the job');
    const p = this.open?.contributions.get(workerId);
    if (p) {
      this.open!.contributions.delete(workerId);
      p.resolve(this.stopReply());
    }
    this.checkClose();
  }

  updateWorkerProgress(workerId: string, progress: WorkerProgress__Output | null): void {
    const m = this.members.get(workerId);
    if (!m || !progress) return;
    if (m.replica < 0 && this.isReplicaFree(progress.replica)) m.replica = progress.replica;
    m.progress = progress;
    this.workerSamples.set(workerId, Math.max(this.workerSamples.get(workerId) ?? 0, progress.samples));
    const now = Date.now();
    if (now - m.lastProgressEventAt >= this.deps.config.progressIntervalMs) {
      m.lastProgressEventAt = now;
      void this.appendEvent('worker.progress', progress as unknown as Record<string, unknown>);
    }
  }

  private isReplicaFree(r: number): boolean {
    for (const m of this.members.values()) if (m.replica === r) return false;
    return true;
  }

  private noteTrain(progress: WorkerProgress__Output | null): void {
    if (!progress) return;
    if (progress.trainLoss !== undefined && Number.isFinite(progress.trainLoss)) {
      this.trainLossSum += progress.trainLoss;
      this.trainCount += 1;
    }
    if (progress.trainError !== undefined && Number.isFinite(progress.trainError)) {
      this.trainErrorSum += progress.trainError;
      this.trainErrorCount += 1;
    }
  }

  // ----------------------------------------------------------------------------- exchanges

  /** A reply telling the worker to stop, without tensors. */
  stopReply(): ExchangeResult {
    return {
      reply: { jobId: this.id, round: this._round, phase: this.phase, contributors: 0, directive: STOP },
      tensors: [],
      dtype: this.dtype,
    };
  }

  /**
   * Early checks on a header, before its tensors' bytes are accepted. Throws ABORTED for a
   * stale round or phase; returns the tensors expected, or undefined when the exchange will be
   * answered with STOP (job ended, not a member).
   */
  expect(h: ExchangeHeader__Output): TensorExpectations | undefined {
    if (this._state !== 'running' || !this.members.has(h.workerId)) return undefined;
    const n = this.plan.numParams;
    const one = (name: string): TensorExpectations => ({ names: [name], lengths: { [name]: n } });
    switch (h.kind) {
      case 'EXCHANGE_KIND_PULL':
        return { names: [] };
      case 'EXCHANGE_KIND_SYNC':
        if (this.plan.mode !== 'sync') throw new InvalidArgumentError('header.kind', 'this job exchanges asynchronously (EXCHANGE_KIND_ASYNC)');
        this.checkSyncRound(h);
        if (this.plan.centre === 'parle') return one(this.phase === 0 ? TensorNames.z : TensorNames.x);
        return one(this.plan.centre === 'desgd' ? TensorNames.mu : TensorNames.x);
      case 'EXCHANGE_KIND_ASYNC':
        if (this.plan.mode !== 'async') throw new InvalidArgumentError('header.kind', 'this job exchanges in synchronous rounds (EXCHANGE_KIND_SYNC)');
        this.checkAsyncRound(h);
        return one(TensorNames.x);
      default:
        throw new InvalidArgumentError('header.kind', `unknown exchange kind ${String(h.kind)}`);
    }
  }

  private checkSyncRound(h: ExchangeHeader__Output): void {
    const k = this._round;
    if (h.round !== k) {
      throw new AbortedError(
        `round ${h.round} is not the open round ${k}${h.round < k ? ' (it closed without this replica)' : ''}; PULL and continue`,
        { reason: h.round < k ? 'stale-round' : 'round-mismatch' },
      );
    }
    const phase = this.plan.centre === 'parle' ? this.phase : 0;
    if (h.phase !== phase) {
      throw new AbortedError(`round ${k} is in phase ${phase}, not ${h.phase}; PULL and continue`, { reason: 'stale-round' });
    }
    if (phase === 1 && !this.phase0Contributors.has(h.workerId)) {
      throw new AbortedError(`this replica did not contribute to phase 0 of round ${k}; PULL and continue`, { reason: 'not-in-round' });
    }
  }

  private checkAsyncRound(h: ExchangeHeader__Output): void {
    if (h.round > this._round) {
      throw new AbortedError(`version ${h.round} is newer than x's version ${this._round}; PULL and continue`, { reason: 'round-mismatch' });
    }
  }

  /**
   * PULL: the current x and the round the worker runs next; the worker becomes active. While a
   * Parle round is between its two reductions, the reply waits for the second one (bounded by the
   * round deadline), so the x it carries is the x the next round starts from.
   */
  async pull(workerId: string, signal?: AbortSignal): Promise<ExchangeResult> {
    while (this._state === 'running' && this.plan.centre === 'parle' && this.phase === 1 && !signal?.aborted) {
      await new Promise<void>((resolve) => {
        this.phaseWaiters.push(resolve);
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    const m = this.members.get(workerId);
    if (this._state !== 'running' || !m) return this.stopReply();
    const round = this._round;
    if (this.plan.mode === 'sync') {
      m.active = true;
      m.activeFrom = round;
    }
    const x = this._x;
    return {
      reply: { jobId: this.id, round, phase: 0, contributors: 0, directive: CONTINUE },
      tensors: [{ name: TensorNames.x, values: x }],
      dtype: this.dtype,
      release: this.retain(x),
    };
  }

  /** A contribution to the open synchronous phase; resolves when the phase closes. */
  contribute(h: ExchangeHeader__Output, tensor: Float32Array, signal: AbortSignal): Promise<ExchangeResult> {
    const m = this.members.get(h.workerId);
    if (this._state !== 'running' || !m) return Promise.resolve(this.stopReply());
    this.checkSyncRound(h);
    if (tensor.length !== this.plan.numParams) {
      throw new InvalidArgumentError('tensors[0].length', `expected ${this.plan.numParams} values, got ${tensor.length}`);
    }
    m.active = true;
    if (m.activeFrom > this._round) m.activeFrom = this._round;
    this.updateWorkerProgress(h.workerId, h.progress);
    this.noteTrain(h.progress);
    const open = this.open ?? this.openPhase();
    const prev = open.contributions.get(h.workerId);
    if (prev) {
      open.contributions.delete(h.workerId);
      prev.reject(new AbortedError('superseded by a newer contribution of the same replica', { reason: 'superseded' }));
    }
    const result = new Promise<ExchangeResult>((resolve, reject) => {
      open.contributions.set(h.workerId, { workerId: h.workerId, tensor, resolve, reject });
    });
    const onAbort = () => {
      const p = open.contributions.get(h.workerId);
      if (p && this.open === open) {
        open.contributions.delete(h.workerId);
        p.reject(new AbortedError('the call was cancelled', { reason: 'cancelled' }));
        this.log.debug({ worker: h.workerId, round: open.round }, 'contribution withdrawn (call cancelled)');
      }
    };
    signal.addEventListener('abort', onAbort, { once: true });
    void result.finally(() => signal.removeEventListener('abort', onAbort)).catch(() => {});
    this.checkClose();
    return result;
  }

  /** Members expected in the open phase. */
  private expected(): Set<string> {
    const out = new Set<string>();
    if (this.plan.centre === 'parle' && this.phase === 1) {
      for (const id of this.phase0Contributors) if (this.members.has(id)) out.add(id);
      return out;
    }
    for (const m of this.members.values()) if (m.active && m.activeFrom <= this._round) out.add(m.workerId);
    return out;
  }

  private checkClose(): void {
    const open = this.open;
    if (!open) return;
    const expected = this.expected();
    if (open.contributions.size === 0) {
      // Parle phase 1 whose phase-0 contributors are all gone: nothing can complete it.
      if (open.phase === 1 && expected.size === 0) this.closePhase(false);
      return;
    }
    for (const id of expected) if (!open.contributions.has(id)) return;
    this.closePhase(false);
  }

  private wakePullers(): void {
    const w = this.phaseWaiters;
    this.phaseWaiters = [];
    for (const f of w) f();
  }

  /** Opens a phase now (Parle phase 1 opens when phase 0 closes, with its own deadline). */
  private openPhase(): OpenPhase {
    const open: OpenPhase = { round: this._round, phase: this.phase, contributions: new Map(), firstAt: Date.now(), timer: null };
    open.timer = setTimeout(() => this.closePhase(true), this.spec.roundDeadlineMs);
    open.timer.unref?.();
    this.open = open;
    return open;
  }

  /** Reduces the open phase (at completion, or at the deadline with whoever contributed). */
  private closePhase(deadline: boolean): void {
    const open = this.open;
    if (!open || this._state !== 'running') return;
    if (open.timer) clearTimeout(open.timer);
    this.open = null;
    const contribs = [...open.contributions.values()];
    if (deadline) {
      for (const id of this.expected()) {
        if (open.contributions.has(id)) continue;
        const m = this.members.get(id);
        if (m) m.active = false;
        this.log.warn({ worker: id, round: open.round, phase: open.phase }, 'replica missed the round deadline; dropped from the round');
      }
    }
    if (contribs.length === 0) {
      if (open.phase === 1) {
        // Nobody delivered phase 1: the round restarts at phase 0 with x unchanged.
        this.phase = 0;
        this.phase0Contributors.clear();
        this.wakePullers();
        this.log.warn({ round: open.round }, 'no replica completed phase 1; the round starts again');
      }
      return;
    }
    const k = this._round;
    const tensors = contribs.map((c) => c.tensor);
    const algorithm = this.plan.algorithm;
    const rlog = this.log.child({ round: k });
    const fail = (what: string) => {
      const err = new InvalidArgumentError(null, `the ${what} of round ${k} is not finite; x unchanged`, { reason: 'non-finite' });
      for (const c of contribs) c.reject(err);
      this.deps.metrics.exchangesRejected.inc({ reason: 'non-finite-result' }, contribs.length);
      if (this.plan.centre === 'parle') {
        this.phase = 0;
        this.phase0Contributors.clear();
        this.wakePullers();
      }
      rlog.error(`non-finite ${what}; round not applied`);
    };

    const n = this.plan.numParams;
    if (this.plan.centre === 'parle' && this.phase === 0) {
      const { mean: meanZ, finite } = parleMeanChecked(tensors, this.pool.take(n));
      if (!finite) {
        this.pool.give(meanZ);
        return fail('mean of z');
      }
      const release = this.retain(meanZ, contribs.length);
      this.phase = 1;
      this.phase0Contributors = new Set(contribs.map((c) => c.workerId));
      rlog.debug({ contributors: contribs.length, deadline }, 'parle phase 0 reduced');
      for (const c of contribs) {
        c.resolve({
          reply: { jobId: this.id, round: k, phase: 0, contributors: contribs.length, directive: CONTINUE },
          tensors: [{ name: TensorNames.meanZ, values: meanZ }],
          dtype: this.dtype,
          release,
        });
      }
      this.openPhase();
      // Phase 1 may already be complete if every phase-0 contributor is gone.
      this.checkClose();
      return;
    }

    let next: Float32Array | null;
    let replyTensors: { name: string; values: Float32Array }[];
    const old = this._x;
    const out = this.pool.take(n);
    // Each update is checked for finiteness in its own pass (null: not finite).
    switch (this.plan.centre) {
      case 'parle': {
        const r = parleMeanChecked(tensors, out);
        next = r.finite ? r.mean : null;
        replyTensors = [];
        break;
      }
      case 'easgd':
        next = easgdSyncCentreChecked(old, tensors, Number(this.spec.hyper?.alpha ?? 0), out);
        replyTensors = [{ name: TensorNames.center, values: old }];
        break;
      case 'desgd': {
        const r = desgdCentreChecked(old, tensors, this.desgdStepSize(k), out);
        next = r.finite ? r.next : null;
        replyTensors = next ? [{ name: TensorNames.x, values: next }] : [];
        break;
      }
    }
    if (next === null) {
      this.pool.give(out);
      return fail('new x');
    }
    // The replies carry the old x (EASGD's centre) or the new one (DESGD); either goes back to the
    // arena once those replies are sent and it is no longer x (a fresh 7.5 MB x per round, for
    // mnistfc, was page-faulted in every round).
    const carried = replyTensors[0]?.values;
    const release = carried ? this.retain(carried, contribs.length) : undefined;
    this.replaceX(next);
    this._round = k + 1;
    const phase = this.phase;
    this.phase = 0;
    this.phase0Contributors.clear();
    this.wakePullers();
    const done = this._round >= this.plan.totalRounds;
    const now = performance.now();
    this.deps.metrics.roundSeconds.observe({ algorithm }, (now - this.lastRoundAt) / 1000);
    this.lastRoundAt = now;
    this.deps.metrics.roundsTotal.inc({ algorithm });
    this.deps.metrics.roundContributors.observe({ algorithm }, contribs.length);
    rlog.debug({ contributors: contribs.length, deadline }, 'round reduced');
    for (const c of contribs) {
      c.resolve({
        reply: { jobId: this.id, round: k + 1, phase, contributors: contribs.length, directive: done ? STOP : CONTINUE },
        tensors: replyTensors,
        dtype: this.dtype,
        release,
      });
    }
    this.afterUpdate(done);
  }

  /** DESGD's centre step size for round k (0-based): lr(epoch)·g(k+1), or lr(epoch). */
  desgdStepSize(k: number): number {
    const lr = this.schedules.lr.lrAt(epochIndexOfRound(this.plan, k));
    if (this.spec.hyper?.centreLrScaling === 'CENTRE_LR_SCALING_NONE') return lr;
    return lr * (this.schedules.gamma?.couplingAt(k + 1) ?? 1);
  }

  /** An asynchronous EASGD exchange, applied on arrival. */
  applyAsync(h: ExchangeHeader__Output, tensor: Float32Array): ExchangeResult {
    const m = this.members.get(h.workerId);
    if (this._state !== 'running' || !m) return this.stopReply();
    this.checkAsyncRound(h);
    if (tensor.length !== this.plan.numParams) {
      throw new InvalidArgumentError('tensors[0].length', `expected ${this.plan.numParams} values, got ${tensor.length}`);
    }
    this.updateWorkerProgress(h.workerId, h.progress);
    this.noteTrain(h.progress);
    const n = this.plan.numParams;
    const out = { next: this.pool.take(n), delta: this.pool.take(n) };
    const applied = easgdAsyncApplyChecked(this._x, tensor, Number(this.spec.hyper?.alpha ?? 0), out);
    if (!applied) {
      this.pool.give(out.next);
      this.pool.give(out.delta);
      this.deps.metrics.exchangesRejected.inc({ reason: 'non-finite-result' });
      throw new InvalidArgumentError(null, 'the elastic update is not finite; x unchanged', { reason: 'non-finite' });
    }
    const { next, delta } = applied;
    this.replaceX(next);
    this._round += 1;
    const done = this._round >= this.plan.totalRounds;
    const algorithm = this.plan.algorithm;
    const now = performance.now();
    this.deps.metrics.roundSeconds.observe({ algorithm }, (now - this.lastRoundAt) / 1000);
    this.lastRoundAt = now;
    this.deps.metrics.roundsTotal.inc({ algorithm });
    const result: ExchangeResult = {
      reply: { jobId: this.id, round: this._round, phase: 0, contributors: 1, directive: done ? STOP : CONTINUE },
      tensors: [{ name: TensorNames.elastic, values: delta }],
      dtype: this.dtype,
      release: this.retain(delta),
    };
    this.afterUpdate(done);
    return result;
  }

  // ----------------------------------------------------------------------------- bookkeeping

  private afterUpdate(done: boolean): void {
    if (done) {
      void this.finish();
      return;
    }
    this.maybeProgress(false);
    if (this.due(this.spec.evalInterval, this.lastEvalRound, this.lastEvalAt)) this.startEval();
    if (this.due(this.spec.checkpointInterval, this.lastCkptRound, this.lastCkptAt)) this.enqueueCheckpoint();
  }

  private due(interval: ResolvedJob['spec']['evalInterval'], lastRound: number, lastAt: number): boolean {
    if (!interval) return false;
    const r = this._round;
    if (interval.every === 'rounds' && interval.rounds) return Math.floor(r / interval.rounds) > Math.floor(lastRound / interval.rounds);
    if (interval.every === 'seconds' && interval.seconds) return Date.now() - lastAt >= interval.seconds * 1000;
    const e = interval.epochs ?? 1;
    const q = (round: number) => Math.floor(epochAt(this.plan, round) / e + 1e-9);
    return q(r) > q(lastRound);
  }

  /** Writes progress to the store and the event stream, at most every progressIntervalMs. */
  private maybeProgress(force: boolean): void {
    const now = Date.now();
    const wait = this.deps.config.progressIntervalMs - (now - this.lastProgressAt);
    if (!force && wait > 0) {
      if (!this.progressTimer) {
        this.progressTimer = setTimeout(() => {
          this.progressTimer = null;
          if (this._state === 'running') this.maybeProgress(true);
        }, wait);
        this.progressTimer.unref?.();
      }
      return;
    }
    this.lastProgressAt = now;
    void this.flushProgress();
  }

  private async flushProgress(): Promise<void> {
    const p = this.progress();
    const samples: MetricSample[] = [];
    const values: Record<string, number> = {};
    if (this.trainCount > 0) values.train_loss = this.trainLossSum / this.trainCount;
    if (this.trainErrorCount > 0) values.train_error = this.trainErrorSum / this.trainErrorCount;
    this.trainLossSum = this.trainErrorSum = this.trainCount = this.trainErrorCount = 0;
    if (values.train_loss !== undefined) this.deps.metrics.trainLoss.set({ job: this.id }, values.train_loss);
    for (const [name, value] of Object.entries(values)) {
      this.latestMetrics[name] = value;
      samples.push(this.sample(name, value, p));
    }
    await this.fenced('progress', (fencingToken) =>
      this.deps.store.updateJobProgress(this.id, { round: p.round, effectiveEpochs: p.effectiveEpoch, metrics: this.latestMetrics }, { fencingToken }),
    );
    if (Object.keys(values).length > 0) {
      await this.safe('metric', () =>
        this.deps.store.appendMetric(this.id, { round: p.round, effectiveEpochs: p.effectiveEpoch, values: { ...values, epoch: p.epoch, wall_ms: p.wallMs } }),
      );
    }
    await this.appendEvent('job.progress', p as unknown as Record<string, unknown>);
    for (const s of samples) await this.appendEvent('metric', s as unknown as Record<string, unknown>);
  }

  private sample(name: string, value: number, p: JobProgress__Output, workerId = ''): MetricSample {
    return {
      name,
      value,
      round: p.round,
      epoch: p.epoch,
      effectiveEpoch: p.effectiveEpoch,
      wallMs: p.wallMs,
      workerId,
      timeUnixMs: Date.now(),
    };
  }

  private startEval(): void {
    if (this.evalRunning) {
      this.evalPending = true;
      return;
    }
    this.evalRunning = this.runEval().finally(() => {
      this.evalRunning = null;
      if (this.evalPending && this._state === 'running') {
        this.evalPending = false;
        this.startEval();
      }
    });
  }

  /** Evaluates the current x (a snapshot: x is never modified in place) and records the metrics. */
  private async runEval(): Promise<void> {
    const x = this._x;
    const done = this.retain(x);
    const round = this._round;
    this.lastEvalRound = round;
    this.lastEvalAt = Date.now();
    const elog = this.log.child({ round });
    try {
      const r = await this.deps.evaluator.evaluate(x, round);
      if (r.buffers) this._buffers = r.buffers;
      this.deps.metrics.evalSeconds.observe(r.ms / 1000);
      this.deps.metrics.valLoss.set({ job: this.id }, r.loss);
      this.deps.metrics.valError.set({ job: this.id }, r.error);
      const p = { ...this.progress(), round, epoch: epochAt(this.plan, round), effectiveEpoch: effectiveEpochAt(this.plan, round) };
      this.latestMetrics.val_loss = r.loss;
      this.latestMetrics.val_error = r.error;
      elog.info({ valLoss: r.loss, valError: r.error, epoch: p.epoch, evalMs: Math.round(r.ms) }, 'evaluated x');
      await this.safe('metric', () =>
        this.deps.store.appendMetric(this.id, {
          round,
          effectiveEpochs: p.effectiveEpoch,
          values: { val_loss: r.loss, val_error: r.error, epoch: p.epoch, wall_ms: p.wallMs, eval_ms: r.ms },
        }),
      );
      await this.fenced('progress', (fencingToken) =>
        this.deps.store.updateJobProgress(this.id, { round: this._round, effectiveEpochs: effectiveEpochAt(this.plan, this._round), metrics: this.latestMetrics }, { fencingToken }),
      );
      await this.appendEvent('metric', this.sample('val_loss', r.loss, p) as unknown as Record<string, unknown>);
      await this.appendEvent('metric', this.sample('val_error', r.error, p) as unknown as Record<string, unknown>);
    } catch (err) {
      if (this._state === 'ended') return;
      elog.error({ err }, 'evaluation failed');
      await this.appendEvent('log', { level: 'LOG_LEVEL_ERROR', message: `evaluation failed: ${(err as Error).message}`, workerId: '' });
    } finally {
      done();
    }
  }

  private enqueueCheckpoint(): Promise<void> {
    const x = this._x;
    const done = this.retain(x);
    const round = this._round;
    this.lastCkptRound = round;
    this.lastCkptAt = Date.now();
    const run = this.ckptChain.then(() => this.writeCheckpoint(x, round)).finally(done);
    this.ckptChain = run.catch(() => {});
    return run;
  }

  private async writeCheckpoint(x: Float32Array, round: number): Promise<void> {
    if (this._state === 'ended') return;
    const t0 = performance.now();
    const clog = this.log.child({ round });
    try {
      const path = await writeCheckpoint(this.deps.config.checkpointDir, {
        jobId: this.id,
        round,
        wallMs: this.wallMs,
        lastEvalRound: this.lastEvalRound,
        samples: this.samples,
        extra: { latestMetrics: this.latestMetrics, algorithm: this.plan.algorithm },
        x,
        buffers: this._buffers,
      });
      const prev = await this.fenced('checkpoint', (fencingToken) =>
        this.deps.store.recordCheckpoint(this.id, { round, location: path, meta: { numParams: x.length, format: 'deeprelax-ckpt-1' } }, { fencingToken }),
      );
      if (prev === undefined) return;
      this.lastCheckpointPath = path;
      if (prev && prev.location !== path) await removeCheckpoint(prev.location).catch(() => {});
      this.deps.metrics.checkpointSeconds.observe((performance.now() - t0) / 1000);
      clog.info({ path }, 'checkpoint written');
    } catch (err) {
      clog.error({ err }, 'checkpoint failed');
      await this.appendEvent('log', { level: 'LOG_LEVEL_ERROR', message: `checkpoint failed: ${(err as Error).message}`, workerId: '' });
    }
  }

  /** Checkpoints the current x now (shutdown). */
  checkpointNow(): Promise<void> {
    return this.enqueueCheckpoint();
  }

  /** The latest checkpoint file this runtime wrote (null before the first). */
  get checkpointPath(): string | null {
    return this.lastCheckpointPath;
  }

  // ----------------------------------------------------------------------------- store calls

  /** A fenced store write; a stale token means another coordinator owns the job now. */
  private async fenced<T>(what: string, fn: (token: number) => Promise<T>): Promise<T | undefined> {
    if (this._state === 'ended') return undefined;
    try {
      return await fn(this.fencingToken);
    } catch (err) {
      if (err instanceof StaleFencingError) {
        if (!this.isEnded()) {
          this.log.warn({ what }, 'the job was fenced by someone else (cancelled, or taken over); leaving it');
          this.abandon();
        }
        return undefined;
      }
      this.log.warn({ err, what }, 'store write failed');
      return undefined;
    }
  }

  private async safe<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      this.log.warn({ err, what }, 'store write failed');
      return undefined;
    }
  }

  appendEvent(kind: string, data: Record<string, unknown>): Promise<string | undefined> {
    return this.safe('event', () => this.deps.store.appendJobEvent(this.id, { kind, data: data as never }));
  }

  // ----------------------------------------------------------------------------- end of the job

  /** Training is complete: release the members, final evaluation and checkpoint, SUCCEEDED. */
  finish(): Promise<void> {
    if (!this.finished) this.finished = this.doFinish();
    return this.finished;
  }

  private async doFinish(): Promise<void> {
    this._state = 'finishing';
    this.log.info({ round: this._round }, 'training complete; final evaluation and checkpoint');
    this.clearOpen();
    const ids = [...this.members.keys()];
    this.members.clear();
    for (const id of ids) await this.safe('release', () => this.deps.store.releaseWorker(id));
    this.deps.onReleased(ids);
    try {
      if (this.evalRunning) await this.evalRunning;
      if (this.lastEvalRound !== this._round || !('val_error' in this.latestMetrics)) await this.runEval();
      await this.enqueueCheckpoint();
      await this.flushProgress();
      if (this.isEnded()) return;
      await this.fenced('transition', (fencingToken) => this.deps.store.transitionJob(this.id, 'running', 'succeeded', { fencingToken }));
      this.log.info({ round: this._round, valError: this.latestMetrics.val_error }, 'job succeeded');
    } catch (err) {
      this.log.error({ err }, 'finishing the job failed');
      await this.fenced('transition', (fencingToken) =>
        this.deps.store.transitionJob(this.id, 'running', 'failed', { fencingToken, error: { code: 'INTERNAL', message: String((err as Error).message) } }),
      );
    }
    this.end();
  }

  /** Resolves waiting contributions with STOP and drops the open phase. */
  private clearOpen(): void {
    const open = this.open;
    this.open = null;
    this.wakePullers();
    if (!open) return;
    if (open.timer) clearTimeout(open.timer);
    for (const c of open.contributions.values()) c.resolve(this.stopReply());
  }

  /** The job was cancelled (the store already moved it): stop at once. */
  cancel(): void {
    if (this._state === 'ended') return;
    this.log.info({ round: this._round }, 'job cancelled');
    const ids = [...this.members.keys()];
    this.members.clear();
    this.deps.onReleased(ids);
    this.end();
  }

  /** Leaves the job without touching the store (fenced by someone else, or shutdown). */
  abandon(): void {
    if (this.isEnded()) return;
    const ids = [...this.members.keys()];
    this.members.clear();
    this.deps.onReleased(ids);
    this.end();
  }

  private isEnded(): boolean {
    return this._state === 'ended';
  }

  private end(): void {
    if (this.isEnded()) return;
    this._state = 'ended';
    // x's arena slot goes back for other jobs (at once, or when its last reader is done); a late
    // reader of this runtime's x gets a copy.
    const x = this._x;
    this._x = Float32Array.from(x);
    this.recycle(x);
    this.clearOpen();
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.progressTimer = null;
    this.deps.metrics.valLoss.remove({ job: this.id });
    this.deps.metrics.valError.remove({ job: this.id });
    this.deps.metrics.trainLoss.remove({ job: this.id });
    void this.deps.evaluator.dispose();
    this.deps.onEnded(this);
  }

  /** Waits for checkpoint writes in progress (shutdown). */
  async drain(): Promise<void> {
    await this.ckptChain;
  }
}
