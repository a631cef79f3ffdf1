// startWorker(config): the worker's composition root. Picks the engine, serves /metrics, registers
// with the coordinator, heartbeats, runs assignments one at a time, rejoins after the coordinator
// comes back, and leaves cleanly on stop() (main.ts calls it on SIGTERM/SIGINT).
import type { Engine } from '@deeprelax/core';
import { loadDataset, type Dataset } from '@deeprelax/data';
import type { Assignment__Output, EngineKind, WorkerProgress, WorkerState } from '@deeprelax/rpc';
import { createLogger, selectEngine, type EngineChoice, type Logger } from '@deeprelax/runtime';
import { AssignmentRun, type AssignmentOutcome, type JobCounters } from './assignment.js';
import { Backoff, sleep } from './backoff.js';
import type { WorkerConfig } from './config.js';
import { WorkerMetrics, serveMetrics, type MetricsServer } from './metrics.js';
import type { JobPlan } from './plan.js';
import { Session, deviceOf } from './session.js';

export type WorkerStateName = 'starting-up' | 'registering' | 'idle' | 'starting' | 'training' | 'leaving' | 'stopped';

export interface WorkerHandle {
  /** The id the coordinator gave this worker (null before the first registration). */
  readonly workerId: string | null;
  readonly state: WorkerStateName;
  /** Port of /metrics (null when disabled). */
  readonly metricsPort: number | null;
  readonly metrics: WorkerMetrics;
  /** Jobs this worker has finished (assignments that ended with STOP). */
  readonly jobsDone: number;
  /** Resolves when the worker has stopped (after stop(), maxJobs, or a fatal error: rejects). */
  readonly done: Promise<void>;
  /** Leaves the pool cleanly: finishes or abandons the current round, Leave, closes. */
  stop(reason?: string): Promise<void>;
}

export interface StartWorkerOptions {
  logger?: Logger;
  /** Separate prom-client process metrics off (several workers in one process, tests). */
  processMetrics?: boolean;
}

const ENGINE_KIND: Record<string, EngineKind> = { torch: 'ENGINE_KIND_TORCH', tfjs: 'ENGINE_KIND_TFJS' };

