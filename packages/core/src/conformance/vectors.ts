// Vector operations against values computed in JavaScript on read-back.
import assert from 'node:assert/strict';
import type { Model, Vec } from '../engine.js';
import { VEC_NET } from './nets.js';
import type { CaseContext, ConformanceCase } from './types.js';
import {
  assertBitsEqual,
  assertScalarClose,
  assertThrowsEngineError,
  bitsEqual,
  dot64,
  normals,
  randomBatch,
  withModel,
} from './util.js';

const make = (ctx: CaseContext) => () => ctx.engine.createModel(VEC_NET, { seed: 3 });

function vecOf(m: Model, data: Float32Array): Vec {
  const v = m.vector();
  m.write(v, data);
  return v;
}

/** Elementwise a*d + b*x, accepting float32 rounding of products and sum (or a fused form). */
function assertLinear(
  actual: Float32Array,
  a: number,
  d: Float32Array,
  b: number,
  x: Float32Array | null,
  rtol: number,
  what: string,
): void {
  assert.equal(actual.length, d.length, `${what}: length`);
  for (let i = 0; i < d.length; i++) {
    const ad = a * d[i];
    const bx = x ? b * x[i] : 0;
    const expected = ad + bx;
    const bound = rtol * (Math.abs(ad) + Math.abs(bx)) + 1e-37;
    if (!(Math.abs(actual[i] - expected) <= bound)) {
      assert.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected} (bound ${bound.toExponential(2)})`);
    }
  }
}

export const vectorCases: ConformanceCase[] = [
  {
    id: 'vec.read-write',
    title: 'write then read returns the exact bits, including -0, huge and tiny normal values',
    async run(ctx) {
      await withModel(make(ctx), (m) => {
        const data = normals(m.numParams, 1);
        data[0] = -0;
        data[1] = 3.4e38;
        data[2] = -3e-38;
        data[3] = 1;
        const v = m.vector();
        m.write(v, data);
        assertBitsEqual(m.read(v), data, 'read(write(v))');
        assertBitsEqual(m.read(v), data, 'second read');
        assert.equal(m.read(m.grad).length, m.numParams, 'read(grad).length');
      });
    },
  },
  {
    id: 'vec.vector-alloc',
    title: 'vector() is zero-filled, vector(from) is an independent copy',
    async run(ctx) {
      await withModel(make(ctx), (m) => {
        const z = m.vector();
        assertBitsEqual(m.read(z), new Float32Array(m.numParams), 'vector()');
        const data = normals(m.numParams, 2);
        const a = vecOf(m, data);
        const b = m.vector(a);
        assertBitsEqual(m.read(b), data, 'vector(from)');
        m.write(a, normals(m.numParams, 3));
        assertBitsEqual(m.read(b), data, 'vector(from) after the source changed');
        m.fill(b, 7);
        assertBitsEqual(m.read(a), normals(m.numParams, 3), 'source after the copy changed');
        const p = m.vector(m.params);
        assertBitsEqual(m.read(p), m.exportParams(), 'vector(params)');
      });
    },
  },
  {
    id: 'vec.copy-fill-scale',
    title: 'copy, fill and scale give the JavaScript-computed values',
    async run(ctx) {
      await withModel(make(ctx), (m) => {
        const A = normals(m.numParams, 4);
        const a = vecOf(m, A);
        const b = m.vector();
        m.copy(b, a);
        assertBitsEqual(m.read(b), A, 'copy');
        m.write(a, normals(m.numParams, 5));
        assertBitsEqual(m.read(b), A, 'copy is independent of its source');
        m.fill(b, 2.5);
        assertBitsEqual(m.read(b), new Float32Array(m.numParams).fill(2.5), 'fill(2.5)');
        m.fill(b, 0);
        assertBitsEqual(m.read(b), new Float32Array(m.numParams), 'fill(0)');
        m.write(a, A);
        m.scale(a, -1.5);
        assertLinear(m.read(a), -1.5, A, 0, null, ctx.tol.vecRtol, 'scale(-1.5)');
        m.write(a, A);
        m.scale(a, 1e-3);
        assertLinear(m.read(a), 1e-3, A, 0, null, ctx.tol.vecRtol, 'scale(1e-3)');
        m.scale(a, 0);
        const z = m.read(a);
        assert.ok(z.every((v) => v === 0), 'scale(0) gives zeros');
      });
    },
  },
  {
    id: 'vec.axpy-axpby',
    title: 'axpy and axpby (including the EMA form) give the JavaScript-computed values',
    async run(ctx) {
      await withModel(make(ctx), (m) => {
        const D = normals(m.numParams, 6);
        const X = normals(m.numParams, 7, 3);
        const d = vecOf(m, D);
        const x = vecOf(m, X);
        m.axpy(d, -0.37, x);
        assertLinear(m.read(d), 1, D, -0.37, X, ctx.tol.vecRtol, 'axpy(d, -0.37, x)');
        assertBitsEqual(m.read(x), X, 'axpy leaves x unchanged');
        m.write(d, D);
        m.axpby(d, 0.9, 1.7, x);
        assertLinear(m.read(d), 0.9, D, 1.7, X, ctx.tol.vecRtol, 'axpby(d, 0.9, 1.7, x)');
        m.write(d, D);
        const alpha = 0.25;
        m.axpby(d, alpha, 1 - alpha, x);
        assertLinear(m.read(d), alpha, D, 1 - alpha, X, ctx.tol.vecRtol, 'EMA axpby(mu, a, 1 - a, y)');
        m.write(d, D);
        m.axpby(d, 0, 1, x);
        assertLinear(m.read(d), 0, D, 1, X, ctx.tol.vecRtol, 'axpby(d, 0, 1, x)');
        assertBitsEqual(m.read(x), X, 'axpby leaves x unchanged');
      });
    },
  },
  {
    id: 'vec.aliasing',
    title: 'operations whose destination is also an operand (axpy(v, a, v), copy(v, v), dot(v, v))',
    async run(ctx) {
      await withModel(make(ctx), (m) => {
        const V = normals(m.numParams, 8);
        const v = vecOf(m, V);
        m.copy(v, v);
        assertBitsEqual(m.read(v), V, 'copy(v, v)');
        m.axpy(v, 2, v);
        assertLinear(m.read(v), 3, V, 0, null, 2 * ctx.tol.vecRtol, 'axpy(v, 2, v)');
        m.write(v, V);
        m.axpby(v, 0.5, 0.25, v);
        assertLinear(m.read(v), 0.75, V, 0, null, 2 * ctx.tol.vecRtol, 'axpby(v, 0.5, 0.25, v)');
        m.write(v, V);
        const n = m.norm(v);
        assertScalarClose(m.dot(v, v), n * n, 0, 4 * ctx.tol.reduceRtol, 'dot(v, v) vs norm(v)^2');
      });
    },
  },
  {
    id: 'vec.dot-norm',
    title: 'dot and norm match float64 sums within float32 accumulation error',
    async run(ctx) {
      await withModel(make(ctx), (m) => {
        const A = normals(m.numParams, 9);
        const B = normals(m.numParams, 10, 2, 0.5);
        const a = vecOf(m, A);
        const b = vecOf(m, B);
        let absSum = 0;
        for (let i = 0; i < A.length; i++) absSum += Math.abs(A[i] * B[i]);
        const d = m.dot(a, b);
        assert.equal(typeof d, 'number');
        assertScalarClose(d, dot64(A, B), ctx.tol.reduceRtol * absSum, 0, 'dot(a, b)');
        assertScalarClose(m.dot(b, a), dot64(A, B), ctx.tol.reduceRtol * absSum, 0, 'dot(b, a)');
        const n = m.norm(a);
        assertScalarClose(n, Math.sqrt(dot64(A, A)), 0, ctx.tol.reduceRtol, 'norm(a)');
        assert.equal(m.norm(m.vector()), 0, 'norm of a zero vector');
        assert.equal(m.dot(a, m.vector()), 0, 'dot with a zero vector');
      });
    },
  },
  {
    id: 'vec.all-finite',
    title: 'allFinite is false with a NaN, +Inf or -Inf anywhere (incl. overflow from an op), true otherwise',
    async run(ctx) {
      await withModel(make(ctx), (m) => {
        const A = normals(m.numParams, 11);
        const v = vecOf(m, A);
        assert.equal(m.allFinite(v), true, 'finite vector');
        assert.equal(m.allFinite(m.params), true, 'initial params');
        for (const pos of [0, Math.floor(m.numParams / 2), m.numParams - 1]) {
          for (const bad of [NaN, Infinity, -Infinity]) {
            const B = A.slice();
            B[pos] = bad;
            m.write(v, B);
            assert.equal(m.allFinite(v), false, `${bad} at index ${pos}`);
          }
        }
        m.write(v, A);
        assert.equal(m.allFinite(v), true, 'finite again after rewrite');
        m.fill(v, 3e38);
        m.axpy(v, 1, v);
        assert.equal(m.allFinite(v), false, 'overflow to Inf from axpy');
      });
    },
  },
  {
    id: 'vec.noise-statistics',
    title: 'addNoise adds N(0, std^2): mean, std, 1-sigma mass and independence of draws within statistical bounds',
    async run(ctx) {
      await withModel(make(ctx), (m) => {
        const k = ctx.tol.sigmas;
        const std = 0.5;
        const draws = 8;
        const v = m.vector();
        const samples: Float32Array[] = [];
        for (let t = 0; t < draws; t++) {
          m.fill(v, 1);
          m.addNoise(v, std);
          samples.push(m.read(v).map((x) => x - 1));
        }
        const all = new Float64Array(draws * m.numParams);
        samples.forEach((s, t) => all.set(s, t * m.numParams));
        const N = all.length;
        const mean = all.reduce((p, c) => p + c, 0) / N;
        const sd = Math.sqrt(all.reduce((p, c) => p + (c - mean) * (c - mean), 0) / (N - 1));
        const within = all.filter((x) => Math.abs(x) < std).length / N;
        assert.ok(Math.abs(mean) <= (k * std) / Math.sqrt(N), `noise mean ${mean} (N=${N}) is not ~0`);
        assert.ok(Math.abs(sd / std - 1) <= k / Math.sqrt(2 * N), `noise std ${sd}, expected ${std} (N=${N})`);
        const p1 = 0.6826894921370859;
        assert.ok(Math.abs(within - p1) <= k * Math.sqrt((p1 * (1 - p1)) / N), `mass within 1 std ${within}, expected ${p1}`);
        const n = m.numParams;
        const corr = dot64(samples[0], samples[1]) / (n * std * std);
        assert.ok(Math.abs(corr) <= k / Math.sqrt(n), `successive draws correlate: ${corr}`);
        const P = m.exportParams();
        m.addNoise(m.params, 0);
        assertBitsEqual(m.exportParams(), P, 'addNoise(params, 0)');
      });
    },
  },
  {
    id: 'vec.noise-seeded',
    title: 'addNoise is reproducible after seed(), differs between successive draws and between seeds',
    async run(ctx) {
      await withModel(make(ctx), (m) => {
        const v = m.vector();
        m.seed(5);
        m.addNoise(v, 1);
        const A = m.read(v);
        m.fill(v, 0);
        m.addNoise(v, 1);
        const B = m.read(v);
        assert.ok(!bitsEqual(A, B), 'two successive draws are identical');
        m.seed(5);
        m.fill(v, 0);
        m.addNoise(v, 1);
        assertBitsEqual(m.read(v), A, 'first draw after seed(5) again');
        m.fill(v, 0);
        m.addNoise(v, 1);
        assertBitsEqual(m.read(v), B, 'second draw after seed(5) again');
        m.seed(6);
        m.fill(v, 0);
        m.addNoise(v, 1);
        assert.ok(!bitsEqual(m.read(v), A), 'seed(6) gives the same draw as seed(5)');
        const m2 = ctx.engine.createModel(VEC_NET, { seed: 3 });
        try {
          const w = m2.vector();
          m2.seed(5);
          m2.addNoise(w, 1);
          assertBitsEqual(m2.read(w), A, 'another model after seed(5)');
        } finally {
          m2.dispose();
        }
      });
    },
  },
  {
    id: 'vec.free',
    title: 'a freed vector cannot be used or freed again; params and grad cannot be freed',
    async run(ctx) {
      await withModel(make(ctx), (m) => {
        const w = m.vector();
        const keep = vecOf(m, normals(m.numParams, 12));
        m.free(w);
        assertThrowsEngineError(() => m.read(w), 'read(freed)');
        assertThrowsEngineError(() => m.copy(keep, w), 'copy(v, freed)');
        assertThrowsEngineError(() => m.axpy(w, 1, keep), 'axpy(freed, 1, v)');
        assertThrowsEngineError(() => m.dot(keep, w), 'dot(v, freed)');
        assertThrowsEngineError(() => m.free(w), 'free(freed)');
        assertThrowsEngineError(() => m.free(m.params), 'free(params)');
        assertThrowsEngineError(() => m.free(m.grad), 'free(grad)');
        assertBitsEqual(m.read(keep), normals(m.numParams, 12), 'other vectors survive a free');
        assert.equal(m.read(m.params).length, m.numParams, 'params usable');
      });
    },
  },
  {
    id: 'vec.params-grad',
    title: 'params and grad are ordinary Vecs: reads, writes and ops on params drive the forward pass',
    async run(ctx) {
      await withModel(make(ctx), (m) => {
        assertBitsEqual(m.read(m.params), m.exportParams(), 'read(params) vs exportParams');
        const batch = randomBatch(VEC_NET, 8, 14);
        const P2 = normals(m.numParams, 15, 0.1);
        m.write(m.params, P2);
        assertBitsEqual(m.exportParams(), P2, 'exportParams after write(params)');
        const r = m.lossAndGrad(batch);
        const other = ctx.engine.createModel(VEC_NET, { seed: 99, initialParams: P2 });
        try {
          assertScalarClose(other.evaluate(batch).loss, r.loss, 0, 1e-6, 'loss after write(params) vs a model built with those params');
        } finally {
          other.dispose();
        }
        const G = m.read(m.grad);
        assert.equal(G.length, m.numParams);
        m.axpy(m.params, -0.1, m.grad); // one SGD step
        assertLinear(m.exportParams(), 1, P2, -0.1, G, ctx.tol.vecRtol, 'SGD step axpy(params, -lr, grad)');
        const after = m.evaluate(batch);
        assert.ok(after.loss < r.loss, `an SGD step along -grad must lower the loss (${r.loss} -> ${after.loss})`);
        m.write(m.grad, P2);
        assertBitsEqual(m.read(m.grad), P2, 'write(grad)');
      });
    },
  },
];
