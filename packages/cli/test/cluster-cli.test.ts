// The cluster commands of `deeprelax`: job specs from flags and job files, one-line errors, and
// the README's one-shot command (`cluster-run`: local cluster, Parle job, watch, error, plot) and
// `up` as a user runs them (real child processes, real gRPC, real MNIST).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildJobSpec, couplingToWire, intervalToWire, lrScheduleToWire } from '../src/cluster/jobspec.js';
import { resolveConnection } from '../src/cluster/connection.js';
import { UsageError } from '../src/train/config.js';

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DEEPRELAX_')) env[k] = v;
  return { ...env, DEEPRELAX_LOG_LEVEL: 'warn', ...extra };
}

function cli(args: string[], timeoutMs = 120_000, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--conditions=deeprelax-src', '--import', 'tsx', bin, ...args], { encoding: 'utf8', timeout: timeoutMs, env: cleanEnv(env) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('job specs from flags: short names, schedules, couplings, intervals', () => {
  const s = buildJobSpec({
    model: 'mlp',
    algo: 'easgd-async',
    workers: '3',
    epochs: '2',
    seed: '9',
    trainLimit: '1000',
    lrSchedule: '2:1.0,15:0.1',
    tau: '4',
    alpha: '0.3',
    evalEvery: '50r',
    checkpointEvery: '30s',
    dtype: 'float16',
    nesterov: false,
  });
  assert.equal(s.algorithm, 'ALGORITHM_EASGD_ASYNC');
  assert.equal(s.minWorkers, 3);
  assert.equal(s.maxWorkers, 3);
  assert.deepEqual(s.dataset, { name: 'mnist', trainLimit: 1000 });
  assert.deepEqual(s.hyper?.lr, { piecewise: { rows: [{ lastEpoch: 2, lr: 1 }, { lastEpoch: 15, lr: 0.1 }] } });
  assert.equal(s.hyper?.tau, 4);
  assert.equal(s.hyper?.nesterov, false);
  assert.deepEqual(s.evalInterval, { rounds: 50 });
  assert.deepEqual(s.checkpointInterval, { seconds: 30 });
  assert.equal(s.exchangeDtype, 'DTYPE_FLOAT16');
  assert.deepEqual(lrScheduleToWire('step:0.1:0.1:1', '--lr'), { stepDecay: { lr0: 0.1, factor: 0.1, everyEpochs: 1 } });
  assert.deepEqual(couplingToWire('exp:1e-4:1e-3', '--gamma'), { exponential: { g0: 1e-4, g1: 1e-3 } });
  assert.deepEqual(couplingToWire('capped:0.01:0.002:1', '--gamma'), { capped: { g0: 0.01, rate: 0.002, cap: 1 } });
  assert.deepEqual(couplingToWire('0', '--rho'), { constant: 0 });
  assert.deepEqual(intervalToWire('2', '--eval-every'), { epochs: 2 });
  assert.throws(() => couplingToWire('exp:1', '--gamma'), UsageError);
  assert.throws(() => intervalToWire('soon', '--eval-every'), UsageError);
  assert.throws(() => buildJobSpec({ model: 'mlp' }), /algorithm is required/);
  assert.throws(() => buildJobSpec({ model: 'mlp', algo: 'parle', lr: '0.1', lrSchedule: '0.2' }), /either --lr or --lr-schedule/);
});

