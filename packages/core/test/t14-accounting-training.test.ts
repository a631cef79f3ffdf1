// T14 — effective-epoch and gradient-call accounting (ALGORITHMS.md §3.4, §4), and the training loop
// (epochs of ceil(N/m) steps, per-epoch lr, BN refresh before evaluation, callbacks, early stops).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createOptimizer,
  evaluateModel,
  TickBatchSource,
  train,
  trainAsync,
  type Batch,
  type EpochRecord,
  type Model,
  type OptimizerConfig,
  type StepProgress,
} from '@deeprelax/core';
import { quadModel } from './helpers.js';

const N = 1000;
const M = 128; // ceil(1000/128) = 8 steps per epoch
const SPE = 8;

function runAccounting(config: OptimizerConfig, epochs: number) {
  const model = quadModel([1, 2], [1, 1], { gradNoiseStd: 0.01 });
  const batches = new TickBatchSource(N, M);
  const opt = createOptimizer(model, batches, config);
  const result = train({ model, optimizer: opt, train: batches, epochs });
  return { model, opt, result };
}

test('T14 ESGD, L = 20: 20·E effective epochs and E·ceil(N/m)·(L+1) gradient calls (L+2 in DR mode)', () => {
  const E = 3;
  for (const [variant, perStep] of [
    ['lua', 21],
    ['py', 21],
    ['dr', 22],
  ] as const) {
    const { model, opt, result } = runAccounting({ algorithm: 'esgd', variant, L: 20, lr: 0.1 }, E);
    assert.equal(result.status, 'completed');
    assert.deepEqual(result.records.map((r) => r.effectiveEpochs), [20, 40, 60]);
    assert.equal(opt.gradCallsPerStep, perStep);
    assert.equal(result.records[E - 1].gradCalls, E * SPE * perStep);
    assert.equal(model.lossAndGradCalls, E * SPE * perStep, `${variant}: the engine saw the same number of calls`);
    assert.deepEqual(result.records.map((r) => r.steps), [8, 16, 24]);
  }
});

test('T14 the other algorithms: SGD ×1, HJ L+1, H-ESGD L+2, HEAT L (gaussian) / L+2 (dr-compat), Parle n·L per round', () => {
  const E = 2;
  const cases: [OptimizerConfig, number, number][] = [
    [{ algorithm: 'sgd' }, 1, 1],
    [{ algorithm: 'hj', L: 5, g0: 10 }, 6, 5],
    [{ algorithm: 'hesgd', L: 5 }, 7, 5],
    [{ algorithm: 'heat', L: 5, g0: 100 }, 5, 5],
    [{ algorithm: 'heat', estimator: 'dr-compat', L: 5, noise: 0 }, 7, 5],
    [{ algorithm: 'parle', replicas: 3, L: 4 }, 12, 4],
    [{ algorithm: 'easgd', workers: 2 }, 2, 1],
    [{ algorithm: 'dist-esgd', workers: 2, L: 3 }, 6, 3],
  ];
  for (const [config, perStep, factor] of cases) {
    const { model, result } = runAccounting(config, E);
    const name = `${config.algorithm}${'estimator' in config ? '/' + config.estimator : ''}`;
    assert.equal(result.records[E - 1].gradCalls, E * SPE * perStep, `${name} gradient calls`);
    assert.equal(model.lossAndGradCalls, E * SPE * perStep, `${name} engine calls`);
    assert.deepEqual(result.records.map((r) => r.effectiveEpochs), [factor, 2 * factor], `${name} effective epochs`);
  }
});

