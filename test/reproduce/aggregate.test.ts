// The bench's pure parts: cell keys, accounting from the plan, the "@" aggregation and the ETA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateBook, estimate, formatDuration } from '../../bench/reproduce/eta.js';
import { DIST_TARGETS } from '../../bench/reproduce/paper.js';
import { cellSpec, parseEntry, planCells, type CellSpec, type PlanOptions } from '../../bench/reproduce/plan.js';
import { meanCurve, minOfCurve, summarize } from '../../bench/reproduce/report.js';
import { RUN_SCHEMA, type CurvePoint, type RunRecord } from '../../bench/reproduce/store.js';
import { reachesTarget } from '../../bench/reproduce/target.js';

const base: PlanOptions = {
  table: 'table1',
  models: ['mnistfc', 'lenet'],
  entries: ['esgd', 'heat', 'hesgd', 'hj', 'sgd'],
  seeds: [42, 43, 44],
  scale: 'unit',
  bnRefresh: 'sequential',
  heat: 'gaussian',
  epochsPolicy: 'paper',
  set: [],
  stopAtTarget: false,
  targets: DIST_TARGETS,
};

test('plan: the paper protocol from the presets, with exact accounting and enough epochs for the paper\'s "@"', () => {
  const cells = planCells(base);
  assert.equal(cells.length, 30);
  assert.deepEqual(cells.slice(0, 5).map((c) => `${c.model}/${c.entry}/${c.seed}`), ['mnistfc/esgd/42', 'mnistfc/heat/42', 'mnistfc/hesgd/42', 'mnistfc/hj/42', 'mnistfc/sgd/42']);
  const esgd = cells[0];
  assert.equal(esgd.batchSize, 128);
  assert.equal(esgd.stepsPerEpoch, 469);
  assert.equal(esgd.gradCallsPerStep, 21, 'lua ESGD: L + 1');
  assert.equal(esgd.effectiveEpochFactor, 20);
  assert.equal(esgd.epochs, 6, 'the preset has 5 epochs; the paper reports @120 = 6 × L');
  assert.deepEqual(esgd.lrSchedule, { kind: 'piecewise', rows: [[2, 1.0], [15, 0.1]] });
  const sgd = cells.find((c) => c.model === 'mnistfc' && c.entry === 'sgd') as CellSpec;
  assert.equal(sgd.epochs, 194);
  assert.equal(sgd.totalGradCalls, 194 * 469);
  const lenetSgd = cells.find((c) => c.model === 'lenet' && c.entry === 'sgd') as CellSpec;
  assert.equal(lenetSgd.epochs, 100, 'preset epochs when they already cover the paper');
  assert.equal(cellSpec({ ...base, epochsPolicy: 'preset' }, 'mnistfc', 'esgd', 42).epochs, 5);
  assert.equal(cellSpec(base, 'mnistfc', 'hesgd', 42).gradCallsPerStep, 22, 'H-ESGD runs the dr variant: L + 2');
  assert.equal(cellSpec(base, 'lenet', 'hesgd', 42).gradCallsPerStep, 17, 'LeNet H-ESGD: L = 15, + 2');
});

test('plan: the key changes with anything that changes the result and only then', () => {
  const k = (o: Partial<PlanOptions>, seed = 42) => cellSpec({ ...base, ...o }, 'mnistfc', 'esgd', seed).key;
  const a = k({});
  assert.match(a, /^mnistfc__esgd__s42__[0-9a-f]{10}$/);
  assert.equal(k({}), a);
  assert.equal(k({ table: 'dist' }), a, 'the table a cell is shown in does not change the run');
  for (const o of [{ scale: 'raw' as const }, { variant: 'dr' as const }, { trainLimit: 1000 }, { bnRefresh: 'sampled' as const }, { epochs: 3 }, { dropout: 0.5 }, { set: [{ target: 'esgd', field: 'L', value: 10 }] }]) {
    assert.notEqual(k(o), a, JSON.stringify(o));
  }
  assert.notEqual(k({}, 43), a);
  assert.equal(k({ threads: 1 }), a, 'one thread keeps the keys of runs stored before threads were part of them');
  assert.notEqual(k({ threads: 2 }), a, 'two threads sum in another order: another run');
  assert.equal(k({ set: [{ target: 'sgd', field: 'lr', value: 1 }] }), a, 'an override for another algorithm');
});

