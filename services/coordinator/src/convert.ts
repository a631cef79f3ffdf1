// Store records as wire messages: Job, WorkerInfo, JobEvent; and the mapping between store stream
// ids ("ms-seq") and JobEvent.seq numbers.
import type {
  Job,
  JobEvent,
  JobProgress,
  JobState__Output,
  LogLevel,
  MetricSample,
  WorkerCapabilities,
  WorkerInfo,
  WorkerProgress,
  WorkerState,
} from '@deeprelax/rpc';
import type { CheckpointRecord, JobEvent as StoreEvent, JobRecord, JobState, WorkerRecord } from '@deeprelax/store';
import type { JobRuntime } from './job-runtime.js';
import { decodeSpec, effectiveEpochAt, epochAt, type JobPlan } from './spec.js';

export function wireState(s: JobState): JobState__Output {
  return `JOB_STATE_${s.toUpperCase()}` as JobState__Output;
}

const SEQ_SHIFT = 1024;

/** "ms-seq" -> ms·1024 + seq (increasing with the stream id while seq < 1024 per millisecond). */
export function seqOfStreamId(id: string): number {
  const [ms, s] = id.split('-');
  return Number(ms) * SEQ_SHIFT + Math.min(Number(s ?? 0), SEQ_SHIFT - 1);
}

export function streamIdOfSeq(seq: number): string {
  return `${Math.floor(seq / SEQ_SHIFT)}-${seq % SEQ_SHIFT}`;
}

export function toJob(
  r: JobRecord,
  opts: { runtime?: JobRuntime | null; checkpoint?: CheckpointRecord | null; plan?: JobPlan | null } = {},
): Job {
  const spec = decodeSpec(r.spec);
  const rt = opts.runtime ?? null;
  let progress: JobProgress | null = null;
  if (rt) {
    progress = rt.progress();
  } else if (opts.plan) {
    const round = r.progress?.round ?? 0;
    const p = opts.plan;
    progress = {
      round,
      totalRounds: p.totalRounds,
      epoch: epochAt(p, round),
      totalEpochs: p.epochs,
      effectiveEpoch: r.progress ? r.progress.effectiveEpochs : effectiveEpochAt(p, round),
      fraction: r.state === 'succeeded' ? 1 : Math.min(1, round / p.totalRounds),
      liveWorkers: 0,
      samples: 0,
      wallMs: r.startedAt ? (r.endedAt ?? Date.now()) - r.startedAt : 0,
    };
  }
  const metrics = rt ? rt.latestMetrics : (r.latestMetrics ?? {});
  const latest: MetricSample[] = Object.entries(metrics).map(([name, value]) => ({
    name,
    value,
    round: progress?.round ?? r.progress?.round ?? 0,
    epoch: progress?.epoch ?? 0,
    effectiveEpoch: progress?.effectiveEpoch ?? r.progress?.effectiveEpochs ?? 0,
    wallMs: progress?.wallMs ?? 0,
    workerId: '',
    timeUnixMs: r.progress?.updatedAt ?? r.updatedAt,
  }));
  const workers: WorkerProgress[] = rt
    ? [...rt.members.values()].map((m) => m.progress ?? { workerId: m.workerId, replica: Math.max(0, m.replica) })
    : [];
  return {
    id: r.id,
    spec: spec as never,
    state: wireState(r.state),
    createdUnixMs: r.createdAt,
    startedUnixMs: r.startedAt ?? 0,
    finishedUnixMs: r.endedAt ?? 0,
    progress,
    latestMetrics: latest,
    error: r.error ? { code: r.error.code, message: r.error.message, field: '' } : null,
    checkpoint: opts.checkpoint?.location ?? '',
    workers,
    version: r.updatedAt,
  };
}

export interface WorkerView {
  state: WorkerState;
  replica: number;
  progress: WorkerProgress | null;
}

export function toWorkerInfo(w: WorkerRecord, view: WorkerView | null): WorkerInfo {
  const caps = (w.meta as { capabilities?: WorkerCapabilities }).capabilities ?? null;
  return {
    workerId: w.id,
    capabilities: caps,
    state: view?.state ?? (w.jobId ? 'WORKER_STATE_TRAINING' : 'WORKER_STATE_IDLE'),
    jobId: w.jobId ?? '',
    replica: view?.replica !== undefined && view.replica >= 0 ? view.replica : 0,
    registeredUnixMs: w.registeredAt,
    lastHeartbeatUnixMs: w.lastHeartbeatAt,
    leaseExpiresUnixMs: w.leaseExpiresAt,
    progress: view?.progress ?? null,
  };
}

export interface EventFilter {
  logs: boolean;
  workerProgress: boolean;
}

/**
 * The JobEvent of a stored event, or null when the watcher did not ask for it. `record` supplies
 * the error of a FAILED transition.
 */
export function toJobEvent(jobId: string, e: StoreEvent, filter: EventFilter, errorOf?: () => JobRecord['error']): JobEvent | null {
  const base = { seq: seqOfStreamId(e.id), jobId, timeUnixMs: e.at };
  const data = (e.data ?? {}) as Record<string, unknown>;
  switch (e.kind) {
    case 'job.state': {
      const to = data.to as JobState;
      const from = data.from as JobState;
      const err = to === 'failed' ? errorOf?.() : null;
      return {
        ...base,
        status: {
          state: wireState(to),
          previous: wireState(from),
          message: typeof data.reason === 'string' ? data.reason : `${from} -> ${to}`,
          error: err ? { code: err.code, message: err.message, field: '' } : null,
        },
      };
    }
    case 'job.progress':
      return { ...base, progress: data as JobProgress };
    case 'metric':
      return { ...base, metric: data as MetricSample };
    case 'worker.progress':
      return filter.workerProgress ? { ...base, worker: data as WorkerProgress } : null;
    case 'log':
      return filter.logs
        ? { ...base, log: { level: (data.level as LogLevel) ?? 'LOG_LEVEL_INFO', message: String(data.message ?? ''), workerId: String(data.workerId ?? '') } }
        : null;
    default:
      if (!filter.logs) return null;
      return {
        ...base,
        log: {
          level: e.kind === 'job.error' ? 'LOG_LEVEL_ERROR' : 'LOG_LEVEL_INFO',
          message: `${e.kind} ${JSON.stringify(e.data)}`,
          workerId: typeof data.workerId === 'string' ? data.workerId : '',
        },
      };
  }
}
