import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '@deeprelax/core';
import {
  applyZca,
  channelNormalize,
  EigenError,
  fitZca,
  globalContrastNormalize,
  KernelPool,
  sampleMean,
  sharedFloat32,
  symmetricEigen,
} from '../src/index.js';

function randomSymmetric(n: number, rng: Rng): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.normal();
  return a;
}

function checkDecomposition(a: Float64Array, n: number, tol: number): void {
  const { values, vectors } = symmetricEigen(a, n);
  for (let k = 1; k < n; k++) assert.ok(values[k - 1] <= values[k], 'ascending');
  let recon = 0;
  let orth = 0;
  let resid = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let o = 0;
      for (let k = 0; k < n; k++) {
        s += vectors[k * n + i] * values[k] * vectors[k * n + j];
        o += vectors[i * n + k] * vectors[j * n + k];
      }
      recon = Math.max(recon, Math.abs(s - a[i * n + j]));
      orth = Math.max(orth, Math.abs(o - (i === j ? 1 : 0)));
    }
  }
  // A u_k = λ_k u_k
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * vectors[k * n + j];
      resid = Math.max(resid, Math.abs(s - values[k] * vectors[k * n + i]));
    }
  }
  assert.ok(recon < tol, `reconstruction error ${recon}`);
  assert.ok(orth < tol, `orthogonality error ${orth}`);
  assert.ok(resid < tol, `eigen-residual ${resid}`);
}

test('eigensolver reconstructs random symmetric matrices (U Λ Uᵀ = A, UᵀU = I)', () => {
  const rng = new Rng(7);
  for (const n of [1, 2, 3, 10, 64, 150]) checkDecomposition(randomSymmetric(n, rng), n, 1e-10 * Math.max(1, n));
});

test('eigensolver: known spectra, repeated and zero eigenvalues, rank-deficient input', () => {
  const e = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
  assert.ok(Math.abs(e.values[0] - 1) < 1e-14 && Math.abs(e.values[1] - 3) < 1e-14);
  assert.ok(Math.abs(Math.abs(e.vectors[2] * e.vectors[3]) - 0.5) < 1e-14); // (1,1)/√2 for λ=3
  const diag = new Float64Array(16);
  [5, -2, 0, 5].forEach((v, i) => (diag[i * 4 + i] = v));
  assert.deepEqual(Array.from(symmetricEigen(diag, 4).values), [-2, 0, 5, 5]);
  const id = new Float64Array(9);
  id[0] = id[4] = id[8] = 1;
  checkDecomposition(id, 3, 1e-14);
  checkDecomposition(new Float64Array(25), 5, 1e-14);
  // rank 2: B Bᵀ with B 20×2
  const rng = new Rng(3);
  const b = Array.from({ length: 40 }, () => rng.normal());
  const a = new Float64Array(400);
  for (let i = 0; i < 20; i++) for (let j = 0; j < 20; j++) a[i * 20 + j] = b[2 * i] * b[2 * j] + b[2 * i + 1] * b[2 * j + 1];
  checkDecomposition(a, 20, 1e-11);
  const vals = symmetricEigen(a, 20).values;
  for (let k = 0; k < 18; k++) assert.ok(Math.abs(vals[k]) < 1e-12);
  assert.throws(() => symmetricEigen(new Float64Array(5), 2), EigenError);
  assert.throws(() => symmetricEigen(Float64Array.from([NaN]), 1), EigenError);
});

test('GCN gives every sample zero mean and unit (ddof=1) standard deviation; constant samples become 0', () => {
  const rng = new Rng(1);
  const d = 48;
  const n = 20;
  const x = new Float32Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = 255 * rng.uniform();
  x.fill(77, 3 * d, 4 * d); // a constant image: std 0 -> divided by 1
  globalContrastNormalize(x, d);
  for (let s = 0; s < n; s++) {
    let m = 0;
    for (let i = 0; i < d; i++) m += x[s * d + i];
    m /= d;
    let v = 0;
    for (let i = 0; i < d; i++) v += (x[s * d + i] - m) ** 2;
    const std = Math.sqrt(v / (d - 1));
    assert.ok(Math.abs(m) < 1e-5, `mean ${m}`);
    if (s === 3) assert.equal(std, 0);
    else assert.ok(Math.abs(std - 1) < 1e-5, `std ${std}`);
  }
});

