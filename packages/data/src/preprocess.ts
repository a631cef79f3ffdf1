// Input preprocessing for images (ALGORITHMS.md §3.1): per-image global contrast normalisation,
// per-channel standardisation, and ZCA whitening fitted on the training set.
//
// ZCA follows process_cifar.py of [ESGD-LUA]/[DR-CODE] exactly, in float64:
//   D = training data (after GCN), one row per sample; m = its mean; C = (D−m)ᵀ(D−m)/(N−1);
//   C = U diag(λ) Uᵀ; S = sqrt(λ) (the singular values of (D−m)/sqrt(N−1));
//   W = U diag(1/(S + ε)) Uᵀ with ε = 1e-5;   x ← W (x − m) for train and test.
import { KernelPool, isShared, sharedFloat64 } from './pool.js';
import { DataError } from './errors.js';

/**
 * Per-sample global contrast normalisation, in place: subtract the sample's mean over all its
 * values and divide by its standard deviation (ddof = 1); a std below `eps` is replaced by 1.
 */
export function globalContrastNormalize(x: Float32Array, sampleSize: number, eps = 1e-8): void {
  const d = sampleSize;
  const n = Math.floor(x.length / d);
  for (let s = 0; s < n; s++) {
    const o = s * d;
    let sum = 0;
    for (let i = 0; i < d; i++) sum += x[o + i];
    const mean = sum / d;
    let ss = 0;
    for (let i = 0; i < d; i++) {
      const t = x[o + i] - mean;
      ss += t * t;
    }
    let std = d > 1 ? Math.sqrt(ss / (d - 1)) : 0;
    if (!(std >= eps)) std = 1;
    for (let i = 0; i < d; i++) x[o + i] = (x[o + i] - mean) / std;
  }
}

/** Per-channel standardisation of CHW samples, in place: x_c ← (x_c − mean[c]) / std[c]. */
export function channelNormalize(x: Float32Array, shape: readonly [number, number, number], mean: readonly number[], std: readonly number[]): void {
  const [c, h, w] = shape;
  if (mean.length !== c || std.length !== c) {
    throw new DataError(`channelNormalize: ${c} channels but ${mean.length} means and ${std.length} stds`);
  }
  const plane = h * w;
  const d = c * plane;
  const n = Math.floor(x.length / d);
  for (let s = 0; s < n; s++) {
    for (let k = 0; k < c; k++) {
      const o = s * d + k * plane;
      const m = mean[k];
      const inv = 1 / std[k];
      for (let i = 0; i < plane; i++) x[o + i] = (x[o + i] - m) * inv;
    }
  }
}

/** Mean over n samples of d values (float64). */
export function sampleMean(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const m = new Float64Array(d);
  for (let s = 0; s < n; s++) {
    const o = s * d;
    for (let i = 0; i < d; i++) m[i] += x[o + i];
  }
  for (let i = 0; i < d; i++) m[i] /= n;
  return m;
}

export interface ZcaWhitening {
  dim: number;
  epsilon: number;
  /** The training mean, d values. */
  mean: Float64Array;
  /** The symmetric whitening matrix W, d×d row-major. */
  matrix: Float64Array;
  /** Eigenvalues of the training covariance, ascending. */
  eigenvalues: Float64Array;
}

export interface ZcaOptions {
  /** Added to the singular values before inverting; default 1e-5 as in process_cifar.py. */
  epsilon?: number;
  /** A pool to run the kernels on; default an inline pool (calling thread). */
  pool?: KernelPool;
}

/** Splits [0, n) into at most `parts` contiguous ranges. */
function ranges(n: number, parts: number): [number, number][] {
  const p = Math.max(1, Math.min(parts, n));
  const out: [number, number][] = [];
  for (let k = 0; k < p; k++) {
    const a = Math.floor((k * n) / p);
    const b = Math.floor(((k + 1) * n) / p);
    if (b > a) out.push([a, b]);
  }
  return out;
}

/** Row lists for the upper-triangular Gram kernel, balanced by interleaving stripes of 8 rows. */
function rowStripes(d: number, parts: number): Int32Array[] {
  const p = Math.max(1, parts);
  const lists: number[][] = Array.from({ length: p }, () => []);
  const stripe = 8;
  for (let s = 0, k = 0; s < d; s += stripe, k++) {
    // boustrophedon order balances the shrinking cost (d − i) of later rows
    const round = Math.floor(k / p);
    const slot = k % p;
    const owner = round % 2 === 0 ? slot : p - 1 - slot;
    for (let i = s; i < Math.min(d, s + stripe); i++) lists[owner].push(i);
  }
  return lists.filter((l) => l.length > 0).map((l) => Int32Array.from(l));
}

