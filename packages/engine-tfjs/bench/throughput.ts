// Training throughput of the tfjs engine: samples/s of one SGD step (lossAndGrad in train mode plus
// axpy(params, -lr, grad)) at batch 128 on random MNIST-shaped data.
//
//   node --conditions=deeprelax-src --import tsx packages/engine-tfjs/bench/throughput.ts [backend] [net...]
//
// backend: auto (default), wasm, cpu, tensorflow, tensorflow-gpu. Nets: mlp (784-128-10), smallconv,
// lenet, mnistfc (all but smallconv from @deeprelax/models). Prints one JSON object per net.
import type { ModelSpec } from '@deeprelax/core';
import { Rng } from '@deeprelax/core';
import { createTfjsEngine, type BackendPreference } from '@deeprelax/engine-tfjs';
import { lenet, mlp, mnistfc } from '@deeprelax/models';

const NETS: Record<string, ModelSpec> = {
  mlp: mlp([784, 128, 10], [1, 28, 28]),
  smallconv: {
    name: 'smallconv',
    inputShape: [1, 28, 28],
    numClasses: 10,
    layers: [
      { kind: 'conv2d', inChannels: 1, outChannels: 8, kernel: 5 },
      { kind: 'relu' },
      { kind: 'maxpool2d', kernel: 2 },
      { kind: 'conv2d', inChannels: 8, outChannels: 16, kernel: 5 },
      { kind: 'relu' },
      { kind: 'maxpool2d', kernel: 2 },
      { kind: 'flatten' },
      { kind: 'linear', inFeatures: 256, outFeatures: 10 },
    ],
  },
  lenet: lenet(),
  mnistfc: mnistfc(),
};

const backend = (process.argv[2] ?? 'auto') as BackendPreference;
const names = process.argv.length > 3 ? process.argv.slice(3) : ['mlp', 'smallconv'];
const engine = await createTfjsEngine({ backend });
const B = 128;
const rng = new Rng(1);
const batches = Array.from({ length: 4 }, () => {
  const x = new Float32Array(B * 784);
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform();
  const y = new Int32Array(B);
  for (let i = 0; i < B; i++) y[i] = rng.int(10);
  return { x, y, n: B };
});
for (const name of names) {
  const spec = NETS[name];
  if (!spec) throw new Error(`unknown net ${name}; known: ${Object.keys(NETS).join(', ')}`);
  const m = engine.createModel(spec, { seed: 1 });
  const step = (i: number) => {
    m.lossAndGrad(batches[i % batches.length]);
    m.axpy(m.params, -0.01, m.grad);
  };
  for (let i = 0; i < 3; i++) step(i);
  let steps = 0;
  const t0 = performance.now();
  while (steps < 3 || (performance.now() - t0 < 5000 && steps < 400)) step(steps++);
  const s = (performance.now() - t0) / 1000;
  m.dispose();
  process.stdout.write(
    JSON.stringify({
      engine: engine.description,
      net: spec.name,
      params: m.numParams,
      batch: B,
      steps,
      samplesPerSec: Math.round((steps * B) / s),
      msPerStep: +((s * 1000) / steps).toFixed(2),
    }) + '\n',
  );
}
