// Model-level behaviour: counts, initialisation, determinism, import/export, modes, batch norm,
// dropout, the loss itself, errors and lifecycle.
import assert from 'node:assert/strict';
import type { Batch, Model } from '../engine.js';
import { initialBuffers, initialParameters } from '../init.js';
import { layoutOf, type ModelSpec } from '../spec.js';
import { HAND_NET, MIXED_NET, NETS, VEC_NET, dropoutProbeNet } from './nets.js';
import { referenceForward } from './reference.js';
import type { CaseContext, ConformanceCase } from './types.js';
import {
  assertBitsEqual,
  assertClose,
  assertScalarClose,
  assertThrowsEngineError,
  assertUnchanged,
  bitsEqual,
  normals,
  randomBatch,
  snapshot,
  testBuffers,
  testParams,
  withModel,
} from './util.js';

const mixed = (ctx: CaseContext, seed = 42) => () => ctx.engine.createModel(MIXED_NET, { seed });
const NET = (id: string) => NETS.find((n) => n.id === id)!;

/** Equal within the determinism tolerance (bit-identical when it is 0). */
function assertSame(a: Float32Array, b: Float32Array, rtol: number, what: string): void {
  if (rtol === 0) assertBitsEqual(a, b, what);
  else assertClose(a, b, 0, rtol, what);
}

function sameScalar(a: number, b: number, rtol: number, what: string): void {
  if (rtol === 0) assert.ok(Object.is(a, b), `${what}: ${a} vs ${b} (must be identical)`);
  else assertScalarClose(a, b, 0, rtol, what);
}

