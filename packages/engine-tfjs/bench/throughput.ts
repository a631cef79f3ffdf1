// Training throughput of the tfjs engine: samples/s of one SGD step (lossAndGrad in train mode plus
// axpy(params, -lr, grad)) at batch 128 on random MNIST-shaped data.
//
//   node --conditions=deeprelax-src --import tsx packages/engine-tfjs/bench/throughput.ts [backend] [net...]
//
// backend: auto (default), wasm, cpu, tensorflow, tensorflow-gpu. Nets: mlp (784-128-10), smallconv,
// lenet, mnistfc (the last two as in packages/models). Prints one JSON object per net.
import type { ModelSpec } from '@deeprelax/core';
import { Rng } from '@deeprelax/core';
import { createTfjsEngine, type BackendPreference } from '@deeprelax/engine-tfjs';

const NETS: Record<string, ModelSpec> = {
  mlp: {
    name: 'mlp-784-128-10',
    inputShape: [1, 28, 28],
    numClasses: 10,
    layers: [
      { kind: 'flatten' },
      { kind: 'linear', inFeatures: 784, outFeatures: 128 },
      { kind: 'relu' },
      { kind: 'linear', inFeatures: 128, outFeatures: 10 },
    ],
  },
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
  lenet: {
    name: 'lenet',
    inputShape: [1, 28, 28],
    numClasses: 10,
    layers: [
      { kind: 'conv2d', inChannels: 1, outChannels: 20, kernel: 5 },
      { kind: 'relu' },
      { kind: 'maxpool2d', kernel: 3, stride: 3 },
      { kind: 'batchnorm2d', features: 20 },
      { kind: 'dropout', p: 0.25 },
      { kind: 'conv2d', inChannels: 20, outChannels: 50, kernel: 5 },
      { kind: 'relu' },
      { kind: 'maxpool2d', kernel: 2, stride: 2 },
      { kind: 'batchnorm2d', features: 50 },
      { kind: 'dropout', p: 0.25 },
      { kind: 'flatten' },
      { kind: 'linear', inFeatures: 200, outFeatures: 500 },
      { kind: 'relu' },
      { kind: 'dropout', p: 0.25 },
      { kind: 'linear', inFeatures: 500, outFeatures: 10 },
    ],
  },
  mnistfc: {
    name: 'mnistfc',
    inputShape: [1, 28, 28],
    numClasses: 10,
    layers: [
      { kind: 'flatten' },
      { kind: 'dropout', p: 0.2 },
      { kind: 'linear', inFeatures: 784, outFeatures: 1024 },
      { kind: 'relu' },
      { kind: 'batchnorm1d', features: 1024 },
      { kind: 'dropout', p: 0.2 },
      { kind: 'linear', inFeatures: 1024, outFeatures: 1024 },
      { kind: 'relu' },
      { kind: 'dropout', p: 0.2 },
      { kind: 'batchnorm1d', features: 1024 },
      { kind: 'linear', inFeatures: 1024, outFeatures: 10 },
    ],
  },
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
