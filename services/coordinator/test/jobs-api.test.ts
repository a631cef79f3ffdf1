// The jobs API: full validation at submit (INVALID_ARGUMENT naming the field), defaults filled in,
// NOT_FOUND for unknown jobs, UNAUTHENTICATED without the token, metrics endpoint.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CoordinatorClient, InvalidArgumentError, JobsClient, NotFoundError, UnauthenticatedError, type JobSpec } from '@deeprelax/rpc';
import { smallSpec, startTest, type TestCoordinator } from './helpers.js';

describe('jobs API', () => {
  let c: TestCoordinator;
  before(async () => {
    c = await startTest();
  });
  after(async () => {
    await c?.stop();
  });

  const bad: [string, JobSpec, string][] = [
    ['unknown model', smallSpec({ model: 'resnet9000' }), 'spec.model'],
    ['missing model', smallSpec({ model: '' }), 'spec.model'],
    ['unknown dataset', smallSpec({ dataset: { name: 'imagenet' } }), 'spec.dataset.name'],
    ['no dataset', smallSpec({ dataset: null }), 'spec.dataset'],
    ['missing dataset path', smallSpec({ dataset: { path: '/nonexistent/data' } }), 'spec.dataset.path'],
    ['no algorithm', smallSpec({ algorithm: 'ALGORITHM_UNSPECIFIED' }), 'spec.algorithm'],
    ['min > max workers', smallSpec({ minWorkers: 3, maxWorkers: 2 }), 'spec.max_workers'],
    ['negative epochs', smallSpec({ epochs: -1 }), 'spec.epochs'],
    ['NaN epochs', smallSpec({ epochs: NaN }), 'spec.epochs'],
    ['negative lr', smallSpec({}, { lr: { constant: -0.1 } }), 'spec.hyper.lr'],
    ['piecewise rows not increasing', smallSpec({}, { lr: { piecewise: { rows: [{ lastEpoch: 3, lr: 0.1 }, { lastEpoch: 2, lr: 0.01 }] } } }), 'spec.hyper.lr'],
    ['zero inner steps', smallSpec({}, { innerSteps: 0 }), 'spec.hyper.inner_steps'],
    ['zero batch size', smallSpec({}, { batchSize: 0 }), 'spec.hyper.batch_size'],
    ['momentum 1', smallSpec({}, { momentum: 1 }), 'spec.hyper.momentum'],
    ['alpha > 1', smallSpec({ algorithm: 'ALGORITHM_EASGD' }, { alpha: 1.5 }), 'spec.hyper.alpha'],
    ['infinite noise', smallSpec({}, { noise: Infinity }), 'spec.hyper.noise'],
    ['negative coupling', smallSpec({}, { gamma: { constant: -1 } }), 'spec.hyper.gamma'],
    ['model/dataset shape mismatch', smallSpec({ model: 'allcnn' }), 'spec.model'],
    ['eval interval 0 epochs', smallSpec({ evalInterval: { epochs: -2 } }), 'spec.eval_interval.epochs'],
  ];
  for (const [what, spec, field] of bad) {
    test(`invalid spec (${what}) -> INVALID_ARGUMENT naming ${field}`, async () => {
      await assert.rejects(c.jobs.submitJob(spec), (err: unknown) => {
        assert.ok(err instanceof InvalidArgumentError, `got ${String(err)}`);
        assert.equal(err.field, field, err.message);
        return true;
      });
    });
  }

  test('a valid spec is stored QUEUED with the defaults filled in', async () => {
    const job = await c.jobs.submitJob(smallSpec({ minWorkers: 2, hyper: { batchSize: 64 } }));
    assert.equal(job.state, 'JOB_STATE_QUEUED');
    const h = job.spec!.hyper!;
    assert.equal(h.innerSteps, 25);
    assert.equal(h.momentum, 0.9);
    assert.equal(h.beta1, 0.75);
    assert.equal(h.lr?.stepDecay?.lr0, 0.1);
    assert.ok(h.gamma?.capped, 'gamma schedule filled');
    assert.equal(h.rho?.capped?.g0, 0.01 * 25 * 2);
    assert.equal(h.rho?.capped?.rate, 0.5 / 4);
    assert.equal(job.spec!.maxWorkers, 2);
    assert.equal(job.spec!.roundDeadlineMs, 30_000);
    assert.equal(job.spec!.exchangeDtype, 'DTYPE_FLOAT32');
    assert.equal(job.progress?.totalRounds, 4);
    const again = await c.jobs.getJob(job.id);
    assert.deepEqual(again.spec, job.spec);
    await c.jobs.cancelJob(job.id);
  });

  test('distributed ESGD: an unset centre-step convention is NONE (the preset\'s), also with the job\'s own lr', async () => {
    for (const hyper of [{}, { lr: { constant: 0.5 } }]) {
      const job = await c.jobs.submitJob(smallSpec({ algorithm: 'ALGORITHM_DESGD' }, hyper));
      assert.equal(job.spec!.hyper!.centreLrScaling, 'CENTRE_LR_SCALING_NONE', JSON.stringify(hyper));
      await c.jobs.cancelJob(job.id);
    }
    const coupled = await c.jobs.submitJob(smallSpec({ algorithm: 'ALGORITHM_DESGD' }, { lr: { constant: 0.5 }, centreLrScaling: 'CENTRE_LR_SCALING_COUPLING' }));
    assert.equal(coupled.spec!.hyper!.centreLrScaling, 'CENTRE_LR_SCALING_COUPLING');
    await c.jobs.cancelJob(coupled.id);
  });

  test('submitting with the same request id returns the same job', async () => {
    const a = await c.jobs.submitJob(smallSpec(), 'req-1');
    const b = await c.jobs.submitJob(smallSpec(), 'req-1');
    assert.equal(a.id, b.id);
    await c.jobs.cancelJob(a.id);
  });

  test('unknown job ids -> NOT_FOUND', async () => {
    for (const id of ['job-000000000000', 'no such job', '']) {
      await assert.rejects(c.jobs.getJob(id), NotFoundError);
      await assert.rejects(c.jobs.cancelJob(id), NotFoundError);
      await assert.rejects(c.jobs.fetchWeights({ jobId: id }), NotFoundError);
      await assert.rejects(
        (async () => {
          for await (const _ of c.jobs.watchJob({ jobId: id })) break;
        })(),
        NotFoundError,
      );
    }
  });

  test('metrics endpoint serves the coordinator metrics', async () => {
    const res = await fetch(`http://127.0.0.1:${c.metricsPort}/metrics`);
    assert.equal(res.status, 200);
    const body = await res.text();
    for (const name of ['deeprelax_coordinator_rounds_total', 'deeprelax_coordinator_queue_depth', 'deeprelax_coordinator_live_workers', 'deeprelax_coordinator_exchange_seconds']) {
      assert.ok(body.includes(name), name);
    }
    assert.match(body, /deeprelax_coordinator_exchange_path_info\{kernels="wasm-simd",crc32="@node-rs\/crc32"\} 1/);
    assert.match(body, /deeprelax_coordinator_arena_fallbacks 0/);
    assert.match(body, /deeprelax_coordinator_arena_stale_gives 0/);
    assert.match(body, /deeprelax_coordinator_arena_slots_in_use \d+/);
  });
});

describe('auth', () => {
  let c: TestCoordinator;
  before(async () => {
    c = await startTest({ token: 's3cret' });
  });
  after(async () => {
    await c?.stop();
  });

  test('a call without the token (or with a wrong one) -> UNAUTHENTICATED; with it, served', async () => {
    const anon = new JobsClient(c.address);
    const wrong = new JobsClient(c.address, { token: 'nope' });
    const anonWorker = new CoordinatorClient(c.address);
    try {
      await assert.rejects(anon.listJobs(), UnauthenticatedError);
      await assert.rejects(anon.submitJob(smallSpec()), UnauthenticatedError);
      await assert.rejects(wrong.getJob('job-000000000000'), UnauthenticatedError);
      await assert.rejects(anonWorker.register({ capabilities: { hostname: 'x' } }), UnauthenticatedError);
      await assert.rejects(
        anonWorker.exchange({ jobId: 'job-000000000000', workerId: 'wkr-000000000000', kind: 'EXCHANGE_KIND_PULL' }, []),
        UnauthenticatedError,
      );
      const list = await c.jobs.listJobs();
      assert.equal(list.jobs.length, 0, 'nothing was submitted without the token');
    } finally {
      anon.close();
      wrong.close();
      anonWorker.close();
    }
  });
});
