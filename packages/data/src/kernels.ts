// Dense kernels behind the CIFAR preprocessing, written for V8: flat typed arrays, contiguous inner
// loops, cache blocking. They take explicit row/column ranges so that a worker pool can split them.
// No imports: this module is also loaded inside worker threads.

/**
 * G[i, j] += Σ_{s in [s0,s1)} (x_s[i] − mean[i]) (x_s[j] − mean[j]) for the rows i listed in `rows`
 * and every j ≥ i (upper triangle only). x is n×d row-major; G is d×d row-major. `mean` may be null
 * (no centring). Samples are processed in blocks of `block`, transposed into a d×block scratch so
 * that each G element is a dot product over contiguous memory.
 */
export function gramUpperRows(
  x: Float32Array | Float64Array,
  d: number,
  s0: number,
  s1: number,
  mean: Float64Array | null,
  rows: ArrayLike<number>,
  g: Float64Array,
  block = 64,
): void {
  const t = new Float64Array(d * block);
  for (let b0 = s0; b0 < s1; b0 += block) {
    const bs = Math.min(block, s1 - b0);
    if (bs < block) t.fill(0);
    for (let s = 0; s < bs; s++) {
      const base = (b0 + s) * d;
      if (mean) for (let i = 0; i < d; i++) t[i * block + s] = x[base + i] - mean[i];
      else for (let i = 0; i < d; i++) t[i * block + s] = x[base + i];
    }
    for (let r = 0; r < rows.length; r++) {
      const i = rows[r];
      const ti = i * block;
      const gi = i * d;
      let j = i;
      // four output columns at a time share the loads of row i
      for (; j + 3 < d; j += 4) {
        const tj0 = j * block;
        const tj1 = tj0 + block;
        const tj2 = tj1 + block;
        const tj3 = tj2 + block;
        let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (let s = 0; s < block; s++) {
          const xi = t[ti + s];
          a0 += xi * t[tj0 + s];
          a1 += xi * t[tj1 + s];
          a2 += xi * t[tj2 + s];
          a3 += xi * t[tj3 + s];
        }
        g[gi + j] += a0;
        g[gi + j + 1] += a1;
        g[gi + j + 2] += a2;
        g[gi + j + 3] += a3;
      }
      for (; j < d; j++) {
        const tj = j * block;
        let a = 0;
        for (let s = 0; s < block; s++) a += t[ti + s] * t[tj + s];
        g[gi + j] += a;
      }
    }
  }
}

/**
 * For rows s in [s0, s1) of x (n×d row-major, float32): x_s ← M (x_s − mean), M a symmetric d×d
 * row-major matrix, in place. Each output element is a dot product of a row of M with a centred
 * sample over contiguous memory; four samples share each load of a row of M, and a block of samples
 * shares each pass over M.
 */
export function applySymmetricRows(
  x: Float32Array,
  d: number,
  s0: number,
  s1: number,
  mean: Float64Array,
  m: Float64Array,
  block = 16,
): void {
  const bl = Math.max(4, block - (block % 4));
  const xc = new Float64Array(bl * d);
  const out = new Float64Array(bl * d);
  for (let b0 = s0; b0 < s1; b0 += bl) {
    const bs = Math.min(bl, s1 - b0);
    if (bs < bl) xc.fill(0);
    for (let r = 0; r < bs; r++) {
      const base = (b0 + r) * d;
      const o = r * d;
      for (let k = 0; k < d; k++) xc[o + k] = x[base + k] - mean[k];
    }
    const groups = Math.ceil(bs / 4) * 4;
    for (let j = 0; j < d; j++) {
      const mj = j * d;
      for (let r = 0; r < groups; r += 4) {
        const o0 = r * d;
        const o1 = o0 + d;
        const o2 = o1 + d;
        const o3 = o2 + d;
        let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (let k = 0; k < d; k++) {
          const w = m[mj + k];
          a0 += w * xc[o0 + k];
          a1 += w * xc[o1 + k];
          a2 += w * xc[o2 + k];
          a3 += w * xc[o3 + k];
        }
        out[o0 + j] = a0;
        out[o1 + j] = a1;
        out[o2 + j] = a2;
        out[o3 + j] = a3;
      }
    }
    for (let r = 0; r < bs; r++) {
      const base = (b0 + r) * d;
      const o = r * d;
      for (let j = 0; j < d; j++) x[base + j] = out[o + j];
    }
  }
}
