// The replica dynamics of one assignment, per algorithm, built from packages/core's distributed
// halves (ParleReplica, EasgdWorker, LocalEntropyWorker). A runner owns the algorithm's state;
// the exchanges themselves go through the `Exchanger` it is given, so a runner knows the round's
// tensors (coordinator.proto's table) but nothing of gRPC, leases or retries.
//
//   algorithm      one round                                             exchanges
//   parle          innerLoop (L steps) -> z ; outerStep(mean_z) -> x^a    SYNC phase 0 z -> mean_z; SYNC phase 1 x -> -
//   easgd (sync)   exchange x^i -> centre x~_t ; step(x~_t) ; tau-1 steps  SYNC x -> center
//   easgd (async)  exchange x^i -> elastic D ; step(x^i - D/alpha) ; ...   ASYNC x -> elastic (applied on arrival)
//   desgd          round(x, g_k) -> mu                                    SYNC mu -> x
import {
  EasgdWorker,
  LocalEntropyWorker,
  ParleReplica,
  makeLrSchedule,
  makeScoping,
  type BatchSource,
  type LearningRateSchedule,
  type Model,
  type OptimizerState,
  type ScopingSchedule,
  type ParleInnerResult,
} from '@deeprelax/core';
import { TensorNames, type NamedTensor } from '@deeprelax/rpc';
import type { DesgdPlan, EasgdPlan, JobPlan, ParlePlan } from './plan.js';

export type ExchangeKindName = 'pull' | 'sync' | 'async';

export interface ExchangeResult {
  /** Round the replica runs next (SYNC/PULL) or the version of x after the update (ASYNC). */
  round: number;
  tensors: Map<string, Float32Array>;
  /** The coordinator asked this replica to stop (job over, or replica removed). */
  stop: boolean;
}

/** One exchange with the coordinator; the orchestrator adds ids, fencing, progress and retries. */
export type Exchanger = (kind: ExchangeKindName, round: number, phase: number, tensors: NamedTensor[], expect: string[]) => Promise<ExchangeResult>;

export interface RoundStats {
  /** Inner steps (gradient evaluations) taken this round. */
  steps: number;
  samples: number;
  lossSum: number;
  correct: number;
  n: number;
  computeMs: number;
  /** Round to run next. */
  nextRound: number;
  stop: boolean;
  /**
   * Whether every exchange of some round has now been answered without error. false for a Parle
   * round whose second exchange is still in flight (overlap) and that confirms no earlier round:
   * the worker's count of failures in a row must not restart on it.
   */
  confirmed: boolean;
}

export interface ReplicaRunner {
  /** Starts (again) from the coordinator's x at `round`: fresh replica state anchored at x. */
  reset(x: Float32Array, round: number): void;
  /**
   * One round: inner steps and its exchanges. `localSteps`: inner steps this replica has taken in
   * this job so far (the async EASGD epoch clock).
   */
  runRound(round: number, exchange: Exchanger, localSteps: number, signal?: AbortSignal): Promise<RoundStats>;
  dispose(): void;
}

/** Rounds that make one epoch: one epoch is ceil(N/m) minibatches of this replica's stream. */
export interface EpochClock {
  /** 1-based epoch of the schedules at a 0-based round. */
  epochOfRound(round: number): number;
}

/**
 * Epoch accounting shared with the coordinator (PROTOCOL.md §3.2, §4): for Parle and DESGD one
 * epoch is nb = ceil(N/m) rounds, the convention of packages/core's training loop (one outer step
 * per minibatch index of the epoch, whatever L), so round k is in epoch floor(k/nb) + 1.
 */
export function roundsEpochClock(roundsPerEpoch: number): EpochClock {
  const rpe = Math.max(1, roundsPerEpoch);
  return { epochOfRound: (round) => Math.floor(round / rpe) + 1 };
}

function now(): number {
  return performance.now();
}

/**
 * Runs a step generator with an event-loop turn (I/O included) between steps. Returns its result
 * and the time spent in those turns, or null when `abandon()` said so between two steps (the
 * generator is closed then; its state is half a loop and must be reset).
 */
