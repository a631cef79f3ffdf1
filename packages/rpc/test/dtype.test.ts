import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomFillSync } from 'node:crypto';
import * as zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { wasmFloat16Decode, wasmFloat16Encode } from '@deeprelax/core';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  crc32,
  crc32Js,
  CRC32_IMPLEMENTATION,
  decodeTensor,
  encodeTensor,
  fromBfloat16Bits,
  float32BitsToFloat16Bits,
  fromFloat16Bits,
  toBfloat16Bits,
  toFloat16Bits,
  assertFinite,
  InvalidArgumentError,
  dtypeFromProto,
  dtypeToProto,
} from '@deeprelax/rpc';

test('float16: known values (round-to-nearest-even, overflow, subnormals, signed zero, inf, nan)', () => {
  const cases: Array<[number, number]> = [
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff], // largest finite
    [-65504, 0xfbff],
    [65519, 0x7bff], // below the midpoint to Inf
    [65520, 0x7c00], // the midpoint rounds to even = Inf
    [1e5, 0x7c00],
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [1023 * 2 ** -24, 0x03ff], // largest subnormal
    [2 ** -25, 0x0000], // half the smallest subnormal: tie to even (0)
    [-(2 ** -25), 0x8000],
    [2 ** -25 * (1 + 2 ** -23), 0x0001], // just above the tie
    [3 * 2 ** -25, 0x0002], // tie between 1 and 2 ulps: even (2)
    [5 * 2 ** -25, 0x0002], // tie between 2 and 3 ulps: even (2)
    [1 + 2 ** -11, 0x3c00], // tie: stays at even 1.0
    [1 + 3 * 2 ** -11, 0x3c02], // tie: up to even
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // above the tie
    [2049, 0x6800], // tie between 2048 and 2050: 2048
    [2051, 0x6802], // tie between 2050 and 2052: 2052
    [1 / 3, 0x3555],
    [0.1, 0x2e66],
    [1e-8, 0x0000], // below half the smallest subnormal
    [2 ** -14 - 2 ** -25, 0x0400], // rounds up from subnormal range into the smallest normal
  ];
  for (const [v, h] of cases) {
    assert.equal(toFloat16Bits(v), h, `toFloat16Bits(${v}) = 0x${toFloat16Bits(v).toString(16)}, want 0x${h.toString(16)}`);
  }
  const nan = toFloat16Bits(NaN);
  assert.equal(nan & 0x7c00, 0x7c00);
  assert.notEqual(nan & 0x3ff, 0);
  assert.ok(Number.isNaN(fromFloat16Bits(nan)));
  assert.equal(fromFloat16Bits(0x7bff), 65504);
  assert.equal(fromFloat16Bits(0x0001), 2 ** -24);
  assert.equal(fromFloat16Bits(0x3555), 0.333251953125);
  assert.equal(fromFloat16Bits(0xfc00), -Infinity);
  assert.ok(Object.is(fromFloat16Bits(0x8000), -0));
  assert.ok(Number.isNaN(fromFloat16Bits(0x7e00)));
});

test('float16: every finite half round-trips, and every midpoint rounds to even', () => {
  for (let h = 0; h < 0x10000; h++) {
    const exp = (h >>> 10) & 0x1f;
    if (exp === 31) continue; // inf/nan
    const v = fromFloat16Bits(h);
    assert.equal(toFloat16Bits(v), h, `round trip of 0x${h.toString(16)}`);
    // Next half of the same sign, towards larger magnitude (0x7bff's successor is Inf).
    const next = h + 1;
    if ((next & 0x7fff) > 0x7bff) continue;
    const w = fromFloat16Bits(next);
    const mid = (v + w) / 2; // exact in float32 (12 significant bits)
    const even = (h & 1) === 0 ? h : next;
    assert.equal(toFloat16Bits(mid), even, `midpoint of 0x${h.toString(16)} and 0x${next.toString(16)}`);
    const f = new Float32Array([mid]);
    const u = new Uint32Array(f.buffer);
    u[0] = u[0]! - 1; // just below the midpoint in magnitude
    assert.equal(toFloat16Bits(f[0]!), h);
    u[0] = u[0]! + 2; // just above
    assert.equal(toFloat16Bits(f[0]!), next);
  }
});

test('bfloat16: rounding, overflow and nan', () => {
  assert.equal(toBfloat16Bits(1), 0x3f80);
  assert.equal(toBfloat16Bits(1 + 2 ** -8), 0x3f80); // tie to even
  assert.equal(toBfloat16Bits(1 + 3 * 2 ** -8), 0x3f82); // tie to even (up)
  assert.equal(toBfloat16Bits(1 + 2 ** -8 + 2 ** -20), 0x3f81);
  assert.equal(toBfloat16Bits(3.4028234663852886e38), 0x7f80); // max float32 rounds to Inf
  assert.equal(toBfloat16Bits(-Infinity), 0xff80);
  assert.ok(Number.isNaN(fromBfloat16Bits(toBfloat16Bits(NaN))));
  assert.equal(fromBfloat16Bits(0x4049), 3.140625);
  assert.ok(Object.is(fromBfloat16Bits(toBfloat16Bits(-0)), -0));
});

