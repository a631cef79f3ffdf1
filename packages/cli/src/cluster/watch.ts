// `deeprelax watch`: follows a job's event stream to its end. On a terminal: a progress bar for the
// job and one per worker (cli-progress MultiBar) with a live table of x's validation error and the
// replicas' training loss printed above the bars. Elsewhere: plain lines (state changes, metrics,
// and progress at most every few seconds). Returns what it saw, for the caller's summary and plot.
import cliProgress from 'cli-progress';
import {
  isTerminalJobState,
  jobStateName,
  type JobEvent__Output,
  type JobProgress__Output,
  type JobState__Output,
  type JobsClient,
  type Job__Output,
  type MetricSample__Output,
  type WorkerProgress__Output,
} from '@deeprelax/rpc';
import { duration, pct } from './format.js';

export interface WatchResult {
  job: Job__Output;
  metrics: MetricSample__Output[];
  state: JobState__Output;
  events: number;
}

export interface WatchOptions {
  tty?: boolean;
  out?: NodeJS.WritableStream;
  /** Plain mode: at most one progress line per this many ms (default 5000). */
  progressEveryMs?: number;
  signal?: AbortSignal;
  /** Reconnect attempts when the stream breaks (coordinator restart); default 30. */
  maxReconnects?: number;
}

interface Renderer {
  status(state: string, message: string): void;
  progress(p: JobProgress__Output): void;
  worker(w: WorkerProgress__Output): void;
  metric(m: MetricSample__Output): void;
  log(line: string): void;
  stop(): void;
}

function metricLine(m: MetricSample__Output): string {
  const v = m.name.endsWith('error') ? pct(m.value) : m.value.toFixed(4);
  return `${m.name.padEnd(12)} ${v.padStart(8)}  round ${String(m.round).padStart(6)}  epoch ${m.epoch.toFixed(2).padStart(6)}  effective ${m.effectiveEpoch.toFixed(2).padStart(7)}  wall ${duration(Number(m.wallMs)).padStart(7)}`;
}

function ttyRenderer(out: NodeJS.WritableStream, jobId: string): Renderer {
  const multi = new cliProgress.MultiBar(
    {
      format: ' {label} |{bar}| {percentage}% | {info}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
      barsize: 30,
      stream: out as NodeJS.WriteStream,
    },
    cliProgress.Presets.shades_classic,
  );
  const jobBar = multi.create(1, 0, { label: `job ${jobId}`.padEnd(18), info: 'waiting' });
  const bars = new Map<string, cliProgress.SingleBar>();
  let totalEpochs = 1;
  multi.log(`${'metric'.padEnd(12)} ${'value'.padStart(8)}  ${'round'.padStart(12)}  ${'epoch'.padStart(12)}  ${'effective'.padStart(17)}  ${'wall'.padStart(12)}\n`);
  return {
    status(state, message) {
      multi.log(`state: ${state}${message ? ` (${message})` : ''}\n`);
    },
    progress(p) {
      totalEpochs = p.totalEpochs || totalEpochs;
      const total = Number(p.totalRounds) || 1;
      jobBar.setTotal(total);
      jobBar.update(Number(p.round), {
        info: `round ${p.round}/${p.totalRounds || '?'} · epoch ${p.epoch.toFixed(2)}/${p.totalEpochs} · ${p.liveWorkers} workers · ${duration(Number(p.wallMs))}`,
      });
    },
    worker(w) {
      let bar = bars.get(w.workerId);
      if (!bar) {
        bar = multi.create(1000, 0, { label: `replica ${w.replica} ${w.workerId}`.slice(0, 18).padEnd(18), info: '' });
        bars.set(w.workerId, bar);
      }
      bar.update(Math.min(1000, Math.round((1000 * w.epoch) / Math.max(1e-9, totalEpochs))), {
        info: `round ${w.round} · loss ${w.trainLoss === undefined ? '-' : w.trainLoss.toFixed(4)} · ${w.samplesPerSecond.toFixed(0)} samples/s`,
      });
    },
    metric(m) {
      if (m.workerId) return;
      multi.log(metricLine(m) + '\n');
    },
    log(line) {
      multi.log(line + '\n');
    },
    stop() {
      multi.stop();
    },
  };
}