test('plan: entries, variants and overrides', () => {
  assert.deepEqual(parseEntry('parle:2'), { id: 'parle:2', algorithm: 'parle', replicas: 2, label: 'Parle n=2' });
  assert.throws(() => parseEntry('sgd:2'), /replica count/);
  assert.throws(() => parseEntry('adam'), /unknown algorithm entry/);
  const easgd = cellSpec(base, 'lenet', 'easgd:2', 42);
  assert.equal((easgd.optimizer as { workers: number }).workers, 2);
  assert.equal((easgd.optimizer as { alpha: number }).alpha, 0.45);
  assert.equal(cellSpec(base, 'mnistfc', 'parle:2', 42).gradCallsPerStep, 50);
  const heat = cellSpec({ ...base, heat: 'dr-compat' }, 'mnistfc', 'heat', 42);
  assert.equal((heat.optimizer as { estimator: string }).estimator, 'dr-compat');
  assert.equal(heat.gradCallsPerStep, 22, 'dr-compat HEAT is the dr ESGD: L + 2');
  const l10 = cellSpec({ ...base, set: [{ target: 'esgd', field: 'L', value: 10 }] }, 'mnistfc', 'esgd', 42);
  assert.equal(l10.gradCallsPerStep, 11);
  assert.equal(l10.epochs, 12, '@120 at L = 10 needs 12 epochs');
  assert.throws(() => cellSpec({ ...base, set: [{ target: 'esgd', field: 'L', value: -1 }] }, 'mnistfc', 'esgd', 42), /invalid optimizer configuration/);
  assert.throws(() => cellSpec(base, 'allcnn', 'sgd', 42), /--data-dir/);
});

function fakeRun(cell: CellSpec, errs: (number | null)[], msPerEpoch = 1000, status: RunRecord['status'] = 'completed'): RunRecord {
  const curve: CurvePoint[] = errs.map((e, i) => ({
    epoch: i + 1,
    effectiveEpochs: (i + 1) * cell.effectiveEpochFactor,
    steps: (i + 1) * cell.stepsPerEpoch,
    gradCalls: (i + 1) * cell.stepsPerEpoch * cell.gradCallsPerStep,
    trainLoss: 0.1,
    trainError: 0.01,
    valError: e,
    valLoss: e === null ? null : 0.05,
    lr: 0.1,
    coupling: null,
    wallMs: (i + 1) * msPerEpoch,
    evalMs: 100,
  }));
  return {
    schema: RUN_SCHEMA,
    key: cell.key,
    cell,
    status,
    reason: null,
    engine: { name: 'torch', description: 'test', threads: 1 },
    host: { cpus: 2, loadavgStart: [0, 0, 0], loadavgEnd: [0, 0, 0], node: process.version },
    startedAt: '',
    finishedAt: '',
    trainSamples: cell.trainSize,
    testSamples: 10000,
    setupMs: 0,
    wallMs: errs.length * msPerEpoch,
    evalMs: errs.length * 100,
    gradCalls: errs.length * cell.stepsPerEpoch * cell.gradCallsPerStep,
    samplesPerSecond: 1,
    curve,
  };
}

