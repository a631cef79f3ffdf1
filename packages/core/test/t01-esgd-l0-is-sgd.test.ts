// T1 — ESGD with L = 0 is SGD (ALGORITHMS.md §4): identical seeds and minibatch (gradient-noise)
// sequences give identical iterates after 100 steps, with the variant's λ placement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createAnalyticModel,
  createOptimizer,
  genericObjective,
  Rng,
  TickBatchSource,
  type AnalyticModel,
  type OptimizerConfig,
} from '@deeprelax/core';
import { maxRelDiff } from './helpers.js';

// A small MLP 2 -> 4 (tanh) -> 1 with logistic loss on 16 fixed points, exact backprop gradient.
const H = 4;
const DIM = H * 2 + H + H + 1;
const rng = new Rng(5);
const DATA = Array.from({ length: 16 }, () => {
  const a = rng.normal();
  const b = rng.normal();
  return { a, b, y: a * b > 0 ? 1 : -1 };
});

function mlp(w: Float64Array, grad?: Float64Array): number {
  if (grad) grad.fill(0);
  let loss = 0;
  const h = new Float64Array(H);
  for (const { a, b, y } of DATA) {
    let out = w[DIM - 1];
    for (let j = 0; j < H; j++) {
      h[j] = Math.tanh(w[2 * j] * a + w[2 * j + 1] * b + w[2 * H + j]);
      out += w[3 * H + j] * h[j];
    }
    const z = -y * out;
    loss += Math.log1p(Math.exp(z));
    if (grad) {
      const dOut = (-y / (1 + Math.exp(-z))) / DATA.length;
      grad[DIM - 1] += dOut;
      for (let j = 0; j < H; j++) {
        grad[3 * H + j] += dOut * h[j];
        const dPre = dOut * w[3 * H + j] * (1 - h[j] * h[j]);
        grad[2 * j] += dPre * a;
        grad[2 * j + 1] += dPre * b;
        grad[2 * H + j] += dPre;
      }
    }
  }
  return loss / DATA.length;
}

const objective = genericObjective(DIM, (y) => mlp(y), (y, out) => void mlp(y, out), 'mlp');

function run(config: OptimizerConfig, steps = 100): { model: AnalyticModel; x: Float64Array } {
  const model = createAnalyticModel(objective, { seed: 11, gradNoiseStd: 0.05 });
  const opt = createOptimizer(model, new TickBatchSource(), config);
  for (let i = 0; i < steps; i++) opt.step();
  return { model, x: model.readF64(model.params) };
}

test('the MLP objective gradient matches finite differences (sanity of the test objective)', () => {
  const w = new Float64Array(DIM).map((_, i) => 0.3 * Math.sin(i + 1));
  const g = new Float64Array(DIM);
  mlp(w, g);
  for (let i = 0; i < DIM; i++) {
    const e = 1e-6;
    const wp = Float64Array.from(w);
    const wm = Float64Array.from(w);
    wp[i] += e;
    wm[i] -= e;
    const fd = (mlp(wp) - mlp(wm)) / (2 * e);
    assert.ok(Math.abs(fd - g[i]) < 1e-8, `coordinate ${i}: ${fd} vs ${g[i]}`);
  }
});

const lr = 0.1;
const wd = 1e-3;

test('T1 lua: ESGD(L=0) = SGD + Nesterov(0.9) with λ, buffer initialised to the first direction', () => {
  const esgd = run({ algorithm: 'esgd', variant: 'lua', L: 0, lr, weightDecay: wd });
  const sgd = run({ algorithm: 'sgd', lr, momentum: 0.9, nesterov: true, weightDecay: wd, momentumInit: 'first' });
  assert.ok(maxRelDiff(esgd.x, sgd.x) <= 1e-12, `rel diff ${maxRelDiff(esgd.x, sgd.x)}`);
  // the run actually moved and both made 100 gradient calls
  assert.equal(esgd.model.lossAndGradCalls, 100);
  const fresh = createAnalyticModel(objective, { seed: 11 });
  const start = fresh.readF64(fresh.params);
  assert.ok(maxRelDiff(start, esgd.x) > 1e-3);
  // negative control: a different λ gives different iterates
  const other = run({ algorithm: 'sgd', lr, momentum: 0.9, nesterov: true, weightDecay: 0 });
  assert.ok(maxRelDiff(esgd.x, other.x) > 1e-6);
});

test('T1 py: ESGD(L=0) = SGD with λ and the [ESGD-PY] buffer initialisation', () => {
  const esgd = run({ algorithm: 'esgd', variant: 'py', L: 0, lr, weightDecay: wd });
  const sgd = run({ algorithm: 'sgd', lr, weightDecay: wd, momentumInit: 'first-then-update' });
  assert.ok(maxRelDiff(esgd.x, sgd.x) <= 1e-12, `rel diff ${maxRelDiff(esgd.x, sgd.x)}`);
  const torchInit = run({ algorithm: 'sgd', lr, weightDecay: wd, momentumInit: 'first' });
  assert.ok(maxRelDiff(esgd.x, torchInit.x) > 1e-6, 'the buffer initialisation must matter');
});

test('T1 dr: ESGD(L=0) = SGD without λ (the [DR-CODE] quirk)', () => {
  // loggingEval off: the DR code's extra logging evaluation draws a minibatch and so shifts the stream
  const esgd = run({ algorithm: 'esgd', variant: 'dr', L: 0, lr, weightDecay: wd, loggingEval: false });
  const sgdNoWd = run({ algorithm: 'sgd', lr, weightDecay: 0 });
  const sgdWd = run({ algorithm: 'sgd', lr, weightDecay: wd });
  assert.ok(maxRelDiff(esgd.x, sgdNoWd.x) <= 1e-12, `rel diff ${maxRelDiff(esgd.x, sgdNoWd.x)}`);
  assert.ok(maxRelDiff(esgd.x, sgdWd.x) > 1e-6);
});
