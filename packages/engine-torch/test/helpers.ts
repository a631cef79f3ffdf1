// Shared by the torch engine tests: the paper's two MNIST networks (ALGORITHMS.md §3.2), seeded
// batches, and comparison helpers with readable failures.
import { lenet, mnistfc } from '@deeprelax/models';
import assert from 'node:assert/strict';
import { Rng, inputSize, type Batch, type ModelSpec } from '@deeprelax/core';
import { available } from '@deeprelax/engine-torch';

export const status = available();
/** node:test's skip option: false when the addon is usable, else the reason. */
export const skipUnlessBuilt: string | false = status.ok ? false : status.reason;

// The paper's networks come from the model zoo (a dev dependency: the engine itself depends on core only).
export const MNISTFC: ModelSpec = mnistfc();
export const LENET: ModelSpec = lenet();

export const MIXED: ModelSpec = {
  name: 'mixed',
  inputShape: [3, 9, 8],
  numClasses: 4,
  layers: [
    { kind: 'conv2d', inChannels: 3, outChannels: 5, kernel: 3, stride: 2, padding: 1 },
    { kind: 'batchnorm2d', features: 5, eps: 1e-3, momentum: 0.3 },
    { kind: 'relu' },
    { kind: 'maxpool2d', kernel: 2, stride: 1 },
    { kind: 'dropout', p: 0.3 },
    { kind: 'conv2d', inChannels: 5, outChannels: 4, kernel: 2, bias: false },
    { kind: 'avgpool2d', kernel: 2 },
    { kind: 'flatten' },
    { kind: 'linear', inFeatures: 4, outFeatures: 6 },
    { kind: 'relu' },
    { kind: 'batchnorm1d', features: 6 },
    { kind: 'dropout', p: 0.5 },
    { kind: 'linear', inFeatures: 6, outFeatures: 4, bias: false },
  ],
};

export function batchOf(spec: ModelSpec, n: number, seed: number): Batch {
  const rng = new Rng(seed, 0xbeef);
  const x = new Float32Array(n * inputSize(spec));
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = rng.int(spec.numClasses);
  return { x, y, n };
}

/** |a - b| <= atol + rtol * |b| elementwise, reporting the worst element. */
export function assertClose(a: Float32Array, b: Float32Array, atol: number, rtol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths differ`);
  let worst = -1;
  let excess = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - b[i]) - (atol + rtol * Math.abs(b[i]));
    if (!(e <= excess)) {
      excess = Number.isNaN(e) ? Infinity : e;
      worst = i;
    }
  }
  assert.ok(worst < 0, `${what}: element ${worst} is ${a[worst]} vs ${b[worst]} (beyond atol ${atol}, rtol ${rtol})`);
}

export function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}
