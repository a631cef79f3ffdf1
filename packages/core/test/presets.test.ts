// Paper presets per (algorithm, network) — §2.1/§2.2 tables — and that every preset runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALGORITHM_NAMES,
  createOptimizer,
  makeLrSchedule,
  PRESET_MODELS,
  preset,
  presetWith,
  TickBatchSource,
  type EsgdConfig,
  type HeatConfig,
  type HjConfig,
  type SgdConfig,
} from '@deeprelax/core';
import { quadModel } from './helpers.js';

test("preset('esgd', 'lenet') is the Entropy-SGD MNIST protocol", () => {
  const p = preset('esgd', 'lenet');
  const o = p.optimizer as EsgdConfig;
  assert.equal(p.dataset, 'mnist');
  assert.equal(p.batchSize, 128);
  assert.equal(p.epochs, 5);
  assert.deepEqual(p.lrSchedule, { kind: 'piecewise', rows: [[2, 1], [7, 0.1], [15, 0.01]] });
  assert.deepEqual(
    { L: o.L, g0: o.g0, g1: o.g1, noise: o.noise, innerLr: o.innerLr, beta1: o.beta1, momentum: o.momentum, wd: o.weightDecay, variant: o.variant },
    { L: 20, g0: 1e-4, g1: 1e-3, noise: 1e-4, innerLr: 0.1, beta1: 0.75, momentum: 0.9, wd: 0, variant: 'lua' },
  );
  const s = makeLrSchedule(p.lrSchedule);
  assert.deepEqual([1, 2, 3, 5].map((e) => s.lrAt(e)), [1, 1, 0.1, 0.1]);
});

test("preset('esgd', 'allcnn') and preset('esgd', 'mnistfc')", () => {
  const c = preset('esgd', 'allcnn');
  const o = c.optimizer as EsgdConfig;
  assert.equal(c.dataset, 'cifar10');
  assert.equal(c.epochs, 10);
  assert.equal(o.g0, 0.03);
  assert.equal(o.weightDecay, 1e-3);
  assert.deepEqual(c.lrSchedule, { kind: 'piecewise', rows: [[3, 1], [6, 0.2], [12, 0.04]] });
  const m = preset('esgd', 'mnistfc');
  assert.deepEqual(m.lrSchedule, { kind: 'piecewise', rows: [[2, 1], [15, 0.1]] });
  assert.equal((m.optimizer as EsgdConfig).g0, 1e-4);
});

test('SGD presets: MNIST 0.1/0.02/0.004 for 100 epochs; All-CNN ÷5 every 60 epochs for 200, λ = 1e-3', () => {
  const m = preset('sgd', 'mnistfc');
  assert.equal(m.epochs, 100);
  assert.equal((m.optimizer as SgdConfig).weightDecay, 0);
  const s = makeLrSchedule(m.lrSchedule);
  assert.deepEqual([1, 30, 31, 61, 100].map((e) => s.lrAt(e)), [0.1, 0.1, 0.02, 0.004, 0.004]);
  const a = preset('sgd', 'allcnn');
  assert.equal(a.epochs, 200);
  assert.equal((a.optimizer as SgdConfig).weightDecay, 1e-3);
  const sa = makeLrSchedule(a.lrSchedule);
  assert.deepEqual([60, 61, 121, 181].map((e) => sa.lrAt(e)), [0.1, 0.02, 0.004, 0.0008]);
});

test("HJ presets: L = 10 on LeNet, with lr and coupling on the L = 20 course per effective epoch", () => {
  const m = preset('hj', 'mnistfc');
  const l = preset('hj', 'lenet');
  assert.equal((m.optimizer as HjConfig).L, 20);
  assert.equal((l.optimizer as HjConfig).L, 10);
  assert.equal(l.epochs, 10);
  // g = g0 (1 + g1)^t over outer steps t: half the g1 at twice the steps per effective epoch.
  assert.equal((m.optimizer as HjConfig).g1, 1e-3);
  assert.equal((l.optimizer as HjConfig).g1, 5e-4);
  // lr per effective epoch (epoch × L) is the same function for both L.
  const sm = makeLrSchedule(preset('hj', 'lenet').lrSchedule);
  const s20 = makeLrSchedule({ kind: 'piecewise', rows: [[2, 0.1], [4, 0.02], [5, 0.004]] });
  for (let eff = 10; eff <= 100; eff += 10) {
    assert.equal(sm.lrAt(eff / 10), s20.lrAt(Math.ceil(eff / 20)), `lr at ${eff} effective epochs`);
  }
});

