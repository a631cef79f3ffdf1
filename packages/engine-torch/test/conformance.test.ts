// The shared Engine conformance suite (@deeprelax/core/conformance) against the torch engine, once
// with the fast CPU kernels (oneDNN sgemm, fused loops) and once with plain ATen ops only, which is
// the code path CUDA takes. Skips, with the reason, where the addon is not built.
import { test } from 'node:test';
import { runEngineConformance } from '@deeprelax/core/conformance';
import { available, createTorchEngine } from '@deeprelax/engine-torch';

const status = available();
if (!status.ok) {
  test('torch engine conformance', { skip: status.reason }, () => {});
} else {
  runEngineConformance('torch (cpu, fast kernels)', () => createTorchEngine({ device: 'cpu' }));
  runEngineConformance('torch (cpu, ATen kernels: the CUDA code path)', () =>
    createTorchEngine({ device: 'cpu', kernels: 'aten' }),
  );
}
