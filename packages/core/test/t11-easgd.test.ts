// T11 — EASGD invariants (ALGORITHMS.md §4, §2.6): conservation, moving-average form, reduction to
// SGD, fixed point, and the asynchronous ordering (gradient at the pre-exchange value).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createAnalyticModel,
  createOptimizer,
  EasgdWorker,
  easgdApplyDeltas,
  easgdCentreMovingAverage,
  quadraticObjective,
  Rng,
  SimulatedEasgd,
  TickBatchSource,
} from '@deeprelax/core';
import { assertClose, maxRelDiff, quadModel } from './helpers.js';

const DIM = 6;

function randomVectors(k: number, seed: number): Float64Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: k }, () => Float64Array.from({ length: DIM }, () => rng.normal()));
}

function total(centre: Float64Array, replicas: Float64Array[]): Float64Array {
  const s = Float64Array.from(centre);
  for (const r of replicas) for (let i = 0; i < DIM; i++) s[i] += r[i];
  return s;
}

for (const mode of ['sync', 'async'] as const) {
  test(`T11 conservation (${mode}): with zero gradient Σ x^i + x̃ is conserved over 5 exchanges (p=4, α=0.9/4)`, () => {
    const model = quadModel(0, 0, { dim: DIM }); // f ≡ 0
    const batches = new TickBatchSource();
    const inits = randomVectors(5, 3);
    const centre = inits[4];
    const workers = inits.slice(0, 4).map((x) => new EasgdWorker(model, batches, { lr: 0.1, alpha: 0.9 / 4 }, x));
    const before = total(centre, workers.map((w) => model.readF64(w.replica)));
    const c0 = Float64Array.from(centre);
    for (let e = 0; e < 5; e++) {
      if (mode === 'sync') {
        const snap = Float64Array.from(centre);
        const deltas = workers.map((w) => w.step(snap).delta!);
        easgdApplyDeltas(centre, deltas);
      } else {
        for (const w of workers) easgdApplyDeltas(centre, w.step(centre).delta!);
      }
    }
    const after = total(centre, workers.map((w) => model.readF64(w.replica)));
    assert.ok(maxRelDiff(before, after) < 1e-12, `drift ${maxRelDiff(before, after)}`);
    assert.ok(maxRelDiff(c0, centre) > 1e-2, 'the centre must have moved');
  });
}

test('T11 moving-average form: the synchronous centre update is x̃ ← (1 − pα) x̃ + pα mean(x^i)', () => {
  const model = quadModel(new Array(DIM).fill(1.5), 0);
  const batches = new TickBatchSource();
  const inits = randomVectors(4, 9);
  const centre = Float64Array.from(inits[3]);
  const alpha = 0.9 / 3;
  const workers = inits.slice(0, 3).map((x) => new EasgdWorker(model, batches, { lr: 0.05, alpha }, x));
  for (let round = 0; round < 4; round++) {
    const pre = workers.map((w) => w.readReplica());
    const expected = Float64Array.from(centre);
    easgdCentreMovingAverage(expected, pre, alpha);
    const snap = Float64Array.from(centre);
    easgdApplyDeltas(centre, workers.map((w) => w.step(snap).delta!));
    assert.ok(maxRelDiff(centre, expected) < 1e-6, `round ${round}: ${maxRelDiff(centre, expected)}`);
  }
});

test('T11 reduction: p = 1, α = 0 is plain SGD (same gradient-noise stream)', () => {
  const mk = () => createAnalyticModel(quadraticObjective({ diag: [1, 2, 3] }), { seed: 4, initialParams: [1, -1, 2], gradNoiseStd: 0.3 });
  const m1 = mk();
  const m2 = mk();
  const easgd = createOptimizer(m1, new TickBatchSource(), { algorithm: 'easgd', workers: 1, alpha: 0, lr: 0.05 }) as SimulatedEasgd;
  const sgd = createOptimizer(m2, new TickBatchSource(), { algorithm: 'sgd', momentum: 0, lr: 0.05 });
  for (let i = 0; i < 50; i++) {
    easgd.step();
    sgd.step();
  }
  const worker = m1.readF64(easgd.workers[0].replica);
  assert.ok(maxRelDiff(worker, m2.readF64(m2.params)) < 1e-12, `${maxRelDiff(worker, m2.readF64(m2.params))}`);
  // α = 0: the centre never moves
  assert.deepEqual(Array.from(easgd.centre), [1, -1, 2]);
  assert.ok(Math.abs(m2.readF64(m2.params)[0] - 1) > 0.1, 'SGD moved');
});

