// The centre updates of the distributed algorithms, as pure copy-on-write functions over float32
// host vectors: the current x is never written; each function returns a new array (and the caller
// swaps it in only when it is finite). The arithmetic is core's (meanOf, easgdApplyDeltas,
// localEntropyCentreStep), so the coordinator and the one-process simulations agree.
import { easgdApplyDeltas, localEntropyCentreStep, meanOf } from '@deeprelax/core';

/** True when every value is finite. */
export function allFinite(v: Float32Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}

/** Parle's reductions (mean of z^a, mean of x^a): the float32 mean, accumulated in double. */
export function parleMean(vs: readonly Float32Array[]): Float32Array {
  return meanOf(vs, new Float32Array(vs[0]!.length));
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
export function easgdSyncCentre(centre: Float32Array, replicas: readonly Float32Array[], alpha: number): Float32Array {
  const deltas = replicas.map((r) => elasticDifference(r, centre, alpha));
  const next = Float32Array.from(centre);
  easgdApplyDeltas(next, deltas);
  return next;
}

/** Asynchronous EASGD, one arrival: Δ against the current x̃, then x̃ + Δ (core's easgdApplyDeltas). */
export function easgdAsyncApply(centre: Float32Array, replica: Float32Array, alpha: number): { next: Float32Array; delta: Float32Array } {
  const delta = elasticDifference(replica, centre, alpha);
  const next = Float32Array.from(centre);
  easgdApplyDeltas(next, delta);
  return { next, delta };
}

/** Distributed ESGD (§2.8): x ← x − s (x − mean μ_i) (core's localEntropyCentreStep on a copy). */
export function desgdCentre(x: Float32Array, mus: readonly Float32Array[], stepSize: number): Float32Array {
  const next = Float32Array.from(x);
  localEntropyCentreStep(next, mus, stepSize);
  return next;
}
