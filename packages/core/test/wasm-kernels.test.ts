// The WebAssembly SIMD kernels (src/wasm) against the TypeScript arithmetic they replace, bit for
// bit, on random vectors with NaN, infinities, subnormals, signed zeros and lengths that leave
// every possible scalar tail; the arena's recycling and fallbacks; the generated module is fresh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  allFiniteValues,
  firstNonFinite,
  Float32Arena,
  kernelModule,
  localEntropyCentreStep,
  meanOf,
  wasmAllFinite,
  wasmDesgd,
  wasmEasgdAsync,
  wasmEasgdSync,
  wasmMean,
} from '@deeprelax/core';
import { generate, GENERATED_PATH } from '../scripts/gen-wasm.js';

const fround = Math.fround;
const LENGTHS = [1, 2, 3, 4, 5, 7, 8, 67, 1001];

/** Random float32 values over many magnitudes, with specials sprinkled in when `specials`. */
function fill(a: Float32Array, seed: number, specials: boolean): Float32Array {
  let s = seed >>> 0 || 1;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const special = [0, -0, 1e-45, -3e-42, 1e-39, 3.4e38, -3.4e38, Infinity, -Infinity, NaN];
  for (let i = 0; i < a.length; i++) {
    const u = next();
    a[i] = specials && u < 0.05 ? special[Math.floor(next() * special.length)]! : (next() - 0.5) * 10 ** Math.floor(next() * 12 - 6);
  }
  return a;
}

/** Same bits, treating all NaNs alike (their payloads are not part of the contract). */
function assertSameBits(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (Number.isNaN(g) && Number.isNaN(w)) continue;
    assert.ok(Object.is(g, w), `${what}: element ${i} is ${g}, TypeScript gives ${w}`);
  }
}

const allFinite = (v: Float32Array) => v.every((x) => Number.isFinite(x));

test('the generated module is up to date with kernels.wat, and it loads here', async () => {
  assert.equal(readFileSync(GENERATED_PATH, 'utf8'), await generate(), 'stale: run npm run gen:wasm -w @deeprelax/core');
  assert.notEqual(kernelModule(), null, 'Node 20 has WebAssembly SIMD');
  assert.equal(new Float32Arena().kernels, 'wasm-simd');
});

test('easgd_async: Δ and the new x̃ bit-identical to fround(α(x − x̃)), fround(x̃ + Δ); finiteness flag', () => {
  for (const n of LENGTHS) {
    for (const specials of [false, true]) {
      const arena = new Float32Arena();
      const c = fill(arena.take(n), n * 7 + 1, specials);
      const r = fill(arena.take(n), n * 7 + 2, specials);
      const d = arena.take(n);
      const x = arena.take(n);
      for (const alpha of [0.1, 0.5, 0, 1 / 3]) {
        const ok = wasmEasgdAsync(c, r, alpha, d, x);
        const dw = new Float32Array(n);
        const xw = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          dw[i] = fround(alpha * (r[i]! - c[i]!));
          xw[i] = fround(c[i]! + dw[i]!);
        }
        assertSameBits(d, dw, `Δ n=${n} α=${alpha}`);
        assertSameBits(x, xw, `x n=${n} α=${alpha}`);
        assert.equal(ok, allFinite(dw) && allFinite(xw), `flag n=${n} α=${alpha} specials=${specials}`);
      }
    }
  }
});

test('easgd sync: a round of k replicas bit-identical to the element-by-element sum; flag', () => {
  for (const n of LENGTHS) {
    for (const k of [1, 2, 3]) {
      for (const specials of [false, true]) {
        const arena = new Float32Arena();
        const c = fill(arena.take(n), n + k, specials);
        const rs = Array.from({ length: k }, (_, j) => fill(arena.take(n), 100 * n + j, specials));
        const out = arena.take(n);
        const alpha = 0.3;
        const ok = wasmEasgdSync(c, rs, alpha, out);
        const want = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          let v = c[i]!;
          for (const r of rs) v = fround(v + fround(alpha * (r[i]! - c[i]!)));
          want[i] = v;
        }
        assertSameBits(out, want, `n=${n} k=${k}`);
        assert.equal(ok, allFinite(want), `flag n=${n} k=${k} specials=${specials}`);
      }
    }
  }
});

test('mean: bit-identical to core meanOf for k = 1..5, also in place; flag', () => {
  for (const n of LENGTHS) {
    for (const k of [1, 2, 3, 5]) {
      for (const specials of [false, true]) {
        const arena = new Float32Arena();
        const vs = Array.from({ length: k }, (_, j) => fill(arena.take(n), 31 * n + j, specials));
        const want = meanOf(vs, new Float32Array(n));
        const out = arena.take(n);
        assert.equal(wasmMean(vs, out), allFinite(want), `flag n=${n} k=${k}`);
        assertSameBits(out, want, `n=${n} k=${k}`);
        // In place, as meanOf allows: the output is the first input.
        const first = Float32Array.from(vs[0]!);
        wasmMean(vs, vs[0]!);
        assertSameBits(vs[0]!, want, `in place n=${n} k=${k}`);
        vs[0]!.set(first);
      }
    }
  }
});

test('desgd: bit-identical to core localEntropyCentreStep on a copy of x; flag', () => {
  for (const n of LENGTHS) {
    for (const k of [1, 2, 4]) {
      for (const specials of [false, true]) {
        const arena = new Float32Arena();
        const x = fill(arena.take(n), 7 * n + k, specials);
        const mus = Array.from({ length: k }, (_, j) => fill(arena.take(n), 13 * n + j, specials));
        const s = 0.37;
        const want = Float32Array.from(x);
        localEntropyCentreStep(want, mus, s);
        const out = arena.take(n);
        assert.equal(wasmDesgd(x, mus, s, out), allFinite(want), `flag n=${n} k=${k}`);
        assertSameBits(out, want, `n=${n} k=${k}`);
      }
    }
  }
});