test('report: "@" is the first effective epoch of the lowest point of the seed-mean curve', () => {
  const o = { ...base, models: ['mnistfc'], entries: ['esgd'] };
  const cells = planCells(o);
  const runs = [
    fakeRun(cells[0], [0.02, 0.012, 0.0105, 0.011, 0.0105, 0.012]),
    fakeRun(cells[1], [0.02, 0.011, 0.0115, 0.011, 0.0115, 0.011]),
    fakeRun(cells[2], [0.02, 0.013, 0.0110, 0.011, 0.0110, 0.010]),
  ];
  const curve = meanCurve(runs);
  assert.deepEqual(curve.map((p) => p.effectiveEpochs), [20, 40, 60, 80, 100, 120]);
  const best = minOfCurve(curve, 3) as NonNullable<ReturnType<typeof minOfCurve>>;
  assert.equal(best.at, 60, 'ties (60 and 100 both average 1.10) go to the first');
  assert.ok(Math.abs(best.mean - 1.1) < 1e-9);
  assert.ok(Math.abs((best.std as number) - 0.05) < 1e-9, 'sample std (n − 1) of 1.05, 1.15, 1.10');
  assert.equal((minOfCurve(curve, 3, 50) as { at: number }).at, 40);

  const [s] = summarize({ table: 'table1', out: '', cells, runs: new Map(runs.map((r) => [r.key, r])), failed: [], settings: {}, targets: DIST_TARGETS });
  assert.equal(s.seedsDone, 3);
  assert.ok(Math.abs((s.gap as number) - (1.1 - 1.08)) < 1e-9);
  assert.equal(s.verdict, 'within', '|1.10 − 1.08| <= max(0.02, 0.05)');
  assert.equal((s.perSeedBest as { at: number }).at, (60 + 40 + 120) / 3);
  assert.ok(Math.abs((s.perSeedBest as { mean: number }).mean - (1.05 + 1.1 + 1.0) / 3) < 1e-9);
  assert.ok(Math.abs((s.final as { mean: number }).mean - 1.1) < 1e-9);

  // A seed with fewer evaluated epochs (diverged) limits the mean curve to the common epochs.
  const short = [runs[0], runs[1], fakeRun(cells[2], [0.02, 0.013], 1000, 'diverged')];
  const [d] = summarize({ table: 'table1', out: '', cells, runs: new Map(short.map((r) => [r.key, r])), failed: [], settings: {}, targets: DIST_TARGETS });
  assert.equal(d.diverged, 1);
  assert.deepEqual(d.meanCurve.map((p) => p.effectiveEpochs), [20, 40]);
});

test('report: time to target, measured and projected for simulated replicas', () => {
  const o: PlanOptions = { ...base, table: 'dist', models: ['mnistfc'], entries: ['sgd', 'parle:2'], seeds: [42] };
  const [sgd, parle] = planCells(o);
  const runs = [fakeRun(sgd, [0.02, 0.015, 0.0119, 0.011], 10_000), fakeRun(parle, [0.013, 0.0115], 20_000)];
  const cells = summarize({ table: 'dist', out: '', cells: [sgd, parle], runs: new Map(runs.map((r) => [r.key, r])), failed: [], settings: {}, targets: DIST_TARGETS });
  const [ts, tp] = cells.map((c) => c.target?.time);
  assert.equal(ts?.seconds?.mean, 30);
  assert.equal(tp?.seconds?.mean, 40);
  assert.ok(Math.abs((tp?.projectedParallelSeconds?.mean as number) - ((40_000 - 200) / 2 + 200) / 1000) < 1e-9, 'training time / 2 + evaluation time');
  assert.equal(tp?.speedupVsSgd, 30 / 40);
  assert.ok(Math.abs((tp?.projectedSpeedupVsSgd as number) - 30 / 20.1) < 1e-9);
});

test('report: an error of exactly the target reaches it (60 errors of 10,000 is 0.6%, though 1 − 0.994 > 0.006 in floats)', () => {
  const o: PlanOptions = { ...base, table: 'dist', models: ['lenet'], entries: ['sgd'], seeds: [42] };
  const [sgd] = planCells(o);
  const exact = 1 - 9940 / 10000;
  assert.ok(exact > 0.006, 'the float is above 0.006 (else this test would be vacuous)');
  const runs = [fakeRun(sgd, [0.0075, exact, 0.0059], 10_000)];
  const [s] = summarize({ table: 'dist', out: '', cells: [sgd], runs: new Map(runs.map((r) => [r.key, r])), failed: [], settings: {}, targets: DIST_TARGETS });
  assert.equal(s.target?.time.seconds?.mean, 20, 'reached at the second evaluation');
  assert.equal(reachesTarget(1 - 9939 / 10000, 0.006), false, 'one error more does not');
});

