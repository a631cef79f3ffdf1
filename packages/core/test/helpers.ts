// Shared test helpers (not a test file).
import assert from 'node:assert/strict';
import {
  createAnalyticModel,
  quadraticObjective,
  TickBatchSource,
  type AnalyticModel,
  type Objective,
  type Vec,
} from '@deeprelax/core';

export function quadModel(
  diag: number[] | number,
  x0: number[] | number,
  opts: { dim?: number; seed?: number; gradNoiseStd?: number } = {},
): AnalyticModel {
  const dim = opts.dim ?? (Array.isArray(diag) ? diag.length : Array.isArray(x0) ? x0.length : 1);
  const a = Array.isArray(diag) ? diag : new Array(dim).fill(diag);
  const x = Array.isArray(x0) ? x0 : new Array(dim).fill(x0);
  return createAnalyticModel(quadraticObjective({ diag: a }), {
    seed: opts.seed ?? 1,
    initialParams: x,
    gradNoiseStd: opts.gradNoiseStd,
  });
}

export function modelOf(objective: Objective, x0: number[] | number, seed = 1, gradNoiseStd = 0): AnalyticModel {
  const x = Array.isArray(x0) ? x0 : new Array(objective.dim).fill(x0);
  return createAnalyticModel(objective, { seed, initialParams: x, gradNoiseStd });
}

export const ticks = (size = 1, batchSize = 1) => new TickBatchSource(size, batchSize);

export function f64(m: AnalyticModel, v: Vec): Float64Array {
  return m.readF64(v);
}

export function meanVar(xs: ArrayLike<number>): { mean: number; variance: number; n: number } {
  const n = xs.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i];
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (xs[i] - mean) ** 2;
  return { mean, variance: v / (n - 1), n };
}

export function assertClose(actual: number, expected: number, tol: number, what = ''): void {
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what} expected ${expected} ± ${tol}, got ${actual} (off by ${Math.abs(actual - expected)})`,
  );
}

/** Max relative difference between two vectors (denominator max(|a|,|b|,1e-300)). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]) / Math.max(Math.abs(a[i]), Math.abs(b[i]), 1e-300);
    if (d > m) m = d;
  }
  return m;
}
