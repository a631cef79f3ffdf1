// No tensor leaks: thousands of mixed calls (training steps, evaluation, every vector op, mode
// switches, batch-norm refreshes, import/export, vector alloc/free, rejected calls) leave
// tf.memory().numTensors where it was, and dispose() returns it to the count before the model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng, type Batch, type ModelSpec } from '@deeprelax/core';
import { createTfjsEngine } from '@deeprelax/engine-tfjs';

const SPEC: ModelSpec = {
  name: 'leak-net',
  inputShape: [1, 6, 6],
  numClasses: 4,
  layers: [
    { kind: 'conv2d', inChannels: 1, outChannels: 3, kernel: 3, padding: 1, stride: 1 },
    { kind: 'batchnorm2d', features: 3 },
    { kind: 'relu' },
    { kind: 'dropout', p: 0.3 },
    { kind: 'avgpool2d', kernel: 2 },
    { kind: 'maxpool2d', kernel: 3 },
    { kind: 'flatten' },
    { kind: 'linear', inFeatures: 3, outFeatures: 8 },
    { kind: 'batchnorm1d', features: 8 },
    { kind: 'relu' },
    { kind: 'linear', inFeatures: 8, outFeatures: 4 },
  ],
};

function batch(rng: Rng, n: number): Batch {
  const x = new Float32Array(n * 36);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = rng.int(4);
  return { x, y, n };
}

test('tensor count stays flat over 2,400 mixed steps and returns to baseline after dispose', async () => {
  const engine = await createTfjsEngine();
  const tf = engine.tf;
  const baseline = tf.memory().numTensors;
  const m = engine.createModel(SPEC, { seed: 1 });
  const rng = new Rng(7);
  const b = batch(rng, 8);
  const bad: Batch = { x: b.x, y: Int32Array.from([0, 1, 2, 9, 0, 1, 2, 3]), n: 8 };
  const mu = m.vector(m.params);
  const tmp = m.vector();
  const steps = 2400;
  let counted = -1;
  let calls = 0;
  for (let step = 0; step < steps; step++) {
    if (step === 200) counted = tf.memory().numTensors; // after warm-up
    const op = step % 12;
    switch (op) {
      case 0:
      case 1:
      case 2:
        m.setMode('train');
        m.lossAndGrad(step % 3 === 0 ? b : batch(rng, 8));
        m.axpy(m.params, -0.01, m.grad);
        break;
      case 3:
        m.axpby(mu, 0.9, 0.1, m.params);
        m.addNoise(tmp, 0.01);
        m.scale(tmp, 0.5);
        break;
      case 4:
        m.setMode('eval');
        m.evaluate(b);
        m.lossAndGrad(b);
        break;
      case 5:
        m.updateBatchNormStats(b);
        if (step % 60 === 5) m.resetBatchNormStats();
        break;
      case 6: {
        const v = m.vector(mu);
        m.copy(tmp, v);
        m.fill(v, 0.5);
        m.dot(v, tmp);
        m.norm(v);
        m.allFinite(v);
        m.free(v);
        break;
      }
      case 7:
        m.importParams(m.exportParams());
        m.importBuffers(m.exportBuffers());
        m.write(tmp, m.read(m.params));
        break;
      case 8:
        assert.throws(() => m.lossAndGrad(bad), /out of range/);
        assert.throws(() => m.write(tmp, new Float32Array(3)), /expected/);
        break;
      case 9:
        m.seed(step);
        m.setMode('train');
        m.evaluate(b);
        break;
      case 10:
        m.copy(m.params, mu);
        break;
      case 11:
        m.axpy(tmp, 1, tmp);
        m.allFinite(m.grad);
        break;
    }
    calls++;
  }
  const end = tf.memory().numTensors;
  assert.equal(calls, steps);
  assert.equal(end, counted, `tensor count grew from ${counted} to ${end} over ${steps - 200} steps`);
  assert.ok(m.allFinite(m.params), 'training stayed finite');
  m.dispose();
  assert.equal(tf.memory().numTensors, baseline, 'tensors left after dispose');
});
