// T6 — HEAT (ALGORITHMS.md §4): the Gaussian-smoothing estimator, its Monte Carlo error, the heat
// solution on quadratics/quartics and the Jensen ordering f_γ <= G_{γ/β} * f.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createOptimizer,
  doubleWellObjective,
  HeatDrCompat,
  HeatGaussian,
  heatSmoothed1D,
  localEntropy1D,
  quarticObjective,
  TickBatchSource,
  type AnalyticModel,
} from '@deeprelax/core';
import { assertClose, meanVar, modelOf, quadModel } from './helpers.js';

function heatDirection(model: AnalyticModel, t: number, L: number): Float64Array {
  const opt = new HeatGaussian(model, new TickBatchSource(), {
    algorithm: 'heat',
    L,
    g0: 1 / t,
    g1: 0,
    momentum: 0,
    lr: 0,
  });
  assertClose(opt.smoothingTime, t, 1e-15, 'smoothing time');
  opt.step();
  return model.readF64(opt.vectors.direction);
}

/** Sample variance and its standard error sqrt((m4 − s⁴)/n). */
function varianceWithSe(xs: Float64Array): { variance: number; se: number } {
  const { mean, variance } = meanVar(xs);
  let m4 = 0;
  for (const v of xs) m4 += (v - mean) ** 4;
  m4 /= xs.length;
  return { variance, se: Math.sqrt((m4 - variance * variance) / xs.length) };
}

test('T6 quadratic: E[∇f(x + √t Z)] = A x (a=2, t=0.5, x=3 gives 6), with Monte Carlo variance a²t/L', () => {
  const n = 2000;
  const L = 10;
  const G = heatDirection(quadModel(2, 3, { dim: n, seed: 5 }), 0.5, L);
  const { mean } = meanVar(G);
  const { variance, se } = varianceWithSe(G);
  const v = (4 * 0.5) / L; // Var of the L-sample average of a·√t·Z
  assertClose(mean, 6, 4 * Math.sqrt(v / n), 'mean direction');
  assertClose(variance, v, 4 * se, 'estimator variance');
});

test('T6 quartic: ∇v = x³ + 3xt = 2.5 at x=1, t=0.5', () => {
  const n = 20000;
  const L = 10;
  const G = heatDirection(modelOf(quarticObjective(n), 1, 7), 0.5, L);
  const { mean } = meanVar(G);
  const perSampleVar = 21.625 - 2.5 * 2.5; // E[W⁶] − E[W³]², W = 1 + √0.5 Z
  assertClose(mean, 2.5, 4 * Math.sqrt(perSampleVar / (L * n)), 'smoothed quartic gradient');
});

test('T6 the Monte Carlo error shrinks as 1/sqrt(L)', () => {
  const n = 20000;
  const perSampleVar = 21.625 - 6.25;
  const sds: number[] = [];
  for (const L of [4, 64]) {
    const G = heatDirection(modelOf(quarticObjective(n), 1, 100 + L), 0.5, L);
    const { variance, se } = varianceWithSe(G);
    assertClose(variance, perSampleVar / L, 4 * se, `variance at L=${L}`);
    sds.push(Math.sqrt(variance));
  }
  // 16× more samples: 4× smaller error (within ~10%)
  assertClose(sds[0] / sds[1], 4, 0.4, 'error ratio');
});

test('T6 heat solution: v − f = (t/2) tr A for quadratics; v = (x⁴ + 6x²t + 3t²)/4 for y⁴/4', () => {
  for (const [a, t, x] of [
    [2, 0.5, 3],
    [1, 1, -1],
    [0.5, 0.1, 2],
  ]) {
    const f = (y: number) => 0.5 * a * y * y;
    assertClose(heatSmoothed1D(f, x, t) - f(x), (t / 2) * a, 1e-9, `quadratic a=${a} t=${t}`);
  }
  const q = (y: number) => (y * y * y * y) / 4;
  assertClose(heatSmoothed1D(q, 1, 0.5), (1 + 3 + 0.75) / 4, 1e-9, 'quartic');
});

test('T6 Jensen ordering: f_γ(x) <= (G_{γ/β} * f)(x), strictly for non-affine f', () => {
  const fs: [string, (y: number) => number][] = [
    ['quartic', (y) => (y * y * y * y) / 4],
    ['double well', (y) => (y * y * y * y) / 4 - (y * y) / 2],
    ['quadratic', (y) => y * y],
  ];
  for (const [name, f] of fs) {
    for (const x of [-1.5, 0, 0.7, 2]) {
      for (const [gamma, beta] of [
        [0.5, 1],
        [0.1, 3],
        [1, 0.5],
      ]) {
        const fg = localEntropy1D(f, x, gamma, beta);
        const heat = heatSmoothed1D(f, x, gamma / beta);
        assert.ok(fg < heat - 1e-6, `${name} x=${x} γ=${gamma} β=${beta}: f_γ ${fg} vs heat ${heat}`);
      }
    }
  }
});

test('HEAT dr-compat is ESGD with the uniform trajectory average μ = (x + Σ y_k)/(L + 1)', () => {
  const a = 1.5;
  const g = 10;
  const lr = 0.1;
  const L = 7;
  const x = 2;
  const model = quadModel(a, x);
  const opt = createOptimizer(model, new TickBatchSource(), {
    algorithm: 'heat',
    estimator: 'dr-compat',
    L,
    g0: g,
    g1: 0,
    noise: 0,
    momentum: 0,
    lr: 1,
  });
  assert.ok(opt instanceof HeatDrCompat);
  opt.step();
  let y = x;
  let sum = x;
  for (let k = 0; k < L; k++) {
    y -= lr * (a * y + g * (y - x));
    sum += y;
  }
  assertClose(model.readF64(model.params)[0], sum / (L + 1), 1e-12, 'x_1 = μ with lr 1');
  assert.equal(opt.gradCallsPerStep, L + 2);
  assert.equal(opt.effectiveEpochFactor, L);
  assert.equal(model.lossAndGradCalls, L + 2);
});

test('HEAT gaussian converges to the minimiser of the smoothed double well, sqrt(1 − 3t), not 1', () => {
  // v(x,t) = E f(x + √t Z) for f = y⁴/4 − y²/2 has ∇v = x³ + 3xt − x: minimiser sqrt(1 − 3t), t < 1/3.
  const t = 0.1;
  const model = modelOf(doubleWellObjective(1), 0.3, 3);
  const opt = createOptimizer(model, new TickBatchSource(), {
    algorithm: 'heat',
    L: 4000,
    g0: 1 / t,
    g1: 0,
    lr: 0.05,
    momentum: 0.9,
  });
  for (let i = 0; i < 200; i++) opt.step();
  const xs = model.readF64(model.params)[0];
  const want = Math.sqrt(1 - 3 * t);
  const perSampleSd = 2; // generous bound on the sd of (x + √tZ)³ − (x + √tZ) near x*
  assertClose(xs, want, 0.05 + perSampleSd / Math.sqrt(4000), 'smoothed minimiser');
});
