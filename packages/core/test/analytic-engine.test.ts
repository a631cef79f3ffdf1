import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AnalyticEngine,
  AnalyticModel,
  analyticSpec,
  EngineError,
  genericObjective,
  layoutOf,
  quadraticObjective,
  quarticObjective,
  TickBatchSource,
} from '@deeprelax/core';
import { quadModel } from './helpers.js';

const tick = new TickBatchSource(10, 2).next();

test('analyticSpec has exactly dim parameters', () => {
  assert.equal(layoutOf(analyticSpec(7)).numParams, 7);
});

test('lossAndGrad gives f(params) and the exact gradient (diagonal, dense, quartic, generic)', () => {
  const m = quadModel([1, 2, 3], [1, -1, 2]);
  const r = m.lossAndGrad(tick);
  assert.equal(r.loss, 0.5 * (1 + 2 + 12));
  assert.equal(r.n, 2);
  assert.deepEqual(Array.from(m.readF64(m.grad)), [1, -2, 6]);

  const eng = new AnalyticEngine({ objective: quadraticObjective({ matrix: [[2, 1], [1, 3]], center: [1, 0] }) });
  const d = eng.createModel(analyticSpec(2), { seed: 3, initialParams: new Float32Array([2, 1]) });
  const rd = d.lossAndGrad(tick);
  // y - c = (1, 1): A(y-c) = (3, 4); f = (1*3 + 1*4)/2
  assert.deepEqual(Array.from(d.readF64(d.grad)), [3, 4]);
  assert.equal(rd.loss, 3.5);

  const q = new AnalyticModel(quarticObjective(2), analyticSpec(2), { seed: 1, initialParams: new Float32Array([2, -1]) });
  assert.equal(q.lossAndGrad(tick).loss, 16 / 4 + 1 / 4);
  assert.deepEqual(Array.from(q.readF64(q.grad)), [8, -1]);

  const g = new AnalyticModel(
    genericObjective(1, (y) => Math.sin(y[0]), (y, o) => (o[0] = Math.cos(y[0]))),
    analyticSpec(1),
    { seed: 1, initialParams: new Float32Array([0.5]) },
  );
  g.lossAndGrad(tick);
  assert.equal(g.readF64(g.grad)[0], Math.cos(Math.fround(0.5)));
});

test('dense quadratic must be symmetric; engine rejects a spec of the wrong size', () => {
  assert.throws(() => quadraticObjective({ matrix: [[1, 2], [0, 1]] }), RangeError);
  const eng = new AnalyticEngine({ objective: quarticObjective(3) });
  assert.throws(() => eng.createModel(analyticSpec(4), { seed: 1 }), EngineError);
});

test('seeded initialisation and seeded gradient noise are reproducible; seed() restarts them', () => {
  const eng = new AnalyticEngine({ objective: quadraticObjective({ diag: [1, 1, 1] }), gradNoiseStd: 0.5 });
  const a = eng.createModel(analyticSpec(3), { seed: 42 });
  const b = eng.createModel(analyticSpec(3), { seed: 42 });
  const c = eng.createModel(analyticSpec(3), { seed: 43 });
  assert.deepEqual(a.exportParams(), b.exportParams());
  assert.notDeepEqual(a.exportParams(), c.exportParams());
  a.lossAndGrad(tick);
  b.lossAndGrad(tick);
  const ga = a.read(a.grad);
  assert.deepEqual(ga, b.read(b.grad));
  // noise is present: gradient differs from the exact one
  const exact = a.readF64(a.params);
  assert.ok(Array.from(ga).some((v, i) => Math.abs(v - exact[i]) > 1e-3));
  a.seed(7);
  a.lossAndGrad(tick);
  const g1 = a.read(a.grad);
  a.seed(7);
  a.lossAndGrad(tick);
  assert.deepEqual(a.read(a.grad), g1);
});

test('vector ops: copy, fill, scale, axpy, axpby, dot, norm, allFinite, addNoise', () => {
  const m = quadModel([1, 1, 1, 1], [1, 2, 3, 4]);
  const v = m.vector(m.params);
  assert.deepEqual(Array.from(m.read(v)), [1, 2, 3, 4]);
  const w = m.vector();
  assert.deepEqual(Array.from(m.read(w)), [0, 0, 0, 0]);
  m.fill(w, 2);
  m.axpy(v, 0.5, w); // 2,3,4,5
  m.scale(v, 2); // 4,6,8,10
  m.axpby(v, 0.5, -1, w); // 0,1,2,3
  assert.deepEqual(Array.from(m.readF64(v)), [0, 1, 2, 3]);
  assert.equal(m.dot(v, w), 12);
  assert.equal(m.norm(v), Math.sqrt(14));
  m.copy(w, v);
  assert.deepEqual(m.read(w), m.read(v));
  assert.ok(m.allFinite(v));
  m.writeF64(v, [0, NaN, 0, 0]);
  assert.equal(m.allFinite(v), false);
  m.fill(v, 0);
  m.addNoise(v, 1);
  assert.ok(m.norm(v) > 0);
});

test('wrong sizes, foreign/freed vectors, pinned vectors and use after dispose throw EngineError', () => {
  const m = quadModel([1, 1], [0, 0]);
  const other = quadModel([1, 1], [0, 0]);
  assert.throws(() => m.write(m.params, new Float32Array(3)), EngineError);
  assert.throws(() => m.importParams(new Float32Array(1)), EngineError);
  assert.throws(() => m.importBuffers(new Float32Array(1)), EngineError);
  assert.throws(() => m.copy(m.params, other.params), EngineError);
  assert.throws(() => m.free(m.params), EngineError);
  assert.throws(() => m.free(m.grad), EngineError);
  assert.throws(() => m.setMode('test' as never), EngineError);
  const v = m.vector();
  m.free(v);
  assert.throws(() => m.read(v), EngineError);
  assert.equal(m.exportBuffers().length, 0);
  assert.equal(m.numBuffers, 0);
  m.importBuffers(new Float32Array(0));
  m.resetBatchNormStats();
  m.setMode('eval');
  assert.equal(m.mode, 'eval');
  m.updateBatchNormStats(tick);
  assert.equal(m.mode, 'eval');
  const before = m.exportParams();
  assert.equal(m.evaluate(tick).loss, 0);
  assert.deepEqual(m.exportParams(), before);
  m.dispose();
  assert.throws(() => m.lossAndGrad(tick), EngineError);
  assert.throws(() => m.vector(), EngineError);
  assert.throws(() => m.exportParams(), EngineError);
  assert.throws(() => m.dispose(), EngineError);
});
