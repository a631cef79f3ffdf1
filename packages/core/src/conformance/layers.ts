// Per-network layer tests: forward against the float64 reference (layout + maths), the engine's
// gradient against float64 central differences of the reference, and the engine's gradient against
// float32 finite differences of its own forward pass (which also covers train-mode dropout).
import assert from 'node:assert/strict';
import type { Model } from '../engine.js';
import { layoutOf } from '../spec.js';
import { NETS, type TestNet } from './nets.js';
import { referenceForward, referenceGradient } from './reference.js';
import type { CaseContext, ConformanceCase } from './types.js';
import {
  assertClose,
  assertScalarClose,
  dot64,
  maxAbs,
  normals,
  paramLabel,
  randomBatch,
  testBuffers,
  testParams,
  withModel,
} from './util.js';

type Mode = 'train' | 'eval';

function setup(ctx: CaseContext, net: TestNet) {
  const spec = net.spec;
  const params = testParams(spec, 11);
  const buffers = testBuffers(spec, 12);
  const batch = randomBatch(spec, net.batch, 13);
  const make = () => ctx.engine.createModel(spec, { seed: 7 });
  const load = (m: Model) => {
    m.importParams(params);
    m.importBuffers(buffers);
  };
  return { spec, params, buffers, batch, make, load };
}

function forwardCase(net: TestNet): ConformanceCase {
  return {
    id: `forward.${net.id}`,
    title: `${net.spec.name}: loss and correct count match the float64 reference (${net.dropout ? 'eval' : 'train and eval'} mode)`,
    async run(ctx) {
      const { spec, params, buffers, batch, make, load } = setup(ctx, net);
      const modes: Mode[] = net.dropout ? ['eval'] : ['train', 'eval'];
      await withModel(make, (m) => {
        for (const mode of modes) {
          load(m);
          m.setMode(mode);
          const ref = referenceForward(spec, params, buffers, batch.x, batch.y, batch.n, { mode });
          const r = m.evaluate(batch);
          assertScalarClose(r.loss, ref.loss, ctx.tol.lossAtol, ctx.tol.lossRtol, `${mode}-mode evaluate loss`);
          assert.equal(r.correct, ref.correct, `${mode}-mode evaluate correct count`);
          assert.equal(r.n, batch.n, 'BatchResult.n');
          load(m);
          const r2 = m.lossAndGrad(batch);
          assertScalarClose(r2.loss, ref.loss, ctx.tol.lossAtol, ctx.tol.lossRtol, `${mode}-mode lossAndGrad loss`);
          assert.equal(r2.correct, ref.correct, `${mode}-mode lossAndGrad correct count`);
          assert.equal(r2.n, batch.n, 'BatchResult.n');
        }
      });
    },
  };
}

function gradCase(net: TestNet): ConformanceCase {
  const modes: Mode[] = net.dropout ? ['eval'] : net.batchNorm ? ['train', 'eval'] : ['train'];
  return {
    id: `grad.${net.id}`,
    title: `${net.spec.name}: gradient matches float64 central differences of the reference (${modes.join(' and ')} mode)`,
    async run(ctx) {
      const { spec, params, buffers, batch, make, load } = setup(ctx, net);
      await withModel(make, (m) => {
        for (const mode of modes) {
          load(m);
          m.setMode(mode);
          m.lossAndGrad(batch);
          const g = m.read(m.grad);
          const ref = referenceGradient(spec, params, buffers, batch.x, batch.y, batch.n, { mode });
          assert.ok(maxAbs(ref) > 1e-3, 'test net has a degenerate gradient');
          assertClose(g, ref, ctx.tol.gradAtol, ctx.tol.gradRtol, `${mode}-mode gradient`, paramLabel(spec));
        }
      });
    },
  };
}

function fdCase(net: TestNet): ConformanceCase {
  const modes: Mode[] = net.dropout ? ['eval', 'train'] : net.batchNorm ? ['train', 'eval'] : ['train'];
  return {
    id: `grad-fd.${net.id}`,
    title:
      `${net.spec.name}: gradient agrees with float32 finite differences of the engine's own loss` +
      (net.dropout ? ' (train mode with masks fixed by seed())' : ''),
    async run(ctx) {
      const { spec, params, batch, make, load } = setup(ctx, net);
      const layout = layoutOf(spec);
      const h = ctx.tol.fdStep;
      await withModel(make, (m) => {
        for (const mode of modes) {
          load(m);
          m.setMode(mode);
          const fixMasks = mode === 'train' && net.dropout;
          if (fixMasks) m.seed(1234);
          const r = m.lossAndGrad(batch);
          const g = m.read(m.grad);
          const loss = (w: Float32Array) => {
            m.write(m.params, w);
            if (fixMasks) m.seed(1234);
            return m.evaluate(batch).loss;
          };
          const l0 = loss(params);
          assertScalarClose(l0, r.loss, ctx.tol.lossAtol, ctx.tol.lossRtol, `${mode}-mode evaluate vs lossAndGrad loss`);
          // Directions: the whole gradient, the gradient of each parameter tensor, a random one.
          const dirs: { what: string; d: Float64Array }[] = [];
          const unit = (d: Float64Array) => {
            const n = Math.sqrt(dot64(d, d));
            return n > 0 ? d.map((v) => v / n) : null;
          };
          const full = unit(Float64Array.from(g));
          if (full) dirs.push({ what: 'along the gradient', d: full });
          for (const s of layout.params) {
            const d = new Float64Array(g.length);
            for (let i = s.offset; i < s.offset + s.size; i++) d[i] = g[i];
            const u = unit(d);
            if (u) dirs.push({ what: `along layer ${s.layer} (${spec.layers[s.layer].kind}) ${s.name}'s gradient`, d: u });
          }
          const rnd = unit(Float64Array.from(normals(g.length, 77)));
          if (rnd) dirs.push({ what: 'along a random direction', d: rnd });
          for (const { what, d } of dirs) {
            const wp = params.map((v, i) => v + h * d[i]);
            const wm = params.map((v, i) => v - h * d[i]);
            const step = Float64Array.from(wp, (v, i) => v - wm[i]);
            const expected = dot64(g, step);
            const actual = loss(wp) - loss(wm);
            const err = Math.abs(actual - expected);
            assert.ok(
              err <= ctx.tol.fdAtol + ctx.tol.fdRtol * Math.abs(expected),
              `${mode} mode, ${what}: L(w+) - L(w-) = ${actual}, grad . (w+ - w-) = ${expected} ` +
                `(|diff| ${err.toExponential(3)} > ${ctx.tol.fdAtol} + ${ctx.tol.fdRtol}*|expected|)`,
            );
          }
          m.write(m.params, params);
        }
      });
    },
  };
}

export const layerCases: ConformanceCase[] = NETS.flatMap((net) => [forwardCase(net), gradCase(net), fdCase(net)]);
