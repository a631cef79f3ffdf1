// Symmetric eigendecomposition in pure TypeScript: Householder reduction to tridiagonal form
// followed by the implicit QL algorithm with Wilkinson-style shifts (EISPACK tred2 + tql2, in the
// form popularised by JAMA). O(n^3); a 3072×3072 covariance takes on the order of a minute.
//
// Storage: the working matrix is kept transposed relative to the textbook so that every inner loop
// (the similarity transforms, the accumulation of Householder reflectors and the Givens rotations of
// the QL sweeps) runs over contiguous memory. On return, row k of `vectors` is the k-th eigenvector.
import { firstNonFinite } from '@deeprelax/core';

export interface SymmetricEigen {
  n: number;
  /** Eigenvalues in ascending order. */
  values: Float64Array;
  /** n×n row-major; vectors[k*n + i] is component i of the unit eigenvector for values[k]. */
  vectors: Float64Array;
}

export class EigenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EigenError';
  }
}

function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x > y) {
    const r = y / x;
    return x * Math.sqrt(1 + r * r);
  }
  if (y === 0) return 0;
  const r = x / y;
  return y * Math.sqrt(1 + r * r);
}

/**
 * Eigen-decomposes the symmetric n×n row-major matrix `a` (only symmetric input is meaningful; the
 * lower triangle is what is read). `a` is not modified.
 */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  if (!Number.isInteger(n) || n < 1) throw new EigenError(`matrix order must be a positive integer, got ${n}`);
  if (a.length !== n * n) throw new EigenError(`expected ${n * n} elements for a ${n}×${n} matrix, got ${a.length}`);
  // V[i][j] of the textbook is stored at v[j*n + i]; a symmetric input is its own transpose.
  const v = Float64Array.from(a);
  const bad = firstNonFinite(v);
  if (bad >= 0) throw new EigenError(`matrix element ${bad} is not finite (${v[bad]})`);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tred2(v, d, e, n);
  tql2(v, d, e, n);
  return { n, values: d, vectors: v };
}

/** Householder tridiagonalisation; on return d = diagonal, e = subdiagonal (e[0] = 0), v = Q. */
function tred2(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  // at(k, j) = V[k][j] = v[j*n + k]
  for (let j = 0; j < n; j++) d[j] = v[j * n + (n - 1)];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = v[j * n + (i - 1)];
        v[j * n + i] = 0;
        v[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        v[i * n + j] = f; // V[j][i]
        const col = j * n; // column j of V: V[k][j] = v[col + k]
        g = e[j] + v[col + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          const vkj = v[col + k];
          g += vkj * d[k];
          e[k] += vkj * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        const col = j * n;
        for (let k = j; k <= i - 1; k++) v[col + k] -= f * e[k] + g * d[k];
        d[j] = v[col + (i - 1)];
        v[col + i] = 0; // V[i][j]
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    v[i * n + (n - 1)] = v[i * n + i]; // V[n-1][i] = V[i][i]
    v[i * n + i] = 1;
    const h = d[i + 1];
    const ci1 = (i + 1) * n; // column i+1
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[ci1 + k] / h;
      for (let j = 0; j <= i; j++) {
        const cj = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[ci1 + k] * v[cj + k];
        for (let k = 0; k <= i; k++) v[cj + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) v[ci1 + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[j * n + (n - 1)];
    v[j * n + (n - 1)] = 0;
  }
  v[(n - 1) * n + (n - 1)] = 1;
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (d, e), accumulating rotations into v; sorts ascending. */
function tql2(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m === n) m = n - 1; // e[n-1] is 0, so this only guards against NaN
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 100) throw new EigenError(`QL iteration did not converge for eigenvalue ${l} of ${n}`);
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          // Rotate columns i and i+1 of V (rows i, i+1 of the stored transpose).
          const ri = i * n;
          const ri1 = ri + n;
          for (let k = 0; k < n; k++) {
            const hk = v[ri1 + k];
            const vk = v[ri + k];
            v[ri1 + k] = s * vk + c * hk;
            v[ri + k] = c * vk - s * hk;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  // Selection sort, ascending, swapping eigenvector rows.
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i];
    for (let j = i + 1; j < n; j++) {
      if (d[j] < p) {
        k = j;
        p = d[j];
      }
    }
    if (k !== i) {
      d[k] = d[i];
      d[i] = p;
      const ri = i * n;
      const rk = k * n;
      for (let j = 0; j < n; j++) {
        const t = v[ri + j];
        v[ri + j] = v[rk + j];
        v[rk + j] = t;
      }
    }
  }
}
