// T12 — Parle reductions and invariants (ALGORITHMS.md §4, §2.7), and the distributed local-entropy
// round of §2.8.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createAnalyticModel,
  createOptimizer,
  EntropySgd,
  LocalEntropyWorker,
  localEntropyCentreStep,
  meanOf,
  ParleReplica,
  quadraticObjective,
  quarticObjective,
  sgldStationaryVariance,
  SimulatedParle,
  TickBatchSource,
  type AnalyticModel,
} from '@deeprelax/core';
import { assertClose, maxRelDiff, meanVar, modelOf, quadModel } from './helpers.js';

const ZERO = { kind: 'constant', g: 0 } as const;
const noisyQuad = (seed = 4) =>
  createAnalyticModel(quadraticObjective({ diag: [1, 2, 0.5, 3] }), { seed, initialParams: [1, -1, 2, 0.5], gradNoiseStd: 0.2 });

test('T12 reduction to SGD: n=1, L=1, c_γ=c_ρ=0, α=0, inner momentum 0 is SGD+Nesterov with step η·η_in', () => {
  const m1 = noisyQuad();
  const m2 = noisyQuad();
  const parle = createOptimizer(m1, new TickBatchSource(), {
    algorithm: 'parle',
    replicas: 1,
    L: 1,
    lr: 0.2,
    innerLr: 0.5,
    beta1: 0,
    innerMomentum: 0,
    momentum: 0.9,
    gammaScoping: ZERO,
    rhoScoping: ZERO,
  }) as SimulatedParle;
  const sgd = createOptimizer(m2, new TickBatchSource(), { algorithm: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true });
  for (let i = 0; i < 50; i++) {
    parle.step();
    sgd.step();
  }
  const replica = m1.readF64(parle.replicas[0].vectors.x);
  const x = m2.readF64(m2.params);
  assert.ok(maxRelDiff(replica, x) < 1e-9, `rel diff ${maxRelDiff(replica, x)}`);
  assert.ok(maxRelDiff(m1.readF64(m1.params), x) < 1e-6, 'master = replica');
  assert.ok(Math.abs(x[0] - 1) > 0.1, 'moved');
});

test('T12 reduction to Entropy-SGD: n=1, c_ρ=0 gives the ESGD (dr) outer direction x − z', () => {
  const mk = () => modelOf(quarticObjective(3), 0, 1);
  const m1 = mk();
  const m2 = mk();
  m1.writeF64(m1.params, [1, -0.5, 0.75]);
  m2.writeF64(m2.params, [1, -0.5, 0.75]);
  const common = { L: 10, innerLr: 0.1, beta1: 0.75, momentum: 0.9, lr: 0.5 };
  const parle = createOptimizer(m1, new TickBatchSource(), {
    algorithm: 'parle',
    replicas: 1,
    ...common,
    gammaScoping: { kind: 'constant', g: 0.7 },
    rhoScoping: ZERO,
  }) as SimulatedParle;
  const esgd = new EntropySgd(m2, new TickBatchSource(), { algorithm: 'esgd', variant: 'dr', ...common, g0: 0.7, g1: 0, noise: 0 });
  for (let i = 0; i < 5; i++) {
    parle.step();
    esgd.step();
    const G1 = m1.readF64(parle.replicas[0].vectors.direction);
    const G2 = m2.readF64(esgd.vectors.direction);
    assert.ok(maxRelDiff(G1, G2) < 1e-12, `round ${i}: direction ${maxRelDiff(G1, G2)}`);
  }
  assert.ok(maxRelDiff(m1.readF64(parle.replicas[0].vectors.x), m2.readF64(m2.params)) < 1e-12);
});

test('T12 reduction to elastic SGD: L=1, c_γ=0, α=0, inner momentum 0 gives G^a = η_in∇f(x^a) + c_ρ(x^a − mean_b(x^b − η_in∇f(x^b)))', () => {
  const a = 1.5;
  const etaIn = 0.3;
  const eta = 0.7;
  const rho = 0.4;
  const inits = [[1, 2], [-1, 0.5], [0.25, -2]];
  const model = quadModel([a, a], 0);
  const batches = new TickBatchSource();
  const reps = inits.map(
    (x) =>
      new ParleReplica(
        model,
        batches,
        { L: 1, lr: eta, innerLr: etaIn, beta1: 0, innerMomentum: 0, momentum: 0, gammaScoping: ZERO, rhoScoping: { kind: 'constant', g: rho } },
        new Float64Array(x),
      ),
  );
  const zs = reps.map((r) => r.innerLoop().z);
  const zMean = meanOf(zs);
  const xs = reps.map((r) => r.outerStep(zMean));
  const moved = inits.map((x) => x.map((v) => v - etaIn * a * v));
  const centre = [0, 1].map((i) => moved.reduce((s, v) => s + v[i], 0) / moved.length);
  inits.forEach((x, k) => {
    for (let i = 0; i < 2; i++) {
      const G = etaIn * a * x[i] + rho * (x[i] - centre[i]);
      assertClose(xs[k][i], x[i] - eta * G, 1e-6, `replica ${k}[${i}]`);
    }
  });
});