function plainRenderer(out: NodeJS.WritableStream, jobId: string, everyMs: number): Renderer {
  let last = 0;
  const w = (s: string) => out.write(`${new Date().toISOString()} ${jobId} ${s}\n`);
  return {
    status(state, message) {
      w(`state ${state}${message ? ` (${message})` : ''}`);
    },
    progress(p) {
      const now = Date.now();
      if (now - last < everyMs) return;
      last = now;
      w(`progress round ${p.round}/${p.totalRounds || '?'} epoch ${p.epoch.toFixed(2)}/${p.totalEpochs} effective ${p.effectiveEpoch.toFixed(2)} workers ${p.liveWorkers} samples ${p.samples} wall ${duration(Number(p.wallMs))}`);
    },
    worker() {},
    metric(m) {
      if (m.workerId) return;
      w(metricLine(m).replace(/\s+/g, ' '));
    },
    log(line) {
      w(line);
    },
    stop() {},
  };
}

/** Follows the job to a terminal state (reconnecting after a broken stream) and returns the final job. */
export async function watchJob(client: JobsClient, jobId: string, options: WatchOptions = {}): Promise<WatchResult> {
  const out = options.out ?? process.stdout;
  const tty = options.tty ?? Boolean((out as NodeJS.WriteStream).isTTY);
  const r = tty ? ttyRenderer(out, jobId) : plainRenderer(out, jobId, options.progressEveryMs ?? 5_000);
  const metrics: MetricSample__Output[] = [];
  let state: JobState__Output = 'JOB_STATE_UNSPECIFIED';
  let afterSeq = 0;
  let events = 0;
  let reconnects = 0;
  const maxReconnects = options.maxReconnects ?? 30;
  try {
    for (;;) {
      try {
        for await (const ev of client.watchJob({ jobId, afterSeq, workerProgress: true }, { signal: options.signal })) {
          events++;
          reconnects = 0;
          afterSeq = Math.max(afterSeq, Number(ev.seq));
          state = handle(ev, r, metrics, state);
        }
      } catch (err) {
        const code = (err as { codeName?: string }).codeName;
        if (options.signal?.aborted || (code !== 'UNAVAILABLE' && code !== 'INTERNAL' && code !== 'CANCELLED') || ++reconnects > maxReconnects) throw err;
        r.log(`stream broken (${code}); reconnecting`);
        await new Promise((res) => setTimeout(res, Math.min(5_000, 250 * 2 ** Math.min(reconnects, 5))));
        continue;
      }
      if (isTerminalJobState(state)) break;
      // The stream ended without a terminal event (coordinator going away): look and resume.
      const j = await client.getJob(jobId).catch(() => null);
      if (j && isTerminalJobState(j.state)) {
        state = j.state;
        break;
      }
      if (++reconnects > maxReconnects) throw new Error(`watch of ${jobId}: the event stream keeps ending before the job does`);
      await new Promise((res) => setTimeout(res, 500));
    }
  } finally {
    r.stop();
  }
  const job = await client.getJob(jobId);
  return { job, metrics, state: job.state, events };
}

function handle(ev: JobEvent__Output, r: Renderer, metrics: MetricSample__Output[], state: JobState__Output): JobState__Output {
  switch (ev.event) {
    case 'status': {
      const s = ev.status!;
      if (s.state !== state) {
        const err = s.error && s.error.code ? `${s.error.code}: ${s.error.message}` : '';
        r.status(jobStateName(s.state) ?? '?', [s.message, err].filter(Boolean).join('; '));
      }
      return s.state;
    }
    case 'progress':
      r.progress(ev.progress!);
      return state;
    case 'worker':
      r.worker(ev.worker!);
      return state;
    case 'metric':
      metrics.push(ev.metric!);
      r.metric(ev.metric!);
      return state;
    case 'log':
      if (ev.log) r.log(`${ev.log.workerId ? `[${ev.log.workerId}] ` : ''}${ev.log.message}`);
      return state;
    default:
      return state;
  }
}
