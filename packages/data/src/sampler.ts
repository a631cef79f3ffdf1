// Minibatch streams over a split (the gradient oracle's data, ALGORITHMS.md §2.0) and the fixed
// iterators used for evaluation and the batch-norm refresh pass (§3.3).
//
// Seeds: every random choice comes from core's Rng. A stream is identified by (seed, stream,
// worker): workers of one job share `seed` and differ in `worker`; `stream` separates independent
// sources of one worker (e.g. training batches vs. the BN-refresh pass). The shard partition of
// 'disjoint' sharding depends on `seed` only, so all workers agree on it.
import { Rng, type Batch, type BatchSource } from '@deeprelax/core';
import { DataError } from './errors.js';
import { gather, type Split } from './dataset.js';

/** 'replacement': m indices uniform with replacement per batch (all reference codes); 'permutation': per-epoch shuffles. */
export type SamplingMode = 'replacement' | 'permutation';
/** 'independent': every worker samples the whole split with its own seed; 'disjoint': worker i of p samples only its shard. */
export type Sharding = 'independent' | 'disjoint';

export interface SamplerOptions {
  batchSize: number;
  seed: number;
  /** Default 'replacement'. */
  mode?: SamplingMode;
  /** This worker's index in [0, numWorkers); default 0. */
  worker?: number;
  /** Default 1. */
  numWorkers?: number;
  /** Default 'independent'. */
  sharding?: Sharding;
  /** Separates independent sources that share seed and worker; default 0. */
  stream?: number;
  /**
   * 'permutation' mode only: at the end of an epoch, 'wrap' (default) fills the batch from the next
   * epoch's permutation, so every batch has batchSize samples; 'short' returns the smaller remainder.
   */
  lastBatch?: 'wrap' | 'short';
}

const SHARD_STREAM = 0x5a4d0000;
const SAMPLE_STREAM = 0x5a4e0000;

function checkInt(v: number, what: string, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new DataError(`sampler: ${what} must be an integer >= ${min}, got ${v}`);
}

/**
 * The sample indices worker `worker` of `numWorkers` owns under 'disjoint' sharding: a seeded
 * permutation of 0..n−1 cut into p contiguous pieces whose sizes differ by at most one. The pieces
 * of all workers partition 0..n−1.
 */
export function shardIndices(n: number, seed: number, worker: number, numWorkers: number): Int32Array {
  checkInt(numWorkers, 'numWorkers', 1);
  checkInt(worker, 'worker', 0);
  if (worker >= numWorkers) throw new DataError(`sampler: worker ${worker} is out of range for ${numWorkers} workers`);
  if (numWorkers > n) throw new DataError(`sampler: cannot split ${n} samples into ${numWorkers} disjoint shards`);
  if (numWorkers === 1) return Int32Array.from({ length: n }, (_, i) => i);
  const perm = new Rng(seed, SHARD_STREAM).permutation(n);
  const a = Math.floor((worker * n) / numWorkers);
  const b = Math.floor(((worker + 1) * n) / numWorkers);
  return perm.slice(a, b);
}

/**
 * A seeded stream of training minibatches over a split: core's BatchSource. Each next() returns a
 * fresh Batch (new arrays; nothing is shared with the dataset or with earlier batches).
 */
export class MinibatchSource implements BatchSource {
  /** Samples this stream draws from: the shard size under 'disjoint', else the split's n. */
  readonly size: number;
  readonly batchSize: number;
  /** Samples in the whole split. */
  readonly datasetSize: number;
  readonly mode: SamplingMode;
  readonly sharding: Sharding;
  readonly worker: number;
  readonly numWorkers: number;
  /** The split indices this stream draws from (the shard), ascending position = local index. */
  readonly indices: Int32Array;
  private readonly split: Split;
  private readonly rng: Rng;
  private readonly lastBatch: 'wrap' | 'short';
  private perm: Int32Array | null = null;
  private pos = 0;
  private epochs = 0;
  private drawn = 0;

  constructor(split: Split, options: SamplerOptions) {
    const worker = options.worker ?? 0;
    const numWorkers = options.numWorkers ?? 1;
    checkInt(options.batchSize, 'batchSize', 1);
    checkInt(numWorkers, 'numWorkers', 1);
    checkInt(worker, 'worker', 0);
    if (worker >= numWorkers) throw new DataError(`sampler: worker ${worker} is out of range for ${numWorkers} workers`);
    if (!Number.isFinite(options.seed)) throw new DataError(`sampler: seed must be a number, got ${options.seed}`);
    if (split.n < 1) throw new DataError('sampler: the split is empty');
    this.mode = options.mode ?? 'replacement';
    if (this.mode !== 'replacement' && this.mode !== 'permutation') {
      throw new DataError(`sampler: unknown mode '${this.mode as string}' (expected replacement or permutation)`);
    }
    this.sharding = options.sharding ?? 'independent';
    if (this.sharding !== 'independent' && this.sharding !== 'disjoint') {
      throw new DataError(`sampler: unknown sharding '${this.sharding as string}' (expected independent or disjoint)`);
    }
    this.lastBatch = options.lastBatch ?? 'wrap';
    if (this.lastBatch !== 'wrap' && this.lastBatch !== 'short') {
      throw new DataError(`sampler: unknown lastBatch '${this.lastBatch as string}' (expected wrap or short)`);
    }
    this.split = split;
    this.batchSize = options.batchSize;
    this.worker = worker;
    this.numWorkers = numWorkers;
    this.datasetSize = split.n;
    this.indices =
      this.sharding === 'disjoint'
        ? shardIndices(split.n, options.seed, worker, numWorkers)
        : Int32Array.from({ length: split.n }, (_, i) => i);
    this.size = this.indices.length;
    const stream = options.stream ?? 0;
    checkInt(stream, 'stream', 0);
    this.rng = new Rng(options.seed, SAMPLE_STREAM + stream * 0x10000 + worker);
  }

