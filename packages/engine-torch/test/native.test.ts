// The torch engine against its own oracle: the hand-written backward (model.cc) equals libtorch's
// autograd on the same functional ops (reference.cc), for the fast CPU kernels and the ATen-only
// path that CUDA takes, in train mode (dropout masks replayed by seed()) and eval mode; plus
// settings, NaN behaviour and memory that stays flat.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialParameters, layoutOf, type ModelSpec } from '@deeprelax/core';
import { createTorchEngine, type TorchModel } from '@deeprelax/engine-torch';
import { LENET, MIXED, MNISTFC, assertClose, batchOf, maxAbs, skipUnlessBuilt, status } from './helpers.js';

const CASES: Array<[ModelSpec, number]> = [
  [MIXED, 6],
  [LENET, 16],
  [MNISTFC, 16],
];

describe('torch engine: hand-written backward vs libtorch autograd', { skip: skipUnlessBuilt }, () => {
  for (const kernels of ['fast', 'aten'] as const) {
    for (const [spec, n] of CASES) {
      for (const mode of ['train', 'eval'] as const) {
        it(`${spec.name}, ${kernels} kernels, ${mode} mode`, () => {
          const engine = createTorchEngine({ kernels });
          const m = engine.createModel(spec, { seed: 11 });
          try {
            m.setMode(mode);
            const batch = batchOf(spec, n, 5);
            if (mode === 'eval') {
              // non-trivial running statistics
              const b = m.exportBuffers();
              for (const slot of layoutOf(spec).buffers) {
                for (let i = slot.offset; i < slot.offset + slot.size; i++) {
                  b[i] = slot.name === 'runningVar' ? 0.5 + (i % 7) / 5 : ((i % 5) - 2) / 4;
                }
              }
              m.importBuffers(b);
            }
            m.seed(99);
            const ref = m.referenceLossAndGrad(batch);
            m.seed(99);
            const r = m.lossAndGrad(batch);
            const g = m.read(m.grad);
            assert.ok(Number.isFinite(r.loss));
            assert.ok(Math.abs(r.loss - ref.loss) <= 1e-5 * (1 + Math.abs(ref.loss)), `loss ${r.loss} vs ${ref.loss}`);
            assert.equal(r.correct, ref.correct);
            assert.ok(maxAbs(ref.grad) > 0);
            assertClose(g, ref.grad, 1e-5 * maxAbs(ref.grad), 1e-3, `${spec.name} gradient`);
          } finally {
            m.dispose();
          }
        });
      }
    }
  }

  it('fast and ATen kernels agree on loss, gradient and running statistics (same dropout masks)', () => {
    for (const [spec, n] of CASES) {
      const p = initialParameters(spec, 3);
      const a = createTorchEngine({ kernels: 'fast' }).createModel(spec, { seed: 4, initialParams: p });
      const b = createTorchEngine({ kernels: 'aten' }).createModel(spec, { seed: 4, initialParams: p });
      try {
        for (let step = 0; step < 3; step++) {
          const batch = batchOf(spec, n, 100 + step);
          const ra = a.lossAndGrad(batch);
          const rb = b.lossAndGrad(batch);
          assert.ok(Math.abs(ra.loss - rb.loss) <= 1e-5 * (1 + Math.abs(rb.loss)), `${spec.name}: ${ra.loss} vs ${rb.loss}`);
          const gb = b.read(b.grad);
          assertClose(a.read(a.grad), gb, 1e-5 * maxAbs(gb), 1e-3, `${spec.name} step ${step} gradient`);
          a.axpy(a.params, -0.1, a.grad);
          b.axpy(b.params, -0.1, b.grad);
        }
        assertClose(a.exportBuffers(), b.exportBuffers(), 1e-5, 1e-4, `${spec.name} running stats`);
      } finally {
        a.dispose();
        b.dispose();
      }
    }
  });
});

