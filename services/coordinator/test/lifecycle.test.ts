// Job lifecycle: FIFO start when workers are free, joining and leaving a running job, completion
// (final evaluation, checkpoint, SUCCEEDED, workers told to stop), watch, cancel, ListWorkers.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { JobEvent__Output } from '@deeprelax/rpc';
import { FakeWorker, fetchX, randomVector, smallSpec, startTest, until, within, type TestCoordinator } from './helpers.js';

const N = 101_770;

describe('lifecycle', () => {
  let c: TestCoordinator;
  before(async () => {
    c = await startTest();
  });
  after(async () => {
    await c?.stop();
  });

  test('queued jobs start in FIFO order when their workers are free', async () => {
    const A = await c.jobs.submitJob(smallSpec({ name: 'A', minWorkers: 2, algorithm: 'ALGORITHM_EASGD' }));
    const B = await c.jobs.submitJob(smallSpec({ name: 'B', minWorkers: 1, algorithm: 'ALGORITHM_EASGD' }));
    const C = await c.jobs.submitJob(smallSpec({ name: 'C', minWorkers: 1, algorithm: 'ALGORITHM_EASGD' }));
    const w1 = await new FakeWorker(c.address).register();
    assert.equal(w1.assignment, null, 'A needs two workers; B may not overtake it');
    await w1.heartbeat('');
    assert.equal((await c.jobs.getJob(B.id)).state, 'JOB_STATE_QUEUED');
    const w2 = await new FakeWorker(c.address).register();
    const a2 = await w2.waitAssignment();
    const a1 = await w1.waitAssignment();
    assert.equal(a1.jobId, A.id);
    assert.equal(a2.jobId, A.id);
    assert.deepEqual([a1.replica, a2.replica].sort(), [0, 1]);
    assert.equal((await c.jobs.getJob(A.id)).state, 'JOB_STATE_RUNNING');
    assert.equal((await c.jobs.getJob(B.id)).state, 'JOB_STATE_QUEUED');
    // Cancelling A frees both workers: B starts, then C.
    await c.jobs.cancelJob(A.id, 'test');
    const hb = await w1.heartbeat(A.id);
    assert.equal(hb.directive, 'WORKER_DIRECTIVE_START', 'moved to the next job');
    await w2.heartbeat(A.id);
    const jb = await until(async () => {
      const j = await c.jobs.getJob(B.id);
      return j.state === 'JOB_STATE_RUNNING' && j;
    });
    const jc = await until(async () => {
      const j = await c.jobs.getJob(C.id);
      return j.state === 'JOB_STATE_RUNNING' && j;
    });
    assert.ok(jb.startedUnixMs <= jc.startedUnixMs, 'B started no later than C');
    assert.deepEqual(new Set([w1.jobId, w2.jobId]), new Set([B.id, C.id]));
    assert.equal((await c.jobs.getJob(A.id)).state, 'JOB_STATE_CANCELLED');
    const listed = await c.jobs.listJobs({ states: ['JOB_STATE_RUNNING'] });
    assert.deepEqual(listed.jobs.map((j) => j.id), [C.id, B.id], 'newest first');
    await c.jobs.cancelJob(B.id);
    await c.jobs.cancelJob(C.id);
    await w1.close();
    await w2.close();
  });

  test('a worker joins a running job at the current round and x; a leaving one never stalls a round', async () => {
    const job = await c.jobs.submitJob(smallSpec({ algorithm: 'ALGORITHM_EASGD', minWorkers: 1, maxWorkers: 2, epochs: 10 }, { alpha: 0.2 }));
    const w1 = await new FakeWorker(c.address).register();
    assert.equal((await w1.waitAssignment()).jobId, job.id);
    await w1.pull();
    for (let k = 0; k < 2; k++) await w1.exchange('EXCHANGE_KIND_SYNC', k, 0, [{ name: 'x', values: randomVector(N, k) }]);
    const w2 = await new FakeWorker(c.address).register();
    const a2 = await w2.waitAssignment();
    assert.equal(a2.jobId, job.id);
    assert.equal(Number(a2.round), 2);
    assert.equal(a2.replica, 1);
    assert.equal(a2.mode, 'EXCHANGE_MODE_SYNC');
    const p = await w2.pull();
    assert.equal(p.reply.round, 2);
    assert.ok(Buffer.from(p.byName.get('x')!.buffer).equals((await fetchX(c.jobs, job.id)).bytes));
    const workers = await c.jobs.listWorkers(job.id);
    assert.equal(workers.length, 2);
    // Round 2 waits for both; w2 leaves instead of contributing: the round closes at once.
    const pending = w1.exchange('EXCHANGE_KIND_SYNC', 2, 0, [{ name: 'x', values: randomVector(N, 2) }]);
    await new Promise((r) => setTimeout(r, 100));
    await w2.close();
    const r = await within(pending, 3_000, 'round 2 after the other member left');
    assert.equal(r.reply.contributors, 1);
    assert.equal(r.reply.round, 3);
    assert.equal((await c.jobs.listWorkers(job.id)).length, 1);
    await c.jobs.cancelJob(job.id);
    await w1.close();
  });

  test('a job runs to completion: evaluations, checkpoints, SUCCEEDED, STOP to the worker, watch ends', async () => {
    // mlp, 256 samples at batch 64: nb = 4 rounds per epoch, 2 epochs = 8 rounds.
    const job = await c.jobs.submitJob(
      smallSpec({ algorithm: 'ALGORITHM_PARLE', epochs: 2, evalInterval: { epochs: 1 }, checkpointInterval: { rounds: 3 } }),
    );
    const events: JobEvent__Output[] = [];
    const watching = (async () => {
      for await (const ev of c.jobs.watchJob({ jobId: job.id, workerProgress: true, logs: true })) events.push(ev);
    })();
    const w = await new FakeWorker(c.address).register();
    await w.waitAssignment();
    let x = (await w.pull()).byName.get('x')!;
    let last;
    for (let k = 0; k < 8; k++) {
      const progress = { workerId: w.id, replica: 0, round: k, steps: 2 * (k + 1), samples: 128 * (k + 1), trainLoss: 2 - k / 10 };
      const r0 = await w.exchange('EXCHANGE_KIND_SYNC', k, 0, [{ name: 'z', values: x }], w.jobId, progress);
      assert.equal(r0.reply.directive, 'WORKER_DIRECTIVE_UNSPECIFIED');
      // A step towards a point that classifies nothing in particular; x stays finite.
      const next = x.map((v, i) => v * 0.99 + (i % 7) * 1e-4);
      last = await w.exchange('EXCHANGE_KIND_SYNC', k, 1, [{ name: 'x', values: next }], w.jobId, progress);
      x = next;
      assert.equal(last.reply.round, k + 1);
      assert.equal(last.reply.directive, k === 7 ? 'WORKER_DIRECTIVE_STOP' : 'WORKER_DIRECTIVE_UNSPECIFIED');
    }
    const done = await until(async () => {
      const j = await c.jobs.getJob(job.id);
      return j.state === 'JOB_STATE_SUCCEEDED' && j;
    }, 20_000, 'SUCCEEDED');
    assert.equal(done.progress?.round, 8);
    assert.equal(done.progress?.fraction, 1);
    const ve = done.latestMetrics.find((m) => m.name === 'val_error');
    assert.ok(ve && ve.value >= 0 && ve.value <= 1, 'val_error recorded');
    assert.ok(done.checkpoint && existsSync(done.checkpoint), 'final checkpoint on disk');
    const fx = await fetchX(c.jobs, job.id);
    assert.equal(fx.round, 8);
    assert.ok(fx.bytes.equals(Buffer.from(x.buffer)), 'final weights = mean of the last x^a (one replica)');
    const hb = await w.heartbeat(job.id);
    assert.equal(hb.directive, 'WORKER_DIRECTIVE_STOP');
    const after = await w.exchange('EXCHANGE_KIND_PULL', 0, 0, []);
    assert.equal(after.reply.directive, 'WORKER_DIRECTIVE_STOP');
    await within(watching, 5_000, 'watch to end');
    const states = events.filter((e) => e.status).map((e) => e.status!.state);
    assert.equal(states[0], 'JOB_STATE_QUEUED');
    assert.ok(states.includes('JOB_STATE_RUNNING'));
    assert.equal(states[states.length - 1], 'JOB_STATE_SUCCEEDED');
    const metrics = events.filter((e) => e.metric).map((e) => e.metric!);
    const valErrors = metrics.filter((m) => m.name === 'val_error');
    assert.ok(valErrors.length >= 2, `an evaluation per epoch and at the end (${valErrors.length})`);
    assert.equal(valErrors[valErrors.length - 1]!.round, 8);
    assert.equal(valErrors[valErrors.length - 1]!.effectiveEpoch, 2 * 2, 'effective epochs = epochs x L');
    assert.ok(metrics.some((m) => m.name === 'train_loss'));
    assert.ok(events.some((e) => e.progress));
    assert.ok(events.some((e) => e.worker));
    for (let i = 1; i < events.length; i++) assert.ok(events[i]!.seq > events[i - 1]!.seq, 'seq increases');
    // Resume a watch after the last seq of a finished job: nothing more, and it ends.
    const more: JobEvent__Output[] = [];
    for await (const ev of c.jobs.watchJob({ jobId: job.id, afterSeq: events[events.length - 1]!.seq })) more.push(ev);
    assert.equal(more.length, 0);
    const body = await (await fetch(`http://127.0.0.1:${c.metricsPort}/metrics`)).text();
    assert.match(body, /deeprelax_coordinator_rounds_total\{algorithm="parle"\} 8/);
    await w.close();
  });
});