test('all_finite: every non-finite position found, in slots and in unaligned views of them', () => {
  const arena = new Float32Arena();
  for (const n of [1, 3, 4, 5, 9, 64, 67]) {
    const v = arena.take(n).fill(0.25);
    assert.equal(wasmAllFinite(v), true);
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (let i = 0; i < n; i++) {
        v[i] = bad;
        assert.equal(wasmAllFinite(v), false, `n=${n} bad at ${i}`);
        assert.equal(firstNonFinite(v), i, `firstNonFinite n=${n} at ${i}`);
        // Views starting and ending anywhere (the receive path scans chunk ranges).
        for (let from = 0; from <= i; from++) {
          assert.equal(allFiniteValues(v.subarray(from, i + 1)), false);
          assert.equal(allFiniteValues(v.subarray(from, i)), true);
        }
        v[i] = 0.25;
      }
    }
    v[n - 1] = 3.4028234663852886e38; // the largest float32 is finite
    assert.equal(wasmAllFinite(v), true);
  }
  assert.equal(wasmAllFinite(new Float32Array([NaN])), null, 'not in an arena: the caller scans');
});

test('kernels refuse arrays outside one memory (null: the caller runs TypeScript)', () => {
  const arena = new Float32Arena();
  const a = arena.take(10);
  const b = arena.take(10);
  const plain = new Float32Array(10);
  const other = new Float32Arena().take(10);
  assert.equal(wasmEasgdAsync(a, plain, 0.1, b, arena.take(10)), null);
  assert.equal(wasmEasgdAsync(a, other, 0.1, b, arena.take(10)), null);
  assert.equal(wasmMean([a, plain], b), null);
  assert.equal(wasmMean([], b), null);
  assert.equal(wasmEasgdSync(a, [b], 0.1, a), null, 'the output must not be the centre');
  assert.equal(wasmDesgd(a, [b], 0.1, a), null, 'the output must not be x');
  assert.equal(wasmMean([a.subarray(1)], b.subarray(1)), wasmMean([a.subarray(1)], b.subarray(1)));
  assert.equal(wasmMean([a], b.subarray(1)), null, 'lengths differ');
});

test('arena: slots recycled, full segments fall back to ordinary arrays, views and strangers ignored', () => {
  const arena = new Float32Arena({ slotsPerLength: 4 });
  const n = 1000;
  const slots = [arena.take(n), arena.take(n), arena.take(n), arena.take(n)];
  assert.equal(new Set(slots.map((s) => s.byteOffset)).size, 4);
  assert.ok(slots.every((s) => s.buffer === slots[0]!.buffer && s.byteOffset % 64 === 0));
  assert.deepEqual(arena.stats(), { wasm: true, segments: 1, slotsInUse: 4, fallbacks: 0, staleGives: 0 });
  const extra = arena.take(n);
  assert.notEqual(extra.buffer, slots[0]!.buffer, 'segment full: an ordinary array');
  assert.equal(arena.stats().fallbacks, 1);
  arena.give(slots[2]!);
  arena.give(slots[2]!); // twice: still one free slot
  arena.give(slots[2]!.subarray(1)); // a view: ignored
  assert.equal(arena.stats().slotsInUse, 3);
  const again = arena.take(n);
  assert.equal(again.byteOffset, slots[2]!.byteOffset, 'the freed slot is handed out again');
  assert.equal(arena.stats().staleGives, 0);
  // The first holder gives its (old) view back once more while the slot has a new holder: ignored,
  // so the slot is not handed to a third owner.
  arena.give(slots[2]!);
  assert.equal(arena.stats().staleGives, 1);
  assert.equal(arena.stats().slotsInUse, 4);
  assert.notEqual(arena.take(n).buffer, slots[0]!.buffer, 'still full');
  arena.give(again);
  assert.equal(arena.take(n).byteOffset, slots[2]!.byteOffset, 'the new holder gives it back');
  arena.give(extra);
  assert.equal(arena.take(n), extra, 'ordinary arrays are recycled too');
  // Every slot back: the segment is dropped (its memory can be collected); the next take builds
  // a new one. Gives of views of the dropped segment are ignored.
  const trimmed = new Float32Arena({ slotsPerLength: 4 });
  const [t1, t2] = [trimmed.take(n), trimmed.take(n)];
  trimmed.give(t1!);
  assert.equal(trimmed.stats().segments, 1, 'one slot still held');
  trimmed.give(t2!);
  assert.deepEqual(trimmed.stats(), { wasm: true, segments: 0, slotsInUse: 0, fallbacks: 0, staleGives: 0 });
  const t3 = trimmed.take(n);
  assert.notEqual(t3.buffer, t1!.buffer, 'a new segment');
  trimmed.give(t1!);
  assert.deepEqual(trimmed.stats(), { wasm: true, segments: 1, slotsInUse: 1, fallbacks: 0, staleGives: 0 });
  // Too large for a segment of at least 4 slots: ordinary arrays, and no kernels.
  const small = new Float32Arena({ maxSegmentBytes: 2 ** 20 });
  const big = small.take(100_000);
  assert.equal(wasmAllFinite(big), null);
  assert.equal(small.stats().segments, 0);
  // Switched off: ordinary arrays only.
  const off = new Float32Arena({ wasm: false });
  assert.equal(off.kernels, 'typescript');
  assert.equal(wasmAllFinite(off.take(8)), null);
});
