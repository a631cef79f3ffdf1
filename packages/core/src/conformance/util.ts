// Small helpers shared by the conformance cases: seeded data, comparisons with readable failure
// messages, and "throws and changes nothing" checks. Only node:assert is used.
import assert from 'node:assert/strict';
import type { Batch, Model } from '../engine.js';
import { Rng } from '../rng.js';
import { inputSize, layoutOf, type ModelSpec } from '../spec.js';

export function normals(n: number, seed: number, std = 1, mean = 0): Float32Array {
  const rng = new Rng(seed, 0xc0f);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = mean + std * rng.normal();
  return out;
}

export function uniforms(n: number, seed: number, lo: number, hi: number): Float32Array {
  const rng = new Rng(seed, 0xc10);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng.uniform();
  return out;
}

/** A seeded batch of n samples with N(0,1) inputs and uniform labels. */
export function randomBatch(spec: ModelSpec, n: number, seed: number): Batch {
  const rng = new Rng(seed, 0xba7);
  const x = new Float32Array(n * inputSize(spec));
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = rng.int(spec.numClasses);
  return { x, y, n };
}

/**
 * Parameters for layer tests: PyTorch-style uniform weights (from a seed other than the model's),
 * with batch-norm gamma/beta moved away from 1/0 so their gradients are not degenerate.
 */
export function testParams(spec: ModelSpec, seed: number): Float32Array {
  const layout = layoutOf(spec);
  const rng = new Rng(seed, 0x9a7);
  const out = new Float32Array(layout.numParams);
  for (const s of layout.params) {
    for (let i = s.offset; i < s.offset + s.size; i++) {
      if (s.fanIn === 0) out[i] = s.name === 'weight' ? 1 + 0.3 * rng.normal() : 0.2 * rng.normal();
      else out[i] = ((2 * rng.uniform() - 1) * Math.sqrt(3)) / Math.sqrt(s.fanIn);
    }
  }
  return out;
}

/** Non-trivial batch-norm running statistics: means ~ N(0, 0.5^2), variances in [0.5, 2]. */
export function testBuffers(spec: ModelSpec, seed: number): Float32Array {
  const layout = layoutOf(spec);
  const rng = new Rng(seed, 0xb0f);
  const out = new Float32Array(layout.numBuffers);
  for (const s of layout.buffers) {
    for (let i = s.offset; i < s.offset + s.size; i++) {
      out[i] = s.name === 'runningMean' ? 0.5 * rng.normal() : 0.5 + 1.5 * rng.uniform();
    }
  }
  return out;
}

export function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}

/** Asserts two float arrays are bit-identical, naming the first differing index. */
export function assertBitsEqual(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length}, expected ${expected.length}`);
  if (bitsEqual(actual, expected)) return;
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      assert.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]} (arrays must be bit-identical)`);
    }
  }
}

/** |a - e| <= atol + rtol * |e| elementwise; the message names the worst element. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol: number,
  rtol: number,
  what: string,
  label?: (i: number) => string,
): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length}, expected ${expected.length}`);
  let worst = -1;
  let worstRatio = 1;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const err = Math.abs(a - e);
    const bound = atol + rtol * Math.abs(e);
    const ratio = Number.isFinite(err) ? err / bound : Infinity;
    if (!(ratio <= worstRatio)) {
      worstRatio = ratio;
      worst = i;
    }
  }
  if (worst >= 0) {
    const where = label ? label(worst) : `[${worst}]`;
    assert.fail(
      `${what}: ${where} is ${actual[worst]}, expected ${expected[worst]} ` +
        `(|diff| ${Math.abs(actual[worst] - expected[worst]).toExponential(3)} > ${atol} + ${rtol}*|expected|)`,
    );
  }
}

export function assertScalarClose(actual: number, expected: number, atol: number, rtol: number, what: string): void {
  const err = Math.abs(actual - expected);
  if (!(err <= atol + rtol * Math.abs(expected))) {
    assert.fail(`${what}: got ${actual}, expected ${expected} (|diff| ${err.toExponential(3)} > ${atol} + ${rtol}*|expected|)`);
  }
}

/** Names a flat-parameter index as "layer 2 (conv2d) weight[5]" using the layout. */
export function paramLabel(spec: ModelSpec): (i: number) => string {
  const layout = layoutOf(spec);
  return (i) => {
    const s = layout.params.find((p) => i >= p.offset && i < p.offset + p.size);
    if (!s) return `[${i}]`;
    return `params[${i}] = layer ${s.layer} (${spec.layers[s.layer].kind}) ${s.name}[${i - s.offset}]`;
  };
}

/** Asserts fn throws an Error (EngineError by name unless `anyError`) with a non-empty message. */
export function assertThrowsEngineError(fn: () => unknown, what: string, anyError = false): Error {
  let thrown: unknown = undefined;
  let threw = false;
  try {
    fn();
  } catch (e) {
    threw = true;
    thrown = e;
  }
  assert.ok(threw, `${what}: expected a throw, but the call returned normally`);
  assert.ok(thrown instanceof Error, `${what}: expected an Error, got ${String(thrown)}`);
  const err = thrown as Error;
  assert.ok(err.message.length > 0, `${what}: the error has an empty message`);
  if (!anyError) {
    assert.equal(err.name, 'EngineError', `${what}: expected an EngineError, got ${err.name}: ${err.message}`);
  }
  return err;
}

/** Snapshot of everything observable about a model's state, for "unchanged" checks. */
export function snapshot(m: Model): { params: Float32Array; buffers: Float32Array } {
  return { params: m.exportParams(), buffers: m.exportBuffers() };
}

export function assertUnchanged(m: Model, before: { params: Float32Array; buffers: Float32Array }, what: string): void {
  assertBitsEqual(m.exportParams(), before.params, `${what}: params changed`);
  assertBitsEqual(m.exportBuffers(), before.buffers, `${what}: buffers changed`);
}

/** Runs body with a model and always disposes it. */
export async function withModel<T>(
  make: () => Model,
  body: (m: Model) => T | Promise<T>,
): Promise<T> {
  const m = make();
  try {
    return await body(m);
  } finally {
    try {
      m.dispose();
    } catch {
      // already disposed by the test
    }
  }
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

export function dot64(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
