// Membership: a worker whose lease runs out is swept from its job, and an open round stops waiting
// for it long before the round deadline; its later calls are refused; it rejoins under its id and
// gets the running job's current round and x.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FailedPreconditionError, NotFoundError } from '@deeprelax/rpc';
import { FakeWorker, fetchX, randomVector, smallSpec, startTest, until, within, type TestCoordinator } from './helpers.js';

const N = 101_770;

describe('membership', () => {
  let c: TestCoordinator;
  before(async () => {
    c = await startTest({ leaseTtlMs: 600, heartbeatIntervalMs: 150, sweepIntervalMs: 100 });
  });
  after(async () => {
    await c?.stop();
  });

  test('an expired worker is dropped from the open round; it can rejoin the running job', async () => {
    const job = await c.jobs.submitJob(smallSpec({ algorithm: 'ALGORITHM_EASGD', minWorkers: 2, epochs: 10, roundDeadlineMs: 30_000 }, { alpha: 0.2 }));
    const a = await new FakeWorker(c.address).register();
    const b = await new FakeWorker(c.address).register();
    await a.waitAssignment();
    await b.waitAssignment();
    const reg = await a.client.register({ workerId: '', capabilities: { hostname: 'probe' } });
    assert.equal(reg.lease!.heartbeatIntervalMs, 150);
    assert.equal(reg.lease!.ttlMs, 600);
    await a.client.leave({ workerId: reg.workerId, fencingToken: reg.lease!.fencingToken });
    await a.pull();
    await b.pull();
    let beating = true;
    const beat = (async () => {
      while (beating) {
        await a.heartbeat(job.id);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      // b goes silent (no heartbeats, no contribution); a's round closes once b's lease is swept.
      const t0 = Date.now();
      const r = await within(a.exchange('EXCHANGE_KIND_SYNC', 0, 0, [{ name: 'x', values: randomVector(N, 1) }]), 5_000, 'round 0');
      assert.equal(r.reply.contributors, 1);
      assert.ok(Date.now() - t0 < 5_000);
      const workers = await c.jobs.listWorkers(job.id);
      assert.deepEqual(workers.map((w) => w.workerId), [a.id]);
      await assert.rejects(b.heartbeat(job.id), (e: unknown) => e instanceof NotFoundError || e instanceof FailedPreconditionError);
      await assert.rejects(b.pull(), (e: unknown) => e instanceof NotFoundError || e instanceof FailedPreconditionError);
      // b rejoins under its id: a new token, and the running job (a free slot) at its current round.
      const oldToken = b.token;
      b.assignment = null;
      await b.register(b.id);
      assert.ok(b.token > oldToken);
      const asg = await b.waitAssignment();
      assert.equal(asg.jobId, job.id);
      assert.equal(Number(asg.round), 1);
      const p = await b.pull();
      assert.equal(p.reply.round, 1);
      assert.ok(Buffer.from(p.byName.get('x')!.buffer).equals((await fetchX(c.jobs, job.id)).bytes));
      await until(async () => (await c.jobs.listWorkers(job.id)).length === 2, 3_000, 'two members');
    } finally {
      beating = false;
      await beat;
    }
    await c.jobs.cancelJob(job.id);
    await a.close();
    await b.close();
  });
});
