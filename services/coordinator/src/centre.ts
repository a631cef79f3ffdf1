// The centre updates of the distributed algorithms, as pure copy-on-write functions over float32
// host vectors: the current x is never written; each function returns a new array (and the caller
// swaps it in only when it is finite). The arithmetic is core's (meanOf, easgdApplyDeltas,
// localEntropyCentreStep), so the coordinator and the one-process simulations agree. When every
// vector involved lives in one arena memory (core's Float32Arena, as the coordinator's do), core's
// WebAssembly SIMD kernels compute the same bits ~4x faster; otherwise the TypeScript loops here.
import {
  allFiniteValues,
  easgdApplyDeltas,
  localEntropyCentreStep,
  meanOf,
  wasmDesgd,
  wasmEasgdAsync,
  wasmEasgdSync,
  wasmMean,
} from '@deeprelax/core';

/**
 * Parle's reductions (mean of z^a, mean of x^a): the float32 mean, accumulated in double, and
 * whether it is finite (from the kernel's own pass where it ran).
 */
export function parleMeanChecked(vs: readonly Float32Array[], out?: Float32Array): { mean: Float32Array; finite: boolean } {
  const mean = out ?? new Float32Array(vs[0]!.length);
  // null: not all in one arena memory, or lengths that differ (meanOf then says what is wrong).
  const finite = wasmMean(vs, mean);
  if (finite !== null) return { mean, finite };
  meanOf(vs, mean);
  return { mean, finite: allFiniteValues(mean) };
}

/** EASGD's elastic difference Δ = α (x^i − x̃), rounded to float32 once (what travels and is applied). */
export function elasticDifference(replica: Float32Array, centre: Float32Array, alpha: number): Float32Array {
  const n = centre.length;
  if (replica.length !== n) throw new RangeError(`easgd: replica has ${replica.length} values, centre ${n}`);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = alpha * (replica[i]! - centre[i]!);
  return d;
}

/**
 * Synchronous EASGD: x̃_{k+1} = x̃_k + Σ_i α (x^i − x̃_k) over the round's contributors (core's
 * easgdApplyDeltas on a copy).
 */
export function easgdSyncCentre(
  centre: Float32Array,
  replicas: readonly Float32Array[],
  alpha: number,
  out?: Float32Array,
): Float32Array {
  return syncCentre(centre, replicas, alpha, out).next;
}

/** easgdSyncCentre, checked in the same pass: null when the new x̃ has a non-finite value. */
export function easgdSyncCentreChecked(
  centre: Float32Array,
  replicas: readonly Float32Array[],
  alpha: number,
  out?: Float32Array,
): Float32Array | null {
  const { next, bad } = syncCentre(centre, replicas, alpha, out);
  return bad === 0 ? next : null;
}

/**
 * The synchronous EASGD update and the NaN-sticky sum of v − v over its result (0 when every
 * value is finite, NaN otherwise), so checking it costs no second pass.
 */
function syncCentre(
  centre: Float32Array,
  replicas: readonly Float32Array[],
  alpha: number,
  out?: Float32Array,
): { next: Float32Array; bad: number } {
  const n = centre.length;
  for (const r of replicas) {
    if (r.length !== n) throw new RangeError(`easgd: replica has ${r.length} values, centre ${n}`);
  }
  // One pass instead of a Δ array per replica plus a copy: element by element the same float32
  // operations in the same order as easgdApplyDeltas(copy of centre, [Δ_1, Δ_2, ...]) with
  // Δ_i = fround(α (x^i − x̃)), so the result is bit-identical.
  const next = out ?? new Float32Array(n);
  const finite = wasmEasgdSync(centre, replicas, alpha, next);
  if (finite !== null) return { next, bad: finite ? 0 : NaN };
  if (replicas.length === 1) return { next, bad: syncOneKernel(centre, replicas[0]!, alpha, next, n) };
  const fround = Math.fround;
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const c = centre[i]!;
    let v = c;
    for (const r of replicas) v = fround(v + fround(alpha * (r[i]! - c)));
    next[i] = v;
    // A non-finite partial sum stays non-finite, so checking the result checks every step.
    bad += v - v;
  }
  return { next, bad };
}

/** Asynchronous EASGD, one arrival: Δ against the current x̃, then x̃ + Δ (core's easgdApplyDeltas). */
export function easgdAsyncApply(centre: Float32Array, replica: Float32Array, alpha: number): { next: Float32Array; delta: Float32Array } {
  const delta = elasticDifference(replica, centre, alpha);
  const next = Float32Array.from(centre);
  easgdApplyDeltas(next, delta);
  return { next, delta };
}

/**
 * easgdAsyncApply and the finiteness check of both results in one pass (bit-identical values:
 * Δ = fround(α (x^i − x̃)), next = fround(x̃ + Δ)). Returns null when Δ or the new x̃ has a
 * non-finite value. `out` supplies the two result arrays (e.g. recycled ones; every element is
 * written).
 */