  /** ceil(size / batchSize): the outer iterations of one epoch (§2.0). */
  get batchesPerEpoch(): number {
    return Math.ceil(this.size / this.batchSize);
  }

  /** Completed permutation epochs ('permutation' mode), or samples drawn / size ('replacement'). */
  get epoch(): number {
    return this.mode === 'permutation' ? this.epochs : this.drawn / this.size;
  }

  /** The split indices of the next batch (advances the stream exactly as next() does). */
  nextIndices(): Int32Array {
    const m = this.batchSize;
    const src = this.indices;
    let out: Int32Array;
    if (this.mode === 'replacement') {
      out = new Int32Array(m);
      for (let k = 0; k < m; k++) out[k] = src[this.rng.int(src.length)];
    } else {
      const parts: number[] = [];
      while (parts.length < m) {
        if (this.perm === null || this.pos >= this.perm.length) {
          this.perm = this.rng.permutation(src.length);
          this.pos = 0;
        }
        const take = Math.min(m - parts.length, this.perm.length - this.pos);
        for (let k = 0; k < take; k++) parts.push(src[this.perm[this.pos + k]]);
        this.pos += take;
        if (this.pos >= this.perm.length) {
          this.epochs++;
          if (this.lastBatch === 'short') break;
        }
      }
      out = Int32Array.from(parts);
    }
    this.drawn += out.length;
    return out;
  }

  next(): Batch {
    return gather(this.split, this.nextIndices());
  }
}

/** Builds worker `worker`'s training source; shorthand for new MinibatchSource(split, options). */
export function trainingSource(split: Split, options: SamplerOptions): MinibatchSource {
  return new MinibatchSource(split, options);
}

/**
 * Sequential batches over samples [start, end) of a split, in order, each of batchSize samples
 * except possibly the last. Each batch is a fresh copy.
 */
export function* sequentialBatches(split: Split, batchSize: number, range: { start?: number; end?: number } = {}): Generator<Batch, void, undefined> {
  checkInt(batchSize, 'batchSize', 1);
  const start = Math.max(0, range.start ?? 0);
  const end = Math.min(split.n, range.end ?? split.n);
  const d = split.sampleSize;
  for (let a = start; a < end; a += batchSize) {
    const b = Math.min(end, a + batchSize);
    yield { x: split.x.slice(a * d, b * d), y: split.y.slice(a, b), n: b - a };
  }
}

/** Number of batches sequentialBatches yields for n samples. */
export function batchCount(n: number, batchSize: number): number {
  return Math.ceil(n / batchSize);
}

/** The evaluation pass: the split (normally the test set) in order, in batches of batchSize (default 1000). */
export function evalBatches(split: Split, batchSize = 1000): Generator<Batch, void, undefined> {
  return sequentialBatches(split, batchSize);
}

export interface BnRefreshOptions {
  /**
   * 'sequential' ([ESGD-LUA]): the whole training split in order, batches of batchSize (default 1024).
   * 'sampled' ([DR-CODE]): one epoch, ceil(n/batchSize) batches drawn with replacement (default 128),
   * from its own stream so the training stream is not disturbed.
   */
  mode?: 'sequential' | 'sampled';
  batchSize?: number;
  /** 'sampled' only. */
  seed?: number;
  /** 'sampled' only: worker index, so workers refresh on different batches; default 0. */
  worker?: number;
  /** 'sampled' only: distinct per refresh pass (e.g. the epoch index) for fresh batches each time; default 0. */
  pass?: number;
}

/** Batches for the batch-norm refresh ("dry-feed") pass before an evaluation (§3.3). */
export function* bnRefreshBatches(train: Split, options: BnRefreshOptions = {}): Generator<Batch, void, undefined> {
  const mode = options.mode ?? 'sequential';
  if (mode === 'sequential') {
    yield* sequentialBatches(train, options.batchSize ?? 1024);
    return;
  }
  if (mode !== 'sampled') throw new DataError(`bnRefreshBatches: unknown mode '${mode as string}' (expected sequential or sampled)`);
  const batchSize = options.batchSize ?? 128;
  const src = new MinibatchSource(train, {
    batchSize,
    seed: options.seed ?? 0,
    worker: options.worker ?? 0,
    numWorkers: (options.worker ?? 0) + 1,
    stream: 1 + (options.pass ?? 0),
  });
  const count = src.batchesPerEpoch;
  for (let i = 0; i < count; i++) yield src.next();
}
