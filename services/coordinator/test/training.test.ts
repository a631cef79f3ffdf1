// The protocol trains: two in-process replicas built from core's ParleReplica (what a worker
// runs), each on its own engine model and seeded data stream, drive a real Parle job through the
// coordinator over gRPC. x's validation error, evaluated by the coordinator, ends far below an
// untrained model's.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeLrSchedule, ParleReplica } from '@deeprelax/core';
import { loadDataset, trainingSource } from '@deeprelax/data';
import { getModelSpec } from '@deeprelax/models';
import { selectEngine } from '@deeprelax/runtime';
import { lrSpecOf, scopingSpecOf } from '../src/index.js';
import { FakeWorker, smallSpec, startTest, until, type TestCoordinator } from './helpers.js';

describe('training through the coordinator', () => {
  let c: TestCoordinator;
  before(async () => {
    c = await startTest();
  });
  after(async () => {
    await c?.stop();
  });

  test("2-replica Parle on an MNIST subset: validation error of x far below chance", async (t) => {
    const job = await c.jobs.submitJob(
      smallSpec(
        { algorithm: 'ALGORITHM_PARLE', minWorkers: 2, epochs: 2, dataset: { name: 'mnist', trainLimit: 1024, valLimit: 500 }, evalInterval: { epochs: 1 } },
        { batchSize: 64, innerSteps: 5, lr: { constant: 0.1 } },
      ),
    );
    const { engine } = await selectEngine('tfjs');
    const ds = await loadDataset({ name: 'mnist', trainLimit: 1024, testLimit: 500 });
    const workers = [await new FakeWorker(c.address).register(), await new FakeWorker(c.address).register()];
    // Heartbeats keep the leases (15 s) alive as a real worker's do: under load this test can
    // take longer than one lease, and exchanges do not renew it.
    const beat = setInterval(() => {
      for (const w of workers) w.heartbeat().catch(() => {});
    }, 1000);
    t.after(() => clearInterval(beat));
    const runs = workers.map(async (w) => {
      const a = await w.waitAssignment();
      const spec = a.spec!;
      const h = spec.hyper!;
      const model = engine.createModel(getModelSpec(spec.model), { seed: spec.seed! + a.replica });
      const batches = trainingSource(ds.train, { batchSize: h.batchSize!, seed: spec.seed!, worker: a.replica, numWorkers: 2 });
      const pulled = await w.pull();
      const replica = new ParleReplica(
        model,
        batches,
        {
          L: h.innerSteps!,
          beta1: h.beta1!,
          momentum: h.momentum!,
          innerMomentum: h.innerMomentum!,
          nesterov: h.nesterov!,
          weightDecay: h.weightDecay!,
          noise: h.noise!,
          gammaScoping: scopingSpecOf(h.gamma)!,
          rhoScoping: scopingSpecOf(h.rho)!,
          resetZ: h.resetInner!,
        },
        pulled.byName.get('x')!,
      );
      const lr = makeLrSchedule(lrSpecOf(h.lr)!);
      const nb = Math.ceil(1024 / h.batchSize!);
      let round = pulled.reply.round;
      for (;;) {
        replica.lr = lr.lrAt(Math.floor(round / nb) + 1);
        const inner = replica.innerLoop();
        const progress = { workerId: w.id, replica: a.replica, round, trainLoss: inner.loss };
        const r0 = await w.exchange('EXCHANGE_KIND_SYNC', round, 0, [{ name: 'z', values: inner.z }], a.jobId, progress);
        if (r0.reply.directive === 'WORKER_DIRECTIVE_STOP') break;
        const xa = replica.outerStep(r0.byName.get('mean_z')!);
        const r1 = await w.exchange('EXCHANGE_KIND_SYNC', round, 1, [{ name: 'x', values: xa }], a.jobId, progress);
        round = r1.reply.round;
        if (r1.reply.directive === 'WORKER_DIRECTIVE_STOP') break;
      }
      replica.dispose();
      model.dispose();
      return round;
    });
    const rounds = await Promise.all(runs);
    assert.deepEqual(rounds, [32, 32]);
    const done = await until(async () => {
      const j = await c.jobs.getJob(job.id);
      return j.state === 'JOB_STATE_SUCCEEDED' && j;
    }, 30_000, 'SUCCEEDED');
    const ve = done.latestMetrics.find((m) => m.name === 'val_error')!.value;
    t.diagnostic(`validation error of x after ${rounds[0]} rounds: ${ve}`);
    assert.ok(ve < 0.3, `validation error of x is ${ve}`);
    for (const w of workers) await w.close();
  });
});