export function easgdAsyncApplyChecked(
  centre: Float32Array,
  replica: Float32Array,
  alpha: number,
  out?: { next: Float32Array; delta: Float32Array },
): { next: Float32Array; delta: Float32Array } | null {
  const n = centre.length;
  if (replica.length !== n) throw new RangeError(`easgd: replica has ${replica.length} values, centre ${n}`);
  if (out && (out.next.length !== n || out.delta.length !== n || out.next === centre || out.delta === centre)) {
    throw new RangeError('easgd: output arrays must have the centre\'s length and not be the centre');
  }
  const delta = out?.delta ?? new Float32Array(n);
  const next = out?.next ?? new Float32Array(n);
  const finite = wasmEasgdAsync(centre, replica, alpha, delta, next) ?? asyncApplyKernel(centre, replica, alpha, delta, next, n) === 0;
  return finite ? { next, delta } : null;
}

// The hot loops are small functions that only return a number, warmed up when the module loads
// (below). Inline in their callers, V8 compiled them on-stack mid-loop, before the code after the
// loop had ever run, then deoptimised at its first compare ("insufficient type feedback") and
// finished that call, and often the next, in unoptimised code: 20-30 ms per 1.87M-value update
// in the coordinator instead of 7.

/**
 * next = fround(x̃ + fround(α (x − x̃))), element by element; returns 0 when every next is finite,
 * NaN otherwise (v − v, summed in two independent sums as in asyncApplyKernel).
 */
function syncOneKernel(centre: Float32Array, r: Float32Array, alpha: number, next: Float32Array, n: number): number {
  const fround = Math.fround;
  let bad0 = 0;
  let bad1 = 0;
  const m = n - (n % 2);
  for (let i = 0; i < m; i += 2) {
    const c0 = centre[i]!;
    const c1 = centre[i + 1]!;
    const v0 = fround(c0 + fround(alpha * (r[i]! - c0)));
    const v1 = fround(c1 + fround(alpha * (r[i + 1]! - c1)));
    next[i] = v0;
    next[i + 1] = v1;
    bad0 += v0 - v0;
    bad1 += v1 - v1;
  }
  for (let i = m; i < n; i++) {
    const c = centre[i]!;
    const v = fround(c + fround(alpha * (r[i]! - c)));
    next[i] = v;
    bad0 += v - v;
  }
  return bad0 + bad1;
}

/**
 * Δ = fround(α (x − x̃)) and next = fround(x̃ + Δ); returns 0 when every Δ and next is finite
 * (v − v is 0 for a finite v, NaN otherwise, and NaN sticks in a sum), NaN otherwise. Two
 * elements per iteration with their own sums, so the adds do not wait on each other.
 */
function asyncApplyKernel(centre: Float32Array, replica: Float32Array, alpha: number, delta: Float32Array, next: Float32Array, n: number): number {
  const fround = Math.fround;
  let bad0 = 0;
  let bad1 = 0;
  const m = n - (n % 2);
  for (let i = 0; i < m; i += 2) {
    const c0 = centre[i]!;
    const c1 = centre[i + 1]!;
    const d0 = fround(alpha * (replica[i]! - c0));
    const d1 = fround(alpha * (replica[i + 1]! - c1));
    const v0 = fround(c0 + d0);
    const v1 = fround(c1 + d1);
    delta[i] = d0;
    delta[i + 1] = d1;
    next[i] = v0;
    next[i + 1] = v1;
    bad0 += d0 - d0 + (v0 - v0);
    bad1 += d1 - d1 + (v1 - v1);
  }
  for (let i = m; i < n; i++) {
    const c = centre[i]!;
    const d = fround(alpha * (replica[i]! - c));
    const v = fround(c + d);
    delta[i] = d;
    next[i] = v;
    bad0 += d - d + (v - v);
  }
  return bad0 + bad1;
}

// Warm-up: every operation of the kernels gets type feedback (finite and non-finite inputs, odd
// length) before a real call, so their optimised code has nothing left to bail out on.
{
  const n = 67;
  const a = new Float32Array(n).fill(0.5);
  const b = new Float32Array(n).fill(-0.25);
  const o1 = new Float32Array(n);
  const o2 = new Float32Array(n);
  for (let k = 0; k < 8; k++) {
    b[k] = k === 3 ? Number.NaN : -0.25;
    asyncApplyKernel(a, b, 0.5, o1, o2, n);
    syncOneKernel(a, b, 0.5, o1, n);
  }
}

/**
 * Distributed ESGD (§2.8): x ← x − s (x − mean μ_i) (core's localEntropyCentreStep on a copy),
 * and whether the new x is finite (from the kernel's own pass where it ran).
 */
export function desgdCentreChecked(
  x: Float32Array,
  mus: readonly Float32Array[],
  stepSize: number,
  out?: Float32Array,
): { next: Float32Array; finite: boolean } {
  const next = out ?? new Float32Array(x.length);
  if (next.length !== x.length || next === x) throw new RangeError('desgd: the output must have x\'s length and not be x');
  // Invalid input takes core's path, which says what is wrong: a negative step here, no μ or a
  // wrong length through wasmDesgd's null.
  if (stepSize >= 0) {
    const finite = wasmDesgd(x, mus, stepSize, next);
    if (finite !== null) return { next, finite };
  }
  next.set(x);
  localEntropyCentreStep(next, mus, stepSize);
  return { next, finite: allFiniteValues(next) };
}