test('tensor encode/decode: float32 bit-exact, float16/bfloat16 equal to the scalar conversion', () => {
  const v = new Float32Array(10_001);
  randomFillSync(new Uint32Array(v.buffer));
  const b32 = encodeTensor(v, 'float32');
  assert.equal(b32.length, v.length * 4);
  assert.deepEqual(new Uint32Array(decodeTensor(b32, 'float32').buffer), new Uint32Array(v.buffer));
  // Little-endian on the wire.
  const one = encodeTensor(new Float32Array([1]), 'float32');
  assert.deepEqual([...one], [0x00, 0x00, 0x80, 0x3f]);
  assert.deepEqual([...encodeTensor(new Float32Array([1]), 'float16')], [0x00, 0x3c]);
  const finite = v.map((x) => (Number.isFinite(x) ? x : 0));
  for (const dt of ['float16', 'bfloat16'] as const) {
    const b = encodeTensor(finite, dt);
    assert.equal(b.length, v.length * 2);
    const back = decodeTensor(b, dt);
    for (let i = 0; i < v.length; i += 37) {
      const want = dt === 'float16' ? fromFloat16Bits(toFloat16Bits(finite[i]!)) : fromBfloat16Bits(toBfloat16Bits(finite[i]!));
      assert.ok(Object.is(back[i], Math.fround(want)) || (Number.isNaN(back[i]!) && Number.isNaN(want)), `${dt} at ${i}`);
    }
  }
  assert.throws(() => decodeTensor(new Uint8Array(5), 'float32'), InvalidArgumentError);
});

test('float16 tensors: the fast paths give the scalar conversion bit for bit', () => {
  // Encode: every high half-word of a float32 (sign, exponent, top 7 mantissa bits) with low
  // half-words around the rounding point of the 13 dropped bits (ties with an even and an odd
  // kept bit, one below and one above), the bounds of the one-add path and random ones.
  const lows = [0x0000, 0x0fff, 0x1000, 0x1001, 0x2fff, 0x3000, 0x3001, 0xe000, 0xffff];
  const bits = new Uint32Array(0x10000 * (lows.length + 1));
  let k = 0;
  for (let hi = 0; hi < 0x10000; hi++) {
    for (const lo of lows) bits[k++] = ((hi << 16) | lo) >>> 0;
    bits[k++] = ((hi << 16) | ((hi * 2654435761) >>> 16)) >>> 0;
  }
  for (const edge of [0x38800000, 0x387fffff, 0x477ff000, 0x477fefff, 0x477fe000]) {
    for (const sign of [0, 0x80000000]) bits[(k++ % bits.length)] = (edge | sign) >>> 0;
  }
  const halves = new Uint16Array(encodeTensor(new Float32Array(bits.buffer), 'float16').buffer);
  let bad = 0;
  for (let i = 0; i < bits.length; i++) {
    if (halves[i] !== float32BitsToFloat16Bits(bits[i]!) && bad++ < 3) {
      assert.fail(`0x${bits[i]!.toString(16)} -> 0x${halves[i]!.toString(16)}, scalar 0x${float32BitsToFloat16Bits(bits[i]!).toString(16)}`);
    }
  }
  // Decode: all 65,536 halves, through an aligned buffer (the fast path) and an odd offset.
  const all = new Uint16Array(0x10000).map((_, h) => h);
  const unaligned = new Uint8Array(2 * 0x10000 + 1).subarray(1);
  unaligned.set(new Uint8Array(all.buffer));
  for (const bytes of [new Uint8Array(all.buffer), unaligned]) {
    const back = decodeTensor(bytes, 'float16');
    for (let h = 0; h < 0x10000; h++) {
      const want = fromFloat16Bits(h);
      if (!(Object.is(back[h], want) || (Number.isNaN(back[h]!) && Number.isNaN(want)))) {
        assert.fail(`0x${h.toString(16)} (offset ${bytes.byteOffset}) -> ${back[h]}, scalar ${want}`);
      }
    }
  }
});