for (const [algorithm, mode] of [
  ['easgd', 'sync'],
  ['easgd', 'async'],
  ['eamsgd', 'sync'],
] as const) {
  test(`T11 fixed point (${algorithm}, ${mode}): all x^i and x̃ converge to the minimiser with exact gradients`, () => {
    const c = [1, -2, 0.5];
    const model = createAnalyticModel(quadraticObjective({ diag: [1, 2, 0.5], center: c }), { seed: 1, initialParams: [0, 0, 0] });
    const opt = createOptimizer(model, new TickBatchSource(), {
      algorithm,
      workers: 4,
      mode,
      lr: 0.05,
      tau: 2,
    }) as SimulatedEasgd;
    for (let i = 0; i < 3000; i++) opt.step();
    for (const v of [opt.centre, ...opt.workers.map((w) => w.readReplica())]) {
      for (let i = 0; i < 3; i++) assertClose(v[i], c[i], 1e-4, `coordinate ${i}`);
    }
    assert.ok(maxRelDiff(model.readF64(model.params), opt.centre) < 1e-6, 'params hold the centre');
  });
}

test('T11 asynchronous ordering: the gradient is taken at the pre-exchange value', () => {
  // f = a x²/2, a = 2; x = 1, x̃ = 0, α = 0.25, η = 0.1:
  // pre-exchange gradient: 1 − 0.25 − 0.1·2·1 = 0.55 (post-exchange would give 0.6)
  const model = quadModel(2, 1);
  const w = new EasgdWorker(model, new TickBatchSource(), { lr: 0.1, alpha: 0.25 });
  const r = w.step(new Float64Array([0]));
  assertClose(w.readReplica()[0], 0.55, 1e-7, 'x^i');
  assertClose(r.delta![0], 0.25, 0, 'Δ');
});

test('T11 communication period τ: exchanges at t mod τ = 0 only; a due exchange needs the centre', () => {
  const model = quadModel(0, 1);
  const w = new EasgdWorker(model, new TickBatchSource(), { lr: 0.1, alpha: 0.5, tau: 3 });
  const due: boolean[] = [];
  for (let t = 0; t < 7; t++) {
    due.push(w.exchangeDue);
    const r = w.step(w.exchangeDue ? new Float64Array([0]) : undefined);
    assert.equal(r.delta !== null, due[t]);
  }
  assert.deepEqual(due, [true, false, false, true, false, false, true]);
  w.step();
  w.step();
  assert.equal(w.exchangeDue, true);
  assert.throws(() => w.step(), RangeError);
});

test('EAMSGD local step: [MPIT] look-ahead v ← δv; x ← x + v; g = ∇f(x); x ← x − ηg; v ← v − ηg; then x ← x − Δ', () => {
  const a = 1.5;
  const eta = 0.1;
  const delta = 0.9;
  const alpha = 0.2;
  const model = quadModel(a, 1);
  const w = new EasgdWorker(model, new TickBatchSource(), { lr: eta, alpha, momentum: delta });
  let x = 1;
  let v = 0;
  const centre = 0.25;
  for (let t = 0; t < 5; t++) {
    const d = Math.fround(alpha * (x - centre));
    w.step(new Float64Array([centre]));
    v *= delta;
    x += v;
    const g = a * x;
    x -= eta * g;
    v -= eta * g;
    x -= d;
    assertClose(w.readReplica()[0], x, 1e-6, `step ${t}`);
  }
});
