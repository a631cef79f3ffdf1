// Plain-text renderings of jobs and workers for the client commands.
import {
  algorithmName,
  engineName,
  jobStateName,
  type Job__Output,
  type MetricSample__Output,
  type WorkerInfo__Output,
} from '@deeprelax/rpc';

export function table(rows: string[][], header: string[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

export function ago(unixMs: number, now = Date.now()): string {
  if (!unixMs) return '-';
  const s = Math.max(0, Math.round((now - unixMs) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function duration(ms: number): string {
  if (!(ms > 0)) return '-';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(1)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function pct(v: number | undefined | null, digits = 2): string {
  return v === undefined || v === null || !Number.isFinite(v) ? '-' : `${(100 * v).toFixed(digits)}%`;
}

export function latest(job: Job__Output, name: string): MetricSample__Output | undefined {
  return job.latestMetrics.find((m) => m.name === name && !m.workerId);
}

export function jobsTable(jobs: Job__Output[]): string {
  const rows = jobs.map((j) => {
    const p = j.progress;
    const ve = latest(j, 'val_error');
    return [
      j.id,
      jobStateName(j.state) ?? '?',
      algorithmName(j.spec?.algorithm ?? 'ALGORITHM_UNSPECIFIED') ?? '?',
      j.spec?.model ?? '',
      p ? `${p.epoch.toFixed(2)}/${p.totalEpochs || j.spec?.epochs || '?'}` : '-',
      p ? String(p.liveWorkers) : '0',
      pct(ve?.value),
      ago(Number(j.createdUnixMs)),
      j.spec?.name ?? '',
    ];
  });
  return table(rows, ['ID', 'STATE', 'ALGORITHM', 'MODEL', 'EPOCH', 'WORKERS', 'VAL ERR', 'CREATED', 'NAME']);
}

export function workersTable(workers: WorkerInfo__Output[]): string {
  const rows = workers.map((w) => {
    const c = w.capabilities;
    const p = w.progress;
    return [
      w.workerId,
      (w.state ?? '').replace('WORKER_STATE_', '').toLowerCase(),
      w.jobId || '-',
      w.jobId ? String(w.replica) : '-',
      c ? `${(c.engines ?? []).map((e) => engineName(e)).join(',') || '-'} ${c.device}` : '-',
      c?.hostname ?? '',
      p && w.jobId ? `${p.round}` : '-',
      p && w.jobId && p.samplesPerSecond ? p.samplesPerSecond.toFixed(0) : '-',
      ago(Number(w.lastHeartbeatUnixMs)),
    ];
  });
  return table(rows, ['WORKER', 'STATE', 'JOB', 'REPLICA', 'ENGINE', 'HOST', 'ROUND', 'SAMPLES/S', 'HEARTBEAT']);
}

/** A received message without proto-loader's oneof/optional bookkeeping keys ("_noise", "schedule"). */
export function readable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(readable);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k.startsWith('_') || ((k === 'schedule' || k === 'every' || k === 'source') && typeof x === 'string')) continue;
      if (typeof x === 'string' && /_UNSPECIFIED$/.test(x)) continue;
      out[k] = readable(x);
    }
    return out;
  }
  return v;
}

/** Multi-line description of one job (`deeprelax status`). */
export function jobDetails(j: Job__Output): string {
  const s = j.spec;
  const p = j.progress;
  const lines: string[] = [];
  const kv = (k: string, v: string) => lines.push(`${(k + ':').padEnd(16)}${v}`);
  kv('job', `${j.id}${s?.name ? `  (${s.name})` : ''}`);
  kv('state', jobStateName(j.state) ?? '?');
  if (j.error && j.error.code) kv('error', `${j.error.code}: ${j.error.message}${j.error.field ? ` (${j.error.field})` : ''}`);
  if (s) {
    kv('algorithm', algorithmName(s.algorithm) ?? '?');
    kv('model', `${s.model} on ${s.dataset?.name || s.dataset?.path || '?'}${s.dataset?.trainLimit ? ` (train ${s.dataset.trainLimit})` : ''}${s.dataset?.valLimit ? ` (val ${s.dataset.valLimit})` : ''}`);
    kv('workers', `min ${s.minWorkers}, max ${s.maxWorkers}`);
    kv('seed', String(s.seed ?? '-'));
    kv('engine', engineName(s.engine));
  }
  if (p) {
    kv('progress', `round ${p.round}/${p.totalRounds || '?'}, epoch ${p.epoch.toFixed(2)}/${p.totalEpochs}, effective ${p.effectiveEpoch.toFixed(2)} (${(100 * p.fraction).toFixed(1)}%)`);
    kv('live workers', String(p.liveWorkers));
    kv('samples', String(p.samples));
    kv('wall-clock', duration(Number(p.wallMs)));
  }
  kv('created', new Date(Number(j.createdUnixMs)).toISOString());
  if (Number(j.startedUnixMs)) kv('started', new Date(Number(j.startedUnixMs)).toISOString());
  if (Number(j.finishedUnixMs)) kv('finished', new Date(Number(j.finishedUnixMs)).toISOString());
  if (j.checkpoint) kv('checkpoint', j.checkpoint);
  const metrics = j.latestMetrics.filter((m) => !m.workerId);
  if (metrics.length > 0) {
    kv('metrics', metrics.map((m) => `${m.name} ${m.name.endsWith('error') ? pct(m.value) : m.value.toPrecision(4)} @ epoch ${m.epoch.toFixed(2)}`).join('; '));
  }
  if (j.workers.length > 0) {
    lines.push('replicas:');
    for (const w of j.workers) {
      lines.push(
        `  ${String(w.replica).padStart(2)}  ${w.workerId.padEnd(14)} round ${w.round}  epoch ${w.epoch.toFixed(2)}  loss ${w.trainLoss === undefined ? '-' : w.trainLoss.toFixed(4)}  ${w.samplesPerSecond.toFixed(0)} samples/s`,
      );
    }
  }
  if (s?.hyper) lines.push(`hyper-parameters: ${JSON.stringify(readable(s.hyper))}`);
  return lines.join('\n') + '\n';
}
