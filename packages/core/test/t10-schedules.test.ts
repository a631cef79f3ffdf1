// T10 — scoping arithmetic (ALGORITHMS.md §4), and the learning-rate schedules of §2.1/§2.2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  constantLr,
  couplingOfGammaDr,
  createOptimizer,
  EntropySgd,
  exponentialScoping,
  gammaDrOfCoupling,
  makeLrSchedule,
  makeScoping,
  parleScoping,
  piecewiseLr,
  stepDecayLr,
  TickBatchSource,
} from '@deeprelax/core';
import { assertClose, quadModel } from './helpers.js';

const rel = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol * Math.abs(b), `${what}: ${a} vs ${b}`);

test('T10 exponential scoping g0 (1 + g1)^t', () => {
  rel(exponentialScoping(0.03, 1e-3).couplingAt(1000), 0.08151, 1e-4, '0.03·1.001^1000');
  rel(exponentialScoping(0.03, 1e-3).couplingAt(3910), 1.49405, 1e-5, '0.03·1.001^3910');
  rel(exponentialScoping(1e-4, 1e-3).couplingAt(2345), 1.042e-3, 1e-3, '1e-4·1.001^2345');
});

test('T10 Parle: (1 + 0.5/391)^391 = 1.64819 per epoch of rounds; README form 100·(1 − 1/782)^(391·5) = 8.1954', () => {
  const s = parleScoping(1, 391, 1e9);
  rel(s.couplingAt(391) / s.couplingAt(0), 1.64819, 1e-5, 'per-epoch growth');
  // capped: c_γ = min(0.01 (1 + 0.5/nb)^k, 1)
  assert.equal(parleScoping(0.01, 391, 1).couplingAt(1e5), 1);
  const readme = makeScoping({ kind: 'variance', gamma0: 100, decay: 1 / 782 });
  rel(gammaDrOfCoupling(readme.couplingAt(391 * 5)), 8.1954, 1e-4, 'README variance after 5 epochs');
  assert.equal(couplingOfGammaDr(gammaDrOfCoupling(0.25)), 0.25);
});

test('T10 every ESGD variant increments t before use (the [ESGD-PY] bug is fixed): g changes between steps', () => {
  for (const variant of ['lua', 'py', 'dr'] as const) {
    const opt = new EntropySgd(quadModel(1, 1), new TickBatchSource(), {
      algorithm: 'esgd',
      variant,
      L: 2,
      g0: 0.03,
      g1: 1e-3,
    });
    const g1 = opt.step().coupling!;
    const g2 = opt.step().coupling!;
    rel(g1, 0.03 * 1.001, 1e-14, `${variant} first coupling`);
    rel(g2, 0.03 * 1.001 * 1.001, 1e-14, `${variant} second coupling`);
    assert.equal(opt.scopingCounter, 2);
  }
});

test('T10 the scoped coupling reaches the inner loop: direction a x/(g + a) follows g_t', () => {
  // deterministic: x − μ after a long inner loop equals a x/(g + a) for the step's g
  const model = quadModel(1, 1);
  const opt = createOptimizer(model, new TickBatchSource(), {
    algorithm: 'esgd',
    variant: 'lua',
    L: 400,
    g0: 1,
    g1: 1, // g doubles every step
    noise: 0,
    momentum: 0,
    lr: 0, // x stays at 1
  }) as EntropySgd;
  for (const g of [2, 4, 8]) {
    opt.step();
    assertClose(model.readF64(opt.vectors.direction)[0], 1 / (g + 1), 1e-12, `g = ${g}`);
  }
});

test('learning-rate schedules: piecewise (first matching row wins, last lr kept), step decay, constant', () => {
  const mnist = piecewiseLr([[30, 0.1], [60, 0.02], [150, 0.004]]);
  assert.equal(mnist.lrAt(1), 0.1);
  assert.equal(mnist.lrAt(30), 0.1);
  assert.equal(mnist.lrAt(31), 0.02);
  assert.equal(mnist.lrAt(60), 0.02);
  assert.equal(mnist.lrAt(100), 0.004);
  assert.equal(mnist.lrAt(400), 0.004);
  const lenet = makeLrSchedule({ kind: 'piecewise', rows: [[2, 1], [7, 0.1], [15, 0.01]] });
  assert.deepEqual([1, 2, 3, 7, 8].map((e) => lenet.lrAt(e)), [1, 1, 0.1, 0.1, 0.01]);
  const cifar = stepDecayLr(0.1, 0.2, 60);
  assertClose(cifar.lrAt(60), 0.1, 1e-15);
  assertClose(cifar.lrAt(61), 0.02, 1e-15);
  assertClose(cifar.lrAt(181), 0.1 * 0.2 ** 3, 1e-15);
  assert.equal(constantLr(0.5).lrAt(99), 0.5);
  assert.throws(() => piecewiseLr([[5, 0.1], [5, 0.01]]), RangeError);
  assert.throws(() => piecewiseLr([]), RangeError);
  assert.throws(() => mnist.lrAt(0), RangeError);
  assert.throws(() => makeLrSchedule({ kind: 'cosine' } as never), RangeError);
  assert.throws(() => makeScoping({ kind: 'exponential', g0: -1, g1: 0 }), RangeError);
});
