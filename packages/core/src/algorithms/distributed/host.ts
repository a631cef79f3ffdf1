// Host-side (JavaScript array) vector helpers for the coordinator halves of the distributed
// algorithms. The coordinator receives replicas as Float32Array frames; it may keep x in a
// Float64Array for accuracy. Means are accumulated in double precision.
import { firstNonFinite } from '../../finite.js';

export type HostVector = Float32Array | Float64Array;

function sameLength(vs: readonly HostVector[], n: number, what: string): void {
  for (let i = 0; i < vs.length; i++) {
    if (vs[i].length !== n) throw new RangeError(`${what}: vector ${i} has ${vs[i].length} values, expected ${n}`);
  }
}

/** out ← (1/p) Σ_i vs[i] (double-precision accumulation). Returns out (a new Float64Array by default). */
export function meanOf<T extends HostVector = Float64Array>(vs: readonly HostVector[], out?: T): T {
  if (vs.length === 0) throw new RangeError('meanOf: no vectors');
  const n = vs[0].length;
  sameLength(vs, n, 'meanOf');
  const o = (out ?? new Float64Array(n)) as T;
  if (o.length !== n) throw new RangeError('meanOf: output has the wrong length');
  const inv = 1 / vs.length;
  // Element by element, summed in double in the order of vs (no n-sized accumulator: a fresh
  // array of that size per reduction costs more than the sums). Reads v[i] before writing o[i],
  // so `out` may be one of vs.
  if (vs.length === 2) {
    const a = vs[0]!;
    const b = vs[1]!;
    for (let i = 0; i < n; i++) o[i] = (0 + a[i]! + b[i]!) * inv;
    return o;
  }
  const m = vs.length;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < m; k++) s += vs[k]![i]!;
    o[i] = s * inv;
  }
  return o;
}

/** Throws RangeError unless v has n finite values (the coordinator's guard on incoming frames). */
export function checkHostVector(v: HostVector, n: number, what: string): void {
  if (!(v instanceof Float32Array || v instanceof Float64Array)) throw new RangeError(`${what}: expected a Float32Array or Float64Array`);
  if (v.length !== n) throw new RangeError(`${what}: expected ${n} values, got ${v.length}`);
  const bad = firstNonFinite(v);
  if (bad >= 0) throw new RangeError(`${what}: value ${bad} is not finite`);
}
