// T4 — SGLD stationary statistics on a quadratic, and the code noise scaling (ALGORITHMS.md §4).
// Statistical checks use many independent coordinates (chains) with fixed seeds; tolerances are
// 4 standard errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EntropySgd, sgldDisplacementStd, sgldStationaryVariance, TickBatchSource } from '@deeprelax/core';
import { assertClose, meanVar, quadModel } from './helpers.js';

test('T4 closed form: stationary variance 2η\'T/(1 − r²) = 0.0055556 for a=1, g=1, η\'=0.1, T=0.01', () => {
  assertClose(sgldStationaryVariance(1, 1, 0.1, 0.01), 0.0055556, 1e-7);
  assertClose(sgldDisplacementStd(1e-4, 0.1), 4.4721e-5, 1e-9);
});

test('T4 the ESGD inner chain has stationary mean g x/(a+g) and variance 2η\'T/(1 − r²)', () => {
  const n = 20000;
  const model = quadModel(1, 1, { dim: n, seed: 2024 });
  const T = 0.01;
  const opt = new EntropySgd(model, new TickBatchSource(), {
    algorithm: 'esgd',
    variant: 'lua',
    L: 200, // burn-in factor r^200 = 0.8^200 ≈ 4e-20
    g0: 1,
    g1: 0,
    innerLr: 0.1,
    noise: Math.sqrt(T), // code scaling: T = ε²
    momentum: 0,
    recordInnerIterate: true,
  });
  opt.step();
  const y = model.readF64(opt.vectors.yLast!);
  const { mean, variance } = meanVar(y);
  const v = sgldStationaryVariance(1, 1, 0.1, T);
  const seMean = Math.sqrt(v / n);
  const seVar = v * Math.sqrt(2 / (n - 1));
  assertClose(mean, 0.5, 3 * seMean, 'stationary mean');
  assertClose(variance, v, 4 * seVar, 'stationary variance');
  // the discrete-time variance is distinguishable from the continuous limit T/(a+g) = 0.005
  assert.ok(Math.abs(variance - 0.005) > 4 * seVar, `variance ${variance} too close to the continuous limit`);
});

test('T4 code-scaled noise: per-step displacement std ε·sqrt(2η\') (paper scaling: ε·sqrt(η\'))', () => {
  const n = 20000;
  const eps = 1e-4;
  const lr = 0.1;
  for (const scaling of ['code', 'paper'] as const) {
    const model = quadModel(0, 0, { dim: n, seed: 99 }); // f ≡ 0: the step is pure noise
    const opt = new EntropySgd(model, new TickBatchSource(), {
      algorithm: 'esgd',
      variant: 'lua',
      L: 1,
      g0: 0,
      g1: 0,
      innerLr: lr,
      noise: eps,
      noiseScaling: scaling,
      momentum: 0,
      recordInnerIterate: true,
    });
    opt.step();
    const { mean, variance } = meanVar(model.readF64(opt.vectors.yLast!));
    const want = sgldDisplacementStd(eps, lr, scaling);
    const sd = Math.sqrt(variance);
    assertClose(sd, want, 4 * (want / Math.sqrt(2 * n)), `${scaling} std`);
    assertClose(mean, 0, 4 * (want / Math.sqrt(n)), `${scaling} mean`);
    if (scaling === 'code') assertClose(want, 4.4721e-5, 1e-9);
  }
});