test('job specs from JSON/YAML files (snake_case or camelCase), flags on top; bad files are one-line usage errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dr-jobfile-'));
  try {
    const y = join(dir, 'job.yaml');
    writeFileSync(y, 'model: lenet\nalgorithm: parle\ndataset: mnist\nworkers: 2\nhyper:\n  L: 25\n  gamma: "capped:0.01:0.001:1"\n  rho: 0\n  inner_momentum: 0.5\n');
    const s = buildJobSpec({ file: y, epochs: '3', model: 'mlp' });
    assert.equal(s.model, 'mlp');
    assert.equal(s.epochs, 3);
    assert.equal(s.hyper?.innerSteps, 25);
    assert.equal(s.hyper?.innerMomentum, 0.5);
    assert.deepEqual(s.hyper?.rho, { constant: 0 });
    const j = join(dir, 'job.json');
    writeFileSync(j, JSON.stringify({ spec: { model: 'mlp', algorithm: 'ALGORITHM_DESGD', hyper: { innerLr: 0.05 }, eval_interval: { rounds: 10 } } }));
    const s2 = buildJobSpec({ file: j });
    assert.equal(s2.algorithm, 'ALGORITHM_DESGD');
    assert.deepEqual(s2.hyper?.innerLr, { constant: 0.05 });
    assert.deepEqual(s2.evalInterval, { rounds: 10 });
    writeFileSync(j, '{"model": "mlp",');
    assert.throws(() => buildJobSpec({ file: j }), /not valid JSON/);
    writeFileSync(y, 'model: mlp\nalgorithm: parle\nlearning_rate: 0.1\n');
    assert.throws(() => buildJobSpec({ file: y }), /unknown field "learningRate"/);
    assert.throws(() => buildJobSpec({ file: join(dir, 'missing.yaml') }), /no such file/);
    writeFileSync(y, 'model: mlp\nalgorithm: sgd\n');
    assert.throws(() => buildJobSpec({ file: y }), /unknown algorithm "sgd"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('connection: flags, then DEEPRELAX_COORDINATOR / DEEPRELAX_TOKEN, then the default', () => {
  assert.deepEqual(resolveConnection({}, {}), { address: '127.0.0.1:50051', token: null, tls: null });
  assert.equal(resolveConnection({}, { DEEPRELAX_COORDINATOR: 'c:1', DEEPRELAX_TOKEN: 't' }).token, 't');
  assert.equal(resolveConnection({ coordinator: 'x:2' }, { DEEPRELAX_COORDINATOR: 'c:1' }).address, 'x:2');
  assert.throws(() => resolveConnection({ coordinator: 'nope' }, {}), /expected host:port/);
});

test('client commands without a coordinator: one line, non-zero exit; usage errors exit 2', () => {
  const r = cli(['jobs', '--coordinator', '127.0.0.1:1']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^deeprelax: UNAVAILABLE: cannot connect .*127\.0\.0\.1:1.*\n$/);
  const u = cli(['submit', '-m', 'mlp', '-a', 'parle', '--lr', 'fast']);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /^deeprelax: --lr "fast": expected a number\n$/);
  const w = cli(['weights', 'j1']);
  assert.equal(w.code, 2, 'missing -o is a usage error');
});

test('cluster-run (the README main command, on an MNIST subset): cluster up, Parle with 2 workers, watched to the end, error of x and plot', { timeout: 150_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), 'dr-cluster-run-'));
  try {
    const r = cli(['cluster-run', '-m', 'mlp', '--train-limit', '2048', '--val-limit', '500', '-e', '2', '-L', '5', '--no-metrics', '-o', out], 140_000);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /cluster up: coordinator 127\.0\.0\.1:\d+ \(embedded in-memory store\), 2 worker\(s\)/);
    const m = /job (\S+) succeeded: validation error of x (\d+\.\d+)%/.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.ok(Number(m[2]) < 30, `validation error ${m[2]}%`);
    const id = m[1]!;
    assert.match(r.stdout, /parle, 2 epochs, 2 workers/);
    const svg = readFileSync(join(out, `${id}-curves.svg`), 'utf8');
    assert.match(svg, /<svg[\s\S]*wall-clock/);
    assert.match(svg, /effective epochs/);
    const metrics = readFileSync(join(out, `${id}-metrics.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(metrics.some((x) => x.name === 'val_error'));
    assert.equal(statSync(join(out, `${id}-weights.f32`)).size, 101_770 * 4);
    assert.ok(existsSync(join(out, 'logs', 'coordinator.log')) && existsSync(join(out, 'logs', 'worker-1.log')));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('up: a local cluster the other commands talk to; SIGTERM stops it and its children', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dr-up-'));
  const port = 40_000 + Math.floor(Math.random() * 20_000);
  const up = spawn(process.execPath, ['--conditions=deeprelax-src', '--import', 'tsx', bin, 'up', '--workers', '1', '--port', String(port), '--no-metrics', '--log-dir', join(dir, 'logs'), '--checkpoint-dir', join(dir, 'ckpt')], {
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  up.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((res) => up.once('exit', (c, s) => res(c ?? (s ? -1 : null))));
  try {
    const t0 = Date.now();
    while (!/press Ctrl-C/.test(err)) {
      if (Date.now() - t0 > 60_000 || up.exitCode !== null) throw new Error(`up did not come up:\n${err}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    let workers = '';
    for (let i = 0; i < 50 && !/worker-0/.test(workers); i++) {
      workers = cli(['workers', '--coordinator', `127.0.0.1:${port}`]).stdout;
      if (!/worker-0/.test(workers)) await new Promise((r) => setTimeout(r, 300));
    }
    assert.match(workers, /\sidle\s.*\sworker-0\s/);
    const jobs = cli(['jobs', '--coordinator', `127.0.0.1:${port}`]);
    assert.equal(jobs.code, 0, jobs.stderr);
    assert.match(jobs.stdout, /no jobs/);
    up.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 143);
    const after = cli(['jobs', '--coordinator', `127.0.0.1:${port}`]);
    assert.equal(after.code, 1, 'the coordinator is gone');
    assert.match(readFileSync(join(dir, 'logs', 'worker-0.log'), 'utf8'), /left the pool/);
  } finally {
    // SIGTERM first so that `up` stops its children (a SIGKILL would orphan them).
    if (up.exitCode === null && up.signalCode === null) {
      up.kill('SIGTERM');
      const t = setTimeout(() => up.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

test('watch on a terminal: a progress bar for the job and one per worker, metrics table above them', { timeout: 90_000 }, async () => {
  const { LocalCluster } = await import('../src/cluster/local.js');
  const { watchJob } = await import('../src/cluster/watch.js');
  const { JobsClient } = await import('@deeprelax/rpc');
  const { PassThrough } = await import('node:stream');
  const dir = mkdtempSync(join(tmpdir(), 'dr-watch-tty-'));
  const cluster = await LocalCluster.start({ workers: 1, checkpointDir: join(dir, 'ckpt'), logDir: join(dir, 'logs'), metricsPort: null, logLevel: 'warn' });
  const client = new JobsClient(cluster.address);
  try {
    const job = await client.submitJob({
      model: 'mlp',
      dataset: { name: 'mnist', trainLimit: 1024, valLimit: 200 },
      algorithm: 'ALGORITHM_PARLE',
      epochs: 2,
      minWorkers: 1,
      maxWorkers: 1,
      evalInterval: { epochs: 0.5 },
      hyper: { innerSteps: 4 },
    });
    let text = '';
    const out = new PassThrough();
    out.on('data', (d: Buffer) => (text += d.toString()));
    Object.assign(out, { isTTY: true, columns: 160, rows: 40, cursorTo: () => true, moveCursor: () => true, clearLine: () => true, clearScreenDown: () => true });
    const r = await watchJob(client, job.id, { out, tty: true });
    assert.equal(r.state, 'JOB_STATE_SUCCEEDED');
    assert.match(text, new RegExp(`job ${job.id}`));
    assert.match(text, /replica 0/);
    assert.match(text, /[█░]{5,}/, 'bars drawn');
    assert.match(text, /val_error\s+\d+\.\d+%/);
    assert.ok(r.metrics.filter((m) => m.name === 'val_error').length >= 3, 'val_error every half epoch');
  } finally {
    client.close();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the local cluster starts the services with their node flags first (src and dist)', async () => {
  const { serviceArgs } = await import('../src/cluster/local.js');
  const { SERVICE_NODE_FLAGS } = await import('@deeprelax/runtime');
  const src = serviceArgs('coordinator', 'src');
  assert.deepEqual(src.slice(0, SERVICE_NODE_FLAGS.length), [...SERVICE_NODE_FLAGS]);
  assert.match(src.at(-1)!, /services\/coordinator\/src\/main\.ts$/);
  if (existsSync(fileURLToPath(new URL('../../../services/worker/dist/main.js', import.meta.url)))) {
    const dist = serviceArgs('worker', 'dist');
    assert.deepEqual(dist, [...SERVICE_NODE_FLAGS, dist.at(-1)!]);
    assert.match(dist.at(-1)!, /services\/worker\/dist\/main\.js$/);
  }
});