/** Wraps a model and logs the calls the training loop makes. */
function spy(model: Model, numBuffers: number): { model: Model; log: string[] } {
  const log: string[] = [];
  const wrapped = new Proxy(model, {
    get(target, prop, receiver) {
      if (prop === 'numBuffers') return numBuffers;
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        if (prop === 'setMode') log.push(`mode:${String(args[0])}`);
        else if (prop === 'updateBatchNormStats') log.push('bn');
        else if (prop === 'evaluate') log.push(`eval@${target.mode}`);
        else if (prop === 'lossAndGrad') log.push(`grad@${target.mode}`);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { model: wrapped, log };
}

const evalSet = (k: number) => ({
  *batches(): Iterable<Batch> {
    for (let i = 0; i < k; i++) yield { x: new Float32Array(1), y: new Int32Array(1), n: 1 };
  },
});

test('training loop: BN refresh (one epoch of training batches) precedes every evaluation, done in eval mode', () => {
  const base = quadModel([1], [1]);
  const { model, log } = spy(base, 4);
  const batches = new TickBatchSource(N, M);
  const opt = createOptimizer(model, batches, { algorithm: 'sgd', lr: 0.1 });
  const result = train({ model, optimizer: opt, train: batches, epochs: 2, eval: evalSet(3) });
  assert.equal(result.records.length, 2);
  const compact = log.join(' ');
  const epochLog = [
    'mode:train',
    ...new Array(SPE).fill('grad@train'),
    ...new Array(SPE).fill('bn'),
    'mode:eval',
    'eval@eval',
    'eval@eval',
    'eval@eval',
    'mode:train', // evaluateModel restores the mode
    'mode:train',
  ].join(' ');
  assert.equal(compact, `${epochLog} ${epochLog}`);
  // the refresh batches came from the training source: 2 epochs × (8 steps + 8 refresh)
  assert.equal(batches.drawn, 2 * (SPE + SPE));
});

test('training loop: no refresh without BN buffers; a custom refresh set; evalEvery with the last epoch always evaluated', () => {
  const m1 = quadModel([1], [1]);
  const b1 = new TickBatchSource(N, M);
  const r1 = train({ model: m1, optimizer: createOptimizer(m1, b1, { algorithm: 'sgd' }), train: b1, epochs: 5, eval: evalSet(2), evalEvery: 2 });
  assert.equal(m1.bnRefreshCalls, 0);
  assert.deepEqual(r1.records.map((r) => r.valLoss !== undefined), [false, true, false, true, true]);
  assert.equal(m1.evaluateCalls, 3 * 2);

  const { model, log } = spy(quadModel([1], [1]), 2);
  const b2 = new TickBatchSource(N, M);
  train({ model, optimizer: createOptimizer(model, b2, { algorithm: 'sgd' }), train: b2, epochs: 1, eval: evalSet(1), bnRefresh: evalSet(5) });
  assert.equal(log.filter((s) => s === 'bn').length, 5);
  assert.equal(b2.drawn, SPE);
});

test('training loop: per-epoch lr from the schedule, records, progress callbacks and validation numbers', () => {
  const model = quadModel([1, 3], [2, -1]);
  const batches = new TickBatchSource(N, M);
  const opt = createOptimizer(model, batches, { algorithm: 'esgd', L: 2, g0: 0.5, g1: 0.01 });
  const steps: StepProgress[] = [];
  const epochs: EpochRecord[] = [];
  let t = 0;
  const result = train({
    model,
    optimizer: opt,
    train: batches,
    epochs: 3,
    lrSchedule: { kind: 'piecewise', rows: [[1, 0.5], [2, 0.2], [3, 0.05]] },
    eval: evalSet(4),
    onStep: (p) => steps.push(p),
    onEpoch: (r) => epochs.push(r),
    clock: () => (t += 1),
  });
  assert.deepEqual(result.records, epochs);
  assert.deepEqual(epochs.map((r) => r.lr), [0.5, 0.2, 0.05]);
  assert.equal(opt.lr, 0.05);
  assert.equal(steps.length, 3 * SPE);
  assert.deepEqual(steps[SPE], { ...steps[SPE], epoch: 2, stepInEpoch: 1, step: SPE + 1, lr: 0.2 });
  assert.equal(steps[11].effectiveEpochs, (12 / SPE) * 2);
  assert.equal(steps[0].gradCalls, 3);
  // the validation loss is f at the final weights of the epoch; the analytic engine counts no hits
  const x = model.readF64(model.params);
  assert.ok(Math.abs(epochs[2].valLoss! - 0.5 * (x[0] ** 2 + 3 * x[1] ** 2)) < 1e-12);
  assert.equal(epochs[2].valError, 1);
  assert.ok(epochs[2].trainLoss < epochs[0].trainLoss, 'training made progress');
  assert.ok(epochs[0].wallMs > 0 && epochs[1].wallMs > epochs[0].wallMs);
  assert.ok(epochs.every((r) => r.coupling! > 0.5));
});

test('training loop: divergence and stop requests end training early', () => {
  const m = quadModel([1], [1]);
  const b = new TickBatchSource(N, M);
  const r = train({ model: m, optimizer: createOptimizer(m, b, { algorithm: 'sgd', lr: 1e150, momentum: 0 }), train: b, epochs: 10 });
  assert.equal(r.status, 'diverged');
  assert.equal(r.records.length, 0);
  assert.match(r.reason!, /non-finite/);

  const m2 = quadModel([1], [1]);
  const b2 = new TickBatchSource(N, M);
  const opt = createOptimizer(m2, b2, { algorithm: 'sgd' });
  const r2 = train({ model: m2, optimizer: opt, train: b2, epochs: 10, shouldStop: () => opt.steps >= 12 });
  assert.equal(r2.status, 'stopped');
  assert.equal(r2.records.length, 1);
  assert.equal(opt.steps, 12);
});

test('trainAsync gives the same result as train and yields to the event loop', async () => {
  const run = async (asyncMode: boolean) => {
    const m = quadModel([1, 2], [1, 1], { gradNoiseStd: 0.1, seed: 3 });
    const b = new TickBatchSource(N, M);
    const opt = createOptimizer(m, b, { algorithm: 'sgd', lr: 0.05 });
    const o = { model: m, optimizer: opt, train: b, epochs: 2, clock: () => 0 };
    return asyncMode ? trainAsync({ ...o, yieldEvery: 4 }) : train(o);
  };
  let ticked = 0;
  const timer = setInterval(() => ticked++, 0);
  const a = await run(true);
  clearInterval(timer);
  assert.deepEqual(a, await run(false));
  assert.ok(ticked > 0, 'timers ran during trainAsync');
});

test('evaluateModel restores the mode and rejects an empty set', () => {
  const m = quadModel([2], [1]);
  const r = evaluateModel(m, evalSet(3));
  assert.deepEqual(r, { loss: 1, error: 1, correct: 0, n: 3 });
  assert.equal(m.mode, 'train');
  assert.throws(() => evaluateModel(m, evalSet(0)), RangeError);
});
