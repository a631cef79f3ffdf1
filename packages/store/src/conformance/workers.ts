import assert from 'node:assert/strict';
import {
  InvalidArgumentError,
  LeaseExpiredError,
  NotFoundError,
  PreconditionFailedError,
  StaleFencingError,
} from '../errors.js';
import { ManualClock, rejectsWith, waitUntil, type ConformanceCase } from './harness.js';
import { jobIn } from './jobs.js';

const ids = (ws: { id: string }[]): string[] => ws.map((w) => w.id);

export const workerCases: ConformanceCase[] = [
  {
    name: 'workers: register, heartbeat renews the lease, list live workers',
    async run({ fixture }) {
      const clock = new ManualClock();
      const { store } = await fixture({ clock: clock.now });
      const t0 = clock.t;
      const l1 = await store.registerWorker({ name: 'host-a:1', ttlMs: 1000, meta: { gpu: true, engine: 'torch' } });
      clock.advance(1);
      const l2 = await store.registerWorker({ name: 'host-b:1', ttlMs: 5000 });
      assert.equal(l1.expiresAt, t0 + 1000);
      assert.equal(l1.ttlMs, 1000);
      assert.ok(l2.fencingToken > l1.fencingToken, 'tokens increase');
      const w1 = await store.getWorker(l1.workerId);
      assert.deepEqual(w1, {
        id: l1.workerId,
        name: 'host-a:1',
        meta: { gpu: true, engine: 'torch' },
        fencingToken: l1.fencingToken,
        ttlMs: 1000,
        registeredAt: t0,
        lastHeartbeatAt: t0,
        leaseExpiresAt: t0 + 1000,
        live: true,
        jobId: null,
        assignedAt: null,
      });
      assert.deepEqual(ids(await store.listLiveWorkers()), [l1.workerId, l2.workerId]);
      for (let i = 0; i < 6; i++) {
        clock.advance(900);
        const r = await store.heartbeatWorker(l1.workerId, l1.fencingToken);
        assert.equal(r.expiresAt, clock.t + 1000);
        assert.equal(r.fencingToken, l1.fencingToken, 'a heartbeat keeps the token');
      }
      assert.equal((await store.getWorker(l1.workerId)).lastHeartbeatAt, clock.t);
      assert.deepEqual(ids(await store.listLiveWorkers()), [l1.workerId], 'w2 (5 s lease, no heartbeats) lapsed after 5.4 s');
    },
  },
  {
    name: 'workers: an expired lease leaves the live list, cannot be renewed, and is swept off its job (injected clock)',
    async run({ fixture }) {
      const clock = new ManualClock();
      const { store } = await fixture({ clock: clock.now });
      const job = await jobIn(store, 'running');
      const l1 = await store.registerWorker({ name: 'a', ttlMs: 1000 });
      const l2 = await store.registerWorker({ name: 'b', ttlMs: 3000 });
      await store.assignWorker(l1.workerId, job.id);
      clock.advance(1);
      await store.assignWorker(l2.workerId, job.id);
      clock.advance(998);
      assert.deepEqual(ids(await store.jobWorkers(job.id)), [l1.workerId, l2.workerId]);
      clock.advance(1); // deadline reached: a lease is live while deadline > now
      assert.deepEqual(ids(await store.listLiveWorkers()), [l2.workerId]);
      assert.deepEqual(ids(await store.jobWorkers(job.id)), [l2.workerId], 'expired workers are not members');
      const w1 = await store.getWorker(l1.workerId);
      assert.equal(w1.live, false);
      assert.equal(w1.jobId, job.id, 'still attached until swept');
      const e = await rejectsWith(store.heartbeatWorker(l1.workerId, l1.fencingToken), LeaseExpiredError);
      assert.equal(e.expiredAt, l1.expiresAt);
      await rejectsWith(store.assignWorker(l1.workerId, job.id), LeaseExpiredError);
      const swept = await store.sweepExpiredWorkers();
      assert.deepEqual(swept, [{ workerId: l1.workerId, jobId: job.id, leaseExpiresAt: l1.expiresAt }]);
      assert.deepEqual(await store.sweepExpiredWorkers(), []);
      await rejectsWith(store.getWorker(l1.workerId), NotFoundError);
      await rejectsWith(store.heartbeatWorker(l1.workerId, l1.fencingToken), NotFoundError);
      const rel = (await store.readJobEvents(job.id)).filter((x) => x.kind === 'worker.released');
      assert.deepEqual(rel.map((x) => x.data), [{ workerId: l1.workerId, reason: 'expired' }]);
      // It may come back under the same id, with a new token.
      const back = await store.registerWorker({ name: 'a', ttlMs: 1000, workerId: l1.workerId });
      assert.ok(back.fencingToken > l2.fencingToken);
      assert.deepEqual(ids(await store.listLiveWorkers()), [l2.workerId, l1.workerId]);
    },
  },
  {
    name: 'workers: lease expiry in real time (300 ms TTL) and heartbeats that keep a lease alive',
    async run({ fixture }) {
      const { store } = await fixture();
      const t0 = Date.now();
      const short = await store.registerWorker({ name: 'short', ttlMs: 300 });
      const kept = await store.registerWorker({ name: 'kept', ttlMs: 300 });
      const long = await store.registerWorker({ name: 'long', ttlMs: 60_000 });
      const beating = (async () => {
        while (Date.now() - t0 < 800) {
          await store.heartbeatWorker(kept.workerId, kept.fencingToken);
          await new Promise((r) => setTimeout(r, 75));
        }
      })();
      await waitUntil(async () => !ids(await store.listLiveWorkers()).includes(short.workerId), 3000, 'the 300 ms lease to lapse');
      assert.ok(Date.now() - t0 >= 290, `lapsed too early, after ${Date.now() - t0} ms`);
      await beating;
      const live = ids(await store.listLiveWorkers());
      assert.ok(live.includes(kept.workerId) && live.includes(long.workerId), 'heartbeats kept it alive');
      await rejectsWith(store.heartbeatWorker(short.workerId, short.fencingToken), LeaseExpiredError);
      const swept = await store.sweepExpiredWorkers();
      assert.deepEqual(swept.map((s) => s.workerId), [short.workerId]);
    },
  },
  {
    name: 'workers: a stale fencing token is rejected after the worker re-registers',
    async run({ fixture }) {
      const { store } = await fixture();
      const job = await jobIn(store, 'queued');
      const old = await store.registerWorker({ name: 'w', ttlMs: 10_000, workerId: 'worker-7' });
      assert.equal(old.workerId, 'worker-7');
      await store.assignWorker('worker-7', job.id, { fencingToken: old.fencingToken });
      const cur = await store.registerWorker({ name: 'w', ttlMs: 10_000, workerId: 'worker-7' });
      assert.ok(cur.fencingToken > old.fencingToken);
      const e = await rejectsWith(store.heartbeatWorker('worker-7', old.fencingToken), StaleFencingError);
      assert.equal(e.entity, 'worker');
      assert.equal(e.presented, old.fencingToken);
      assert.equal(e.current, cur.fencingToken);
      await rejectsWith(store.leaveWorker('worker-7', old.fencingToken), StaleFencingError);
      await rejectsWith(store.assignWorker('worker-7', job.id, { fencingToken: old.fencingToken }), StaleFencingError);
      await rejectsWith(store.releaseWorker('worker-7', { fencingToken: old.fencingToken }), StaleFencingError);
      // The new incarnation starts unassigned.
      assert.equal((await store.getWorker('worker-7')).jobId, null);
      assert.deepEqual(await store.jobWorkers(job.id), []);
      const rel = (await store.readJobEvents(job.id)).filter((x) => x.kind === 'worker.released');
      assert.deepEqual(rel.map((x) => x.data), [{ workerId: 'worker-7', reason: 'reregistered' }]);
      await store.heartbeatWorker('worker-7', cur.fencingToken);
      await store.leaveWorker('worker-7', cur.fencingToken);
      await rejectsWith(store.getWorker('worker-7'), NotFoundError);
      assert.deepEqual(await store.listLiveWorkers(), []);
    },
  },
  {
    name: 'workers: assign, release, membership, leave; busy, full and finished jobs refuse',
    async run({ fixture }) {
      const { store } = await fixture();
      const job = await store.createJob({ spec: '{}', minWorkers: 1, maxWorkers: 2 });
      const other = await store.createJob({ spec: '{}' });
      const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((name) => store.registerWorker({ name, ttlMs: 60_000 })));
      const wa = await store.assignWorker(a!.workerId, job.id);
      assert.equal(wa.jobId, job.id);
      assert.ok(wa.assignedAt !== null);
      assert.deepEqual(await store.assignWorker(a!.workerId, job.id), wa, 'idempotent for the same job');
      assert.equal((await store.heartbeatWorker(a!.workerId, a!.fencingToken)).jobId, job.id, 'a heartbeat tells the assignment');
      assert.equal(a!.jobId, null);
      await store.assignWorker(b!.workerId, job.id);
      const full = await rejectsWith(store.assignWorker(c!.workerId, job.id), PreconditionFailedError);
      assert.equal(full.reason, 'job-full');
      const busy = await rejectsWith(store.assignWorker(a!.workerId, other.id), PreconditionFailedError);
      assert.equal(busy.reason, 'worker-busy');
      assert.deepEqual(new Set(ids(await store.jobWorkers(job.id))), new Set([a!.workerId, b!.workerId]));
      const rb = await store.releaseWorker(b!.workerId);
      assert.equal(rb.jobId, null);
      assert.equal(rb.assignedAt, null);
      assert.deepEqual(await store.releaseWorker(b!.workerId), rb, 'releasing a free worker is a no-op');
      await store.assignWorker(c!.workerId, job.id);
      await store.leaveWorker(a!.workerId, a!.fencingToken);
      assert.deepEqual(ids(await store.jobWorkers(job.id)), [c!.workerId]);
      await store.assignWorker(b!.workerId, other.id);
      // Finishing a job releases its workers.
      await store.transitionJob(job.id, 'queued', 'running');
      assert.deepEqual(ids(await store.jobWorkers(job.id)), [c!.workerId], 'running keeps workers');
      await store.transitionJob(job.id, 'running', 'succeeded');
      assert.deepEqual(await store.jobWorkers(job.id), []);
      assert.equal((await store.getWorker(c!.workerId)).jobId, null);
      assert.equal((await store.heartbeatWorker(c!.workerId, c!.fencingToken)).jobId, null);
      assert.equal((await store.getWorker(b!.workerId)).jobId, other.id, 'other jobs untouched');
      const na = await rejectsWith(store.assignWorker(c!.workerId, job.id), PreconditionFailedError);
      assert.equal(na.reason, 'job-not-active');
      const ev = (await store.readJobEvents(job.id)).filter((e) => e.kind.startsWith('worker.'));
      assert.deepEqual(
        ev.map((e) => [e.kind, e.data]),
        [
          ['worker.assigned', { workerId: a!.workerId }],
          ['worker.assigned', { workerId: b!.workerId }],
          ['worker.released', { workerId: b!.workerId, reason: 'released' }],
          ['worker.assigned', { workerId: c!.workerId }],
          ['worker.released', { workerId: a!.workerId, reason: 'left' }],
        ],
      );
    },
  },
  {
    name: 'workers: concurrent assignments never exceed maxWorkers',
    async run({ fixture }) {
      const fx = await fixture();
      const other = fx.reopen ? await fx.reopen() : fx.store;
      const job = await fx.store.createJob({ spec: '{}', minWorkers: 2, maxWorkers: 3 });
      const leases = await Promise.all(Array.from({ length: 12 }, (_, i) => fx.store.registerWorker({ name: `w${i}`, ttlMs: 60_000 })));
      const results = await Promise.allSettled(leases.map((l, i) => (i % 2 ? other : fx.store).assignWorker(l.workerId, job.id)));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
      for (const r of results) {
        if (r.status === 'rejected') assert.ok(r.reason instanceof PreconditionFailedError && r.reason.reason === 'job-full', String(r.reason));
      }
      assert.equal((await fx.store.jobWorkers(job.id)).length, 3);
    },
  },
  {
    name: 'workers: invalid worker input is an InvalidArgumentError',
    async run({ fixture }) {
      const { store } = await fixture();
      await rejectsWith(store.registerWorker({ name: 'x', ttlMs: 0 }), InvalidArgumentError, 'ttl 0');
      await rejectsWith(store.registerWorker({ name: 'x', ttlMs: 1.5 }), InvalidArgumentError, 'ttl fraction');
      await rejectsWith(store.registerWorker({ name: '', ttlMs: 100 }), InvalidArgumentError, 'empty name');
      await rejectsWith(store.registerWorker({ name: 'x', ttlMs: 100, workerId: 'a:b' }), InvalidArgumentError, 'id with colon');
      const l = await store.registerWorker({ name: 'x', ttlMs: 100 });
      await rejectsWith(store.heartbeatWorker(l.workerId, -1), InvalidArgumentError, 'negative token');
      await rejectsWith(store.heartbeatWorker(l.workerId, undefined as unknown as number), InvalidArgumentError, 'no token');
    },
  },
];
