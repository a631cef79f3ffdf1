// The worker against a scripted coordinator (real gRPC on loopback, PROTOCOL.md's messages):
// exactness against core's one-process simulation, recovery from ABORTED and from a lost lease,
// reconnecting when the coordinator comes up late, /metrics, the environment config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { createOptimizer, initialParameters, makeLrSchedule } from '@deeprelax/core';
import { loadDataset, trainingSource } from '@deeprelax/data';
import { getModelSpec } from '@deeprelax/models';
import type { JobSpec } from '@deeprelax/rpc';
import { createLogger, selectEngine } from '@deeprelax/runtime';
import { ConfigError, defaultWorkerConfig, startWorker, workerConfigFromEnv, type WorkerConfig } from '../src/index.js';
import { startScriptedCoordinator } from './scripted-coordinator.js';

const log = createLogger({ level: process.env.DEEPRELAX_TEST_LOG ?? 'silent', pretty: false });

const SEED = 7;
const BATCH = 64;
const TRAIN = 512; // nb = 8 rounds per epoch
const L = 3;
const ROUNDS = 10; // crosses an epoch boundary: the lr schedule changes at round 8

const spec: JobSpec = {
  name: 'worker-test',
  model: 'mlp',
  dataset: { name: 'mnist', trainLimit: TRAIN, valLimit: 100 },
  algorithm: 'ALGORITHM_PARLE',
  epochs: ROUNDS / (TRAIN / BATCH),
  seed: SEED,
  minWorkers: 1,
  maxWorkers: 1,
  hyper: {
    lr: { stepDecay: { lr0: 0.1, factor: 0.5, everyEpochs: 1 } },
    innerSteps: L,
    gamma: { constant: 0.05 },
    // The elastic coupling switched off: one replica is then Entropy-SGD (ALGORITHMS.md §2.7).
    rho: { constant: 0 },
    momentum: 0.9,
    nesterov: true,
    innerMomentum: 0.9,
    beta1: 0.75,
    weightDecay: 0,
    noise: 0,
    batchSize: BATCH,
    resetInner: true,
  },
};

function workerConfig(address: string, extra: Partial<WorkerConfig> = {}): WorkerConfig {
  return {
    ...defaultWorkerConfig(address),
    name: 'test-worker',
    metricsPort: null,
    backoff: { initialMs: 50, maxMs: 400, factor: 2, jitter: 0.1 },
    maxJobs: 1,
    ...extra,
  };
}

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

// tfjs: its arithmetic is deterministic run to run. (The torch engine's oneDNN sgemm can round a
// last bit differently depending on where buffers land, so bit-for-bit checks use tfjs.)
async function simulate(): Promise<Float32Array> {
  const { engine } = await selectEngine('tfjs');
  const ds = await loadDataset({ name: 'mnist', trainLimit: TRAIN, testLimit: 100 });
  const model = engine.createModel(getModelSpec('mlp'), { seed: SEED });
  const source = trainingSource(ds.train, { batchSize: BATCH, seed: SEED });
  const opt = createOptimizer(model, source, {
    algorithm: 'parle',
    replicas: 1,
    L,
    lr: 0.1,
    beta1: 0.75,
    momentum: 0.9,
    innerMomentum: 0.9,
    nesterov: true,
    weightDecay: 0,
    noise: 0,
    gammaScoping: { kind: 'constant', g: 0.05 },
    rhoScoping: { kind: 'constant', g: 0 },
  });
  const lr = makeLrSchedule({ kind: 'step', lr0: 0.1, factor: 0.5, every: 1 });
  const nb = Math.ceil(TRAIN / BATCH);
  for (let k = 0; k < ROUNDS; k++) {
    opt.lr = lr.lrAt(Math.floor(k / nb) + 1);
    opt.step();
  }
  const x = model.read(model.params);
  opt.dispose();
  model.dispose();
  return x;
}

for (const overlapExchange of [true, false]) {
test(`one Parle worker reproduces the one-process simulation bit for bit, then leaves (overlapExchange ${overlapExchange})`, async () => {
  const x0 = initialParameters(getModelSpec('mlp'), SEED);
  const coord = await startScriptedCoordinator({ spec, x0, totalRounds: ROUNDS });
  try {
    const w = await startWorker(workerConfig(coord.address, { engine: 'tfjs', overlapExchange }), { logger: log, processMetrics: false });
    await coord.done;
    await w.done;
    const metrics = await w.metrics.registry.metrics();
    assert.equal(w.jobsDone, 1);
    assert.equal(coord.round, ROUNDS);
    const expected = await simulate();
    assert.equal(coord.x.length, expected.length);
    let diff = 0;
    for (let i = 0; i < expected.length; i++) if (coord.x[i] !== expected[i]) diff++;
    assert.equal(diff, 0, `${diff} of ${expected.length} parameters differ from the simulation`);
    // Protocol: PULL first, then phase 0 and phase 1 of every round in order.
    assert.equal(coord.exchanges[0]!.kind, 'EXCHANGE_KIND_PULL');
    const sync = coord.exchanges.slice(1).map((e) => `${e.round}.${e.phase}`);
    assert.deepEqual(sync, Array.from({ length: ROUNDS }, (_, k) => [`${k}.0`, `${k}.1`]).flat());
    assert.ok(coord.heartbeats.length >= 1, 'heartbeats were sent');
    assert.equal(coord.leaves.length, 1, 'left the pool once');
    assert.match(metrics, /deeprelax_worker_steps_total\{[^}]*job="job-1"[^}]*\} \d+/);
    assert.match(metrics, /deeprelax_worker_exchange_seconds_bucket/);
  } finally {
    await coord.close();
  }
});
}

