// Cross-engine agreement: the same spec, weights, running statistics and batch give the same loss,
// correct count, gradient and updated running statistics on torch and on tfjs, to float32
// tolerance. Dropout masks are engine-specific random streams, so dropout is compared in eval mode
// and train mode runs on the dropout-free variant of each net.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialParameters, layoutOf, type LayerSpec, type Model, type ModelSpec } from '@deeprelax/core';
import { createTfjsEngine } from '@deeprelax/engine-tfjs';
import { createTorchEngine } from '@deeprelax/engine-torch';
import { LENET, MIXED, MNISTFC, assertClose, batchOf, maxAbs, skipUnlessBuilt } from './helpers.js';

const withoutDropout = (spec: ModelSpec): ModelSpec => ({
  ...spec,
  name: `${spec.name}-nodropout`,
  layers: spec.layers.map((l): LayerSpec => (l.kind === 'dropout' ? { kind: 'dropout', p: 0 } : l)),
});

function statsFor(spec: ModelSpec): Float32Array {
  const layout = layoutOf(spec);
  const b = new Float32Array(layout.numBuffers);
  for (const s of layout.buffers) {
    for (let i = s.offset; i < s.offset + s.size; i++) b[i] = s.name === 'runningVar' ? 0.6 + (i % 9) / 8 : ((i % 7) - 3) / 6;
  }
  return b;
}

const CASES: Array<[ModelSpec, number, 'train' | 'eval']> = [
  [MIXED, 5, 'eval'],
  [withoutDropout(MIXED), 5, 'train'],
  [LENET, 8, 'eval'],
  [withoutDropout(LENET), 8, 'train'],
  [MNISTFC, 8, 'eval'],
  [withoutDropout(MNISTFC), 8, 'train'],
];

describe('torch and tfjs agree', { skip: skipUnlessBuilt }, () => {
  for (const [spec, n, mode] of CASES) {
    it(`${spec.name} (${mode} mode, batch ${n}): loss, correct, gradient, running statistics`, async () => {
      const tfjs = await createTfjsEngine({ backend: 'cpu' });
      const torch = createTorchEngine();
      const params = initialParameters(spec, 21);
      const models: Model[] = [];
      try {
        const [a, b] = [torch, tfjs].map((e) => {
          const m = e.createModel(spec, { seed: 1, initialParams: params });
          models.push(m);
          m.importBuffers(statsFor(spec));
          m.setMode(mode);
          return m;
        });
        for (let step = 0; step < 2; step++) {
          const batch = batchOf(spec, n, 40 + step);
          const ra = a.lossAndGrad(batch);
          const rb = b.lossAndGrad(batch);
          assert.ok(Math.abs(ra.loss - rb.loss) <= 2e-5 * (1 + Math.abs(rb.loss)), `loss: torch ${ra.loss}, tfjs ${rb.loss}`);
          assert.equal(ra.correct, rb.correct);
          const gb = b.read(b.grad);
          assertClose(a.read(a.grad), gb, 2e-5 * maxAbs(gb), 2e-3, `${spec.name} step ${step} gradient`);
          assertClose(a.exportBuffers(), b.exportBuffers(), 1e-5, 1e-4, `${spec.name} step ${step} running statistics`);
          // the same SGD step on both keeps them in lock-step
          a.axpy(a.params, -0.05, a.grad);
          b.write(b.params, a.read(a.params));
        }
        const ea = a.evaluate(batchOf(spec, n, 99));
        const eb = b.evaluate(batchOf(spec, n, 99));
        assert.ok(Math.abs(ea.loss - eb.loss) <= 2e-5 * (1 + Math.abs(eb.loss)), `evaluate: ${ea.loss} vs ${eb.loss}`);
      } finally {
        for (const m of models) m.dispose();
      }
    });
  }

  it('updateBatchNormStats gives the same running statistics', async () => {
    const tfjs = await createTfjsEngine({ backend: 'cpu' });
    const spec = LENET;
    const params = initialParameters(spec, 5);
    const [a, b] = [createTorchEngine(), tfjs].map((e) => e.createModel(spec, { seed: 1, initialParams: params }));
    try {
      for (const m of [a, b]) {
        m.setMode('eval');
        for (let i = 0; i < 3; i++) m.updateBatchNormStats(batchOf(spec, 8, 60 + i));
        assert.equal(m.mode, 'eval');
      }
      assertClose(a.exportBuffers(), b.exportBuffers(), 1e-5, 1e-4, 'running statistics');
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
