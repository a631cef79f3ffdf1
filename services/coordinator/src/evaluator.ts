// Evaluation of x on the validation split (ALGORITHMS.md §3.3): the coordinator's own engine Model,
// a batch-norm refresh over sampled training batches (running statistics reset first) when the
// model has batch norm, then the eval-mode pass. It yields to the event loop between batches so
// that heartbeats and exchanges are served while it runs.
import { setImmediate as yieldNow } from 'node:timers/promises';
import type { Engine, Model, ModelSpec } from '@deeprelax/core';
import { bnRefreshBatches, evalBatches, type Dataset } from '@deeprelax/data';
import type { EngineChoice } from '@deeprelax/runtime';
import type { Logger } from '@deeprelax/runtime';

export interface EvalOutcome {
  loss: number;
  error: number;
  n: number;
  /** BN running statistics after the refresh (null when the model has none). */
  buffers: Float32Array | null;
  ms: number;
}

/** Picks the engine once, on first use, and logs why. */
export class EngineProvider {
  private engine: Promise<Engine> | null = null;

  constructor(
    private readonly choice: EngineChoice,
    private readonly threads: number,
    private readonly log: Logger,
    private readonly cpuCacheMiB?: number,
  ) {}

  get(): Promise<Engine> {
    if (!this.engine) {
      this.engine = (async () => {
        const { selectEngine } = await import('@deeprelax/runtime');
        const sel = await selectEngine(this.choice, { threads: this.threads, device: 'cpu', cpuCacheMiB: this.cpuCacheMiB });
        this.log.info({ engine: sel.engine.name }, `evaluation engine: ${sel.reason}`);
        return sel.engine;
      })();
      this.engine.catch(() => {
        this.engine = null;
      });
    }
    return this.engine;
  }
}

export interface JobEvaluatorOptions {
  model: ModelSpec;
  seed: number;
  data: () => Promise<Dataset>;
  engine: EngineProvider;
  batchSize: number;
  /** Minibatch size m of the job (BN refresh batches). */
  trainBatchSize: number;
  /** Upper bound of BN refresh batches (min with one epoch). */
  bnRefreshBatches: number;
}

/** One job's evaluator: a Model kept for the job's lifetime; one evaluation at a time. */
export class JobEvaluator {
  private model: Model | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(private readonly o: JobEvaluatorOptions) {}

  /** Evaluates `x` (not modified); evaluations are serialised. `pass` varies the BN batches. */
  evaluate(x: Float32Array, pass: number): Promise<EvalOutcome> {
    const run = this.chain.then(() => this.run(x, pass));
    this.chain = run.catch(() => {});
    return run;
  }

  private async run(x: Float32Array, pass: number): Promise<EvalOutcome> {
    if (this.disposed) throw new Error('evaluator disposed');
    const t0 = performance.now();
    const ds = await this.o.data();
    if (!this.model) {
      const engine = await this.o.engine.get();
      if (this.disposed) throw new Error('evaluator disposed');
      this.model = engine.createModel(this.o.model, { seed: this.o.seed });
    }
    const m = this.model;
    m.importParams(x);
    let buffers: Float32Array | null = null;
    if (m.numBuffers > 0) {
      m.resetBatchNormStats();
      const nb = Math.ceil(ds.train.n / this.o.trainBatchSize);
      const count = Math.max(1, Math.min(nb, this.o.bnRefreshBatches));
      let k = 0;
      for (const b of bnRefreshBatches(ds.train, { mode: 'sampled', batchSize: this.o.trainBatchSize, seed: this.o.seed, pass })) {
        if (k++ >= count) break;
        m.updateBatchNormStats(b);
        await yieldNow();
        if (this.disposed) throw new Error('evaluator disposed');
      }
      buffers = m.exportBuffers();
    }
    m.setMode('eval');
    let loss = 0;
    let correct = 0;
    let n = 0;
    for (const b of evalBatches(ds.test, this.o.batchSize)) {
      const r = m.evaluate(b);
      loss += r.loss * r.n;
      correct += r.correct;
      n += r.n;
      await yieldNow();
      if (this.disposed) throw new Error('evaluator disposed');
    }
    m.setMode('train');
    if (n === 0) throw new RangeError('the validation set is empty');
    return { loss: loss / n, error: 1 - correct / n, n, buffers, ms: performance.now() - t0 };
  }

  /** Waits for the evaluation in progress, then frees the model. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.chain;
    this.model?.dispose();
    this.model = null;
  }
}
