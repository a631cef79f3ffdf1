// tfjs-specific behaviour: backend selection and its report, error messages, and that the conv
// filter gradient computed by forward convolution (conv.ts) equals tfjs's own kernel.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError, initialParameters, type ModelSpec } from '@deeprelax/core';
import { BACKEND_ORDER, createTfjsEngine, loadBackend } from '@deeprelax/engine-tfjs';

const MLP: ModelSpec = {
  name: 'mlp',
  inputShape: [4],
  numClasses: 3,
  layers: [
    { kind: 'linear', inFeatures: 4, outFeatures: 5 },
    { kind: 'relu' },
    { kind: 'linear', inFeatures: 5, outFeatures: 3 },
  ],
};

test('auto selection reports the chosen backend, the reason and every attempt', async () => {
  const engine = await createTfjsEngine();
  const s = engine.selection;
  assert.equal(engine.name, 'tfjs');
  assert.ok(BACKEND_ORDER.includes(s.backend));
  assert.ok(s.tried.length >= 1);
  const last = s.tried[s.tried.length - 1];
  assert.equal(last.ok, true);
  assert.equal(last.backend, s.backend);
  assert.ok(s.tried.slice(0, -1).every((t) => !t.ok && t.detail.length > 0), 'earlier attempts failed with a reason');
  // Attempts follow the preference order.
  assert.deepEqual(
    s.tried.map((t) => t.backend),
    BACKEND_ORDER.slice(0, s.tried.length),
  );
  assert.ok(s.reason.length > 0);
  assert.match(engine.description, new RegExp(`tfjs ${s.version.replace(/\./g, '\\.')} ${s.tfBackend} backend`));
  assert.equal(engine.tf.getBackend(), s.tfBackend);
  // Without the native packages (this machine), wasm is picked and the reason names what was missing.
  if (s.backend === 'wasm') {
    assert.match(s.reason, /unavailable: @tensorflow\/tfjs-node-gpu/);
    assert.match(engine.description, /XNNPACK/);
  }
});

test('the backend is fixed for the process: auto reuses it, another named backend is refused', async () => {
  const a = await createTfjsEngine();
  const b = await createTfjsEngine({ backend: 'auto' });
  assert.equal(b.selection.backend, a.selection.backend);
  const same = await createTfjsEngine({ backend: a.selection.backend });
  assert.equal(same.selection.backend, a.selection.backend);
  const other = a.selection.backend === 'cpu' ? 'wasm' : 'cpu';
  await assert.rejects(createTfjsEngine({ backend: other }), (e: Error) => {
    assert.ok(e instanceof EngineError);
    assert.match(e.message, /already/);
    return true;
  });
  await assert.rejects(loadBackend('gpu' as never), /unknown tfjs backend 'gpu'/);
});

test('models start from core initialParameters and reject bad input with clear EngineErrors', async () => {
  const engine = await createTfjsEngine();
  const m = engine.createModel(MLP, { seed: 5 });
  try {
    assert.deepEqual(m.exportParams(), initialParameters(MLP, 5));
    const x = new Float32Array(8);
    assert.throws(
      () => m.lossAndGrad({ x: new Float32Array(7), y: new Int32Array(2), n: 2 }),
      (e: Error) => e instanceof EngineError && /7 floats, expected n \* inputSize = 2 \* 4 = 8/.test(e.message),
    );
    assert.throws(
      () => m.evaluate({ x, y: Int32Array.from([0, 3]), n: 2 }),
      (e: Error) => e instanceof EngineError && /label y\[1\] = 3 is out of range \[0, 3\)/.test(e.message),
    );
    assert.throws(() => m.evaluate({ x, y: new Int32Array(1), n: 2 }), /1 labels, expected n = 2/);
    assert.throws(() => m.evaluate({ x: Array.from(x) as never, y: new Int32Array(2), n: 2 }), /must be a Float32Array/);
    assert.throws(() => m.importParams(new Float32Array(3)), /importParams: expected 43 floats for model 'mlp', got 3/);
    assert.throws(() => m.addNoise(m.vector(), -1), /std must be >= 0/);
    assert.throws(() => engine.createModel(MLP, { seed: Number.NaN }), /seed must be a finite number/);
    assert.throws(
      () => engine.createModel(MLP, { seed: 1, initialParams: new Float64Array(43) as never }),
      /initialParams must be a Float32Array of 43 floats/,
    );
  } finally {
    m.dispose();
  }
  assert.throws(() => m.exportParams(), /model 'mlp' has been disposed/);
});

test('a backend without Conv2DBackpropFilter refuses the native conv-gradient path clearly', async (t) => {
  const engine = await createTfjsEngine();
  if (engine.tf.getKernel('Conv2DBackpropFilter', engine.selection.tfBackend)) {
    t.skip(`backend ${engine.selection.tfBackend} has the kernel`);
    return;
  }
  await assert.rejects(
    createTfjsEngine({ convFilterGradByConv: false }),
    /no Conv2DBackpropFilter kernel: convFilterGradByConv must be true/,
  );
});
