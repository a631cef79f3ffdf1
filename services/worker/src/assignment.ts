// Runs one assignment: builds (or reuses) engine, model and data, PULLs x, then runs rounds of the
// replica dynamics with their exchanges until the coordinator says STOP, the job ends, the lease
// is lost or the worker is told to leave. Exchanges that fail because the coordinator is away are
// retried with backoff; a stale round (ABORTED) PULLs x and continues from the reply's round.
import type { Engine, Model } from '@deeprelax/core';
import { loadDataset, trainingSource, type Dataset } from '@deeprelax/data';
import { getModelSpec } from '@deeprelax/models';
import {
  bytesPerElement,
  type Assignment__Output,
  type ExchangeKind,
  type NamedTensor,
  type WorkerProgress,
} from '@deeprelax/rpc';
import type { Logger } from '@deeprelax/runtime';
import { Backoff, sleep } from './backoff.js';
import type { WorkerConfig } from './config.js';
import { classify, describe } from './errors.js';
import type { WorkerMetrics } from './metrics.js';
import { batchesPerEpoch, planFromAssignment, type JobPlan } from './plan.js';
import { createReplicaRunner, type ExchangeKindName, type ExchangeResult, type Exchanger } from './replica.js';
import type { Session } from './session.js';

export type AssignmentOutcome =
  /** The coordinator said STOP (job finished or cancelled, replica removed). */
  | 'stopped'
  /** The lease was lost: register again and take whatever comes. */
  | 'lease-lost'
  /** The worker is leaving (SIGTERM). */
  | 'leaving'
  /** The assignment cannot run (bad spec, model size mismatch, repeated rejections). */
  | 'failed';

/** Per-job counters that survive a re-assignment of the same job (progress is per job). */
export interface JobCounters {
  steps: number;
  samples: number;
}

export interface AssignmentContext {
  config: WorkerConfig;
  log: Logger;
  metrics: WorkerMetrics;
  session: Session;
  engineFor(choice: JobPlan['engine']): Promise<Engine>;
  datasetFor(plan: JobPlan): Promise<Dataset>;
  counters(jobId: string): JobCounters;
  /** Latest progress, for heartbeats. */
  setProgress(p: WorkerProgress | null): void;
  setState(s: 'starting' | 'training'): void;
}

/** Derives a replica's seed for its model generator (noise, dropout): replica 0 keeps the job's seed. */
export function replicaSeed(seed: number, replica: number): number {
  return replica === 0 ? seed : (seed + Math.imul(replica, 0x9e3779b1)) >>> 0;
}

const KIND: Record<ExchangeKindName, ExchangeKind> = {
  pull: 'EXCHANGE_KIND_PULL',
  sync: 'EXCHANGE_KIND_SYNC',
  async: 'EXCHANGE_KIND_ASYNC',
};

export class AssignmentRun {
  private model: Model | null = null;
  private progress: WorkerProgress | null = null;

  constructor(
    private readonly ctx: AssignmentContext,
    private readonly assignment: Assignment__Output,
    private readonly signal: AbortSignal,
    private readonly why: () => AssignmentOutcome,
  ) {}

  async run(): Promise<AssignmentOutcome> {
    const { ctx, assignment: a } = this;
    const log = ctx.log.child({ job: a.jobId, replica: a.replica });
    ctx.setState('starting');
    let plan: JobPlan;
    let ds: Dataset;
    try {
      // A first plan for the dataset fields, the real one once the training set size is known.
      ds = await ctx.datasetFor(planFromAssignment(a, 1));
      plan = planFromAssignment(a, ds.train.n);
    } catch (err) {
      log.error({ err: (err as Error).message }, 'cannot run this assignment');
      return 'failed';
    }
    const engine = await ctx.engineFor(plan.engine);
    const spec = getModelSpec(plan.model);
    const model = engine.createModel(spec, { seed: replicaSeed(plan.seed, plan.replica) });
    this.model = model;
    try {
      if (plan.numParams && model.numParams !== plan.numParams) {
        log.error({ worker: model.numParams, coordinator: plan.numParams }, 'model size differs from the coordinator\'s');
        return 'failed';
      }
      const source = trainingSource(ds.train, {
        batchSize: plan.batchSize,
        seed: plan.seed,
        worker: plan.replica,
        numWorkers: Math.max(plan.replicas, plan.replica + 1),
        sharding: 'independent',
      });
      const nb = batchesPerEpoch(ds.train.n, plan.batchSize);
      const runner = createReplicaRunner(model, source, plan, nb, { overlapExchange: this.ctx.config.overlapExchange });
      log.info(
        {
          algorithm: plan.algorithm,
          model: plan.model,
          params: model.numParams,
          engine: engine.description,
          train: ds.train.n,
          batchSize: plan.batchSize,
          stepsPerRound: plan.stepsPerRound,
          startRound: plan.startRound,
          dtype: plan.exchangeDtype,
        },
        'assignment started',
      );
      try {
        return await this.rounds(plan, runner, ds.train.n, log);
      } finally {
        runner.dispose();
      }
    } finally {
      model.dispose();
      this.model = null;
    }
  }

