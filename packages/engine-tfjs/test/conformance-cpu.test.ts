// The engine conformance suite against tfjs on the pure-JavaScript cpu backend (the last resort):
// with the cpu defaults, with tfjs's own gradient kernels only (the path the libtensorflow backends
// take), and with every hand-written gradient (conv.ts, linear.ts, pool.ts) on; plus a direct check
// that the conv gradients agree on strided, padded convolutions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initialParameters, Rng, type ModelSpec } from '@deeprelax/core';
import { runEngineConformance } from '@deeprelax/core/conformance';
import { createTfjsEngine } from '@deeprelax/engine-tfjs';

runEngineConformance('tfjs (cpu)', () => createTfjsEngine({ backend: 'cpu' }));
// tfjs's own gradients for every layer: the path the libtensorflow backends take.
runEngineConformance("tfjs (cpu, tfjs's own gradient kernels)", () =>
  createTfjsEngine({ backend: 'cpu', convFilterGradByConv: false, maxPoolGradByScatter: false, plainMatMuls: false }),
);
// Every hand-written gradient on: the combination the wasm backend uses.
runEngineConformance('tfjs (cpu, all hand-written gradients)', () =>
  createTfjsEngine({ backend: 'cpu', convFilterGradByConv: true, convInputGradByConv: true, maxPoolGradByScatter: true, plainMatMuls: true }),
);

test('conv gradients by forward convolution equal the Conv2DBackprop{Filter,Input} kernels', async () => {
  const viaConv = await createTfjsEngine({ backend: 'cpu', convFilterGradByConv: true, convInputGradByConv: true });
  const viaKernel = await createTfjsEngine({ backend: 'cpu', convFilterGradByConv: false });
  for (const [stride, padding, kernel, size] of [
    [1, 0, 3, 7],
    [2, 1, 3, 8],
    [3, 2, 4, 9],
    [2, 0, 2, 7],
  ]) {
    const out = Math.floor((size + 2 * padding - kernel) / stride) + 1;
    const spec: ModelSpec = {
      name: `conv-s${stride}-p${padding}-k${kernel}`,
      inputShape: [2, size, size - 1],
      numClasses: 3,
      layers: [
        // batch norm first, so that the conv's input depends on parameters and dx is computed too
        { kind: 'batchnorm2d', features: 2 },
        { kind: 'conv2d', inChannels: 2, outChannels: 3, kernel, stride, padding },
        { kind: 'flatten' },
        { kind: 'linear', inFeatures: 3 * out * (Math.floor((size - 1 + 2 * padding - kernel) / stride) + 1), outFeatures: 3 },
      ],
    };
    const rng = new Rng(stride * 10 + padding);
    const n = 3;
    const x = new Float32Array(n * 2 * size * (size - 1)).map(() => rng.normal());
    const y = Int32Array.from([0, 1, 2]);
    const p = initialParameters(spec, 3);
    const a = viaConv.createModel(spec, { seed: 1, initialParams: p });
    const b = viaKernel.createModel(spec, { seed: 1, initialParams: p });
    try {
      const ra = a.lossAndGrad({ x, y, n });
      const rb = b.lossAndGrad({ x, y, n });
      assert.equal(ra.loss, rb.loss);
      const ga = a.read(a.grad);
      const gb = b.read(b.grad);
      for (let i = 0; i < ga.length; i++) {
        assert.ok(Math.abs(ga[i] - gb[i]) <= 1e-6 + 1e-5 * Math.abs(gb[i]), `${spec.name} grad[${i}]: ${ga[i]} vs ${gb[i]}`);
      }
    } finally {
      a.dispose();
      b.dispose();
    }
  }
});