export const modelCases: ConformanceCase[] = [
  // ------------------------------------------------------------------ counts and initialisation
  {
    id: 'counts.layout',
    title: 'numParams, numBuffers, spec and vector lengths follow layoutOf(spec); BatchResult.n is the batch size',
    async run(ctx) {
      for (const spec of [...NETS.map((n) => n.spec), MIXED_NET, VEC_NET]) {
        const layout = layoutOf(spec);
        await withModel(
          () => ctx.engine.createModel(spec, { seed: 1 }),
          (m) => {
            assert.equal(m.numParams, layout.numParams, `${spec.name}: numParams`);
            assert.equal(m.numBuffers, layout.numBuffers, `${spec.name}: numBuffers`);
            assert.deepEqual(m.spec, spec, `${spec.name}: spec`);
            assert.equal(m.exportParams().length, layout.numParams, `${spec.name}: exportParams length`);
            assert.equal(m.exportBuffers().length, layout.numBuffers, `${spec.name}: exportBuffers length`);
            assert.equal(m.read(m.grad).length, layout.numParams, `${spec.name}: grad length`);
            assert.ok(m.exportParams() instanceof Float32Array, 'exportParams returns a Float32Array');
            assert.ok(m.exportBuffers() instanceof Float32Array, 'exportBuffers returns a Float32Array');
          },
        );
      }
      await withModel(mixed(ctx), (m) => {
        const b = randomBatch(MIXED_NET, 5, 1);
        assert.equal(m.lossAndGrad(b).n, 5);
        assert.equal(m.evaluate(b).n, 5);
        const r = m.evaluate(b);
        assert.ok(Number.isInteger(r.correct) && r.correct >= 0 && r.correct <= 5, `correct ${r.correct} in [0, n]`);
      });
    },
  },
  {
    id: 'init.core-initial-parameters',
    title: "initial params are bit-identical to core's initialParameters(spec, seed); buffers are mean 0 / var 1",
    async run(ctx) {
      for (const spec of [MIXED_NET, NET('conv-stride-padding').spec, NET('batchnorm1d').spec]) {
        for (const seed of [0, 42, 0xdeadbeef]) {
          await withModel(
            () => ctx.engine.createModel(spec, { seed }),
            (m) => {
              assertBitsEqual(m.exportParams(), initialParameters(spec, seed), `${spec.name} seed ${seed}: params`);
              assertBitsEqual(m.exportBuffers(), initialBuffers(spec), `${spec.name} seed ${seed}: buffers`);
            },
          );
        }
      }
      const a = ctx.engine.createModel(MIXED_NET, { seed: 1 });
      const b = ctx.engine.createModel(MIXED_NET, { seed: 2 });
      try {
        assert.ok(!bitsEqual(a.exportParams(), b.exportParams()), 'different seeds give the same weights');
      } finally {
        a.dispose();
        b.dispose();
      }
    },
  },
  {
    id: 'init.initial-params-option',
    title: 'ModelOptions.initialParams is used exactly and copied (later edits of the array have no effect)',
    async run(ctx) {
      const P = normals(layoutOf(MIXED_NET).numParams, 21);
      const keep = P.slice();
      await withModel(
        () => ctx.engine.createModel(MIXED_NET, { seed: 1, initialParams: P }),
        (m) => {
          assertBitsEqual(m.exportParams(), keep, 'params');
          P.fill(0);
          assertBitsEqual(m.exportParams(), keep, 'params after the caller edited its array');
          assertBitsEqual(m.exportBuffers(), initialBuffers(MIXED_NET), 'buffers');
        },
      );
    },
  },
  // ------------------------------------------------------------------ determinism
  {
    id: 'determinism.same-seed',
    title: 'two models with the same seed give identical losses, gradients, running stats and noise over several train steps',
    async run(ctx) {
      const rtol = ctx.tol.determinismRtol;
      const a = ctx.engine.createModel(MIXED_NET, { seed: 42 });
      const b = ctx.engine.createModel(MIXED_NET, { seed: 42 });
      try {
        for (let step = 0; step < 3; step++) {
          const batch = randomBatch(MIXED_NET, 6, 100 + step);
          const ra = a.lossAndGrad(batch);
          const rb = b.lossAndGrad(batch);
          sameScalar(ra.loss, rb.loss, rtol, `step ${step}: loss`);
          assert.equal(ra.correct, rb.correct, `step ${step}: correct`);
          assertSame(a.read(a.grad), b.read(b.grad), rtol, `step ${step}: gradient`);
          assertSame(a.exportBuffers(), b.exportBuffers(), rtol, `step ${step}: running stats`);
          for (const m of [a, b]) {
            m.axpy(m.params, -0.05, m.grad);
            m.addNoise(m.params, 1e-3);
          }
          assertSame(a.exportParams(), b.exportParams(), rtol, `step ${step}: params after SGD + noise`);
        }
      } finally {
        a.dispose();
        b.dispose();
      }
    },
  },
  {
    id: 'determinism.reseed-dropout',
    title: 'seed() makes dropout masks reproducible; without reseeding, successive train passes use fresh masks',
    async run(ctx) {
      const rtol = ctx.tol.determinismRtol;
      await withModel(mixed(ctx), (m) => {
        const batch = randomBatch(MIXED_NET, 6, 31);
        m.setMode('train');
        m.seed(9);
        const r1 = m.lossAndGrad(batch);
        const g1 = m.read(m.grad);
        const r2 = m.lossAndGrad(batch);
        const g2 = m.read(m.grad);
        assert.ok(r1.loss !== r2.loss || !bitsEqual(g1, g2), 'two train passes without reseeding used the same dropout masks');
        m.seed(9);
        const r3 = m.lossAndGrad(batch);
        sameScalar(r3.loss, r1.loss, rtol, 'loss after seed(9) again');
        assertSame(m.read(m.grad), g1, rtol, 'gradient after seed(9) again');
        m.seed(9);
        const e = m.evaluate(batch);
        assertScalarClose(e.loss, r1.loss, ctx.tol.lossAtol, ctx.tol.lossRtol, 'train-mode evaluate after seed(9) uses the same masks as lossAndGrad');
      });
    },
  },
  // ------------------------------------------------------------------ import / export
  {
    id: 'io.params-roundtrip',
    title: 'exportParams(importParams(p)) is bit-identical; the forward pass uses the imported weights',
    async run(ctx) {
      await withModel(mixed(ctx), (m) => {
        const P = normals(m.numParams, 41, 0.3);
        P[0] = -0;
        m.importParams(P);
        assertBitsEqual(m.exportParams(), P, 'params round trip');
        assertBitsEqual(m.read(m.params), P, 'read(params) after importParams');
        m.setMode('eval');
        const batch = randomBatch(MIXED_NET, 4, 42);
        const ref = referenceForward(MIXED_NET, P, m.exportBuffers(), batch.x, batch.y, batch.n, { mode: 'eval' });
        assertScalarClose(m.evaluate(batch).loss, ref.loss, ctx.tol.lossAtol, ctx.tol.lossRtol, 'eval loss with imported params');
      });
    },
  },
  {
    id: 'io.buffers-roundtrip',
    title: 'exportBuffers(importBuffers(b)) is bit-identical; eval mode uses the imported statistics',
    async run(ctx) {
      await withModel(mixed(ctx), (m) => {
        const B = testBuffers(MIXED_NET, 43);
        m.importBuffers(B);
        assertBitsEqual(m.exportBuffers(), B, 'buffers round trip');
        m.setMode('eval');
        const batch = randomBatch(MIXED_NET, 4, 44);
        const ref = referenceForward(MIXED_NET, m.exportParams(), B, batch.x, batch.y, batch.n, { mode: 'eval' });
        assertScalarClose(m.evaluate(batch).loss, ref.loss, ctx.tol.lossAtol, ctx.tol.lossRtol, 'eval loss with imported buffers');
      });
      await withModel(
        () => ctx.engine.createModel(VEC_NET, { seed: 1 }),
        (m) => {
          assert.equal(m.exportBuffers().length, 0, 'no batch norm: no buffers');
          m.importBuffers(new Float32Array(0));
          m.resetBatchNormStats();
          m.updateBatchNormStats(randomBatch(VEC_NET, 2, 1));
          assert.equal(m.exportBuffers().length, 0);
        },
      );
    },
  },
  {
    id: 'io.no-aliasing',
    title: 'exported arrays and arrays passed to import/write/read are copies, never views of engine memory',
    async run(ctx) {
      await withModel(mixed(ctx), (m) => {
        const P = normals(m.numParams, 45);
        const keep = P.slice();
        m.importParams(P);
        P.fill(1);
        assertBitsEqual(m.exportParams(), keep, 'after editing the imported array');
        const out = m.exportParams();
        out.fill(2);
        assertBitsEqual(m.exportParams(), keep, 'after editing an exported array');
        const r = m.read(m.params);
        r.fill(3);
        assertBitsEqual(m.exportParams(), keep, 'after editing a read() array');
        const W = normals(m.numParams, 46);
        const wKeep = W.slice();
        const v = m.vector();
        m.write(v, W);
        W.fill(4);
        assertBitsEqual(m.read(v), wKeep, 'after editing a written array');
        const B = testBuffers(MIXED_NET, 47);
        const bKeep = B.slice();
        m.importBuffers(B);
        B.fill(5);
        m.exportBuffers().fill(6);
        assertBitsEqual(m.exportBuffers(), bKeep, 'buffers after editing imported/exported arrays');
      });
    },
  },
  // ------------------------------------------------------------------ modes
  {
    id: 'mode.switch',
    title: "a new model is in 'train' mode; setMode switches both ways; an invalid mode throws and changes nothing",
    async run(ctx) {
      await withModel(mixed(ctx), (m) => {
        assert.equal(m.mode, 'train', 'initial mode (torch modules start in train mode)');
        m.setMode('eval');
        assert.equal(m.mode, 'eval');
        m.setMode('eval');
        assert.equal(m.mode, 'eval');
        m.setMode('train');
        assert.equal(m.mode, 'train');
        assertThrowsEngineError(() => m.setMode('test' as never), "setMode('test')");
        assert.equal(m.mode, 'train', 'mode after a rejected setMode');
      });
    },
  },
  {
    id: 'mode.dropout-train-only',
    title: 'dropout is the identity in eval mode (deterministic, equal to the reference) and random in train mode',
    async run(ctx) {
      const net = NET('dropout');
      await withModel(
        () => ctx.engine.createModel(net.spec, { seed: 5 }),
        (m) => {
          const batch = randomBatch(net.spec, 8, 51);
          m.setMode('eval');
          const e1 = m.evaluate(batch);
          const e2 = m.evaluate(batch);
          const e3 = m.lossAndGrad(batch);
          assert.ok(Object.is(e1.loss, e2.loss), `eval losses differ: ${e1.loss} vs ${e2.loss}`);
          assertScalarClose(e3.loss, e1.loss, ctx.tol.lossAtol, ctx.tol.lossRtol, 'eval lossAndGrad vs evaluate');
          const ref = referenceForward(net.spec, m.exportParams(), [], batch.x, batch.y, batch.n, { mode: 'eval' });
          assertScalarClose(e1.loss, ref.loss, ctx.tol.lossAtol, ctx.tol.lossRtol, 'eval loss vs reference (dropout = identity)');
          m.setMode('train');
          const losses = new Set<number>();
          for (let i = 0; i < 5; i++) losses.add(m.evaluate(batch).loss);
          assert.ok(losses.size > 1, 'five train-mode passes gave identical losses: dropout inactive in train mode?');
          m.setMode('eval');
          assert.ok(Object.is(m.evaluate(batch).loss, e1.loss), 'eval loss changed after train-mode passes');
        },
      );
    },
  },
  {
    id: 'dropout.rate-and-scale',
    title: 'train-mode dropout zeroes each activation with probability p and scales survivors by 1/(1-p)',
    async run(ctx) {
      const C = 5;
      const a = 2;
      for (const p of [0.3, 0.75, 0]) {
        const spec = dropoutProbeNet(C, p);
        const n = 2000;
        // Identity linear layer: logits = dropout(x). Sample s has x = a * e_{y_s}, y_s in 1..C-1, so it
        // is classified correctly iff its one non-zero activation survived (else all logits are 0 and
        // argmax is class 0).
        const P = new Float32Array(C * C + C);
        for (let i = 0; i < C; i++) P[i * C + i] = 1;
        const x = new Float32Array(n * C);
        const y = new Int32Array(n);
        for (let s = 0; s < n; s++) {
          y[s] = 1 + (s % (C - 1));
          x[s * C + y[s]] = a;
        }
        const batch: Batch = { x, y, n };
        await withModel(
          () => ctx.engine.createModel(spec, { seed: 61, initialParams: P }),
          (m) => {
            const kept = a / (1 - p);
            const lossKept = Math.log(1 + (C - 1) * Math.exp(-kept));
            const lossDropped = Math.log(C);
            m.setMode('train');
            const r = m.evaluate(batch);
            const k = r.correct;
            const sd = Math.sqrt(n * p * (1 - p));
            assert.ok(
              Math.abs(k - n * (1 - p)) <= ctx.tol.sigmas * sd + (p === 0 ? 0 : 1),
              `p=${p}: ${k} of ${n} activations survived, expected ~${n * (1 - p)}`,
            );
            const expected = (k * lossKept + (n - k) * lossDropped) / n;
            assertScalarClose(r.loss, expected, 1e-4, 1e-4, `p=${p}: loss given ${k} survivors scaled by 1/(1-p)`);
            m.setMode('eval');
            const e = m.evaluate(batch);
            assert.equal(e.correct, n, `p=${p}: eval mode keeps everything`);
            assertScalarClose(e.loss, Math.log(1 + (C - 1) * Math.exp(-a)), 1e-5, 1e-5, `p=${p}: eval loss (no scaling)`);
          },
        );
      }
    },
  },
  // ------------------------------------------------------------------ batch norm
  {
    id: 'batchnorm.train-batch-stats',
    title: 'train mode normalises with batch statistics and updates running stats (momentum, unbiased variance) like torch',
    async run(ctx) {
      for (const net of [NET('batchnorm1d'), NET('batchnorm2d')]) {
        const spec = net.spec;
        const P = testParams(spec, 71);
        const B = testBuffers(spec, 72);
        const batch = randomBatch(spec, net.batch, 73);
        await withModel(
          () => ctx.engine.createModel(spec, { seed: 1, initialParams: P }),
          (m) => {
            m.importBuffers(B);
            m.setMode('train');
            const ref = referenceForward(spec, P, B, batch.x, batch.y, batch.n, { mode: 'train' });
            const r = m.lossAndGrad(batch);
            assertScalarClose(r.loss, ref.loss, ctx.tol.lossAtol, ctx.tol.lossRtol, `${spec.name}: train loss`);
            assertClose(m.exportBuffers(), ref.buffers, ctx.tol.bufferAtol, ctx.tol.bufferRtol, `${spec.name}: running stats after lossAndGrad`);
            assertBitsEqual(m.exportParams(), P, `${spec.name}: lossAndGrad changed params`);
            // A second pass updates on top of the first.
            const ref2 = referenceForward(spec, P, ref.buffers, batch.x, batch.y, batch.n, { mode: 'train' });
            m.lossAndGrad(batch);
            assertClose(m.exportBuffers(), ref2.buffers, ctx.tol.bufferAtol, ctx.tol.bufferRtol, `${spec.name}: running stats after two passes`);
            // The train loss does not depend on the running statistics.
            m.importBuffers(testBuffers(spec, 74));
            assertScalarClose(m.lossAndGrad(batch).loss, ref.loss, ctx.tol.lossAtol, ctx.tol.lossRtol, `${spec.name}: train loss with other running stats`);
          },
        );
      }
    },
  },
  {
    id: 'batchnorm.eval-running-stats',
    title: 'eval mode normalises with the running statistics and never changes them',
    async run(ctx) {
      for (const net of [NET('batchnorm1d'), NET('batchnorm2d')]) {
        const spec = net.spec;
        const P = testParams(spec, 81);
        const B = testBuffers(spec, 82);
        const batch = randomBatch(spec, net.batch, 83);
        await withModel(
          () => ctx.engine.createModel(spec, { seed: 1, initialParams: P }),
          (m) => {
            m.importBuffers(B);
            m.setMode('eval');
            const ref = referenceForward(spec, P, B, batch.x, batch.y, batch.n, { mode: 'eval' });
            assertScalarClose(m.evaluate(batch).loss, ref.loss, ctx.tol.lossAtol, ctx.tol.lossRtol, `${spec.name}: eval loss`);
            assertScalarClose(m.lossAndGrad(batch).loss, ref.loss, ctx.tol.lossAtol, ctx.tol.lossRtol, `${spec.name}: eval lossAndGrad loss`);
            assertBitsEqual(m.exportBuffers(), B, `${spec.name}: eval passes changed the running stats`);
            const one: Batch = { x: batch.x.subarray(0, batch.x.length / batch.n), y: batch.y.subarray(0, 1), n: 1 };
            const ref1 = referenceForward(spec, P, B, one.x, one.y, 1, { mode: 'eval' });
            assertScalarClose(m.evaluate(one).loss, ref1.loss, ctx.tol.lossAtol, ctx.tol.lossRtol, `${spec.name}: eval with a batch of 1`);
            const B2 = testBuffers(spec, 84);
            m.importBuffers(B2);
            const ref2 = referenceForward(spec, P, B2, batch.x, batch.y, batch.n, { mode: 'eval' });
            assertScalarClose(m.evaluate(batch).loss, ref2.loss, ctx.tol.lossAtol, ctx.tol.lossRtol, `${spec.name}: eval loss follows imported stats`);
          },
        );
      }
    },
  },
  {
    id: 'batchnorm.update-stats',
    title: 'updateBatchNormStats: a train-mode pass with dropout off that updates running stats only; params, grad and mode unchanged',
    async run(ctx) {
      const P = testParams(MIXED_NET, 91);
      const B = testBuffers(MIXED_NET, 92);
      const batch = randomBatch(MIXED_NET, 6, 93);
      await withModel(
        () => ctx.engine.createModel(MIXED_NET, { seed: 1, initialParams: P }),
        (m) => {
          for (const mode of ['eval', 'train'] as const) {
            m.setMode(mode);
            m.importBuffers(B);
            m.lossAndGrad(batch);
            m.importBuffers(B);
            const G = m.read(m.grad);
            const ref = referenceForward(MIXED_NET, P, B, batch.x, batch.y, batch.n, { mode: 'train', dropoutOff: true });
            m.updateBatchNormStats(batch);
            assert.equal(m.mode, mode, `mode after updateBatchNormStats in ${mode} mode`);
            assertClose(m.exportBuffers(), ref.buffers, ctx.tol.bufferAtol, ctx.tol.bufferRtol, `running stats (from ${mode} mode)`);
            assertBitsEqual(m.exportParams(), P, `params after updateBatchNormStats (from ${mode} mode)`);
            assertBitsEqual(m.read(m.grad), G, `grad after updateBatchNormStats (from ${mode} mode)`);
            const ref2 = referenceForward(MIXED_NET, P, ref.buffers, batch.x, batch.y, batch.n, { mode: 'train', dropoutOff: true });
            m.updateBatchNormStats(batch);
            assertClose(m.exportBuffers(), ref2.buffers, ctx.tol.bufferAtol, ctx.tol.bufferRtol, `running stats after two refreshes (from ${mode} mode)`);
          }
        },
      );
    },
  },
  {
    id: 'batchnorm.reset',
    title: 'resetBatchNormStats restores running mean 0 and variance 1 and nothing else',
    async run(ctx) {
      await withModel(mixed(ctx), (m) => {
        m.importBuffers(testBuffers(MIXED_NET, 95));
        const P = m.exportParams();
        m.setMode('eval');
        m.resetBatchNormStats();
        assertBitsEqual(m.exportBuffers(), initialBuffers(MIXED_NET), 'buffers after reset');
        assertBitsEqual(m.exportParams(), P, 'params after reset');
        assert.equal(m.mode, 'eval', 'mode after reset');
      });
    },
  },
  // ------------------------------------------------------------------ the loss
  {
    id: 'loss.hand-computed',
    title: 'mean softmax cross-entropy, correct count and gradient of a hand-computed linear case',
    async run(ctx) {
      // W = [[1,0],[0,1],[1,1]], b = [0, 0.5, -1]; x1 = [1, 2] (label 1), x2 = [-1, 0.5] (label 0).
      // logits1 = [1, 2.5, 2]   -> loss1 = log(e^1 + e^2.5 + e^2) - 2.5    = 0.6041306...
      // logits2 = [-1, 1, -1.5] -> loss2 = log(e^-1 + e^1 + e^-1.5) + 1    = 2.1967341...
      // mean = 1.4004324...; argmax1 = 1 (hit), argmax2 = 1 (miss): correct = 1.
      const P = new Float32Array([1, 0, 0, 1, 1, 1, 0, 0.5, -1]);
      const batch: Batch = { x: new Float32Array([1, 2, -1, 0.5]), y: new Int32Array([1, 0]), n: 2 };
      const expectedLoss = 1.4004323511281727;
      // Gradient: dL/dz = (softmax(z) - onehot(y)) / n; dW = dz^T x; db = sum_s dz.
      const z = [[1, 2.5, 2], [-1, 1, -1.5]];
      const xs = [[1, 2], [-1, 0.5]];
      const ys = [1, 0];
      const G = new Float64Array(9);
      z.forEach((row, s) => {
        const e = row.map(Math.exp);
        const sum = e.reduce((p, c) => p + c, 0);
        row.forEach((_, o) => {
          const dz = (e[o] / sum - (o === ys[s] ? 1 : 0)) / 2;
          G[o * 2] += dz * xs[s][0];
          G[o * 2 + 1] += dz * xs[s][1];
          G[6 + o] += dz;
        });
      });
      await withModel(
        () => ctx.engine.createModel(HAND_NET, { seed: 1, initialParams: P }),
        (m) => {
          for (const mode of ['train', 'eval'] as const) {
            m.setMode(mode);
            const r = m.lossAndGrad(batch);
            assertScalarClose(r.loss, expectedLoss, 1e-6, 1e-6, `${mode}: loss`);
            assert.equal(r.correct, 1, `${mode}: correct`);
            assert.equal(r.n, 2);
            assertClose(m.read(m.grad), G, 1e-6, 1e-5, `${mode}: gradient`);
            const e = m.evaluate(batch);
            assertScalarClose(e.loss, expectedLoss, 1e-6, 1e-6, `${mode}: evaluate loss`);
            assert.equal(e.correct, 1, `${mode}: evaluate correct`);
          }
        },
      );
    },
  },
  {
    id: 'loss.stable-large-logits',
    title: 'the loss is computed stably (log-softmax) for logits of magnitude 1000',
    async run(ctx) {
      const P = new Float32Array([1000, 0, 0, 1000, 0, 0, 0, 0, 0]);
      const batch: Batch = { x: new Float32Array([1, 0, 0, 1, -1, 0]), y: new Int32Array([1, 1, 0]), n: 3 };
      // logits: [1000,0,0] label 1 -> 1000; [0,1000,0] label 1 -> ~0; [-1000,0,0] label 0 -> 1000 + log 2.
      const expected = (1000 + 0 + 1000 + Math.log(2)) / 3;
      await withModel(
        () => ctx.engine.createModel(HAND_NET, { seed: 1, initialParams: P }),
        (m) => {
          const r = m.lossAndGrad(batch);
          assert.ok(Number.isFinite(r.loss), `loss is ${r.loss}`);
          assertScalarClose(r.loss, expected, 1e-3, 1e-6, 'loss');
          assert.equal(r.correct, 1);
          assert.ok(m.allFinite(m.grad), 'gradient is finite');
        },
      );
    },
  },
  {
    id: 'grad.overwritten-not-accumulated',
    title: 'lossAndGrad overwrites grad (no accumulation across calls) and never changes params or mode',
    async run(ctx) {
      await withModel(mixed(ctx), (m) => {
        m.setMode('eval');
        const b1 = randomBatch(MIXED_NET, 5, 101);
        const b2 = randomBatch(MIXED_NET, 5, 102);
        const P = m.exportParams();
        m.lossAndGrad(b1);
        const g1 = m.read(m.grad);
        m.lossAndGrad(b2);
        const g2 = m.read(m.grad);
        m.lossAndGrad(b1);
        assertBitsEqual(m.read(m.grad), g1, 'grad of b1 after a pass on b2');
        assert.ok(!bitsEqual(g1, g2), 'different batches gave the same gradient');
        m.write(m.grad, normals(m.numParams, 103));
        m.lossAndGrad(b1);
        assertBitsEqual(m.read(m.grad), g1, 'grad after grad was overwritten by hand');
        assertBitsEqual(m.exportParams(), P, 'params after lossAndGrad');
        m.evaluate(b1);
        assertBitsEqual(m.read(m.grad), g1, 'evaluate must not touch grad');
        assertBitsEqual(m.exportParams(), P, 'params after evaluate');
        assert.equal(m.mode, 'eval');
      });
    },
  },
  // ------------------------------------------------------------------ errors
  {
    id: 'errors.wrong-size',
    title: 'write/importParams/importBuffers/initialParams of the wrong length throw and change nothing',
    async run(ctx) {
      await withModel(mixed(ctx), (m) => {
        m.importBuffers(testBuffers(MIXED_NET, 111));
        const before = snapshot(m);
        const v = m.vector(m.params);
        for (const len of [m.numParams - 1, m.numParams + 1, 0]) {
          assertThrowsEngineError(() => m.write(m.params, new Float32Array(len)), `write(params, ${len} floats)`);
          assertThrowsEngineError(() => m.write(v, new Float32Array(len)), `write(v, ${len} floats)`);
          assertThrowsEngineError(() => m.importParams(new Float32Array(len)), `importParams(${len} floats)`);
        }
        for (const len of [m.numBuffers - 1, m.numBuffers + 1, 0]) {
          assertThrowsEngineError(() => m.importBuffers(new Float32Array(len)), `importBuffers(${len} floats)`);
        }
        assertUnchanged(m, before, 'after rejected writes');
        assertBitsEqual(m.read(v), before.params, 'vector after a rejected write');
        const n = layoutOf(MIXED_NET).numParams;
        assertThrowsEngineError(
          () => ctx.engine.createModel(MIXED_NET, { seed: 1, initialParams: new Float32Array(n - 1) }),
          'createModel with initialParams of the wrong length',
        );
      });
    },
  },
  {
    id: 'errors.bad-batch',
    title: 'malformed batches (x or y length, labels out of range, n <= 0) throw and change nothing; the model stays usable',
    async run(ctx) {
      await withModel(mixed(ctx), (m) => {
        const good = randomBatch(MIXED_NET, 4, 121);
        m.lossAndGrad(good);
        const G = m.read(m.grad);
        const inSize = good.x.length / good.n;
        const bad: [string, Batch][] = [
          ['x too short', { x: good.x.subarray(0, good.x.length - 1), y: good.y, n: 4 }],
          ['x too long', { x: new Float32Array(good.x.length + inSize), y: good.y, n: 4 }],
          ['y too short', { x: good.x, y: good.y.subarray(0, 3), n: 4 }],
          ['label -1', { x: good.x, y: Int32Array.from([0, -1, 1, 2]), n: 4 }],
          ['label == numClasses', { x: good.x, y: Int32Array.from([0, 1, MIXED_NET.numClasses, 2]), n: 4 }],
          ['n = 0', { x: new Float32Array(0), y: new Int32Array(0), n: 0 }],
          ['n = -1', { x: good.x, y: good.y, n: -1 }],
        ];
        for (const mode of ['train', 'eval'] as const) {
          m.setMode(mode);
          const before = snapshot(m);
          for (const [what, b] of bad) {
            assertThrowsEngineError(() => m.lossAndGrad(b), `${mode}: lossAndGrad with ${what}`);
            assertThrowsEngineError(() => m.evaluate(b), `${mode}: evaluate with ${what}`);
            assertThrowsEngineError(() => m.updateBatchNormStats(b), `${mode}: updateBatchNormStats with ${what}`);
          }
          assertUnchanged(m, before, `${mode}: after rejected batches`);
          assertBitsEqual(m.read(m.grad), G, `${mode}: grad after rejected batches`);
          assert.equal(m.mode, mode);
        }
        m.setMode('eval');
        m.lossAndGrad(good);
        assert.ok(m.allFinite(m.grad), 'usable after errors');
      });
    },
  },
  {
    id: 'errors.batchnorm-single-sample',
    title: 'batch norm in train mode with one value per channel throws (as torch); eval mode accepts a batch of 1',
    async run(ctx) {
      const spec = NET('batchnorm1d').spec;
      await withModel(
        () => ctx.engine.createModel(spec, { seed: 1 }),
        (m) => {
          const one = randomBatch(spec, 1, 131);
          const before = snapshot(m);
          m.setMode('train');
          assertThrowsEngineError(() => m.lossAndGrad(one), 'train lossAndGrad with n = 1');
          assertThrowsEngineError(() => m.updateBatchNormStats(one), 'updateBatchNormStats with n = 1');
          assertUnchanged(m, before, 'after rejected single-sample batches');
          m.setMode('eval');
          assert.ok(Number.isFinite(m.lossAndGrad(one).loss), 'eval lossAndGrad with n = 1');
        },
      );
    },
  },
  {
    id: 'errors.invalid-spec',
    title: 'createModel rejects invalid specs with an Error naming the problem',
    async run(ctx) {
      const bad: [string, ModelSpec][] = [
        ['unknown layer kind', { name: 'bad', inputShape: [4], numClasses: 2, layers: [{ kind: 'softmax' } as never] }],
        ['linear in-features mismatch', { name: 'bad', inputShape: [4], numClasses: 2, layers: [{ kind: 'linear', inFeatures: 5, outFeatures: 2 }] }],
        ['logits != numClasses', { name: 'bad', inputShape: [4], numClasses: 3, layers: [{ kind: 'linear', inFeatures: 4, outFeatures: 2 }] }],
        ['conv kernel larger than input', { name: 'bad', inputShape: [1, 3, 3], numClasses: 2, layers: [{ kind: 'conv2d', inChannels: 1, outChannels: 2, kernel: 5 }, { kind: 'flatten' }] }],
        ['dropout p = 1', { name: 'bad', inputShape: [2], numClasses: 2, layers: [{ kind: 'dropout', p: 1 }] }],
        ['empty inputShape', { name: 'bad', inputShape: [], numClasses: 2, layers: [] }],
        ['batchnorm2d on a vector', { name: 'bad', inputShape: [2], numClasses: 2, layers: [{ kind: 'batchnorm2d', features: 2 }] }],
      ];
      for (const [what, spec] of bad) {
        assertThrowsEngineError(() => ctx.engine.createModel(spec, { seed: 1 }).dispose(), what, true);
      }
    },
  },
  {
    id: 'errors.foreign-vec',
    title: "a Vec of another model (or a non-Vec) is rejected",
    async run(ctx) {
      const a = ctx.engine.createModel(MIXED_NET, { seed: 1 });
      const b = ctx.engine.createModel(MIXED_NET, { seed: 2 });
      try {
        const P = a.exportParams();
        assertThrowsEngineError(() => a.copy(a.params, b.params), 'copy(a.params, b.params)');
        assertThrowsEngineError(() => a.read(b.vector()), 'a.read(b.vector())');
        assertThrowsEngineError(() => a.axpy(a.params, 1, b.grad), 'a.axpy(a.params, 1, b.grad)');
        assertThrowsEngineError(() => a.read({} as never), 'read({})');
        assertBitsEqual(a.exportParams(), P, 'params after rejected foreign vectors');
      } finally {
        a.dispose();
        b.dispose();
      }
    },
  },
  // ------------------------------------------------------------------ lifecycle
  {
    id: 'lifecycle.dispose',
    title: 'after dispose every method throws EngineError; other models are unaffected',
    async run(ctx) {
      const other = ctx.engine.createModel(MIXED_NET, { seed: 2 });
      try {
        const m: Model = ctx.engine.createModel(MIXED_NET, { seed: 1 });
        const v = m.vector();
        const batch = randomBatch(MIXED_NET, 3, 141);
        const P = new Float32Array(m.numParams);
        const B = new Float32Array(m.numBuffers);
        m.dispose();
        const calls: [string, () => unknown][] = [
          ['lossAndGrad', () => m.lossAndGrad(batch)],
          ['evaluate', () => m.evaluate(batch)],
          ['updateBatchNormStats', () => m.updateBatchNormStats(batch)],
          ['resetBatchNormStats', () => m.resetBatchNormStats()],
          ['setMode', () => m.setMode('eval')],
          ['seed', () => m.seed(1)],
          ['exportParams', () => m.exportParams()],
          ['importParams', () => m.importParams(P)],
          ['exportBuffers', () => m.exportBuffers()],
          ['importBuffers', () => m.importBuffers(B)],
          ['vector', () => m.vector()],
          ['free', () => m.free(v)],
          ['copy', () => m.copy(v, m.params)],
          ['fill', () => m.fill(v, 1)],
          ['scale', () => m.scale(v, 2)],
          ['axpy', () => m.axpy(v, 1, m.grad)],
          ['axpby', () => m.axpby(v, 1, 1, m.grad)],
          ['addNoise', () => m.addNoise(v, 1)],
          ['dot', () => m.dot(v, v)],
          ['norm', () => m.norm(v)],
          ['allFinite', () => m.allFinite(v)],
          ['read', () => m.read(m.params)],
          ['write', () => m.write(m.params, P)],
        ];
        for (const [what, call] of calls) assertThrowsEngineError(call, `${what} after dispose`);
        other.lossAndGrad(batch);
        assert.ok(other.allFinite(other.grad), 'another model still works');
        const fresh = ctx.engine.createModel(MIXED_NET, { seed: 1 });
        try {
          assertBitsEqual(fresh.exportParams(), initialParameters(MIXED_NET, 1), 'a model created after a dispose');
        } finally {
          fresh.dispose();
        }
      } finally {
        other.dispose();
      }
    },
  },
];
