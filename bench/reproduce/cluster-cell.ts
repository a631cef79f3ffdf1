// One distributed cell run on the real system instead of core's one-process simulation: the
// coordinator (services/coordinator, in-memory store) and n worker processes (services/worker) on
// loopback, a job submitted over gRPC, its validation errors read from the job's event stream, the
// job cancelled once it reaches the cell's target. Wall-clock is the job's own (`wall_ms` of its
// metric samples: from the start of the job, evaluations on the coordinator included), so it
// measures what distribution costs and buys on this machine, exchanges and all.
//
// The coordinator fills in the algorithm's preset for the model (the same core preset the
// simulated cell uses); the cell's epochs, seed, batch size and learning-rate schedule are sent
// with the job. Other optimizer overrides (--set) do not carry over and are refused by plan.ts.
import { cpus, loadavg } from 'node:os';
import { lrWireOf } from '@deeprelax/coordinator';
import { isTerminalJobState, JobsClient, type Algorithm, type JobSpec } from '@deeprelax/rpc';
import { spawnService, startCoordinator } from '../distributed/common.js';
import type { CellJob, CellMessage } from './cell.js';
import type { CellSpec } from './plan.js';
import { RUN_SCHEMA, writeRun, type CurvePoint, type RunRecord } from './store.js';
import { reachesTarget } from './target.js';

/** The job algorithm of a distributed entry. */
export function clusterAlgorithm(algorithm: string, async: boolean): Algorithm {
  switch (algorithm) {
    case 'parle':
      return 'ALGORITHM_PARLE';
    case 'easgd':
      return async ? 'ALGORITHM_EASGD_ASYNC' : 'ALGORITHM_EASGD';
    case 'eamsgd':
      return 'ALGORITHM_EAMSGD';
    case 'dist-esgd':
      return 'ALGORITHM_DESGD';
    default:
      throw new Error(`${algorithm} has no distributed form to run on the cluster`);
  }
}

/** EASGD's communication period τ (steps per exchange) for EASGD/EAMSGD cells; undefined for the others. */
function easgdTau(cell: CellSpec): number | undefined {
  if (cell.algorithm !== 'easgd' && cell.algorithm !== 'eamsgd') return undefined;
  return (cell.optimizer as unknown as { tau?: number }).tau ?? 1;
}

/** The job a cluster cell submits. */
export function clusterJobSpec(job: CellJob): JobSpec {
  const { cell } = job;
  const opt = cell.optimizer as unknown as { async?: boolean; alpha?: number; lrScaling?: 'none' | 'coupling' };
  const tau = easgdTau(cell);
  return {
    name: cell.key,
    model: cell.model,
    dataset: { name: cell.dataset, trainLimit: cell.trainLimit ?? 0, valLimit: cell.testLimit ?? 0 },
    algorithm: clusterAlgorithm(cell.algorithm, Boolean(opt.async)),
    epochs: cell.epochs,
    seed: cell.seed,
    minWorkers: cell.replicas,
    maxWorkers: cell.replicas,
    engine: job.engine === 'torch' ? 'ENGINE_KIND_TORCH' : job.engine === 'tfjs' ? 'ENGINE_KIND_TFJS' : 'ENGINE_KIND_AUTO',
    evalInterval: { epochs: cell.clusterEvalEvery ?? cell.evalEvery },
    checkpointInterval: { seconds: 86_400 },
    ...(cell.exchangeDtype !== undefined ? { exchangeDtype: `DTYPE_${cell.exchangeDtype.toUpperCase()}` as JobSpec['exchangeDtype'] } : {}),
    // EASGD's α = 0.9/p is the bench's choice (plan.ts), not the preset's: send it, and τ (the
    // communication period, --set easgd:2.tau=...; the preset's τ = 1 is one exchange per step).
    hyper: {
      batchSize: cell.batchSize,
      lr: lrWireOf(cell.lrSchedule),
      ...(typeof opt.alpha === 'number' ? { alpha: opt.alpha } : {}),
      ...(tau !== undefined ? { tau } : {}),
      // Distributed ESGD's centre step: the preset's convention. Left unspecified, a job that sends
      // its own lr gets the coupling-scaled step η·γ(k), 1e-4 of the preset's η here.
      ...(cell.algorithm === 'dist-esgd'
        ? { centreLrScaling: opt.lrScaling === 'none' ? 'CENTRE_LR_SCALING_NONE' : 'CENTRE_LR_SCALING_COUPLING' }
        : {}),
    },
  };
}

