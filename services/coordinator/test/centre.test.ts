// The centre update kernels against an element-by-element reference: bit-identical values, odd
// lengths (the two-at-a-time loop's tail), and every non-finite result caught (NaN in a replica,
// overflow to ±Inf in Δ or in the new centre).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Float32Arena, wasmEasgdAsync } from '@deeprelax/core';
import {
  desgdCentreChecked,
  easgdAsyncApplyChecked,
  easgdSyncCentre,
  easgdSyncCentreChecked,
  parleMeanChecked,
} from '../src/centre.js';

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

test('arena vectors (WebAssembly kernels) and ordinary ones (TypeScript) give the same bits and verdicts', () => {
  const arena = new Float32Arena({ slotsPerLength: 64 }); // nothing is given back here
  const inArena = (v: Float32Array) => {
    const a = arena.take(v.length);
    a.set(v);
    return a;
  };
  for (const n of [1, 5, 64, 1001]) {
    for (const poison of [false, true]) {
      const c = vector(n, 11 + n);
      const rs = [vector(n, 12 + n, 3), vector(n, 13 + n, 3), vector(n, 14 + n, 3)];
      if (poison) rs[1]![n - 1] = Number.NaN;
      const ca = inArena(c);
      const ra = rs.map(inArena);
      const what = `n = ${n}${poison ? ', NaN in a replica' : ''}`;

      const jsAsync = easgdAsyncApplyChecked(c, rs[1]!, 0.3);
      const out = { next: arena.take(n), delta: arena.take(n) };
      assert.notEqual(wasmEasgdAsync(ca, ra[1]!, 0.3, out.delta, out.next), null, 'co-located: the kernel runs');
      const wAsync = easgdAsyncApplyChecked(ca, ra[1]!, 0.3, out);
      assert.equal(wAsync === null, jsAsync === null, `async verdict, ${what}`);
      if (jsAsync && wAsync) {
        assert.ok(bytes(wAsync.next).equals(bytes(jsAsync.next)) && bytes(wAsync.delta).equals(bytes(jsAsync.delta)), `async, ${what}`);
      }
      for (const k of [1, 2, 3]) {
        const js = easgdSyncCentreChecked(c, rs.slice(0, k), 0.3);
        const w = easgdSyncCentreChecked(ca, ra.slice(0, k), 0.3, arena.take(n));
        assert.equal(w === null, js === null, `sync verdict k = ${k}, ${what}`);
        if (js && w) assert.ok(bytes(w).equals(bytes(js)), `sync k = ${k}, ${what}`);
        const jm = parleMeanChecked(rs.slice(0, k));
        const wm = parleMeanChecked(ra.slice(0, k), arena.take(n));
        assert.equal(wm.finite, jm.finite, `mean verdict k = ${k}, ${what}`);
        if (jm.finite) assert.ok(bytes(wm.mean).equals(bytes(jm.mean)), `mean k = ${k}, ${what}`);
        const jd = desgdCentreChecked(c, rs.slice(0, k), 0.45);
        const wd = desgdCentreChecked(ca, ra.slice(0, k), 0.45, arena.take(n));
        assert.equal(wd.finite, jd.finite, `desgd verdict k = ${k}, ${what}`);
        if (jd.finite) assert.ok(bytes(wd.next).equals(bytes(jd.next)), `desgd k = ${k}, ${what}`);
      }
    }
  }
  assert.throws(() => desgdCentreChecked(new Float32Array(3), [], 0.1), /no worker results/);
});
