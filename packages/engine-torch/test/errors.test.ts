// Error paths: every bad input gives a clear error (EngineError from the TypeScript face, an Error
// with code ERR_TORCH_USAGE from the addon itself) and never aborts the process; use after dispose
// throws; and where the addon is missing the package still imports and says how to fix it.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { EngineError, initialParameters, type Vec } from '@deeprelax/core';
import { createTorchEngine } from '@deeprelax/engine-torch';
import { loadNative, type NativeModel, type NativeModelConfig } from '../src/native.js';
import { LENET, MIXED, batchOf, skipUnlessBuilt } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('torch engine: the addon without a build', () => {
  it('imports without throwing, reports unavailable with the remedy, and createTorchEngine throws TorchUnavailableError', async () => {
    // A copy of the TypeScript face with no build/ beside it.
    const root = join(here, '..', '.test-unbuilt');
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    try {
      cpSync(join(here, '..', 'src'), join(root, 'src'), { recursive: true, filter: (p) => !p.includes('native/') });
      writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module' }));
      const mod = (await import(pathToFileURL(join(root, 'src', 'index.ts')).href)) as typeof import('@deeprelax/engine-torch');
      const a = mod.available();
      assert.equal(a.ok, false);
      assert.match(a.reason, /not built/);
      assert.match(a.reason, /apt-get install libtorch-dev/);
      assert.match(a.reason, /npm run build:native -w @deeprelax\/engine-torch/);
      assert.throws(() => mod.createTorchEngine(), (e: unknown) => {
        assert.ok(e instanceof EngineError, 'an EngineError');
        assert.equal((e as Error).name, 'TorchUnavailableError');
        assert.match((e as Error).message, /build:native/);
        return true;
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

function isEngineError(pattern: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof EngineError, `expected an EngineError, got ${String(e)}`);
    assert.match((e as Error).message, pattern);
    return true;
  };
}

describe('torch engine: errors from the TypeScript face', { skip: skipUnlessBuilt }, () => {
  it('bad engine options', () => {
    assert.throws(() => createTorchEngine({ device: 'tpu' as never }), isEngineError(/device/));
    assert.throws(() => createTorchEngine({ threads: 0 }), isEngineError(/threads/));
    assert.throws(() => createTorchEngine({ threads: 1.5 }), isEngineError(/threads/));
    assert.throws(() => createTorchEngine({ kernels: 'simd' as never }), isEngineError(/kernels/));
  });

  it('bad createModel inputs', () => {
    const e = createTorchEngine();
    assert.throws(() => e.createModel({ ...MIXED, layers: [{ kind: 'softmax' } as never] }, { seed: 1 }), /unknown layer kind/);
    assert.throws(() => e.createModel(MIXED, { seed: NaN }), isEngineError(/seed/));
    assert.throws(() => e.createModel(MIXED, { seed: 1, initialParams: new Float32Array(3) }), isEngineError(/initialParams/));
  });

  it('wrong sizes, bad batches, foreign and freed vectors, non-numbers: EngineError and nothing changes', () => {
    const e = createTorchEngine();
    const m = e.createModel(LENET, { seed: 1 });
    const other = e.createModel(LENET, { seed: 2 });
    try {
      const p0 = m.exportParams();
      const b = batchOf(LENET, 4, 1);
      assert.throws(() => m.importParams(new Float32Array(p0.length - 1)), isEngineError(/expected numParams/));
      assert.throws(() => m.importParams(new Float64Array(p0.length) as never), isEngineError(/Float32Array/));
      assert.throws(() => m.importBuffers(new Float32Array(1)), isEngineError(/numBuffers/));
      assert.throws(() => m.lossAndGrad({ ...b, x: b.x.subarray(1) }), isEngineError(/n \* inputSize/));
      assert.throws(() => m.lossAndGrad({ ...b, y: b.y.subarray(1) }), isEngineError(/labels/));
      assert.throws(() => m.lossAndGrad({ ...b, n: 0 }), isEngineError(/positive integer/));
      assert.throws(() => m.lossAndGrad({ ...b, n: 2.5 }), isEngineError(/positive integer/));
      assert.throws(() => m.lossAndGrad({ ...b, y: Int32Array.from([0, 1, 10, 2]) }), isEngineError(/y\[2\] = 10 is out of range/));
      assert.throws(() => m.evaluate({ ...b, y: Int32Array.from([0, -1, 1, 2]) }), isEngineError(/out of range/));
      assert.throws(() => m.lossAndGrad({ ...b, x: Array.from(b.x) as never }), isEngineError(/Float32Array/));
      assert.throws(() => m.copy(m.params, other.params), isEngineError(/another model/));
      assert.throws(() => m.copy(m.params, {} as Vec), isEngineError(/not a vector/));
      const v = m.vector();
      m.free(v);
      assert.throws(() => m.norm(v), isEngineError(/freed/));
      assert.throws(() => m.free(v), isEngineError(/freed/));
      assert.throws(() => m.free(m.params), isEngineError(/cannot be freed/));
      assert.throws(() => m.free(m.grad), isEngineError(/cannot be freed/));
      assert.throws(() => m.scale(m.params, '2' as never), isEngineError(/number/));
      assert.throws(() => m.addNoise(m.params, -1), isEngineError(/std/));
      assert.throws(() => m.addNoise(m.params, Infinity), isEngineError(/std/));
      assert.throws(() => m.setMode('test' as never), isEngineError(/mode/));
      assert.deepEqual(m.exportParams(), p0);
      assert.ok(Number.isFinite(m.lossAndGrad(b).loss));
    } finally {
      m.dispose();
      other.dispose();
    }
  });

  it('a batch rejected by a later batch-norm layer changes no running statistic and draws no random numbers', () => {
    const spec = {
      name: 'bn-late',
      inputShape: [2, 2, 2],
      numClasses: 3,
      layers: [
        { kind: 'batchnorm2d', features: 2 },
        { kind: 'dropout', p: 0.5 },
        { kind: 'flatten' },
        { kind: 'batchnorm1d', features: 8 },
        { kind: 'linear', inFeatures: 8, outFeatures: 3 },
      ],
    } as const;
    const m = createTorchEngine().createModel(spec as never, { seed: 1 });
    try {
      m.seed(5);
      const b0 = m.exportBuffers();
      const one = batchOf(spec as never, 1, 1);
      assert.throws(() => m.lossAndGrad(one), isEngineError(/more than 1 value per channel/));
      assert.throws(() => m.updateBatchNormStats(one), isEngineError(/more than 1 value per channel/));
      assert.deepEqual(m.exportBuffers(), b0);
      const two = batchOf(spec as never, 2, 2);
      const r1 = m.lossAndGrad(two);
      m.importBuffers(b0);
      m.seed(5);
      assert.equal(m.lossAndGrad(two).loss, r1.loss, 'the rejected calls drew no dropout masks');
      m.setMode('eval');
      assert.ok(Number.isFinite(m.lossAndGrad(one).loss), 'eval mode accepts a batch of 1');
    } finally {
      m.dispose();
    }
  });

  it('use after dispose throws EngineError for every method', () => {
    const m = createTorchEngine().createModel(MIXED, { seed: 1 });
    const v = m.vector();
    m.dispose();
    const b = batchOf(MIXED, 3, 1);
    const calls: Array<[string, () => unknown]> = [
      ['vector', () => m.vector()],
      ['copy', () => m.copy(m.params, v)],
      ['fill', () => m.fill(m.params, 0)],
      ['norm', () => m.norm(m.params)],
      ['dot', () => m.dot(m.params, m.grad)],
      ['read', () => m.read(m.grad)],
      ['lossAndGrad', () => m.lossAndGrad(b)],
      ['evaluate', () => m.evaluate(b)],
      ['updateBatchNormStats', () => m.updateBatchNormStats(b)],
      ['exportParams', () => m.exportParams()],
      ['exportBuffers', () => m.exportBuffers()],
      ['resetBatchNormStats', () => m.resetBatchNormStats()],
      ['setMode', () => m.setMode('eval')],
      ['seed', () => m.seed(1)],
      ['dispose', () => m.dispose()],
    ];
    for (const [name, call] of calls) assert.throws(call, EngineError, name);
  });
});

describe('torch addon: every entry point checks what it is handed', { skip: skipUnlessBuilt }, () => {
  const usage = (pattern: RegExp) => (e: unknown) => {
    assert.ok(e instanceof Error, 'an Error');
    assert.equal((e as Error & { code?: string }).code, 'ERR_TORCH_USAGE', (e as Error).message);
    assert.match((e as Error).message, pattern);
    return true;
  };

  function nativeModel(overrides: Partial<NativeModelConfig> = {}): NativeModel {
    const n = loadNative();
    assert.ok(n.ok);
    return new n.addon.NativeModel({
      inputShape: MIXED.inputShape,
      numClasses: MIXED.numClasses,
      layers: MIXED.layers,
      seed: 1,
      device: 'cpu',
      kernels: 'fast',
      params: initialParameters(MIXED, 1),
      buffers: null,
      ...overrides,
    });
  }

  it('rejects bad configs: unknown kinds, bad fields, wrong initial sizes, unknown device', () => {
    const n = loadNative();
    assert.ok(n.ok);
    assert.throws(() => new n.addon.NativeModel(undefined as never), usage(/config must be an object/));
    assert.throws(() => nativeModel({ layers: [{ kind: 'softmax' } as never] }), usage(/unknown layer kind 'softmax'/));
    assert.throws(() => nativeModel({ layers: [{ kind: 'linear', inFeatures: 'x' } as never] }), usage(/inFeatures must be a number/));
    assert.throws(() => nativeModel({ layers: [{ kind: 'linear', inFeatures: 5, outFeatures: 4 }] }), usage(/expects input \[5\]/));
    assert.throws(() => nativeModel({ layers: [{ kind: 'dropout', p: 1 }, { kind: 'flatten' }] }), usage(/p must be in/));
    assert.throws(() => nativeModel({ params: new Float32Array(5) }), usage(/initial params has length 5/));
    assert.throws(() => nativeModel({ device: 'tpu' as never }), usage(/unknown device 'tpu'/));
    assert.throws(() => nativeModel({ kernels: 'simd' as never }), usage(/kernels/));
    assert.throws(() => nativeModel({ seed: 0.5 }), usage(/seed must be an integer/));
  });

  it('rejects bad calls: wrong array types and lengths, bad handles, missing arguments', () => {
    const m = nativeModel();
    const b = batchOf(MIXED, 3, 1);
    const out = new Float64Array(2);
    assert.throws(() => m.lossAndGrad(b.x, b.y, 4, out), usage(/batch x has length 648, expected 864/));
    assert.throws(() => m.lossAndGrad(new Float64Array(b.x) as never, b.y, 3, out), usage(/batch x must be a Float32Array/));
    assert.throws(() => m.lossAndGrad(b.x, new Uint32Array(3) as never, 3, out), usage(/batch y must be an Int32Array/));
    assert.throws(() => m.lossAndGrad(b.x, b.y, 3, new Float32Array(2) as never), usage(/result must be a Float64Array/));
    assert.throws(() => m.lossAndGrad(b.x, b.y, -3, out), usage(/n must be >= 1/));
    assert.throws(() => (m.lossAndGrad as (...a: unknown[]) => void)(b.x), usage(/missing argument/));
    assert.throws(() => m.copy(0, 7), usage(/invalid vector handle 7/));
    assert.throws(() => m.copy(0, 1.5), usage(/must be an integer/));
    assert.throws(() => m.write(0, new Float32Array(3)), usage(/data has length 3/));
    assert.throws(() => m.freeVec(0), usage(/cannot be freed/));
    assert.throws(() => m.setTrain(1 as never), usage(/boolean/));
    const v = m.newVec(-1);
    m.freeVec(v);
    assert.throws(() => m.norm(v), usage(/invalid vector handle/));
    m.lossAndGrad(b.x, b.y, 3, out);
    assert.ok(Number.isFinite(out[0]));
    m.dispose();
    assert.throws(() => m.norm(0), usage(/disposed/));
    assert.throws(() => m.lossAndGrad(b.x, b.y, 3, out), usage(/disposed/));
  });
});
