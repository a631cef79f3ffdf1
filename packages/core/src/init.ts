// PyTorch's default initialisation, computed once in core from a seed so that every engine starts
// from bit-identical weights: Linear/Conv2d weight and bias ~ U(-1/sqrt(fanIn), 1/sqrt(fanIn))
// (kaiming_uniform with a = sqrt(5) reduces to this bound), batch-norm gamma = 1, beta = 0,
// running mean = 0, running var = 1.
import { Rng } from './rng.js';
import { layoutOf, type ModelSpec } from './spec.js';

export function initialParameters(spec: ModelSpec, seed: number): Float32Array {
  const layout = layoutOf(spec);
  const out = new Float32Array(layout.numParams);
  const rng = new Rng(seed, 0x1417);
  for (const slot of layout.params) {
    const view = out.subarray(slot.offset, slot.offset + slot.size);
    if (slot.fanIn === 0) {
      view.fill(slot.name === 'weight' ? 1 : 0);
    } else {
      const bound = 1 / Math.sqrt(slot.fanIn);
      for (let i = 0; i < view.length; i++) view[i] = (2 * rng.uniform() - 1) * bound;
    }
  }
  return out;
}

export function initialBuffers(spec: ModelSpec): Float32Array {
  const layout = layoutOf(spec);
  const out = new Float32Array(layout.numBuffers);
  for (const slot of layout.buffers) {
    out.fill(slot.name === 'runningVar' ? 1 : 0, slot.offset, slot.offset + slot.size);
  }
  return out;
}
