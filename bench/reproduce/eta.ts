// Time-left estimates: measured training throughput (gradient-call samples per second) and time per
// evaluation (BN refresh + test pass), per (model, entry), from this invocation's running cells and
// from the newest run already stored for each (model, entry) with the same engine, applied to the
// remaining gradient calls and evaluations of every unfinished cell and laid out over the parallel
// slots. Only the newest stored run counts because the engine gets faster between sessions (the
// caching allocator halved LeNet's cell times): pooling every stored run projected twice the time.
import type { CellSpec } from './plan.js';
import type { RunRecord } from './store.js';

interface Acc {
  /** Gradient-call samples and the training time they took (evaluations excluded). */
  samples: number;
  trainMs: number;
  /** Evaluations (BN refresh + test pass) and their time. */
  evals: number;
  evalMs: number;
}

interface Live {
  model: string;
  entry: string;
  acc: Acc;
}

const empty = (): Acc => ({ samples: 0, trainMs: 0, evals: 0, evalMs: 0 });

function merge(into: Acc, a: Acc): void {
  into.samples += a.samples;
  into.trainMs += a.trainMs;
  into.evals += a.evals;
  into.evalMs += a.evalMs;
}

/** Throughput of one engine: training samples/s and milliseconds per evaluation. */
export interface Rate {
  samplesPerSecond: number;
  /** Mean ms per evaluation (0 when none was measured yet). */
  evalMs: number;
}

export class RateBook {
  /** The newest stored run per (model, entry): when it finished, and its numbers. */
  private readonly stored = new Map<string, Live & { finishedAt: string }>();
  private readonly live = new Map<string, Live>();

  constructor(readonly engine: string) {}

  /** A finished run (ignored unless it ran on this engine, or an entry already has a newer one). */
  addRun(run: RunRecord): void {
    if (run.engine.name !== this.engine || !(run.wallMs > run.evalMs)) return;
    const key = `${run.cell.model}|${run.cell.entry}`;
    const cur = this.stored.get(key);
    if (cur && cur.finishedAt > run.finishedAt) return;
    const evals = run.curve.filter((p) => p.valError !== null).length;
    this.stored.set(key, {
      model: run.cell.model,
      entry: run.cell.entry,
      finishedAt: run.finishedAt,
      acc: { samples: run.gradCalls * run.cell.batchSize, trainMs: run.wallMs - run.evalMs, evals, evalMs: run.evalMs },
    });
  }

  /** Progress of a running cell (replaces its previous report). */
  updateLive(cell: CellSpec, gradCalls: number, wallMs: number, evalMs: number, evals: number): void {
    this.live.set(cell.key, { model: cell.model, entry: cell.entry, acc: { samples: gradCalls * cell.batchSize, trainMs: wallMs - evalMs, evals, evalMs } });
  }

  /** A running cell finished or failed: its live numbers go (a stored run is added with addRun). */
  endLive(key: string): void {
    this.live.delete(key);
  }

  /** Measured rates for (model, entry), else the model's over all entries, else undefined. */
  rate(model: string, entry: string): Rate | undefined {
    const total = (pick: (l: Live) => boolean): Acc => {
      const a = empty();
      for (const l of this.stored.values()) if (pick(l)) merge(a, l.acc);
      for (const l of this.live.values()) if (pick(l) && l.acc.trainMs > 2000) merge(a, l.acc);
      return a;
    };
    const entryAcc = total((l) => l.model === model && l.entry === entry);
    const modelAcc = total((l) => l.model === model);
    const train = entryAcc.trainMs > 0 ? entryAcc : modelAcc;
    if (!(train.trainMs > 0 && train.samples > 0)) return undefined;
    const ev = entryAcc.evals > 0 ? entryAcc : modelAcc;
    return { samplesPerSecond: train.samples / (train.trainMs / 1000), evalMs: ev.evals > 0 ? ev.evalMs / ev.evals : 0 };
  }
}

export interface PendingWork {
  cell: CellSpec;
  /** Gradient calls already made and evaluations already done (running cells). */
  doneGradCalls: number;
  doneEvals?: number;
}

export interface Estimate {
  /** Wall-clock seconds until every cell is done, with `parallel` slots; undefined if some rate is unknown. */
  seconds: number | undefined;
  /** Compute seconds of the remaining work on one slot (sum over cells). */
  computeSeconds: number | undefined;
  /** Wall-clock seconds of the cells whose throughput is known (a lower bound when some is not). */
  knownSeconds: number;
  /** Models (model/entry) without any measured throughput yet. */
  unmeasured: string[];
}

/** Seconds one cell still needs at the measured rate. */
export function cellSeconds(rates: RateBook, w: PendingWork): number | undefined {
  const r = rates.rate(w.cell.model, w.cell.entry);
  if (r === undefined) return undefined;
  const evals = Math.ceil(w.cell.epochs / w.cell.evalEvery) - (w.doneEvals ?? 0);
  return (Math.max(0, w.cell.totalGradCalls - w.doneGradCalls) * w.cell.batchSize) / r.samplesPerSecond + (Math.max(0, evals) * r.evalMs) / 1000;
}

/**
 * Running cells occupy their slots first; queued cells go, in order, to the slot that frees up
 * first (what the pool does). The estimate ignores early stops (--stop-at-target), so it is an
 * upper bound there.
 */
export function estimate(rates: RateBook, running: PendingWork[], queued: PendingWork[], parallel: number): Estimate {
  const slots = new Array<number>(Math.max(1, parallel)).fill(0);
  let compute = 0;
  const unmeasured = new Set<string>();
  const place = (w: PendingWork, slot?: number) => {
    const s = cellSeconds(rates, w);
    if (s === undefined) {
      unmeasured.add(w.cell.model);
      return;
    }
    compute += s;
    const i = slot ?? slots.indexOf(Math.min(...slots));
    slots[i] += s;
  };
  running.forEach((w, i) => place(w, i % slots.length));
  for (const w of queued) place(w);
  const known = unmeasured.size === 0;
  const wall = Math.max(...slots);
  return { seconds: known ? wall : undefined, computeSeconds: known ? compute : undefined, knownSeconds: wall, unmeasured: [...unmeasured] };
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h${String(m % 60).padStart(2, '0')}m`;
}