async function driveYielding<R>(steps: Generator<unknown, R, void>, abandon: () => boolean): Promise<{ value: R; yieldMs: number } | null> {
  let yieldMs = 0;
  for (;;) {
    const r = steps.next();
    if (r.done) return { value: r.value, yieldMs };
    const t = now();
    await new Promise<void>((resolve) => setImmediate(resolve));
    yieldMs += now() - t;
    if (abandon()) {
      steps.return(undefined as R);
      return null;
    }
  }
}

// ------------------------------------------------------------------------------------ Parle

class ParleRunner implements ReplicaRunner {
  private replica: ParleReplica | null = null;
  private readonly lr: LearningRateSchedule;
  private readonly innerLr: LearningRateSchedule | null;
  /**
   * Overlap: the previous round's phase-1 exchange (x^a up, no tensors down), still in flight.
   * Its answer only says whether the job goes on, so the next inner loop need not wait for it.
   */
  private pending: { round: number; result: Promise<ExchangeResult> } | null = null;

  constructor(
    private readonly model: Model,
    private readonly source: BatchSource,
    private readonly plan: JobPlan,
    private readonly cfg: ParlePlan,
    private readonly clock: EpochClock,
    private readonly overlap: boolean,
  ) {
    this.lr = makeLrSchedule(plan.lrSchedule);
    this.innerLr = cfg.innerLrSchedule ? makeLrSchedule(cfg.innerLrSchedule) : null;
  }

  reset(x: Float32Array, round: number): void {
    this.replica?.dispose();
    this.pending = null;
    const c = this.cfg;
    const r = new ParleReplica(
      this.model,
      this.source,
      {
        L: c.L,
        lr: this.lr.lrAt(this.clock.epochOfRound(round)),
        beta1: c.beta1,
        momentum: c.momentum,
        innerMomentum: c.innerMomentum,
        nesterov: c.nesterov,
        weightDecay: c.weightDecay,
        noise: c.noise,
        replicas: this.plan.replicas,
        gammaScoping: c.gammaScoping,
        rhoScoping: c.rhoScoping,
        resetZ: c.resetZ,
        outerBase: c.outerBase,
      },
      x,
    );
    // The scoping counter counts rounds of the job, so a replica joining at round R continues it.
    const s: OptimizerState = { algorithm: 'parle', steps: round, gradCalls: 0, lr: r.lr, vectors: {}, scalars: { 'r.round': round } };
    r.importFrom('r', s);
    this.replica = r;
  }

