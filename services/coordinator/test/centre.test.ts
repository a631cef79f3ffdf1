// The centre update kernels against an element-by-element reference: bit-identical values, odd
// lengths (the two-at-a-time loop's tail), and every non-finite result caught (NaN in a replica,
// overflow to ±Inf in Δ or in the new centre).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { easgdAsyncApplyChecked, easgdSyncCentre, easgdSyncCentreChecked } from '../src/centre.js';

function reference(centre: Float32Array, replica: Float32Array, alpha: number): { next: Float32Array; delta: Float32Array; finite: boolean } {
  const n = centre.length;
  const next = new Float32Array(n);
  const delta = new Float32Array(n);
  let finite = true;
  for (let i = 0; i < n; i++) {
    delta[i] = Math.fround(alpha * (replica[i]! - centre[i]!));
    next[i] = Math.fround(centre[i]! + delta[i]!);
    finite &&= Number.isFinite(delta[i]!) && Number.isFinite(next[i]!);
  }
  return { next, delta, finite };
}

const bytes = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

function vector(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return scale * (s / 2 ** 32 - 0.5);
  });
}

test('async EASGD apply: bit-identical to the element-by-element update for even, odd and tiny lengths', () => {
  for (const n of [0, 1, 2, 3, 7, 64, 1001]) {
    const c = vector(n, 1 + n);
    const r = vector(n, 2 + n, 3);
    const got = easgdAsyncApplyChecked(c, r, 0.37);
    const want = reference(c, r, 0.37);
    assert.ok(got, `n = ${n}: accepted`);
    assert.ok(bytes(got.next).equals(bytes(want.next)), `n = ${n}: next`);
    assert.ok(bytes(got.delta).equals(bytes(want.delta)), `n = ${n}: delta`);
    const sync = easgdSyncCentre(c, [r], 0.37);
    assert.ok(bytes(sync).equals(bytes(want.next)), `n = ${n}: the one-member sync centre is the same update`);
    const checked = easgdSyncCentreChecked(c, [r], 0.37);
    assert.ok(checked && bytes(checked).equals(bytes(want.next)), `n = ${n}: the checked one-member sync centre too`);
  }
});

test('async EASGD apply: any non-finite Δ or centre, at any position (even or odd, the tail), is rejected', () => {
  const n = 9;
  for (let at = 0; at < n; at++) {
    for (const [what, value, alpha, centreValue] of [
      ['NaN replica', Number.NaN, 0.5, 0.1],
      ['+Inf replica', Number.POSITIVE_INFINITY, 0.5, 0.1],
      ['Δ overflows', 3e38, 4, -3e38],
      ['centre + Δ overflows', 3.4e38, 4, 3.3e38],
    ] as const) {
      const c = vector(n, 5);
      const r = vector(n, 6);
      c[at] = centreValue;
      r[at] = value;
      assert.equal(reference(c, r, alpha).finite, false, `${what} at ${at}: the reference sees it`);
      assert.equal(easgdAsyncApplyChecked(c, r, alpha), null, `${what} at ${at}`);
      // Synchronous: the new centre alone is checked (a Δ overflow with a finite sum is not
      // possible: Δ = ±Inf makes the centre ±Inf or NaN).
      assert.equal(easgdSyncCentreChecked(c, [r], alpha), null, `sync, one member: ${what} at ${at}`);
      assert.equal(easgdSyncCentreChecked(c, [r, vector(n, 7)], alpha), null, `sync, two members: ${what} at ${at}`);
    }
  }
  // -0 and the largest finite values are finite.
  const c = Float32Array.from([-0, 3.4e38, -3.4e38]);
  assert.ok(easgdAsyncApplyChecked(c, Float32Array.from(c), 0.5));
  assert.ok(easgdSyncCentreChecked(c, [Float32Array.from(c)], 0.5));
});