test('eta: measured training rate and evaluation time per (model, entry), falling back to the model, laid out over the slots', () => {
  const cells = planCells({ ...base, models: ['mnistfc'], entries: ['esgd', 'sgd'], seeds: [42, 43] });
  const rates = new RateBook('torch');
  const none = estimate(rates, [], cells.map((cell) => ({ cell, doneGradCalls: 0 })), 2);
  assert.equal(none.seconds, undefined);
  assert.deepEqual(none.unmeasured, ['mnistfc']);
  assert.equal(none.knownSeconds, 0);
  const esgd = cells[0];
  // 1000 calls × 128 samples in 1 s of training, plus 2 evaluations of 250 ms.
  rates.addRun({ ...fakeRun(esgd, [0.02, 0.01]), gradCalls: 1000, wallMs: 1500, evalMs: 500 });
  rates.addRun({ ...fakeRun(esgd, [0.01]), engine: { name: 'tfjs', description: '', threads: 1 }, gradCalls: 1, wallMs: 1e6 });
  assert.deepEqual(rates.rate('mnistfc', 'esgd'), { samplesPerSecond: 128_000, evalMs: 250 });
  assert.deepEqual(rates.rate('mnistfc', 'sgd'), { samplesPerSecond: 128_000, evalMs: 250 }, 'model fallback');
  assert.equal(rates.rate('lenet', 'sgd'), undefined);
  const secs = (c: CellSpec) => (c.totalGradCalls * 128) / 128_000 + c.epochs * 0.25;
  const e1 = estimate(rates, [], cells.map((cell) => ({ cell, doneGradCalls: 0 })), 1);
  assert.ok(Math.abs((e1.seconds as number) - cells.reduce((s, c) => s + secs(c), 0)) < 1e-6);
  const half = { cell: esgd, doneGradCalls: esgd.totalGradCalls / 2, doneEvals: esgd.epochs / 2 };
  const e2 = estimate(rates, [half], cells.slice(1).map((cell) => ({ cell, doneGradCalls: 0 })), 2);
  assert.ok((e2.seconds as number) < (e1.seconds as number));
  assert.ok(Math.abs((e2.computeSeconds as number) - (e1.computeSeconds as number - secs(esgd) / 2)) < 1e-6);
  // A running cell's live numbers count once it has trained for more than 2 s.
  rates.updateLive(cells[1], 0, 1000, 0, 0);
  rates.updateLive(cells[3], 300, 4000, 1000, 1);
  assert.equal(rates.rate('mnistfc', 'sgd')?.samplesPerSecond, 12_800);
  rates.endLive(cells[3].key);
  assert.equal(rates.rate('mnistfc', 'sgd')?.samplesPerSecond, 128_000);
  // Of an entry's stored runs the newest sets its rate (the engine gets faster between sessions).
  rates.addRun({ ...fakeRun(esgd, [0.01]), finishedAt: '2026-01-02T00:00:00Z', gradCalls: 1000, wallMs: 2500, evalMs: 500 });
  assert.deepEqual(rates.rate('mnistfc', 'esgd'), { samplesPerSecond: 64_000, evalMs: 500 }, 'the newer run replaces the older');
  rates.addRun({ ...fakeRun(esgd, [0.01]), finishedAt: '2026-01-01T00:00:00Z', gradCalls: 1000, wallMs: 1500, evalMs: 500 });
  assert.equal(rates.rate('mnistfc', 'esgd')?.samplesPerSecond, 64_000, 'an older run does not');
  assert.equal(formatDuration(3725), '1h02m');
  assert.equal(formatDuration(undefined), '?');
});