test('an ABORTED round makes the worker PULL and carry on to the end', async () => {
  const x0 = initialParameters(getModelSpec('mlp'), SEED);
  const coord = await startScriptedCoordinator({ spec, x0, totalRounds: 4, failExchange: { n: 4, error: 'aborted' } });
  try {
    const w = await startWorker(workerConfig(coord.address), { logger: log, processMetrics: false });
    await coord.done;
    await w.done;
    const kinds = coord.exchanges.map((e) => e.kind);
    assert.equal(kinds.filter((k) => k === 'EXCHANGE_KIND_PULL').length, 2, 'pulled again after ABORTED');
    assert.equal(w.jobsDone, 1);
  } finally {
    await coord.close();
  }
});

for (const overlapExchange of [false, true]) {
test(`a worker gives an assignment up after 3 rejected rounds in a row, then leaves (overlapExchange ${overlapExchange})`, async () => {
  // With the upload overlapped, a round looks done before its second exchange is answered; the
  // count of failures in a row must not restart on such a round.
  const x0 = initialParameters(getModelSpec('mlp'), SEED);
  const coord = await startScriptedCoordinator({ spec, x0, totalRounds: 1000, rejectPhase1: true });
  const w = await startWorker(workerConfig(coord.address, { engine: 'tfjs', overlapExchange }), { logger: log, processMetrics: false });
  try {
    const t0 = Date.now();
    while (coord.leaves.length === 0 && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 50));
    assert.ok(coord.leaves.length >= 1, 'the worker left after repeated rejections');
    const phase1 = coord.exchanges.filter((e) => e.kind === 'EXCHANGE_KIND_SYNC' && e.phase === 1).length;
    assert.equal(phase1, 4, 'the first try and 3 retries (PULL in between), then it gives up');
    assert.equal(coord.exchanges.filter((e) => e.kind === 'EXCHANGE_KIND_PULL').length, 4);
  } finally {
    await w.stop('test over');
    await coord.close();
  }
});
}

test('a lost lease (FAILED_PRECONDITION) makes the worker register again and finish the job', async () => {
  const x0 = initialParameters(getModelSpec('mlp'), SEED);
  const coord = await startScriptedCoordinator({ spec, x0, totalRounds: 4, failExchange: { n: 3, error: 'lease' } });
  try {
    const w = await startWorker(workerConfig(coord.address), { logger: log, processMetrics: false });
    await coord.done;
    await w.done;
    assert.equal(coord.registrations, 2);
    assert.equal(w.jobsDone, 1);
  } finally {
    await coord.close();
  }
});

test('a worker started before its coordinator keeps trying with backoff and then joins', async () => {
  const port = await freePort();
  const w = await startWorker(workerConfig(`127.0.0.1:${port}`, { metricsPort: 0 }), { logger: log, processMetrics: false });
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(w.state, 'registering');
  const res = await fetch(`http://127.0.0.1:${w.metricsPort}/metrics`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /deeprelax_worker_state\{[^}]*state="disconnected"[^}]*\} 1/);
  const x0 = initialParameters(getModelSpec('mlp'), SEED);
  const coord = await startScriptedCoordinator({ spec, x0, totalRounds: 2, port });
  try {
    await coord.done;
    await w.done;
    assert.equal(w.jobsDone, 1);
  } finally {
    await coord.close();
  }
});

test('environment config: defaults, parsing and one-line errors', () => {
  const c = workerConfigFromEnv({ DEEPRELAX_COORDINATOR: 'coord:50051', DEEPRELAX_THREADS: '2', DEEPRELAX_METRICS_PORT: 'off', DEEPRELAX_TOKEN: 's3cret' });
  assert.equal(c.coordinator, 'coord:50051');
  assert.equal(c.threads, 2);
  assert.equal(c.metricsPort, null);
  assert.equal(c.token, 's3cret');
  assert.equal(workerConfigFromEnv({}).metricsPort, 9464);
  assert.throws(() => workerConfigFromEnv({ DEEPRELAX_COORDINATOR: 'nohostport' }), (e: Error) => e instanceof ConfigError && /DEEPRELAX_COORDINATOR/.test(e.message));
  assert.throws(() => workerConfigFromEnv({ DEEPRELAX_ENGINE: 'cuda' }), /DEEPRELAX_ENGINE/);
  assert.throws(() => workerConfigFromEnv({ DEEPRELAX_METRICS_PORT: '70000' }), /DEEPRELAX_METRICS_PORT/);
  assert.equal(workerConfigFromEnv({}).cpuCacheMiB, 512);
  assert.equal(workerConfigFromEnv({ DEEPRELAX_CPU_CACHE_MIB: '0' }).cpuCacheMiB, 0);
  assert.equal(workerConfigFromEnv({ DEEPRELAX_CPU_CACHE_MIB: '' }).cpuCacheMiB, 512, 'empty is unset, not 0 (off)');
  assert.equal(workerConfigFromEnv({ DEEPRELAX_CPU_CACHE_MIB: ' ' }).cpuCacheMiB, 512);
  assert.throws(() => workerConfigFromEnv({ DEEPRELAX_CPU_CACHE_MIB: '-1' }), /DEEPRELAX_CPU_CACHE_MIB/);
  assert.throws(() => workerConfigFromEnv({ DEEPRELAX_CPU_CACHE_MIB: '1.5' }), /DEEPRELAX_CPU_CACHE_MIB/);
});
