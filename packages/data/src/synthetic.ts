// Small seeded synthetic classification datasets, learnable by construction, for tests, smoke runs
// and benchmarks that must not depend on real data.
//
//  'blobs'   (default): class means μ_c ~ N(0, I_d) drawn once; a sample of class c is
//            (μ_c + σ ε) / sqrt(1 + σ²), ε ~ N(0, I_d), so every input coordinate has about unit
//            variance. Labels are uniform. σ (`noise`) defaults to sqrt(d)/4, which leaves a small
//            but non-zero Bayes error (about 2% for 10 classes).
//  'teacher': inputs ~ N(0, I_d); labels are the argmax of a random one-hidden-layer ReLU teacher
//            network (width `hidden`, weights ~ N(0, 1/fan_in)): zero Bayes error, non-linear.
// Train and test share the class means / teacher and differ in samples. Everything derives from `seed`.
import { Rng } from '@deeprelax/core';
import { DataError } from './errors.js';
import { makeSplit, shapeSize, type Dataset, type Split } from './dataset.js';

export type SyntheticKind = 'blobs' | 'teacher';

export interface SyntheticOptions {
  kind?: SyntheticKind;
  /** [C,H,W]; default [1, 8, 8]. */
  inputShape?: [number, number, number];
  /** Default 10. */
  numClasses?: number;
  /** Default 4096. */
  trainSize?: number;
  /** Default 1024. */
  testSize?: number;
  /** Default 0. */
  seed?: number;
  /** 'blobs' only: σ, default sqrt(d)/4. */
  noise?: number;
  /** 'teacher' only: hidden width, default 32. */
  hidden?: number;
}

const STREAM_MODEL = 0x5e7a1;
const STREAM_TRAIN = 0x5e7a2;
const STREAM_TEST = 0x5e7a3;

function positiveInt(v: number, what: string, min = 1): number {
  if (!Number.isInteger(v) || v < min) throw new DataError(`synthetic dataset: ${what} must be an integer >= ${min}, got ${v}`);
  return v;
}

export function syntheticDataset(options: SyntheticOptions = {}): Dataset {
  const kind = options.kind ?? 'blobs';
  const shape: [number, number, number] = options.inputShape ? [...options.inputShape] : [1, 8, 8];
  shape.forEach((s, i) => positiveInt(s, `inputShape[${i}]`));
  const d = shapeSize(shape);
  const k = positiveInt(options.numClasses ?? 10, 'numClasses', 2);
  const nTrain = positiveInt(options.trainSize ?? 4096, 'trainSize');
  const nTest = positiveInt(options.testSize ?? 1024, 'testSize');
  const seed = options.seed ?? 0;
  const model = new Rng(seed, STREAM_MODEL);

  let sample: (rng: Rng, x: Float32Array, o: number) => number;
  let description: string;
  if (kind === 'blobs') {
    const sigma = options.noise ?? Math.sqrt(d) / 4;
    if (!(sigma >= 0)) throw new DataError(`synthetic dataset: noise must be >= 0, got ${sigma}`);
    const means = new Float64Array(k * d);
    for (let i = 0; i < means.length; i++) means[i] = model.normal();
    const norm = 1 / Math.sqrt(1 + sigma * sigma);
    sample = (rng, x, o) => {
      const c = rng.int(k);
      for (let i = 0; i < d; i++) x[o + i] = (means[c * d + i] + sigma * rng.normal()) * norm;
      return c;
    };
    description = `blobs(noise=${+sigma.toFixed(4)})`;
  } else if (kind === 'teacher') {
    const h = positiveInt(options.hidden ?? 32, 'hidden');
    const w1 = new Float64Array(h * d);
    const b1 = new Float64Array(h);
    const w2 = new Float64Array(k * h);
    for (let i = 0; i < w1.length; i++) w1[i] = model.normal() / Math.sqrt(d);
    for (let i = 0; i < h; i++) b1[i] = 0.1 * model.normal();
    for (let i = 0; i < w2.length; i++) w2[i] = model.normal() / Math.sqrt(h);
    const hid = new Float64Array(h);
    sample = (rng, x, o) => {
      for (let i = 0; i < d; i++) x[o + i] = rng.normal();
      for (let j = 0; j < h; j++) {
        let a = b1[j];
        for (let i = 0; i < d; i++) a += w1[j * d + i] * x[o + i];
        hid[j] = a > 0 ? a : 0;
      }
      let best = 0;
      let bestV = -Infinity;
      for (let c = 0; c < k; c++) {
        let a = 0;
        for (let j = 0; j < h; j++) a += w2[c * h + j] * hid[j];
        if (a > bestV) {
          bestV = a;
          best = c;
        }
      }
      return best;
    };
    description = `teacher(hidden=${h})`;
  } else {
    throw new DataError(`unknown synthetic dataset kind '${kind as string}' (expected blobs or teacher)`);
  }

  const make = (n: number, stream: number): Split => {
    const rng = new Rng(seed, stream);
    const x = new Float32Array(n * d);
    const y = new Int32Array(n);
    for (let s = 0; s < n; s++) y[s] = sample(rng, x, s * d);
    return makeSplit(x, y, d);
  };
  return {
    name: `synthetic-${kind}`,
    inputShape: shape,
    numClasses: k,
    train: make(nTrain, STREAM_TRAIN),
    test: make(nTest, STREAM_TEST),
    preprocessing: description,
  };
}