test('channelNormalize standardises each channel plane', () => {
  const x = Float32Array.from([10, 20, 30, 40, 1, 2, 3, 4]); // one sample, 2 channels of 2×2
  channelNormalize(x, [2, 2, 2], [20, 2], [10, 0.5]);
  assert.deepEqual(Array.from(x), [-1, 0, 1, 2, -2, 0, 2, 4]);
});

function correlatedData(n: number, d: number, rng: Rng, shared: boolean): Float32Array {
  const mix = Array.from({ length: d * d }, () => rng.normal());
  const x = shared ? sharedFloat32(n * d) : new Float32Array(n * d);
  const z = new Float64Array(d);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < d; i++) z[i] = rng.normal() * (1 + i);
    for (let i = 0; i < d; i++) {
      let v = 3 + i;
      for (let j = 0; j < d; j++) v += mix[i * d + j] * z[j];
      x[s * d + i] = v;
    }
  }
  return x;
}

function covariance(x: Float32Array, n: number, d: number): Float64Array {
  const m = sampleMean(x, n, d);
  const c = new Float64Array(d * d);
  for (let s = 0; s < n; s++)
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) c[i * d + j] += (x[s * d + i] - m[i]) * (x[s * d + j] - m[j]);
  return c.map((v) => v / (n - 1));
}

test('ZCA whitens: covariance of the fitted data ≈ I, W symmetric, mean removed', async () => {
  const n = 3000;
  const d = 12;
  const x = correlatedData(n, d, new Rng(5), false);
  const z = await fitZca(x, n, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) assert.equal(z.matrix[i * d + j], z.matrix[j * d + i]);
  const orig = Float32Array.from(x);
  await applyZca(z, x);
  const c = covariance(x, n, d);
  let err = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) err = Math.max(err, Math.abs(c[i * d + j] - (i === j ? 1 : 0)));
  assert.ok(err < 1e-3, `max |cov − I| = ${err}`);
  const m = sampleMean(x, n, d);
  for (let i = 0; i < d; i++) assert.ok(Math.abs(m[i]) < 1e-4);
  // ZCA is the whitening closest to the identity: W is positive definite, so each whitened
  // coordinate stays positively correlated with its original
  const c0 = covariance(orig, n, d);
  for (let i = 0; i < d; i++) assert.ok(c0[i * d + i] > 0 && z.matrix[i * d + i] > 0);
});

test('ZCA on a worker-thread pool matches the inline computation', async () => {
  const n = 700;
  const d = 40;
  const shared = correlatedData(n, d, new Rng(9), true);
  const plain = Float32Array.from(shared);
  const pool = new KernelPool(2);
  try {
    const zs = await fitZca(shared, n, d, { pool });
    const zp = await fitZca(plain, n, d);
    let dm = 0;
    for (let i = 0; i < d * d; i++) dm = Math.max(dm, Math.abs(zs.matrix[i] - zp.matrix[i]) / (1e-12 + Math.abs(zp.matrix[i])));
    assert.ok(dm < 1e-9, `relative matrix difference ${dm}`);
    await applyZca(zs, shared, pool);
    await applyZca(zp, plain);
    let dx = 0;
    for (let i = 0; i < plain.length; i++) dx = Math.max(dx, Math.abs(shared[i] - plain[i]));
    assert.ok(dx < 1e-5, `max difference ${dx}`);
  } finally {
    await pool.close();
  }
});

test('ZCA rejects too few samples', async () => {
  await assert.rejects(fitZca(new Float32Array(3), 1, 3), /at least 2 samples/);
});