/** Runs one distributed cell on a local cluster and stores it. */
export async function runClusterCell(job: CellJob, emit: (m: CellMessage) => void, shouldAbort: () => boolean = () => false): Promise<RunRecord> {
  const { cell } = job;
  const startedAt = new Date().toISOString();
  const loadStart = loadavg();
  const t0 = performance.now();
  const threads = String(job.threads);
  const coord = await startCoordinator({ DEEPRELAX_ENGINE: job.engine, DEEPRELAX_ENGINE_THREADS: threads });
  const workers = Array.from({ length: cell.replicas }, (_, i) =>
    spawnService('worker', {
      DEEPRELAX_COORDINATOR: coord.address,
      DEEPRELAX_METRICS_PORT: 'off',
      DEEPRELAX_ENGINE: job.engine,
      DEEPRELAX_THREADS: threads,
      DEEPRELAX_WORKER_NAME: `${cell.key}-w${i}`,
    }),
  );
  // If this process is made to exit mid-run (run.ts interrupted sends SIGTERM; a lost parent makes
  // child.ts exit on disconnect), take the cluster down with it rather than leave it training.
  const killAll = () => {
    for (const p of [coord.proc, ...workers]) if (p.proc.exitCode === null) p.proc.kill('SIGKILL');
  };
  const onSignal = (sig: NodeJS.Signals) => {
    killAll();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', killAll);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const jobs = new JobsClient(coord.address);
  try {
    const submitted = await jobs.submitJob(clusterJobSpec(job));
    const setupMs = performance.now() - t0;
    const points = new Map<number, CurvePoint>();
    let targetReached = false;
    let endState = '';
    let endReason: string | null = null;
    let lastProgress = 0;
    let trainLoss = NaN;
    let trainError = NaN;
    let samples = 0;
    let wallMs = 0;
    // A coordinator round is one exchange: τ steps of every EASGD worker (of one worker when
    // asynchronous, so 1/p of a step of all), one step otherwise.
    const tau = easgdTau(cell);
    const async = (cell.optimizer as unknown as { async?: boolean }).async === true;
    const stepsPerRound = tau === undefined ? 1 : tau / (async ? cell.replicas ?? 1 : 1);
    for await (const ev of jobs.watchJob({ jobId: submitted.id })) {
      if (shouldAbort()) throw new Error(`${cell.key}: aborted`);
      if (ev.progress) {
        samples = Number(ev.progress.samples);
        wallMs = Number(ev.progress.wallMs);
        const now = performance.now();
        if (now - lastProgress >= job.progressMs) {
          lastProgress = now;
          const gradCalls = Number(ev.progress.round) * stepsPerRound * cell.gradCallsPerStep;
          emit({ type: 'progress', key: cell.key, epoch: ev.progress.epoch, gradCalls, effectiveEpochs: ev.progress.effectiveEpoch, loss: trainLoss, trainMs: wallMs, evalMs: 0 });
        }
      }
      const m = ev.metric;
      if (m && !m.workerId) {
        if (m.name === 'train_loss') trainLoss = m.value;
        if (m.name === 'train_error') trainError = m.value;
        if (m.name === 'val_error' || m.name === 'val_loss') {
          const round = Number(m.round);
          let p = points.get(round);
          if (!p) {
            p = {
              epoch: m.epoch,
              effectiveEpochs: m.effectiveEpoch,
              steps: round * stepsPerRound,
              gradCalls: round * stepsPerRound * cell.gradCallsPerStep,
              trainLoss,
              trainError,
              valError: null,
              valLoss: null,
              lr: NaN,
              coupling: null,
              wallMs: Number(m.wallMs),
              evalMs: 0,
            };
            points.set(round, p);
          }
          if (m.name === 'val_error') {
            p.valError = m.value;
            emit({ type: 'epoch', key: cell.key, point: p });
            if (cell.stopAtError !== undefined && reachesTarget(m.value, cell.stopAtError) && !targetReached) {
              targetReached = true;
              await jobs.cancelJob(submitted.id, 'bench/reproduce: target reached');
            }
          } else p.valLoss = m.value;
        }
      }
      if (ev.status && isTerminalJobState(ev.status.state)) {
        endState = ev.status.state;
        endReason = ev.status.message || null;
        break;
      }
    }
    if (!targetReached && endState !== 'JOB_STATE_SUCCEEDED') throw new Error(`${cell.key}: the job ended ${endState || 'without a final status'}${endReason ? `: ${endReason}` : ''}`);
    const curve = [...points.values()].sort((a, b) => a.steps - b.steps);
    const last = curve.at(-1);
    const total = targetReached && last ? last.wallMs : Math.max(wallMs, last?.wallMs ?? 0);
    const gradCalls = last?.gradCalls ?? 0;
    const run: RunRecord = {
      schema: RUN_SCHEMA,
      key: cell.key,
      cell,
      status: targetReached ? 'target' : 'completed',
      reason: targetReached ? `validation error <= ${(100 * (cell.stopAtError ?? 0)).toFixed(2)}%` : null,
      engine: { name: job.engine, description: `cluster: coordinator + ${cell.replicas} worker processes (${job.engine}, ${job.threads} thread(s) each)`, threads: job.threads },
      host: { cpus: cpus().length, loadavgStart: loadStart, loadavgEnd: loadavg(), node: process.version },
      startedAt,
      finishedAt: new Date().toISOString(),
      trainSamples: cell.trainSize,
      testSamples: cell.testLimit ?? 10_000,
      setupMs,
      wallMs: total,
      // Evaluations run on the coordinator alongside training; their time is inside wallMs.
      evalMs: 0,
      gradCalls,
      samplesPerSecond: samples / Math.max(1e-3, (wallMs || total) / 1000),
      curve,
    };
    writeRun(job.out, run);
    return run;
  } finally {
    jobs.close();
    await Promise.all(workers.map((w) => w.stop()));
    await coord.stop();
    process.off('exit', killAll);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