test('float16 in WebAssembly: bit-identical to the scalar conversion over whole exponent ranges and every tail', () => {
  // Every float32 (both signs, all 2^23 mantissas) of the exponents where the conversion changes
  // regime: flush to zero / first subnormal, subnormal / normal, the overflow bound, Inf and NaN.
  const n = 1 << 24;
  const bits = new Uint32Array(n);
  const out = new Uint16Array(n);
  for (const exp of [101, 102, 103, 112, 113, 142, 143, 255]) {
    for (let i = 0; i < n; i++) bits[i] = (((i >>> 23) << 31) | (exp << 23) | (i & 0x7fffff)) >>> 0;
    assert.ok(wasmFloat16Encode(new Float32Array(bits.buffer), out), 'WebAssembly SIMD runs here');
    for (let i = 0; i < n; i++) {
      if (out[i] !== float32BitsToFloat16Bits(bits[i]!)) {
        assert.fail(`0x${bits[i]!.toString(16)} -> 0x${out[i]!.toString(16)}, scalar 0x${float32BitsToFloat16Bits(bits[i]!).toString(16)}`);
      }
    }
  }
  // Decode: all 65,536 halves, bit for bit against the TypeScript path (small tensors take it).
  const all = new Uint16Array(0x10000).map((_, h) => h);
  const viaWasm = new Float32Array(0x10000);
  assert.ok(wasmFloat16Decode(all, viaWasm));
  const viaTs = new Float32Array(0x10000);
  for (let off = 0; off < 0x10000; off += 1024) {
    decodeTensor(new Uint8Array(all.buffer, off * 2, 2048), 'float16', viaTs.subarray(off, off + 1024));
  }
  assert.deepEqual(new Uint32Array(viaWasm.buffer), new Uint32Array(viaTs.buffer));
  // Every length of the scalar tail, from an odd place in a buffer.
  for (let len = 1; len <= 17; len++) {
    const v = new Float32Array(len + 3).subarray(3);
    randomFillSync(new Uint32Array(v.buffer, v.byteOffset, len));
    const h = new Uint16Array(len);
    assert.ok(wasmFloat16Encode(v, h));
    const u = new Uint32Array(v.buffer, v.byteOffset, len);
    assert.deepEqual([...h], [...u].map((x) => float32BitsToFloat16Bits(x)), `encode, length ${len}`);
    const back = new Float32Array(len);
    assert.ok(wasmFloat16Decode(h, back));
    const want = decodeTensor(new Uint8Array(h.buffer), 'float16');
    assert.deepEqual(new Uint32Array(back.buffer), new Uint32Array(want.buffer), `decode, length ${len}`);
  }
});

test('dtype enum mapping', () => {
  assert.equal(dtypeFromProto('DTYPE_UNSPECIFIED'), 'float32');
  assert.equal(dtypeFromProto('DTYPE_FLOAT16'), 'float16');
  assert.equal(dtypeFromProto(3), 'bfloat16');
  assert.equal(dtypeToProto('float16'), 'DTYPE_FLOAT16');
  assert.throws(() => dtypeFromProto(9 as never), InvalidArgumentError);
});

test('crc32: native and portable agree with the standard check value and each other', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  assert.equal(crc32Js(Buffer.from('123456789')), 0xcbf43926);
  for (const n of [0, 1, 7, 8, 9, 1000, 65_537]) {
    const b = randomFillSync(new Uint8Array(n));
    assert.equal(crc32Js(b), crc32(b), `n=${n}`);
    assert.equal(crc32Js(b.subarray(3), crc32Js(b.subarray(0, 3))), crc32Js(b), 'continuation');
  }
  if (typeof (zlib as { crc32?: unknown }).crc32 === 'function') {
    const b = randomFillSync(new Uint8Array(4096));
    assert.equal(crc32(b), zlib.crc32(b) >>> 0);
  }
});

test('crc32: the fastest implementation present is picked; DEEPRELAX_CRC32 picks the others, which agree', () => {
  // @node-rs/crc32 is a dependency of @deeprelax/rpc with a prebuilt binary for this platform.
  assert.equal(CRC32_IMPLEMENTATION, '@node-rs/crc32');
  const b = randomFillSync(new Uint8Array(100_003));
  const view = b.subarray(5, 99_001); // unaligned start and length
  const want = crc32Js(view);
  assert.equal(crc32(view), want);
  assert.equal(crc32(view.subarray(777), crc32(view.subarray(0, 777))), want, 'continuation');
  const shared = new Uint8Array(new SharedArrayBuffer(view.length));
  shared.set(view);
  assert.equal(crc32(shared), want, 'bytes in a SharedArrayBuffer');
  // The fallbacks, in child processes (the choice is made once, when the module loads).
  const src = fileURLToPath(new URL('../src/crc32.ts', import.meta.url));
  for (const [env, impl] of [['zlib', 'node:zlib'], ['js', 'typescript']] as const) {
    const script =
      `const m = await import(${JSON.stringify(pathToFileURL(src).href)});` +
      `const b = Buffer.from(${JSON.stringify(Buffer.from(view.subarray(0, 4099)).toString('base64'))}, 'base64');` +
      `console.log(JSON.stringify([m.CRC32_IMPLEMENTATION, m.crc32(b), m.crc32(b.subarray(9), m.crc32(b.subarray(0, 9)))]));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, DEEPRELAX_CRC32: env },
      encoding: 'utf8',
    });
    const expected = crc32Js(view.subarray(0, 4099));
    assert.deepEqual(JSON.parse(out.trim().split('\n').pop()!), [impl, expected, expected], env);
  }
});

test('assertFinite names the field and index', () => {
  assertFinite(new Float32Array([1, 2, -0]), 'x');
  for (const bad of [NaN, Infinity, -Infinity]) {
    const err = (() => {
      try {
        assertFinite(new Float32Array([0, 1, bad]), 'tensors[0]');
      } catch (e) {
        return e;
      }
      return null;
    })();
    assert.ok(err instanceof InvalidArgumentError);
    assert.equal(err.field, 'tensors[0]');
    assert.equal(err.reason, 'non-finite');
    assert.match(err.message, /index 2/);
  }
});
