// The in-memory dataset type shared by every loader, plus small helpers over it.
//
// A Dataset holds both splits fully in memory as float32 inputs (NCHW, one sample after another)
// and int32 labels. A Split is structurally a core `Batch` ({x, y, n}) with its per-sample size,
// so a whole split can be handed to an engine as one batch when it is small.
import type { Batch, ModelSpec } from '@deeprelax/core';
import { DataError } from './errors.js';

/** One split (train or test): n samples of `sampleSize` floats each, labels in [0, numClasses). */
export interface Split extends Batch {
  /** n * sampleSize floats, sample i at [i*sampleSize, (i+1)*sampleSize), NCHW order within a sample. */
  x: Float32Array;
  /** n labels. */
  y: Int32Array;
  n: number;
  /** Floats per sample: C*H*W. */
  sampleSize: number;
}

export interface Dataset {
  /** e.g. "mnist", "cifar10", "synthetic-blobs", or the IDX directory's base name. */
  name: string;
  /** Shape of one sample without the batch dimension, [C, H, W]. */
  inputShape: [number, number, number];
  numClasses: number;
  train: Split;
  /** The held-out split. As in all reference codes, this is also the "validation" set (§3.1). */
  test: Split;
  /** What was done to the raw values, for logs: e.g. "unit (x/255)", "gcn+zca(eps=1e-05)". */
  preprocessing: string;
}

/** Floats per sample for a [C,H,W] shape. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, c) => a * c, 1);
}

/** Builds a Split, checking that the array lengths agree. */
export function makeSplit(x: Float32Array, y: Int32Array, sampleSize: number, what = 'split'): Split {
  const n = y.length;
  if (x.length !== n * sampleSize) {
    throw new DataError(`${what}: ${x.length} input floats for ${n} labels of ${sampleSize} floats each`);
  }
  return { x, y, n, sampleSize };
}

/** Per-class label counts of a split. */
export function labelHistogram(split: Split, numClasses: number): number[] {
  const h = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < split.n; i++) h[split.y[i]]++;
  return h;
}

/** Copies the samples at `indices` (in that order) into a new Batch. */
export function gather(split: Split, indices: ArrayLike<number>): Batch {
  const m = indices.length;
  const d = split.sampleSize;
  const x = new Float32Array(m * d);
  const y = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const i = indices[k];
    x.set(split.x.subarray(i * d, (i + 1) * d), k * d);
    y[k] = split.y[i];
  }
  return { x, y, n: m };
}

/** Copies samples [start, end) into a new Split. */
export function sliceSplit(split: Split, start: number, end: number): Split {
  const s = Math.max(0, Math.min(start, split.n));
  const e = Math.max(s, Math.min(end, split.n));
  const d = split.sampleSize;
  return { x: split.x.slice(s * d, e * d), y: split.y.slice(s, e), n: e - s, sampleSize: d };
}

/**
 * The first `train` / `test` samples of a dataset (for quick runs and smoke tests). Omitted or
 * larger-than-available limits keep the whole split.
 */
export function subsetDataset(ds: Dataset, limits: { train?: number; test?: number }): Dataset {
  const cut = (s: Split, k: number | undefined) => (k === undefined || k >= s.n ? s : sliceSplit(s, 0, k));
  return { ...ds, train: cut(ds.train, limits.train), test: cut(ds.test, limits.test) };
}

/**
 * Throws DataError unless the model consumes this dataset: the same sample shape (a [D] vector
 * model accepts any [C,H,W] with C*H*W = D) and the same number of classes.
 */
export function checkDatasetForModel(ds: Dataset, spec: Pick<ModelSpec, 'name' | 'inputShape' | 'numClasses'>): void {
  const want = shapeSize(spec.inputShape);
  const have = shapeSize(ds.inputShape);
  const sameShape =
    spec.inputShape.length === 1 ? want === have : spec.inputShape.join(',') === ds.inputShape.join(',');
  if (!sameShape) {
    throw new DataError(
      `model ${spec.name} takes inputs of shape [${spec.inputShape}] (${want} floats) but dataset ${ds.name} ` +
        `has samples of shape [${ds.inputShape}] (${have} floats)`,
    );
  }
  if (spec.numClasses !== ds.numClasses) {
    throw new DataError(`model ${spec.name} has ${spec.numClasses} classes but dataset ${ds.name} has ${ds.numClasses}`);
  }
}