  private async rounds(plan: JobPlan, runner: ReturnType<typeof createReplicaRunner>, trainSize: number, log: Logger): Promise<AssignmentOutcome> {
    const { ctx } = this;
    const counters = ctx.counters(plan.jobId);
    const exchange = this.exchanger(plan, log);
    const pull = async (): Promise<{ x: Float32Array; round: number } | null> => {
      const r = await exchange('pull', 0, 0, [], ['x']);
      const x = r.tensors.get('x');
      if (r.stop) return null;
      if (!x) throw new Error('PULL reply has no x');
      return { x, round: r.round };
    };
    let pulled: { x: Float32Array; round: number } | null;
    try {
      pulled = await pull();
    } catch (err) {
      return this.outcomeOf(err, log);
    }
    if (!pulled) return 'stopped';
    runner.reset(pulled.x, pulled.round);
    let round = pulled.round;
    ctx.setState('training');
    let failures = 0;
    const job = plan.jobId;
    let lastRoundEnd = performance.now();
    for (;;) {
      if (this.signal.aborted) return this.why();
      try {
        const st = await runner.runRound(round, exchange, counters.steps, this.signal);
        if (st.confirmed) failures = 0;
        const t = performance.now();
        const wallS = (t - lastRoundEnd) / 1000;
        lastRoundEnd = t;
        counters.steps += st.steps;
        counters.samples += st.samples;
        const m = ctx.metrics;
        m.steps.inc({ job }, st.steps);
        m.samples.inc({ job }, st.samples);
        m.round.set({ job }, st.nextRound);
        m.roundSeconds.observe({ job }, wallS);
        m.computeSeconds.observe({ job }, st.computeMs / 1000);
        const sps = wallS > 0 ? st.steps / wallS : 0;
        const samplesPs = wallS > 0 ? st.samples / wallS : 0;
        m.stepsPerSecond.set({ job }, sps);
        m.samplesPerSecond.set({ job }, samplesPs);
        const loss = st.steps > 0 ? st.lossSum / st.steps : undefined;
        const err = st.n > 0 ? 1 - st.correct / st.n : undefined;
        if (loss !== undefined) m.trainLoss.set({ job }, loss);
        if (err !== undefined) m.trainError.set({ job }, err);
        this.progress = {
          workerId: ctx.session.workerId ?? '',
          replica: plan.replica,
          round: round,
          steps: counters.steps,
          samples: counters.samples,
          epoch: counters.samples / trainSize,
          ...(loss !== undefined ? { trainLoss: loss } : {}),
          ...(err !== undefined ? { trainError: err } : {}),
          stepsPerSecond: sps,
          samplesPerSecond: samplesPs,
          timeUnixMs: Date.now(),
        };
        ctx.setProgress(this.progress);
        log.debug({ round, next: st.nextRound, loss, computeMs: Math.round(st.computeMs), wallMs: Math.round(wallS * 1000) }, 'round');
        if (st.stop) {
          log.info({ round: st.nextRound, steps: counters.steps }, 'coordinator says stop');
          return 'stopped';
        }
        round = st.nextRound;
      } catch (err) {
        if (this.signal.aborted) return this.why();
        const { action, error } = classify(err);
        if (action === 'pull') {
          log.info({ round, err: describe(error) }, 'round closed without this replica; pulling x');
          try {
            const p = await pull();
            if (!p) return 'stopped';
            runner.reset(p.x, p.round);
            round = p.round;
            lastRoundEnd = performance.now();
          } catch (e2) {
            return this.outcomeOf(e2, log);
          }
          continue;
        }
        if (action === 'fail' && ++failures <= 3) {
          log.warn({ round, err: describe(error), failures }, 'exchange rejected; pulling x and trying again');
          try {
            const p = await pull();
            if (!p) return 'stopped';
            runner.reset(p.x, p.round);
            round = p.round;
          } catch (e2) {
            return this.outcomeOf(e2, log);
          }
          continue;
        }
        return this.outcomeOf(err, log);
      }
    }
  }