test('T12 the master equals the mean of the replicas after every round', () => {
  const model = noisyQuad(8);
  const parle = createOptimizer(model, new TickBatchSource(1000, 10), { algorithm: 'parle', replicas: 3, L: 5 }) as SimulatedParle;
  for (let r = 0; r < 6; r++) {
    parle.step();
    const mean = meanOf(parle.replicas.map((p) => model.readF64(p.vectors.x)));
    assert.ok(maxRelDiff(model.readF64(model.params), mean) < 1e-6, `round ${r}`);
  }
  // replicas saw different minibatches (noise), so they differ from each other
  assert.ok(maxRelDiff(parle.replicas[0].readReplica(), parle.replicas[1].readReplica()) > 1e-4);
});

test('T12 n identical replicas with identical minibatches remain identical', () => {
  const models: AnalyticModel[] = [noisyQuad(5), noisyQuad(5), noisyQuad(5)];
  const master = noisyQuad(5);
  const parle = createOptimizer(
    master,
    new TickBatchSource(),
    { algorithm: 'parle', replicas: 3, L: 4 },
    { models, batches: models.map(() => new TickBatchSource()) },
  ) as SimulatedParle;
  for (let r = 0; r < 5; r++) parle.step();
  const x0 = models[0].readF64(parle.replicas[0].vectors.x);
  for (let k = 1; k < 3; k++) assert.deepEqual(models[k].readF64(parle.replicas[k].vectors.x), x0);
  assert.ok(maxRelDiff(master.readF64(master.params), x0) < 1e-6);
  assert.equal(parle.gradCalls, 3 * 4 * 5);
});

test('§2.8 distributed local entropy: p deterministic workers reproduce the ESGD step (code convention)', () => {
  const mk = () => quadModel([1, 2, 4], [1, -1, 0.5]);
  const m1 = mk();
  const m2 = mk();
  const dist = createOptimizer(m1, new TickBatchSource(), {
    algorithm: 'dist-esgd',
    workers: 3,
    L: 20,
    innerLr: 0.1,
    noise: 0,
    beta1: 0.75,
    g0: 2,
    g1: 0,
    lr: 0.5,
    lrScaling: 'none',
  });
  const esgd = new EntropySgd(m2, new TickBatchSource(), {
    algorithm: 'esgd',
    variant: 'lua',
    L: 20,
    innerLr: 0.1,
    noise: 0,
    momentum: 0,
    g0: 2,
    g1: 0,
    lr: 0.5,
  });
  for (let i = 0; i < 4; i++) {
    dist.step();
    esgd.step();
  }
  assert.ok(maxRelDiff(m1.readF64(m1.params), m2.readF64(m2.params)) < 1e-6);
  assert.equal(dist.gradCalls, 3 * 20 * 4);
  // the SDE scaling multiplies the step by g: x ← x − η g (x − mean μ)
  const x = new Float64Array([1, 2]);
  localEntropyCentreStep(x, [new Float64Array([0, 0]), new Float64Array([1, 1])], 0.5 * 2);
  assert.deepEqual(Array.from(x), [1 - 1 * (1 - 0.5), 2 - 1 * (2 - 0.5)]);
});

test('§2.8 the spatial average over p workers divides the variance of the <y> estimate by p', () => {
  const n = 5000;
  const T = 0.01;
  const model = quadModel(1, 1, { dim: n, seed: 77 });
  const batches = new TickBatchSource();
  const cfg = { L: 150, innerLr: 0.1, noise: Math.sqrt(T), beta1: 0 };
  const workers = Array.from({ length: 4 }, () => new LocalEntropyWorker(model, batches, cfg));
  const x = new Float64Array(n).fill(1);
  const mus = workers.map((w) => w.round(x, 1).mu);
  const v = sgldStationaryVariance(1, 1, 0.1, T);
  const one = meanVar(mus[0]);
  const avg = meanVar(meanOf(mus));
  assertClose(one.mean, 0.5, 4 * Math.sqrt(v / n), 'single-worker mean');
  assertClose(one.variance, v, 4 * v * Math.sqrt(2 / n), 'single-worker variance');
  assertClose(avg.variance, v / 4, 4 * (v / 4) * Math.sqrt(2 / n), 'variance of the 4-worker mean');
});

test('T12 innerLoopSteps() paused between steps is innerLoop() bit for bit (noise, momentum, coupling on)', () => {
  const run = (stepwise: boolean) => {
    const model = noisyQuad(11);
    const r = new ParleReplica(
      model,
      new TickBatchSource(),
      { L: 7, lr: 0.3, innerLr: 0.05, beta1: 0.75, innerMomentum: 0.9, momentum: 0.9, noise: 1e-3, gammaScoping: { kind: 'constant', g: 0.1 }, rhoScoping: ZERO },
      new Float64Array([1, -1, 2, 0.5]),
    );
    const out: number[][] = [];
    for (let round = 0; round < 3; round++) {
      let inner;
      if (stepwise) {
        const steps = r.innerLoopSteps();
        let pauses = 0;
        for (let s = steps.next(); ; s = steps.next()) {
          if (s.done) {
            inner = s.value;
            break;
          }
          pauses++;
        }
        assert.equal(pauses, 6, 'a pause between each pair of the L = 7 steps');
      } else inner = r.innerLoop();
      out.push([...inner.z], [inner.loss], [...r.outerStep(inner.z)]);
    }
    return out;
  };
  assert.deepEqual(run(true), run(false));
});