/** Symmetric Gram matrix (x_s − mean)ᵀ(x_s − mean) summed over n samples, as a full d×d matrix. */
export async function gram(x: Float32Array | Float64Array, n: number, d: number, mean: Float64Array | null, pool: KernelPool): Promise<Float64Array> {
  const inline = pool.threads === 0;
  if (!inline && !isShared(x)) throw new Error('gram: a worker pool needs SharedArrayBuffer-backed input');
  const g = inline ? new Float64Array(d * d) : sharedFloat64(d * d);
  const m = mean === null || inline ? mean : toShared(mean);
  await Promise.all(
    rowStripes(d, Math.max(1, pool.threads)).map((rows) => pool.run({ op: 'gram', x, d, s0: 0, s1: n, mean: m, rows, g })),
  );
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) g[i * d + j] = g[j * d + i];
  return g;
}

function toShared(a: Float64Array): Float64Array {
  const s = sharedFloat64(a.length);
  s.set(a);
  return s;
}

/**
 * Builds the ZCA matrix W = U diag(1/(sqrt(λ)+ε)) Uᵀ from a covariance matrix (negative
 * round-off eigenvalues are treated as 0).
 */
export async function zcaFromCovariance(cov: Float64Array, d: number, epsilon: number, pool: KernelPool): Promise<{ matrix: Float64Array; eigenvalues: Float64Array }> {
  const r = await pool.run({ op: 'eigen', a: cov, n: d });
  if (!r.ok || !r.values || !r.vectors) throw new Error('eigen kernel returned no result');
  const values = r.values;
  const vectors = r.vectors;
  // W = Σ_k s_k u_k u_kᵀ = YᵀY with rows y_k = sqrt(s_k) u_k: the same Gram kernel.
  const y = pool.threads === 0 ? vectors : sharedFloat64(d * d);
  for (let k = 0; k < d; k++) {
    const sk = Math.sqrt(1 / (Math.sqrt(Math.max(values[k], 0)) + epsilon));
    const o = k * d;
    for (let i = 0; i < d; i++) y[o + i] = vectors[o + i] * sk;
  }
  const matrix = await gram(y, d, d, null, pool);
  return { matrix, eigenvalues: values };
}

/** Fits ZCA whitening on n samples of d values. */
export async function fitZca(x: Float32Array, n: number, d: number, options: ZcaOptions = {}): Promise<ZcaWhitening> {
  const epsilon = options.epsilon ?? 1e-5;
  if (n < 2) throw new DataError(`ZCA needs at least 2 samples, got ${n}`);
  if (!(epsilon >= 0)) throw new DataError(`ZCA epsilon must be >= 0, got ${epsilon}`);
  const pool = options.pool ?? new KernelPool(0);
  const mean = sampleMean(x, n, d);
  const g = await gram(x, n, d, mean, pool);
  for (let i = 0; i < g.length; i++) g[i] /= n - 1;
  const { matrix, eigenvalues } = await zcaFromCovariance(g, d, epsilon, pool);
  return { dim: d, epsilon, mean, matrix, eigenvalues };
}

/** x_s ← W (x_s − mean) for every sample of x, in place. */
export async function applyZca(z: ZcaWhitening, x: Float32Array, pool: KernelPool = new KernelPool(0)): Promise<void> {
  const d = z.dim;
  const n = Math.floor(x.length / d);
  if (pool.threads === 0) {
    await pool.run({ op: 'apply', x, d, s0: 0, s1: n, mean: z.mean, m: z.matrix });
    return;
  }
  if (!isShared(x)) throw new Error('applyZca: a worker pool needs SharedArrayBuffer-backed input');
  const mean = isShared(z.mean) ? z.mean : toShared(z.mean);
  const m = isShared(z.matrix) ? z.matrix : toShared(z.matrix);
  // Work units of about 2048 samples keep every thread busy to the end.
  await Promise.all(
    ranges(n, Math.max(pool.threads, Math.ceil(n / 2048))).map(([s0, s1]) => pool.run({ op: 'apply', x, d, s0, s1, mean, m })),
  );
}