  private outcomeOf(err: unknown, log: Logger): AssignmentOutcome {
    if (this.signal.aborted) return this.why();
    const { action, error } = classify(err);
    if (action === 'register') {
      // FAILED_PRECONDITION (lease expired, stale token) or NOT_FOUND (unknown job or worker, e.g.
      // a coordinator on the in-memory store restarted): register again (PROTOCOL.md §3.4).
      log.warn({ err: describe(error) }, 'coordinator no longer knows this lease or assignment');
      this.ctx.session.leaseLost(describe(error));
      return 'lease-lost';
    }
    log.error({ err: describe(error), stack: (err as Error)?.stack }, 'assignment failed');
    return 'failed';
  }

  /** Exchanges with ids, fencing, progress, metrics and retry-while-unavailable. */
  private exchanger(plan: JobPlan, log: Logger): Exchanger {
    const { ctx } = this;
    const bpe = bytesPerElement(plan.exchangeDtype);
    // Replies that the runners consume at once (mean_z, center, elastic) are received into
    // preallocated arrays, sparing a 4·n-byte allocation per exchange; x (kept across a round by
    // DESGD) is always a fresh array.
    const staging: Record<string, Float32Array> = {};
    const into = (names: string[]): Record<string, Float32Array> | undefined => {
      const o: Record<string, Float32Array> = {};
      for (const n of names) if (n !== 'x' && plan.numParams > 0) o[n] = staging[n] ??= new Float32Array(plan.numParams);
      return Object.keys(o).length > 0 ? o : undefined;
    };
    return async (kind, round, phase, tensors: NamedTensor[], expect) => {
      const backoff = new Backoff(ctx.config.backoff);
      const since = Date.now();
      for (;;) {
        const t0 = performance.now();
        try {
          const out = await ctx.session.client.exchange(
            {
              jobId: plan.jobId,
              workerId: ctx.session.workerId ?? '',
              fencingToken: ctx.session.fencingToken,
              kind: KIND[kind],
              round,
              phase,
              ...(this.progress ? { progress: this.progress } : {}),
            },
            tensors,
            { dtype: plan.exchangeDtype, chunkBytes: Math.min(plan.maxChunkBytes, 1024 * 1024), signal: this.signal, ...(into(expect) ? { into: into(expect)! } : {}) },
          );
          const ms = performance.now() - t0;
          ctx.metrics.exchangeSeconds.observe({ kind }, ms / 1000);
          ctx.metrics.exchanges.inc({ kind, outcome: 'ok' });
          let sent = 0;
          for (const t of tensors) sent += t.values.length * bpe;
          let recv = 0;
          for (const t of out.tensors) recv += t.values.length * bpe;
          ctx.metrics.exchangeBytes.inc({ direction: 'sent' }, sent);
          ctx.metrics.exchangeBytes.inc({ direction: 'received' }, recv);
          const missing = out.reply.directive === 'WORKER_DIRECTIVE_STOP' ? [] : expect.filter((n) => !out.byName.has(n));
          if (missing.length > 0) throw new Error(`${kind} reply lacks ${missing.join(', ')}`);
          return { round: out.reply.round, tensors: out.byName, stop: out.reply.directive === 'WORKER_DIRECTIVE_STOP' } satisfies ExchangeResult;
        } catch (err) {
          if (this.signal.aborted) throw err;
          const { action, error } = classify(err);
          ctx.metrics.exchanges.inc({ kind, outcome: error.codeName.toLowerCase() });
          if (action !== 'retry') throw error;
          if (Date.now() - since > ctx.config.giveUpAfterMs) throw error;
          const wait = backoff.next();
          log.warn({ kind, round, phase, err: describe(error), retryInMs: wait }, 'exchange failed; retrying');
          await sleep(wait, this.signal);
          if (this.signal.aborted) throw error;
          // While the coordinator is away the lease may have lapsed: the heartbeat notices and
          // aborts this assignment; otherwise try the same exchange again.
          if (!ctx.session.isRegistered) throw error;
        }
      }
    };
  }
}
