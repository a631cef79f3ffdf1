// Finiteness scans of whole parameter vectors. They run on every tensor a coordinator or worker
// receives (1.87M values for mnistfc), so the common all-finite case takes the fast path: v·0 is
// ±0 for a finite v and NaN for ±Inf and NaN, and four independent sums keep the adds from
// waiting on each other (2.5x faster than a compare per element in V8). Only a vector that fails
// is scanned again for the index to report. A Float32Array in a kernel arena (wasm/arena.ts) is
// scanned by the WebAssembly SIMD kernel instead (~4x faster).
import { wasmAllFinite } from './wasm/kernels.js';

/** Index of the first NaN or ±Inf in `v`, or -1 when every value is finite. */
export function firstNonFinite(v: ArrayLike<number>): number {
  if (allFiniteValues(v)) return -1;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x - x !== 0) return i;
  }
  return -1;
}

/** True when `v` holds no NaN and no ±Inf. */
export function allFiniteValues(v: ArrayLike<number>): boolean {
  if (v instanceof Float32Array) return wasmAllFinite(v) ?? zeroSum32(v) === 0;
  return zeroSumAny(v) === 0;
}

// The loops are small functions that return the sum of v·0 (0 when finite, NaN otherwise), warmed
// up when the module loads (below), and the float32 one, what every received tensor is, sees only
// Float32Array. Inline in allFiniteValues, V8 compiled the loop on-stack before the compare after
// it had ever run and deoptimised there, so calls kept finishing in unoptimised code.
function zeroSum32(v: Float32Array): number {
  const n = v.length;
  const m = n - (n % 4);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let i = 0; i < m; i += 4) {
    s0 += v[i]! * 0;
    s1 += v[i + 1]! * 0;
    s2 += v[i + 2]! * 0;
    s3 += v[i + 3]! * 0;
  }
  for (let i = m; i < n; i++) s0 += v[i]! * 0;
  return s0 + s1 + s2 + s3;
}

function zeroSumAny(v: ArrayLike<number>): number {
  const n = v.length;
  const m = n - (n % 4);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let i = 0; i < m; i += 4) {
    s0 += v[i]! * 0;
    s1 += v[i + 1]! * 0;
    s2 += v[i + 2]! * 0;
    s3 += v[i + 3]! * 0;
  }
  for (let i = m; i < n; i++) s0 += v[i]! * 0;
  return s0 + s1 + s2 + s3;
}

// Warm-up: type feedback for every operation (finite and non-finite values, a remainder loop).
{
  const f32 = new Float32Array(67).fill(0.5);
  const f64 = new Float64Array(67).fill(0.5);
  for (let k = 0; k < 8; k++) {
    f32[k] = f64[k] = k === 5 ? Number.POSITIVE_INFINITY : 0.5;
    zeroSum32(f32);
    zeroSumAny(f64);
    zeroSumAny([0.5, k, 0.25]);
  }
}
