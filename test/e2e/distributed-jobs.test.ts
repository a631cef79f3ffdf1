// Acceptance (issue 4): a 2-worker synchronous Parle job and a 2-worker asynchronous EASGD job on a
// small MNIST model run to completion through the real coordinator and workers (child processes,
// real gRPC on loopback, run metadata in a real Redis under a fresh prefix), and x's validation
// error is far below an untrained model's.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateModel, initialParameters } from '@deeprelax/core';
import { evalBatches, loadDataset } from '@deeprelax/data';
import { getModelSpec } from '@deeprelax/models';
import { selectEngine } from '@deeprelax/runtime';
import { freePort, Harness, redisAvailable, smallJob, valError, waitForEnd } from './helpers.js';

const VAL = 1000;
let untrained = 1;
let redis = false;

before(async () => {
  redis = await redisAvailable();
  // The error of the job's starting point x0 (what the coordinator starts from, seed 11).
  const { engine } = await selectEngine('auto');
  const ds = await loadDataset({ name: 'mnist', trainLimit: 1, testLimit: VAL });
  const model = engine.createModel(getModelSpec('mlp'), { seed: 11, initialParams: initialParameters(getModelSpec('mlp'), 11) });
  untrained = evaluateModel(model, { batches: () => evalBatches(ds.test, 500) }).error;
  model.dispose();
});

type JobOverrides = Parameters<typeof smallJob>[0];

/**
 * Runs one job on a fresh coordinator with two worker processes; returns the finished job and the
 * coordinator's Prometheus metrics at its end.
 */
async function runTwoWorkerJob(name: string, job: JobOverrides) {
  const h = new Harness(name);
  let ok = false;
  try {
    const metricsPort = await freePort();
    await h.startCoordinator({ DEEPRELAX_METRICS_PORT: String(metricsPort), DEEPRELAX_METRICS_ADDR: '127.0.0.1' }, true);
    h.startWorker('w0');
    h.startWorker('w1');
    const client = h.client();
    const submitted = await client.submitJob(smallJob(job));
    const end = await waitForEnd(client, submitted.id, 100_000);
    assert.equal(end.state, 'JOB_STATE_SUCCEEDED', `job ended ${end.state} ${end.error?.message ?? ''}\n${h.logs()}`);
    client.close();
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    ok = true;
    return { end, metrics };
  } finally {
    await h.cleanup(!ok);
  }
}

test('2-worker synchronous Parle on MNIST: completes, x far better than untrained', { timeout: 120_000 }, async (t) => {
  if (!redis) return t.skip('no Redis at DEEPRELAX_TEST_REDIS_URL / 127.0.0.1:6379');
  const { end, metrics } = await runTwoWorkerJob('parle', {
    algorithm: 'ALGORITHM_PARLE',
    epochs: 2,
    hyper: { innerSteps: 5, lr: { stepDecay: { lr0: 0.1, factor: 0.5, everyEpochs: 1 } } },
  });
  const err = valError(end);
  t.diagnostic(`untrained ${(100 * untrained).toFixed(1)}%, Parle x ${(100 * err).toFixed(2)}% after ${end.progress?.epoch} epochs, ${end.progress?.round} rounds`);
  assert.ok(untrained > 0.8, `untrained error ${untrained}`);
  assert.ok(err < 0.2, `Parle validation error ${err} should be < 20%`);
  assert.ok(err < untrained / 4, `Parle validation error ${err} vs untrained ${untrained}`);
  assert.equal(end.progress?.round, end.progress?.totalRounds);
  // Both replicas were reduced into every round: as many rounds observed as the job has, none of
  // them with fewer than 2 contributors (the histogram's le="1" bucket stays empty).
  const sample = (re: RegExp) => Number(metrics.match(re)?.[1] ?? NaN);
  const rounds = sample(/deeprelax_coordinator_round_contributors_count\{[^}]*algorithm="parle"[^}]*\} (\d+)/);
  const alone = sample(/deeprelax_coordinator_round_contributors_bucket\{le="1",[^}]*algorithm="parle"[^}]*\} (\d+)/);
  const sum = sample(/deeprelax_coordinator_round_contributors_sum\{[^}]*algorithm="parle"[^}]*\} (\d+)/);
  assert.equal(rounds, Number(end.progress?.totalRounds), `rounds reduced\n${metrics}`);
  assert.equal(alone, 0, 'rounds reduced with a single replica');
  assert.equal(sum, 2 * rounds, 'contributions over all rounds');
});

test('2-worker asynchronous EASGD on MNIST: completes, x far better than untrained', { timeout: 120_000 }, async (t) => {
  if (!redis) return t.skip('no Redis at DEEPRELAX_TEST_REDIS_URL / 127.0.0.1:6379');
  const { end } = await runTwoWorkerJob('easgd', {
    algorithm: 'ALGORITHM_EASGD_ASYNC',
    epochs: 3,
    hyper: { lr: { constant: 0.1 }, tau: 4, alpha: 0.45 },
  });
  const err = valError(end);
  t.diagnostic(`untrained ${(100 * untrained).toFixed(1)}%, EASGD centre ${(100 * err).toFixed(2)}% after ${end.progress?.epoch} epochs, ${end.progress?.round} exchanges`);
  assert.ok(err < 0.25, `EASGD validation error ${err} should be < 25%`);
  assert.ok(err < untrained / 3, `EASGD validation error ${err} vs untrained ${untrained}`);
});
