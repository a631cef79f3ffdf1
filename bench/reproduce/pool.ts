// Runs cells in child processes, at most `parallel` at a time, with a progress line every few
// seconds (what runs, how far, measured throughput, time left) and a line per finished cell.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EngineChoice } from '@deeprelax/runtime';
import type { CellJob, CellMessage } from './cell.js';
import { estimate, formatDuration, type PendingWork, type RateBook } from './eta.js';
import type { CellSpec } from './plan.js';
import { readRun, type RunRecord } from './store.js';

export interface PoolOptions {
  out: string;
  engine: EngineChoice;
  threads: number;
  parallel: number;
  /** Seconds between progress lines. */
  progressEvery: number;
  rates: RateBook;
  /** Cells of the whole plan (for the "k/n done" count). */
  planned: number;
  alreadyDone: number;
  log: (line: string) => void;
  /** Node flags for the children (default: this process's, e.g. --conditions=deeprelax-src --import tsx). */
  execArgv?: string[];
  signal?: AbortSignal;
}

export interface PoolResult {
  finished: RunRecord[];
  failed: { key: string; message: string }[];
  interrupted: boolean;
}

interface Running {
  cell: CellSpec;
  child: ChildProcess;
  epoch: number;
  gradCalls: number;
  trainMs: number;
  evalMs: number;
  evals: number;
  lastValError: number | null;
  error?: string;
}

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

export function cellName(c: CellSpec): string {
  return `${c.model} ${c.label} s${c.seed}`;
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${(100 * v).toFixed(2)}%`);

function bestOf(run: RunRecord): { err: number; ee: number } | null {
  let best: { err: number; ee: number } | null = null;
  for (const p of run.curve) if (p.valError !== null && (best === null || p.valError < best.err)) best = { err: p.valError, ee: p.effectiveEpochs };
  return best;
}

export function runPool(cells: CellSpec[], o: PoolOptions): Promise<PoolResult> {
  const queue = [...cells];
  const running = new Map<string, Running>();
  const result: PoolResult = { finished: [], failed: [], interrupted: false };
  const stamp = () => new Date().toTimeString().slice(0, 8);
  let done = o.alreadyDone;

  const statusLine = () => {
    const parts = [...running.values()].map((r) => {
      const frac = r.gradCalls / r.cell.totalGradCalls;
      return `${cellName(r.cell)} ep ${Number.isInteger(r.epoch) ? r.epoch : r.epoch.toFixed(2)}/${r.cell.epochs} (${(100 * frac).toFixed(0)}%) err ${pct(r.lastValError)}`;
    });
    const pending = (r: Running): PendingWork => ({ cell: r.cell, doneGradCalls: r.gradCalls, doneEvals: r.evals });
    const est = estimate(o.rates, [...running.values()].map(pending), queue.map((cell) => ({ cell, doneGradCalls: 0 })), o.parallel);
    const rate = [...running.values()].reduce((s, r) => s + (r.trainMs > r.evalMs ? (r.gradCalls * r.cell.batchSize) / ((r.trainMs - r.evalMs) / 1000) : 0), 0);
    const eta =
      est.seconds === undefined
        ? `ETA > ${formatDuration(est.knownSeconds)} (${est.unmeasured.join(', ')} not measured yet)`
        : `ETA ${formatDuration(est.seconds)} (done ~${new Date(Date.now() + est.seconds * 1000).toTimeString().slice(0, 5)})`;
    o.log(`[${stamp()}] ${done}/${o.planned} done · ${running.size} running: ${parts.join(' | ') || '-'} · ${(rate / 1000).toFixed(1)}k samples/s · ${eta}`);
  };

  return new Promise<PoolResult>((resolve) => {
    const timer = setInterval(statusLine, Math.max(1, o.progressEvery) * 1000);
    const finish = () => {
      if (running.size > 0) return;
      if (queue.length > 0 && !result.interrupted) return;
      clearInterval(timer);
      o.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const onAbort = () => {
      result.interrupted = true;
      queue.length = 0;
      for (const r of running.values()) r.child.kill('SIGTERM');
      finish();
    };
    o.signal?.addEventListener('abort', onAbort);

    const launch = () => {
      while (!result.interrupted && running.size < o.parallel && queue.length > 0) start(queue.shift() as CellSpec);
      finish();
    };

    const start = (cell: CellSpec) => {
      const child = fork(CHILD, [], { execArgv: o.execArgv ?? process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const r: Running = { cell, child, epoch: 0, gradCalls: 0, trainMs: 0, evalMs: 0, evals: 0, lastValError: null };
      running.set(cell.key, r);
      o.log(`[${stamp()}] start ${cellName(cell)}: ${cell.epochs} epochs × ${cell.stepsPerEpoch} steps × ${cell.gradCallsPerStep} gradient calls (${cell.key})`);
      child.on('message', (m: CellMessage) => {
        switch (m.type) {
          case 'progress':
            r.epoch = m.epoch;
            r.gradCalls = m.gradCalls;
            r.trainMs = m.trainMs;
            r.evalMs = m.evalMs;
            o.rates.updateLive(cell, m.gradCalls, m.trainMs, r.evalMs, r.evals);
            break;
          case 'epoch':
            r.epoch = m.point.epoch;
            r.gradCalls = m.point.gradCalls;
            r.trainMs = m.point.wallMs;
            r.evalMs += m.point.evalMs;
            if (m.point.valError !== null) {
              r.lastValError = m.point.valError;
              r.evals++;
            }
            o.rates.updateLive(cell, m.point.gradCalls, m.point.wallMs, r.evalMs, r.evals);
            break;
          case 'error':
            r.error = m.message;
            break;
          default:
            break;
        }
      });
      child.on('error', (e) => {
        r.error = r.error ?? e.message;
      });
      child.on('exit', (code, sig) => {
        running.delete(cell.key);
        o.rates.endLive(cell.key);
        const run = code === 0 ? readRun(o.out, cell.key) : null;
        if (run) {
          done++;
          result.finished.push(run);
          o.rates.addRun(run);
          const b = bestOf(run);
          o.log(
            `[${stamp()}] done ${cellName(cell)} (${done}/${o.planned}): ${run.status}, best ${pct(b?.err)} @ ${b?.ee ?? '-'}, ` +
              `final ${pct(run.curve.at(-1)?.valError)}, ${formatDuration(run.wallMs / 1000)}, ${(run.samplesPerSecond / 1000).toFixed(1)}k samples/s`,
          );
        } else if (!result.interrupted && sig !== 'SIGINT') {
          const message = r.error ?? `child exited with ${sig ?? `code ${code}`} and stored no run`;
          result.failed.push({ key: cell.key, message });
          o.log(`[${stamp()}] FAILED ${cellName(cell)}: ${message}`);
        }
        launch();
      });
      const job: CellJob = { type: 'run', cell, out: o.out, engine: o.engine, threads: o.threads, progressMs: 1000 };
      child.send(job);
    };

    launch();
  });
}
