// A small pool of worker threads for the O(n·d²) and O(d³) kernels of ZCA whitening, so that a
// 3072-dimensional fit uses every core and never blocks the caller's event loop (a worker process
// must keep heart-beating while it prepares CIFAR-10). Data travels as SharedArrayBuffer-backed
// typed arrays, so nothing large is copied. With threads = 0 the same kernels run inline.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { applySymmetricRows, gramUpperRows } from './kernels.js';
import { symmetricEigen } from './eigen.js';

export type KernelRequest =
  | { id: number; op: 'gram'; x: Float32Array | Float64Array; d: number; s0: number; s1: number; mean: Float64Array | null; rows: Int32Array; g: Float64Array }
  | { id: number; op: 'apply'; x: Float32Array; d: number; s0: number; s1: number; mean: Float64Array; m: Float64Array }
  | { id: number; op: 'eigen'; a: Float64Array; n: number };

export type KernelReply =
  | { id: number; ok: true; values?: Float64Array; vectors?: Float64Array }
  | { id: number; ok: false; error: string };

type Task = KernelRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** Default thread count: the machine's parallelism, at most 8. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/** True when `a` is backed by a SharedArrayBuffer (so workers see writes to it). */
export function isShared(a: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && a.buffer instanceof SharedArrayBuffer;
}

export function sharedFloat64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(n * 8));
}

export function sharedFloat32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(n * 4));
}

/**
 * Starts one kernel worker. Compiled, the entry is kernel-worker.js beside this file. Run from the
 * TypeScript sources (tests, the deeprelax-src condition) the entry is kernel-worker.ts, and since
 * Node 20's worker threads do not inherit tsx's `--import` hooks, the worker first registers tsx
 * through its API (resolved from here) and then imports the entry.
 */
function spawnWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./kernel-worker.js', import.meta.url));
  const api = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./kernel-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true });
}

export class KernelPool {
  readonly threads: number;
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { task: Task; resolve: (r: KernelReply) => void; reject: (e: Error) => void }[] = [];
  private readonly pending = new Map<number, { resolve: (r: KernelReply) => void; reject: (e: Error) => void; worker: Worker }>();
  private nextId = 1;
  private closed = false;

  /** threads = 0 runs every kernel inline on the calling thread. */
  constructor(threads: number = defaultThreads()) {
    this.threads = Math.max(0, Math.floor(threads));
    for (let i = 0; i < this.threads; i++) {
      const w = spawnWorker();
      w.on('message', (r: KernelReply) => this.onReply(w, r));
      w.on('error', (e) => this.failAll(w, e));
      w.on('exit', (code) => {
        if (!this.closed) this.failAll(w, new Error(`kernel worker exited with code ${code}`));
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  /** Runs one kernel; with the inline pool, synchronously (wrapped in a promise). */
  run(task: Task): Promise<KernelReply> {
    if (this.closed) return Promise.reject(new Error('KernelPool is closed'));
    if (this.threads === 0) return Promise.resolve(runInline(task));
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      const { task, resolve, reject } = this.queue.shift()!;
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject, worker: w });
      w.postMessage({ ...task, id });
    }
  }

  private onReply(w: Worker, r: KernelReply): void {
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    this.idle.push(w);
    if (r.ok) p.resolve(r);
    else p.reject(new Error(r.error));
    this.pump();
  }

  private failAll(w: Worker, e: Error): void {
    for (const [id, p] of this.pending) {
      if (p.worker === w) {
        this.pending.delete(id);
        p.reject(e);
      }
    }
    for (const q of this.queue.splice(0)) q.reject(e);
  }
}

function runInline(task: Task): KernelReply {
  switch (task.op) {
    case 'gram':
      gramUpperRows(task.x, task.d, task.s0, task.s1, task.mean, task.rows, task.g);
      return { id: 0, ok: true };
    case 'apply':
      applySymmetricRows(task.x, task.d, task.s0, task.s1, task.mean, task.m);
      return { id: 0, ok: true };
    case 'eigen': {
      const r = symmetricEigen(task.a, task.n);
      return { id: 0, ok: true, values: r.values, vectors: r.vectors };
    }
  }
}