describe('torch engine: settings and behaviour', { skip: skipUnlessBuilt }, () => {
  it('reports libtorch, device, threads and the GEMM in use', () => {
    assert.ok(status.ok);
    const e = createTorchEngine();
    assert.equal(e.name, 'torch');
    assert.equal(e.device, 'cpu');
    assert.match(e.description, /^libtorch \d+\.\d+\.\d+ \(cpu, 1 thread/);
    if (e.info.dnnl) assert.match(e.description, /oneDNN sgemm/);
    const m = e.createModel(MIXED, { seed: 1 });
    assert.match(m.describe(), /^libtorch .*cpu/);
    m.dispose();
  });

  it('threads are settable and default to 1', () => {
    assert.equal(createTorchEngine({ threads: 2 }).info.threads, 2);
    assert.equal(createTorchEngine().info.threads, 1);
  });

  it("device 'auto' picks cuda only where present; 'cuda' without it throws TorchUnavailableError", () => {
    const e = createTorchEngine({ device: 'auto' });
    assert.equal(e.device, e.info.cuda ? 'cuda' : 'cpu');
    if (!e.info.cuda) {
      assert.throws(() => createTorchEngine({ device: 'cuda' }), { name: 'TorchUnavailableError', message: /no CUDA/ });
    }
  });

  it('NaN inputs give a NaN loss and gradient, never a crash; the model stays usable', () => {
    for (const kernels of ['fast', 'aten'] as const) {
      const m = createTorchEngine({ kernels }).createModel(LENET, { seed: 1 });
      try {
        const b = batchOf(LENET, 8, 1);
        b.x[37] = NaN;
        for (const mode of ['train', 'eval'] as const) {
          m.setMode(mode);
          m.resetBatchNormStats();
          const r = m.lossAndGrad(b);
          assert.ok(Number.isNaN(r.loss), `${kernels}/${mode}: loss ${r.loss}`);
          assert.equal(m.allFinite(m.grad), false);
          assert.ok(Number.isNaN(m.evaluate(b).loss));
        }
        m.resetBatchNormStats();
        m.setMode('train');
        const ok = m.lossAndGrad(batchOf(LENET, 8, 2));
        assert.ok(Number.isFinite(ok.loss));
        assert.equal(m.allFinite(m.grad), true);
      } finally {
        m.dispose();
      }
    }
  });

  it('gradient views: lossAndGrad writes every element of the flat gradient (stale values never survive)', () => {
    const m = createTorchEngine().createModel(MIXED, { seed: 2 });
    try {
      const b = batchOf(MIXED, 6, 3);
      m.lossAndGrad(b);
      const g1 = m.read(m.grad);
      m.fill(m.grad, 12345);
      m.lossAndGrad(b);
      const g2 = m.read(m.grad);
      for (let i = 0; i < g2.length; i++) assert.notEqual(g2[i], 12345, `grad[${i}] not written`);
      // same batch, but dropout masks differ: only check that both are finite and non-zero
      assert.ok(maxAbs(g1) > 0 && maxAbs(g2) > 0);
    } finally {
      m.dispose();
    }
  });

  it('addNoise: mean 0, the requested std, reproducible after seed()', () => {
    const m = createTorchEngine().createModel(MNISTFC, { seed: 5 });
    try {
      const v = m.vector();
      m.seed(8);
      m.addNoise(v, 0.5);
      const a = m.read(v);
      let s = 0;
      let s2 = 0;
      for (const x of a) {
        s += x;
        s2 += x * x;
      }
      const mean = s / a.length;
      const std = Math.sqrt(s2 / a.length - mean * mean);
      assert.ok(Math.abs(mean) < 6 * (0.5 / Math.sqrt(a.length)), `mean ${mean}`);
      assert.ok(Math.abs(std - 0.5) < 0.005, `std ${std}`);
      m.fill(v, 0);
      m.seed(8);
      m.addNoise(v, 0.5);
      assert.deepEqual(m.read(v), a);
    } finally {
      m.dispose();
    }
  });

  it('the caching CPU allocator reuses large blocks, keeps results bit-identical and respects its limit', () => {
    const batch = batchOf(LENET, 512, 3); // LeNet at 512: activation blocks far above the 64 KiB floor
    const run = (cpuCacheMiB: number) => {
      const engine = createTorchEngine({ cpuCacheMiB });
      const m = engine.createModel(LENET, { seed: 4 });
      try {
        m.setMode('train');
        m.updateBatchNormStats(batch);
        const before = engine.cpuCacheStats();
        m.seed(5); // the same dropout masks for both steps
        const r1 = m.lossAndGrad(batch);
        const g1 = m.read(m.grad);
        const mid = engine.cpuCacheStats();
        m.seed(5);
        const r2 = m.lossAndGrad(batch);
        const after = engine.cpuCacheStats();
        assert.deepEqual([r2.loss, r2.correct], [r1.loss, r1.correct], 'same batch, same result');
        return { r: r1, g: g1, stats: { before, mid, after }, buffers: m.exportBuffers() };
      } finally {
        m.dispose();
      }
    };
    const off = run(0);
    assert.equal(off.stats.after.hits, off.stats.mid.hits, 'cache off: nothing is reused');
    assert.equal(off.stats.after.cachedBytes, 0);
    const on = run(512);
    const hits = on.stats.after.hits - on.stats.mid.hits;
    const misses = on.stats.after.misses - on.stats.mid.misses;
    assert.ok(hits > 10 && misses === 0, `second identical step served from the cache: ${hits} hits, ${misses} misses`);
    assert.ok(on.stats.after.cachedBytes <= 512 * 2 ** 20 && on.stats.after.limitBytes === 512 * 2 ** 20);
    // Reused (uninitialised) blocks change nothing: bit-identical to the run without the cache.
    assert.deepEqual([on.r.loss, on.r.correct], [off.r.loss, off.r.correct]);
    assert.ok(Buffer.from(on.g.buffer).equals(Buffer.from(off.g.buffer)), 'gradient bit-identical');
    assert.ok(Buffer.from(on.buffers.buffer).equals(Buffer.from(off.buffers.buffer)), 'BN statistics bit-identical');
    // A lower limit drops what no longer fits; the default limit comes back for the other tests.
    const small = createTorchEngine({ cpuCacheMiB: 1 }).cpuCacheStats();
    assert.ok(small.cachedBytes <= 2 ** 20, `${small.cachedBytes} cached under a 1 MiB limit`);
    assert.equal(createTorchEngine().cpuCacheStats().limitBytes, 512 * 2 ** 20);
    assert.throws(() => createTorchEngine({ cpuCacheMiB: -1 }), /cpuCacheMiB/);
    assert.throws(() => createTorchEngine({ cpuCacheMiB: 1.5 }), /cpuCacheMiB/);
  });

  it('memory stays flat over many steps with vectors allocated and freed', () => {
    const m: TorchModel = createTorchEngine().createModel(LENET, { seed: 1 });
    try {
      const b = batchOf(LENET, 32, 1);
      const step = () => {
        m.lossAndGrad(b);
        const v = m.vector(m.params);
        m.axpy(v, -0.01, m.grad);
        m.addNoise(v, 1e-4);
        m.copy(m.params, v);
        m.free(v);
        m.read(m.grad);
      };
      for (let i = 0; i < 300; i++) step();
      globalThis.gc?.();
      const before = process.memoryUsage().rss;
      for (let i = 0; i < 1500; i++) step();
      globalThis.gc?.();
      const grew = (process.memoryUsage().rss - before) / 2 ** 20;
      assert.ok(grew < 24, `RSS grew by ${grew.toFixed(1)} MiB over 1500 steps`);
    } finally {
      m.dispose();
    }
  });
});
