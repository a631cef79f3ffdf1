// Smoke test of bench/reproduce as a user runs it: the real command in a child process, on tfjs with
// tiny limits (1 epoch of 128 samples per cell), real MNIST. Checks the output files and their
// shape, and that resuming never reruns a finished cell while an interrupted one starts over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PAPER_TABLE1 } from '../../bench/reproduce/paper.js';
import type { RunRecord } from '../../bench/reproduce/store.js';
import { planCells, type CellSpec, type PlanOptions } from '../../bench/reproduce/plan.js';
import { clusterJobSpec } from '../../bench/reproduce/cluster-cell.js';

const script = fileURLToPath(new URL('../../bench/reproduce/run.ts', import.meta.url));

function bench(args: string[], timeoutMs = 120_000) {
  const r = spawnSync(process.execPath, ['--conditions=deeprelax-src', '--import', 'tsx', script, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TINY = ['--quick', '--engine', 'tfjs', '--train-limit', '128', '--test-limit', '200', '--epochs', '1', '--progress-every', '30'];

function runFiles(out: string): string[] {
  return readdirSync(join(out, 'runs')).filter((f) => f.endsWith('.json')).sort();
}

test('table1 quick mode: runs every cell once, writes results.json, table.md and both plots; resume reruns nothing', () => {
  const out = mkdtempSync(join(tmpdir(), 'dr-reproduce-'));
  try {
    const first = bench([...TINY, '--models', 'mnistfc,lenet', '--algos', 'esgd,sgd', '--out', out, '--parallel', '2']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /4 cells \(0 stored, 4 to run\)/);
    assert.equal((first.stderr.match(/\] start /g) ?? []).length, 4);

    // One JSON file per cell, keyed by model, algorithm, seed and configuration hash.
    const files = runFiles(out);
    assert.equal(files.length, 4);
    for (const f of files) assert.match(f, /^(mnistfc|lenet)__(esgd|sgd)__s42__[0-9a-f]{10}\.json$/);
    for (const f of files) {
      const run = JSON.parse(readFileSync(join(out, 'runs', f), 'utf8')) as RunRecord;
      assert.equal(run.schema, 'deeprelax.reproduce.run/1');
      assert.equal(run.status, 'completed');
      assert.equal(run.engine.name, 'tfjs');
      assert.equal(run.trainSamples, 128);
      assert.equal(run.testSamples, 200);
      assert.equal(run.curve.length, 1);
      const [p] = run.curve;
      const L = run.cell.algorithm === 'esgd' ? 20 : 1;
      assert.equal(p.effectiveEpochs, L);
      assert.equal(p.gradCalls, run.cell.algorithm === 'esgd' ? 21 : 1, 'lua ESGD makes L + 1 gradient calls per step');
      assert.equal(run.gradCalls, run.cell.totalGradCalls);
      assert.ok(p.valError !== null && p.valError >= 0 && p.valError <= 1);
      assert.ok(p.wallMs > 0 && run.samplesPerSecond > 0);
      assert.equal(run.cell.batchSize, 128);
    }

    // results.json: every run with its curve, and one aggregated cell per (model, algorithm).
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    assert.equal(results.schema, 'deeprelax.reproduce.results/1');
    assert.equal(results.planned, 4);
    assert.equal(results.finished, 4);
    assert.deepEqual(results.missing, []);
    assert.equal(results.runs.length, 4);
    assert.ok(results.runs.every((r: RunRecord) => r.curve.length === 1));
    assert.equal(results.cells.length, 4);
    for (const c of results.cells) {
      assert.ok(c.reported && typeof c.reported.mean === 'number' && typeof c.reported.at === 'number');
      assert.deepEqual(c.paper, PAPER_TABLE1[c.model as 'mnistfc' | 'lenet'][c.algorithm as 'esgd' | 'sgd']);
      assert.ok(Math.abs(c.gap - (c.reported.mean - c.paper.error)) < 1e-9);
      assert.ok(['within', 'better', 'worse'].includes(c.verdict));
      assert.equal(c.meanCurve.length, 1);
    }

    // table.md: the paper's format, one row per model, the paper's value beside each cell.
    const md = readFileSync(join(out, 'table.md'), 'utf8');
    const header = md.split('\n').find((l) => l.startsWith('| Model |'));
    assert.equal(header, '| Model | ESGD | SGD |');
    const main = md.slice(0, md.indexOf('## Details'));
    const rows = main.split('\n').filter((l) => /^\| (mnistfc|LeNet) \|/.test(l));
    assert.equal(rows.length, 2);
    assert.match(rows[0], /^\| mnistfc \| \d+\.\d\d ± – @ 20 \(paper 1\.08 ± 0\.02 @ 120, [+−]\d+\.\d\d [✓✗].*\) \| \d+\.\d\d ± – @ 1 \(paper 1\.10 ± 0\.01 @ 194, /);
    assert.match(rows[1], /^\| LeNet \| .*\(paper 0\.50 ± 0\.01 @ 80, .*\(paper 0\.50 ± 0\.02 @ 67, /);

    for (const svg of ['curves-effective-epochs.svg', 'curves-wallclock.svg']) {
      const text = readFileSync(join(out, svg), 'utf8');
      assert.match(text, /^<svg[\s\S]*<\/svg>\s*$/);
      assert.match(text, /mnistfc[\s\S]*LeNet/, `${svg}: one panel per model`);
      assert.match(text, svg.includes('wall') ? /wall-clock/ : /effective epochs/);
    }

    // Resume: nothing is run again, stored files are untouched.
    const mtimes = files.map((f) => statSync(join(out, 'runs', f)).mtimeMs);
    const second = bench([...TINY, '--models', 'mnistfc,lenet', '--algos', 'esgd,sgd', '--out', out]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /4 cells \(4 stored, 0 to run\)/);
    assert.doesNotMatch(second.stderr, /\] start /);
    assert.deepEqual(files.map((f) => statSync(join(out, 'runs', f)).mtimeMs), mtimes);

    // An interrupted cell (no stored file, a stale temp file) starts over; the others are kept.
    const victim = files.find((f) => f.startsWith('lenet__sgd')) as string;
    rmSync(join(out, 'runs', victim));
    writeFileSync(join(out, 'runs', `${victim}.999.tmp`), '{"partial":');
    const third = bench([...TINY, '--models', 'mnistfc,lenet', '--algos', 'esgd,sgd', '--out', out]);
    assert.equal(third.code, 0, third.stderr);
    assert.match(third.stderr, /4 cells \(3 stored, 1 to run\)/);
    assert.equal((third.stderr.match(/\] start /g) ?? []).length, 1);
    assert.match(third.stderr, /start lenet SGD s42/);
    assert.deepEqual(runFiles(out), files);
    assert.ok(!readdirSync(join(out, 'runs')).some((f) => f.endsWith('.tmp')));
    files.forEach((f, i) => f !== victim && assert.equal(statSync(join(out, 'runs', f)).mtimeMs, mtimes[i]));
    assert.ok(!existsSync(join(out, '.lock')));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('dist table: Parle n=2 next to SGD, with a time-to-target table', () => {
  const out = mkdtempSync(join(tmpdir(), 'dr-reproduce-dist-'));
  try {
    const r = bench([...TINY, '--table', 'dist', '--models', 'lenet', '--algos', 'sgd,parle:2', '--train-limit', '32', '--batch-size', '16', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    assert.equal(results.table, 'dist');
    assert.deepEqual(results.cells.map((c: { label: string }) => c.label), ['SGD', 'Parle n=2']);
    const parle = results.runs.find((x: RunRecord) => x.cell.entry === 'parle:2') as RunRecord;
    assert.equal(parle.cell.replicas, 2);
    assert.equal(parle.gradCalls, 2 * 2 * 25, '2 rounds × 2 replicas × L = 25');
    for (const c of results.cells) assert.equal(c.target.error, 0.6);
    const md = readFileSync(join(out, 'table.md'), 'utf8');
    assert.match(md, /^# Time to target validation error/);
    assert.match(md, /\| lenet \| Parle n=2 \(simulated\) \| 0\.60% \| [01]\/1 \|/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('dist table on a local cluster: Parle n=2 runs as a coordinator and 2 worker processes', () => {
  const out = mkdtempSync(join(tmpdir(), 'dr-reproduce-cluster-'));
  try {
    const r = bench(
      [...TINY, '--table', 'dist', '--models', 'mnistfc', '--algos', 'parle:2', '--train-limit', '512', '--cluster', '--cluster-eval-every', '0.5', '--no-stop-at-target', '--out', out],
      240_000,
    );
    assert.equal(r.code, 0, r.stderr);
    const [file] = runFiles(out);
    const run = JSON.parse(readFileSync(join(out, 'runs', file!), 'utf8')) as RunRecord;
    assert.equal(run.cell.runner, 'cluster');
    assert.equal(run.status, 'completed');
    assert.match(run.engine.description, /coordinator \+ 2 worker processes/);
    // 512 samples / batch 128 = 4 rounds per epoch; evaluated every half epoch by the coordinator.
    assert.deepEqual(run.curve.map((p) => p.epoch), [0.5, 1]);
    assert.deepEqual(run.curve.map((p) => p.effectiveEpochs), [12.5, 25]);
    assert.equal(run.gradCalls, 4 * run.cell.gradCallsPerStep);
    for (const p of run.curve) assert.ok(p.valError !== null && p.valError >= 0 && p.valError <= 1 && p.wallMs > 0);
    assert.ok(run.curve[1]!.wallMs > run.curve[0]!.wallMs);
    const md = readFileSync(join(out, 'table.md'), 'utf8');
    assert.match(md, /\| mnistfc \| Parle n=2 \(cluster\) \| 1\.20% \| 0\/1 \| not reached \| \(measured\) \|/);
    // A cluster run takes the coordinator's preset: optimizer overrides other than the lr and
    // EASGD's communication period are refused.
    const refused = bench([...TINY, '--table', 'dist', '--algos', 'parle:2', '--cluster', '--set', 'parle.L=5', '--dry-run']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /only lrSchedule, tau/);
    const dryOut = join(out, 'dry');
    const tau = bench([...TINY, '--table', 'dist', '--algos', 'easgd:2', '--cluster', '--set', 'easgd.tau=10', '--dry-run', '--out', dryOut]);
    assert.equal(tau.code, 0, tau.stderr);
    assert.ok(!existsSync(dryOut), 'a dry run creates no results directory');
    const tauParle = bench([...TINY, '--table', 'dist', '--algos', 'parle:2', '--cluster', '--set', 'parle.tau=10', '--dry-run']);
    assert.equal(tauParle.code, 2);
    assert.match(tauParle.stderr, /communication period/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('usage errors exit 2 with one line', () => {
  for (const args of [['--algos', 'adam'], ['--scale', 'fancy'], ['--set', 'esgd.L']]) {
    const r = bench([...args, '--dry-run']);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^bench\/reproduce: /);
  }
});

test('cluster cells send EASGD\'s τ and α and dist-ESGD\'s centre-step convention in the job spec', () => {
  const o: PlanOptions = {
    table: 'dist', models: ['mnistfc'], entries: ['easgd:2', 'parle:2', 'dist-esgd:2'], seeds: [42], scale: 'unit',
    bnRefresh: 'sequential', heat: 'gaussian', epochsPolicy: 'paper', stopAtTarget: true, targets: { mnistfc: 0.012 },
    cluster: true, set: [{ target: 'easgd', field: 'tau', value: 10 }],
  };
  const specs = planCells(o).map((cell) => clusterJobSpec({ type: 'run', cell, out: '', engine: 'torch', threads: 1, progressMs: 1000 }));
  const [easgd, parle, desgd] = specs;
  assert.equal(easgd!.algorithm, 'ALGORITHM_EASGD');
  assert.deepEqual([easgd!.hyper!.tau, easgd!.hyper!.alpha], [10, 0.45]);
  for (const s of [parle!, desgd!]) assert.deepEqual([s.hyper!.tau, s.hyper!.alpha], [undefined, undefined], s.algorithm as string);
  // dist-ESGD keeps the preset's centre step convention (lrScaling 'none': x ← x − η (x − mean μ)).
  assert.equal(desgd!.hyper!.centreLrScaling, 'CENTRE_LR_SCALING_NONE');
  assert.equal(parle!.hyper!.centreLrScaling, undefined);
});

test('cluster cells take a wire dtype (--set parle:2.exchangeDtype="float16"): in the job spec and the key; refused off the cluster or unknown', () => {
  const o: PlanOptions = {
    table: 'dist', models: ['mnistfc'], entries: ['parle:2'], seeds: [42], scale: 'unit',
    bnRefresh: 'sequential', heat: 'gaussian', epochsPolicy: 'paper', stopAtTarget: true, targets: { mnistfc: 0.012 },
    cluster: true, set: [],
  };
  const job = (cell: CellSpec) => clusterJobSpec({ type: 'run', cell, out: '', engine: 'torch', threads: 1, progressMs: 1000 });
  const plain = planCells(o)[0]!;
  const half = planCells({ ...o, set: [{ target: 'parle:2', field: 'exchangeDtype', value: 'float16' }] })[0]!;
  assert.equal(job(plain).exchangeDtype, undefined, 'unset: the job default (float32)');
  assert.equal(job(half).exchangeDtype, 'DTYPE_FLOAT16');
  assert.notEqual(half.key, plain.key);
  assert.throws(() => planCells({ ...o, set: [{ target: 'parle:2', field: 'exchangeDtype', value: 'int8' }] }), /expected one of "float32", "float16", "bfloat16"/);
  assert.throws(() => planCells({ ...o, cluster: false, set: [{ target: 'parle:2', field: 'exchangeDtype', value: 'float16' }] }), /for cluster runs/);
});
