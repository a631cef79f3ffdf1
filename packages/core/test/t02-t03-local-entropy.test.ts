// T2 — local-entropy gradient on a quadratic (closed form); T3 — the deterministic inner loop
// converges to it (ALGORITHMS.md §4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createAnalyticModel,
  EntropySgd,
  esgdDeterministicMu,
  localEntropy1D,
  localEntropyGradQuadratic,
  localEntropyMean1D,
  moreauEnvelope1D,
  proxQuadratic,
  quadraticObjective,
  TickBatchSource,
} from '@deeprelax/core';
import { assertClose, quadModel } from './helpers.js';

test('T2 closed forms: <y> = x/(1+γa), ∇f_γ = a x/(1+γa), code direction x − <y> = a x/(g + a)', () => {
  assertClose(proxQuadratic([[1]], [1], 1)[0], 0.5, 1e-15, '<y> a=1 γ=1 x=1');
  assertClose(localEntropyGradQuadratic([[1]], [1], 1)[0], 0.5, 1e-15, '∇f_γ a=1 γ=1 x=1');
  assertClose(proxQuadratic([[2]], [3], 0.5)[0], 1.5, 1e-15, '<y> a=2 γ=0.5 x=3');
  assertClose(localEntropyGradQuadratic([[2]], [3], 0.5)[0], 3.0, 1e-15, '∇f_γ a=2 γ=0.5 x=3');
  // code convention: x − <y> = γ ∇f_γ = a x / (g + a) with g = 1/γ = 2
  assertClose(3 - proxQuadratic([[2]], [3], 0.5)[0], (2 * 3) / (2 + 2), 1e-15);
  // matrix case: (I + γA) prox = x
  const A = [[2, 0.5, 0], [0.5, 1, 0.3], [0, 0.3, 3]];
  const x = [1, -2, 0.5];
  const p = proxQuadratic(A, x, 0.5);
  for (let i = 0; i < 3; i++) {
    const back = p[i] + 0.5 * A[i].reduce((s, a, j) => s + a * p[j], 0);
    assertClose(back, x[i], 1e-12, `row ${i}`);
  }
});

test('T2 by quadrature: ∇f_γ and <y> are independent of β and equal the Moreau-envelope gradient', () => {
  const a = 2;
  const gamma = 0.5;
  const x = 3;
  const f = (y: number) => 0.5 * a * y * y;
  for (const beta of [1, 4]) {
    const h = 1e-4;
    const grad = (localEntropy1D(f, x + h, gamma, beta) - localEntropy1D(f, x - h, gamma, beta)) / (2 * h);
    assertClose(grad, 3.0, 1e-6, `∇f_γ at β=${beta}`);
    assertClose(localEntropyMean1D(f, x, gamma, beta), 1.5, 1e-9, `<y> at β=${beta}`);
    // f_γ(x) = ½ a x²/(1+γa) + (1/(2β)) log(1+γa)
    const closed = (0.5 * a * x * x) / (1 + gamma * a) + Math.log(1 + gamma * a) / (2 * beta);
    assertClose(localEntropy1D(f, x, gamma, beta), closed, 1e-9, `f_γ at β=${beta}`);
  }
  const h = 1e-4;
  const uGrad = (moreauEnvelope1D(f, x + h, gamma).value - moreauEnvelope1D(f, x - h, gamma).value) / (2 * h);
  assertClose(uGrad, 3.0, 1e-6, 'Moreau envelope gradient');
  assertClose(moreauEnvelope1D(f, x, gamma).prox, 1.5, 1e-7, 'prox');
});

test('T2 algorithm: deterministic ESGD on a dense quadratic gives x − μ → γ A (I+γA)^(-1) x', () => {
  const A = [[2, 0.5, 0], [0.5, 1, 0.3], [0, 0.3, 3]];
  const x = [1, -2, 0.5];
  const g = 2;
  const model = createAnalyticModel(quadraticObjective({ matrix: A }), { seed: 1, initialParams: x });
  const opt = new EntropySgd(model, new TickBatchSource(), {
    algorithm: 'esgd',
    variant: 'lua',
    L: 300,
    g0: g,
    g1: 0,
    noise: 0,
    momentum: 0,
    lr: 1,
  });
  opt.step();
  const G = model.readF64(opt.vectors.direction);
  const expected = localEntropyGradQuadratic(A, x, 1 / g).map((v) => v / g);
  for (let i = 0; i < 3; i++) assertClose(G[i], expected[i], 1e-9, `coordinate ${i}`);
  // the outer step with lr 1 and no outer momentum ('lua') lands on μ = (I + A/g)^(-1) x
  const mu = proxQuadratic(A, x, 1 / g);
  const after = model.readF64(model.params);
  for (let i = 0; i < 3; i++) assertClose(after[i], mu[i], 1e-9, `x_1[${i}]`);
});

test('T3 deterministic inner loop: μ_5, μ_20, μ_100 match the table and the closed form', () => {
  const table: [number, number][] = [
    [5, 0.799403],
    [20, 0.518302],
    [100, 0.5],
  ];
  for (const [L, want] of table) {
    const model = quadModel(1, 1);
    const opt = new EntropySgd(model, new TickBatchSource(), {
      algorithm: 'esgd',
      variant: 'lua',
      L,
      g0: 1,
      g1: 0,
      innerLr: 0.1,
      beta1: 0.75,
      noise: 0,
      momentum: 0,
    });
    opt.step();
    const mu = model.readF64(opt.vectors.mu)[0];
    assertClose(mu, want, 1e-6, `μ_${L}`);
    assertClose(mu, esgdDeterministicMu(L, 1, 1, 1, 0.1, 0.75), 1e-12, `closed form L=${L}`);
  }
  assertClose(esgdDeterministicMu(20, 1, 1, 1, 0.1, 0.75), 0.5183016, 1e-7);
});

test('T3 DR variant: inner Torch-Nesterov on the full direction, L = 20: y_L = 0.480251, μ_L = 0.494220', () => {
  const model = quadModel(1, 1);
  const opt = new EntropySgd(model, new TickBatchSource(), {
    algorithm: 'esgd',
    variant: 'dr',
    L: 20,
    g0: 1,
    g1: 0,
    noise: 0,
    recordInnerIterate: true,
  });
  opt.step();
  assertClose(model.readF64(opt.vectors.yLast!)[0], 0.480251, 1e-6, 'y_L');
  assertClose(model.readF64(opt.vectors.mu)[0], 0.49422, 1e-6, 'μ_L');
  // the lua inner loop (momentum on ∇f only, buffer from 0) gives a different trajectory
  const lua = quadModel(1, 1);
  const o2 = new EntropySgd(lua, new TickBatchSource(), { algorithm: 'esgd', variant: 'lua', L: 20, g0: 1, g1: 0, noise: 0 });
  o2.step();
  assert.ok(Math.abs(lua.readF64(o2.vectors.mu)[0] - 0.49422) > 1e-3);
});