  async runRound(round: number, exchange: Exchanger, _localSteps = 0, signal?: AbortSignal): Promise<RoundStats> {
    const r = this.replica;
    if (!r) throw new Error('parle runner: reset() first');
    if (r.round !== round) {
      // The job skipped rounds (e.g. rounds closed without this replica): move the scoping
      // counter along, keeping the replica's vectors and momentum buffers.
      const s: OptimizerState = { algorithm: 'parle', steps: round, gradCalls: 0, lr: r.lr, vectors: {}, scalars: {} };
      r.exportInto('r', s);
      s.scalars['r.round'] = round;
      r.importFrom('r', s);
    }
    const epoch = this.clock.epochOfRound(round);
    r.lr = this.lr.lrAt(epoch);
    if (this.innerLr) r.config.innerLr = this.innerLr.lrAt(epoch);
    const t0 = now();
    const prev = this.pending;
    this.pending = null;
    const nothing = { steps: 0, samples: 0, lossSum: 0, correct: 0, n: 0 };
    let inner: ParleInnerResult;
    let computeMs: number;
    if (prev) {
      // A phase-1 upload is in flight: give the event loop a turn between inner steps so it
      // proceeds (the steps themselves are the same). Stop early when its answer says stop or
      // fails, or the assignment ends: the rest of this inner loop would be thrown away.
      let settled: { stop: boolean } | 'error' | null = null;
      prev.result.then(
        (e) => (settled = { stop: e.stop }),
        () => (settled = 'error'),
      );
      const done = await driveYielding(r.innerLoopSteps(), () => {
        const s = settled as { stop: boolean } | 'error' | null;
        return Boolean(signal?.aborted) || s === 'error' || (s !== null && s.stop);
      });
      computeMs = now() - t0 - (done?.yieldMs ?? 0);
      // The previous round must have closed before this one's first exchange. Its errors surface
      // here, as they would have at the end of the previous runRound (e.g. ABORTED: PULL).
      const e1 = await prev.result;
      if (e1.stop) return { ...nothing, computeMs, nextRound: e1.round, stop: true, confirmed: true };
      if (!done) throw new Error('parle: the assignment ended during the inner loop');
      inner = done.value;
    } else {
      inner = r.innerLoop();
      computeMs = now() - t0;
    }
    const stats = { steps: this.cfg.L, samples: inner.n, lossSum: inner.loss * this.cfg.L, correct: inner.correct, n: inner.n };
    const e0 = await exchange('sync', round, 0, [{ name: TensorNames.z, values: inner.z }], [TensorNames.meanZ]);
    if (e0.stop) return { ...stats, computeMs, nextRound: e0.round, stop: true, confirmed: prev !== null };
    const meanZ = e0.tensors.get(TensorNames.meanZ);
    if (!meanZ) throw new Error('parle: the phase-0 reply has no mean_z');
    const t1 = now();
    const xa = r.outerStep(meanZ);
    computeMs += now() - t1;
    const e1 = exchange('sync', round, 1, [{ name: TensorNames.x, values: xa }], []);
    if (this.overlap) {
      // Not awaited here: handled (and its rejection observed) by the next runRound.
      e1.catch(() => {});
      this.pending = { round, result: e1 };
      // This round is not confirmed until its phase 1 is answered; the previous one now is.
      return { ...stats, computeMs, nextRound: round + 1, stop: false, confirmed: prev !== null };
    }
    const done = await e1;
    return { ...stats, computeMs, nextRound: done.round, stop: done.stop, confirmed: true };
  }

  dispose(): void {
    this.replica?.dispose();
    this.replica = null;
    this.pending = null;
  }
}

// ------------------------------------------------------------------------------- EASGD/EAMSGD

class EasgdRunner implements ReplicaRunner {
  private worker: EasgdWorker | null = null;
  private readonly lr: LearningRateSchedule;

  constructor(
    private readonly model: Model,
    private readonly source: BatchSource,
    private readonly plan: JobPlan,
    private readonly cfg: EasgdPlan,
    /** Minibatches per epoch of the replica's stream. */
    private readonly nb: number,
  ) {
    this.lr = makeLrSchedule(plan.lrSchedule);
  }

  reset(x: Float32Array, _round: number): void {
    this.worker?.dispose();
    const c = this.cfg;
    this.worker = new EasgdWorker(
      this.model,
      this.source,
      { lr: this.lr.lrAt(1), alpha: c.alpha, tau: c.tau, momentum: c.momentum, weightDecay: c.weightDecay },
      x,
    );
  }

  async runRound(round: number, exchange: Exchanger, localSteps: number): Promise<RoundStats> {
    const w = this.worker;
    if (!w) throw new Error('easgd runner: reset() first');
    const c = this.cfg;
    // PROTOCOL.md §3.2: the EASGD family takes its epoch per local step t = k·τ + j (sync), or
    // from the replica's own local steps (async, where k is the shared version of x).
    const t0Steps = c.async ? localSteps : round * c.tau;
    let lossSum = 0;
    let correct = 0;
    let n = 0;
    let computeMs = 0;
    const xi = w.readReplica();
    let centre: Float32Array | Float64Array;
    let next: ExchangeResult;
    if (c.async) {
      next = await exchange('async', round, 0, [{ name: TensorNames.x, values: xi }], [TensorNames.elastic]);
      const delta = next.tensors.get(TensorNames.elastic);
      if (!delta) throw new Error('easgd: the async reply has no elastic difference');
      // The coordinator sends D = alpha (x^i - x~) and has applied it to x~; EasgdWorker takes the
      // centre, so hand it x~ = x^i - D/alpha (it recomputes D to float rounding).
      const c64 = new Float64Array(xi.length);
      if (c.alpha > 0) for (let i = 0; i < xi.length; i++) c64[i] = xi[i] - delta[i] / c.alpha;
      else c64.set(xi);
      centre = c64;
    } else {
      next = await exchange('sync', round, 0, [{ name: TensorNames.x, values: xi }], [TensorNames.center]);
      const ctr = next.tensors.get(TensorNames.center);
      if (!ctr) throw new Error('easgd: the sync reply has no center');
      centre = ctr;
    }
    if (next.stop) return { steps: 0, samples: 0, lossSum: 0, correct: 0, n: 0, computeMs: 0, nextRound: next.round, stop: true, confirmed: true };
    const t0 = now();
    for (let s = 0; s < c.tau; s++) {
      w.lr = this.lr.lrAt(Math.floor((t0Steps + s) / this.nb) + 1);
      const r = w.step(w.exchangeDue ? centre : undefined);
      lossSum += r.loss;
      correct += r.correct;
      n += r.n;
    }
    computeMs += now() - t0;
    // Sync: the next round; async: the version of x after this update (sent with the next exchange).
    return { steps: c.tau, samples: n, lossSum, correct, n, computeMs, nextRound: next.round, stop: false, confirmed: true };
  }

