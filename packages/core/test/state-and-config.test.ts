// Optimizer state export/import (checkpoints), config validation and dispose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createOptimizer,
  ESGD_DEFAULT_VARIANT,
  EntropySgd,
  quarticObjective,
  resolveEsgdConfig,
  TickBatchSource,
  type OptimizerConfig,
} from '@deeprelax/core';
import { maxRelDiff, modelOf } from './helpers.js';

const configs: OptimizerConfig[] = [
  { algorithm: 'sgd', lr: 0.05 },
  { algorithm: 'esgd', variant: 'dr', L: 3, lr: 0.2, g0: 0.5, g1: 0.1, noise: 0 },
  { algorithm: 'esgd', variant: 'py', L: 3, lr: 0.2, g0: 0.5, g1: 0.1, noise: 0 },
  { algorithm: 'hj', L: 3, g0: 4, g1: 0.1 },
  { algorithm: 'parle', replicas: 2, L: 3 },
  { algorithm: 'easgd', workers: 2, tau: 2 },
  { algorithm: 'dist-esgd', workers: 2, L: 3, noise: 0, g0: 0.5, lr: 0.5 },
];

for (const config of configs) {
  test(`${config.algorithm}${'variant' in config ? '/' + config.variant : ''}: exportState/importState resumes the run`, () => {
    const x0 = [0.5, -0.75, 1.25];
    const a = modelOf(quarticObjective(3), x0);
    const optA = createOptimizer(a, new TickBatchSource(), config);
    for (let i = 0; i < 3; i++) optA.step();
    const state = optA.exportState();
    const params = a.exportParams();
    for (let i = 0; i < 3; i++) optA.step();

    const b = modelOf(quarticObjective(3), 0);
    b.importParams(params);
    const optB = createOptimizer(b, new TickBatchSource(), config);
    optB.importState(state);
    assert.equal(optB.steps, 3);
    assert.equal(optB.gradCalls, state.gradCalls);
    for (let i = 0; i < 3; i++) optB.step();
    const xa = a.readF64(a.params);
    const xb = b.readF64(b.params);
    // the state travels as float32: allow float32 rounding, measured against the vector's scale
    const scale = Math.max(...Array.from(xa, Math.abs));
    const diff = Math.max(...Array.from(xa, (v, i) => Math.abs(v - xb[i])));
    assert.ok(diff < 1e-6 * scale, `resumed run differs by ${diff}`);
    assert.equal(optB.gradCalls, optA.gradCalls);
    assert.equal(optB.coupling, optA.coupling);
    // a fresh optimizer without the state takes a different path (momentum/scoping matter)
    const c = modelOf(quarticObjective(3), 0);
    c.importParams(params);
    const optC = createOptimizer(c, new TickBatchSource(), config);
    for (let i = 0; i < 3; i++) optC.step();
    if (config.algorithm !== 'easgd') assert.ok(maxRelDiff(xa, c.readF64(c.params)) > 1e-7, 'state must matter');
    assert.throws(() => optB.importState({ ...state, algorithm: 'other' }), RangeError);
  });
}

test('config validation and defaults', () => {
  assert.equal(ESGD_DEFAULT_VARIANT, 'lua');
  const r = resolveEsgdConfig({ algorithm: 'esgd' });
  assert.deepEqual(
    [r.variant, r.L, r.innerLr, r.noise, r.beta1, r.g0, r.g1, r.momentum, r.innerMomentumScope, r.outerMomentum],
    ['lua', 20, 0.1, 1e-4, 0.75, 1e-4, 1e-3, 0.9, 'grad', false],
  );
  const o = resolveEsgdConfig({ algorithm: 'esgd', variant: 'dr', outerMomentum: false, loggingEval: false });
  assert.equal(o.innerMomentumScope, 'all');
  assert.equal(o.outerMomentum, false);
  assert.equal(o.loggingEval, false);
  const m = modelOf(quarticObjective(2), 0);
  const b = new TickBatchSource();
  assert.throws(() => createOptimizer(m, b, { algorithm: 'esgd', L: -1 }), RangeError);
  assert.throws(() => createOptimizer(m, b, { algorithm: 'esgd', variant: 'torch' as never }), RangeError);
  assert.throws(() => createOptimizer(m, b, { algorithm: 'esgd', beta1: 1.5 }), RangeError);
  assert.throws(() => createOptimizer(m, b, { algorithm: 'sgd', nesterov: true, dampening: 0.1 }), RangeError);
  assert.throws(() => createOptimizer(m, b, { algorithm: 'heat', estimator: 'laplace' as never }), RangeError);
  assert.throws(() => createOptimizer(m, b, { algorithm: 'adam' } as never), RangeError);
  const opt = createOptimizer(m, b, { algorithm: 'sgd' });
  assert.throws(() => (opt.lr = -1), RangeError);
});

test('dispose frees the optimizer vectors and makes it unusable; the model lives on', () => {
  const m = modelOf(quarticObjective(2), 1);
  const opt = new EntropySgd(m, new TickBatchSource(), { algorithm: 'esgd', L: 2 });
  opt.step();
  const mu = opt.vectors.mu;
  opt.dispose();
  assert.throws(() => m.read(mu));
  assert.throws(() => opt.step());
  m.lossAndGrad(new TickBatchSource().next());
});