test('HEAT presets: L = 15 and 5 epochs on LeNet (an evaluation on the paper\'s @ 75), lr and t on the L = 20 course', () => {
  const m = preset('heat', 'mnistfc');
  const l = preset('heat', 'lenet');
  assert.equal((m.optimizer as HeatConfig).L, 20);
  assert.equal((l.optimizer as HeatConfig).L, 15);
  assert.equal(l.epochs, 5);
  assert.equal(l.epochs * 15, 75);
  assert.equal((m.optimizer as HeatConfig).g1, 1e-3);
  assert.equal((l.optimizer as HeatConfig).g1, 7.5e-4);
  // lr: 0.1 to 40 effective epochs, then 0.02 (L = 20: epochs 1-2, 3-4), its steps rounded to
  // whole L = 15 epochs (45, then 60 and 75).
  const s15 = makeLrSchedule(l.lrSchedule);
  assert.deepEqual([1, 2, 3, 4, 5].map((e) => s15.lrAt(e)), [0.1, 0.1, 0.1, 0.02, 0.02]);
});

test('H-ESGD presets: L = 15 and 5 epochs on LeNet, lr and coupling on the L = 20 course; mnistfc as ESGD ÷ 10', () => {
  const m = preset('hesgd', 'mnistfc').optimizer as EsgdConfig;
  const l = preset('hesgd', 'lenet');
  const lo = l.optimizer as EsgdConfig;
  assert.equal(m.L, 20);
  assert.equal(m.g1, 1e-3);
  assert.deepEqual(preset('hesgd', 'mnistfc').lrSchedule, { kind: 'piecewise', rows: [[2, 0.1], [15, 0.01]] });
  const c = preset('hesgd', 'allcnn');
  assert.equal((c.optimizer as EsgdConfig).L, 20);
  assert.equal((c.optimizer as EsgdConfig).g1, 1e-3);
  assert.equal(c.epochs, 10);
  assert.deepEqual(c.lrSchedule, { kind: 'piecewise', rows: [[3, 0.1], [6, 0.02], [12, 0.004]] });
  assert.equal(lo.L, 15);
  assert.equal(lo.g1, 7.5e-4);
  assert.equal(l.epochs, 5);
  // ESGD's LeNet schedule ÷ 10 (0.1 to 40 effective epochs, 0.01 to 140) at L = 15: the steps at
  // whole epochs, 45 and 135 effective epochs.
  const s = makeLrSchedule(l.lrSchedule);
  assert.deepEqual([1, 2, 3, 4, 5, 9, 10].map((e) => s.lrAt(e)), [0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001]);
});

test('every (algorithm, network) preset builds an optimizer that takes finite steps', () => {
  for (const algorithm of ALGORITHM_NAMES) {
    for (const model of PRESET_MODELS) {
      const p = preset(algorithm, model);
      assert.equal(p.optimizer.algorithm, algorithm);
      assert.ok(p.sources.length > 0);
      const s = makeLrSchedule(p.lrSchedule);
      assert.ok(s.lrAt(1) > 0 && s.lrAt(p.epochs) > 0);
      const m = quadModel([1, 0.5, 2], [0.1, -0.2, 0.05], { gradNoiseStd: 1e-3 });
      const opt = createOptimizer(m, new TickBatchSource(60000, p.batchSize), p.optimizer);
      opt.lr = s.lrAt(1);
      for (let i = 0; i < 2; i++) assert.ok(Number.isFinite(opt.step().loss));
      assert.ok(m.allFinite(m.params), `${algorithm}/${model}`);
      opt.dispose();
    }
  }
});

test('presetWith merges overrides; unknown names are rejected', () => {
  const p = presetWith('esgd', 'lenet', { optimizer: { L: 5, algorithm: 'sgd' }, epochs: 2 });
  assert.equal(p.optimizer.algorithm, 'esgd');
  assert.equal((p.optimizer as EsgdConfig).L, 5);
  assert.equal((p.optimizer as EsgdConfig).g0, 1e-4);
  assert.equal(p.epochs, 2);
  assert.throws(() => preset('adam' as never, 'lenet'), RangeError);
  assert.throws(() => preset('sgd', 'resnet' as never), RangeError);
});