  dispose(): void {
    this.worker?.dispose();
    this.worker = null;
  }
}

// -------------------------------------------------------------------------- distributed ESGD

class DesgdRunner implements ReplicaRunner {
  private worker: LocalEntropyWorker | null = null;
  private x: Float32Array | null = null;
  private readonly scoping: ScopingSchedule;
  private readonly innerLr: LearningRateSchedule;

  constructor(
    private readonly model: Model,
    private readonly source: BatchSource,
    private readonly cfg: DesgdPlan,
    private readonly clock: EpochClock,
  ) {
    this.scoping = makeScoping(cfg.scoping);
    this.innerLr = makeLrSchedule(cfg.innerLrSchedule);
  }

  reset(x: Float32Array, _round: number): void {
    this.worker?.dispose();
    const c = this.cfg;
    this.worker = new LocalEntropyWorker(this.model, this.source, {
      L: c.L,
      innerLr: this.innerLr.lrAt(1),
      noise: c.noise,
      noiseScaling: c.noiseScaling,
      beta1: c.beta1,
      weightDecay: c.weightDecay,
      innerMomentum: c.innerMomentum,
      reset: c.reset,
    });
    this.x = x;
  }

  async runRound(round: number, exchange: Exchanger): Promise<RoundStats> {
    const w = this.worker;
    if (!w || !this.x) throw new Error('desgd runner: reset() first');
    w.config.innerLr = this.innerLr.lrAt(this.clock.epochOfRound(round));
    // The coupling counter increments before use (as Entropy-SGD): round k (0-based) uses g_{k+1}.
    const g = this.scoping.couplingAt(round + 1);
    const t0 = now();
    const r = w.round(this.x, g);
    const computeMs = now() - t0;
    const e = await exchange('sync', round, 0, [{ name: TensorNames.mu, values: r.mu }], [TensorNames.x]);
    const x = e.tensors.get(TensorNames.x);
    if (!e.stop) {
      if (!x) throw new Error('desgd: the reply has no x');
      this.x = x;
    }
    return { steps: this.cfg.L, samples: r.n, lossSum: r.loss * this.cfg.L, correct: r.correct, n: r.n, computeMs, nextRound: e.round, stop: e.stop, confirmed: true };
  }

  dispose(): void {
    this.worker?.dispose();
    this.worker = null;
  }
}

export interface RunnerOptions {
  /** Parle: overlap the round's second exchange with the next inner loop (WorkerConfig.overlapExchange). */
  overlapExchange?: boolean;
}

export function createReplicaRunner(model: Model, source: BatchSource, plan: JobPlan, nb: number, opts: RunnerOptions = {}): ReplicaRunner {
  const clock = roundsEpochClock(nb);
  switch (plan.algo.kind) {
    case 'parle':
      return new ParleRunner(model, source, plan, plan.algo, clock, opts.overlapExchange ?? false);
    case 'easgd':
      return new EasgdRunner(model, source, plan, plan.algo, nb);
    case 'desgd':
      return new DesgdRunner(model, source, plan.algo, clock);
  }
}