export async function startWorker(config: WorkerConfig, options: StartWorkerOptions = {}): Promise<WorkerHandle> {
  const log = (options.logger ?? createLogger({ level: config.logLevel, name: 'deeprelax-worker' })).child({ worker: config.name });
  const metrics = new WorkerMetrics({ worker: config.name }, { processMetrics: options.processMetrics ?? true });
  metrics.setState('idle');

  // The engine is picked once (the log says which and why); a job asking for another one gets it
  // on demand.
  const engines = new Map<EngineChoice, Promise<Engine>>();
  const first = await selectEngine(config.engine, { threads: config.threads, device: config.device, cpuCacheMiB: config.cpuCacheMiB });
  log.info({ engine: first.engine.name }, first.reason);
  engines.set(config.engine, Promise.resolve(first.engine));
  engines.set(first.engine.name as EngineChoice, Promise.resolve(first.engine));
  const engineFor = (choice: JobPlan['engine']): Promise<Engine> => {
    const c: EngineChoice = choice === 'auto' ? config.engine : choice;
    let e = engines.get(c);
    if (!e) {
      e = selectEngine(c, { threads: config.threads, device: config.device, cpuCacheMiB: config.cpuCacheMiB }).then((s) => {
        log.info({ engine: s.engine.name }, s.reason);
        return s.engine;
      });
      engines.set(c, e);
    }
    return e;
  };
  const available: EngineKind[] = [ENGINE_KIND[first.engine.name] ?? 'ENGINE_KIND_TFJS'];
  if (first.engine.name !== 'tfjs') available.push('ENGINE_KIND_TFJS');

  const datasets = new Map<string, Promise<Dataset>>();
  const datasetFor = (plan: JobPlan): Promise<Dataset> => {
    const d = plan.dataset;
    const key = JSON.stringify(d);
    let p = datasets.get(key);
    if (!p) {
      // mnist comes bundled; the others need a folder: the spec's path, else DEEPRELAX_DATA_DIR.
      const dir = d.dir ?? (d.name === 'mnist' || d.name === 'synthetic' ? null : config.dataDir);
      p = loadDataset({
        name: d.name,
        ...(dir ? { dir } : {}),
        ...(d.trainLimit ? { trainLimit: d.trainLimit } : {}),
        ...(d.valLimit ? { testLimit: d.valLimit } : {}),
      });
      p.catch(() => datasets.delete(key));
      datasets.set(key, p);
    }
    return p;
  };

  let metricsServer: MetricsServer | null = null;
  if (config.metricsPort !== null) {
    metricsServer = await serveMetrics(metrics.registry, config.metricsPort, config.metricsHost);
    log.info({ port: metricsServer.port }, 'metrics at /metrics');
  }

  let state: WorkerStateName = 'registering';
  let progress: WorkerProgress | null = null;
  let currentJob = '';
  let current: { jobId: string; replica: number; abort: AbortController; why: AssignmentOutcome } | null = null;
  let pending: Assignment__Output | null = null;
  let wake: (() => void) | null = null;
  const stopAll = new AbortController();
  let stopReason = 'stopped';
  let jobsDone = 0;
  const counters = new Map<string, JobCounters>();

  const wireState = (): WorkerState => {
    switch (state) {
      case 'starting':
        return 'WORKER_STATE_STARTING';
      case 'training':
        return 'WORKER_STATE_TRAINING';
      case 'leaving':
      case 'stopped':
        return 'WORKER_STATE_LEAVING';
      default:
        return 'WORKER_STATE_IDLE';
    }
  };
  const setState = (s: WorkerStateName) => {
    state = s;
    metrics.setState(s === 'starting-up' || s === 'registering' ? 'idle' : s === 'stopped' ? 'leaving' : s);
  };

  const session = new Session(
    config,
    log,
    metrics,
    {
      onAssignment(a) {
        if (current && current.jobId === a.jobId && current.replica === a.replica) return;
        if (pending && pending.jobId === a.jobId && pending.replica === a.replica) return;
        if (current) {
          // A new assignment while another runs: the coordinator moved us; drop the old one.
          log.info({ from: current.jobId, to: a.jobId }, 'reassigned');
          current.why = 'stopped';
          current.abort.abort();
        }
        pending = a;
        wake?.();
      },
      onStop(jobId) {
        if (current && (!jobId || jobId === current.jobId)) {
          log.info({ job: current.jobId }, 'coordinator says stop');
          current.why = 'stopped';
          current.abort.abort();
        }
        if (pending && (!jobId || pending.jobId === jobId)) pending = null;
      },
      onLeaseLost() {
        if (current) {
          current.why = 'lease-lost';
          current.abort.abort();
        }
        pending = null;
        wake?.();
      },
    },
    () => ({ state: wireState(), jobId: currentJob, progress: current ? progress : null }),
    available,
    deviceOf(first.engine.description),
  );

  const ctx = {
    config,
    log,
    metrics,
    session,
    engineFor,
    datasetFor,
    counters(jobId: string) {
      let c = counters.get(jobId);
      if (!c) {
        c = { steps: 0, samples: 0 };
        counters.set(jobId, c);
      }
      return c;
    },
    setProgress(p: WorkerProgress | null) {
      progress = p;
      session.stateChanged();
    },
    setState(s: 'starting' | 'training') {
      setState(s);
      void session.beat();
    },
  };

  let idleSince = Date.now();
  async function loop(): Promise<void> {
    const backoff = new Backoff(config.backoff);
    while (!stopAll.signal.aborted) {
      if (!session.isRegistered) {
        setState('registering');
        const ok = await session.register(stopAll.signal);
        if (!ok) break;
        setState('idle');
        idleSince = Date.now();
      }
      const a = pending as Assignment__Output | null;
      if (!a) {
        if (config.exitWhenIdleMs > 0 && jobsDone > 0 && Date.now() - idleSince > config.exitWhenIdleMs) {
          stopReason = 'idle';
          break;
        }
        // Wait for an assignment (onAssignment wakes us), a stop, or half a second.
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(t);
            stopAll.signal.removeEventListener('abort', done);
            wake = null;
            resolve();
          };
          const t = setTimeout(done, 500);
          wake = done;
          stopAll.signal.addEventListener('abort', done, { once: true });
        });
        continue;
      }
      pending = null;
      const abort = new AbortController();
      const onStop = () => abort.abort();
      stopAll.signal.addEventListener('abort', onStop, { once: true });
      current = { jobId: a.jobId, replica: a.replica, abort, why: 'stopped' };
      currentJob = a.jobId;
      const cur = current;
      let outcome: AssignmentOutcome;
      try {
        outcome = await new AssignmentRun(ctx, a, abort.signal, () => (stopAll.signal.aborted ? 'leaving' : cur.why)).run();
      } catch (err) {
        log.error({ err: (err as Error).message, stack: (err as Error).stack }, 'assignment crashed');
        outcome = 'failed';
      } finally {
        stopAll.signal.removeEventListener('abort', onStop);
      }
      current = null;
      currentJob = '';
      progress = null;
      metrics.jobs.inc({ outcome });
      log.info({ job: a.jobId, outcome }, 'assignment ended');
      if (outcome === 'stopped') {
        jobsDone++;
        backoff.reset();
      }
      if (!stopAll.signal.aborted) setState('idle');
      idleSince = Date.now();
      void session.beat();
      if (outcome === 'failed') {
        // Do not spin on an assignment that cannot run: leave, wait, come back as a new member.
        await session.leave('assignment failed');
        await sleep(backoff.next(), stopAll.signal);
      }
      if (config.maxJobs > 0 && jobsDone >= config.maxJobs) {
        stopReason = `finished ${jobsDone} job(s)`;
        break;
      }
    }
  }

  const done = (async () => {
    try {
      await loop();
    } finally {
      setState('leaving');
      await session.leave(stopReason);
      session.close();
      await metricsServer?.close();
      setState('stopped');
      log.info({ reason: stopReason }, 'worker stopped');
    }
  })();
  done.catch(() => {});

  return {
    get workerId() {
      return session.workerId;
    },
    get state() {
      return state;
    },
    get metricsPort() {
      return metricsServer?.port ?? null;
    },
    metrics,
    get jobsDone() {
      return jobsDone;
    },
    done,
    async stop(reason = 'stopped') {
      if (!stopAll.signal.aborted) {
        stopReason = reason;
        log.info({ reason }, 'stopping');
        stopAll.abort();
        wake?.();
      }
      await done.catch(() => {});
    },
  };
}
