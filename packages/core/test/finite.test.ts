// firstNonFinite / allFiniteValues against the plain per-element definition, at every position
// of the 4-wide fast path and its tail, for both array types and the values that look alike
// (−0, the largest finite float32, subnormals) but are finite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allFiniteValues, firstNonFinite, Rng } from '@deeprelax/core';

function reference(v: ArrayLike<number>): number {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return i;
  return -1;
}

test('firstNonFinite finds the first NaN or ±Inf at every position, incl. the tail of n % 4', () => {
  for (const n of [0, 1, 2, 3, 4, 5, 7, 8, 9, 31, 1001]) {
    const v = new Float32Array(n).fill(1.5);
    assert.equal(firstNonFinite(v), -1, `n = ${n} all finite`);
    assert.equal(allFiniteValues(v), true);
    for (let at = 0; at < n; at++) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        v[at] = bad;
        assert.equal(firstNonFinite(v), at, `n = ${n}, ${bad} at ${at}`);
        assert.equal(allFiniteValues(v), false);
        v[at] = 1.5;
      }
    }
  }
});

test('finite values that look extreme stay finite; the first of several bad values is reported', () => {
  const edge = Float32Array.from([-0, 0, 3.4028234663852886e38, -3.4028234663852886e38, 1e-45, -1e-45, 1, -1]);
  assert.equal(firstNonFinite(edge), -1);
  assert.equal(firstNonFinite(Float64Array.from([1e308, -1e308, 5e-324, -0])), -1);
  assert.equal(firstNonFinite(Float64Array.from([1e308 * 10])), 0);
  const v = new Float32Array(100);
  v[70] = NaN;
  v[30] = -Infinity;
  v[90] = Infinity;
  assert.equal(firstNonFinite(v), 30);
});

test('agrees with the per-element definition on random vectors with sparse bad values', () => {
  const rng = new Rng(7);
  for (let trial = 0; trial < 200; trial++) {
    const n = 1 + Math.floor(rng.uniform() * 300);
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      v[i] = u < 0.003 ? NaN : u < 0.006 ? Infinity : u < 0.009 ? -Infinity : rng.normal() * 1e30;
    }
    assert.equal(firstNonFinite(v), reference(v), `trial ${trial}`);
    assert.equal(allFiniteValues(v), reference(v) === -1);
  }
});
