import assert from 'node:assert/strict';
import { NotFoundError, StoreClosedError } from '../errors.js';
import { collectAll, rejectsWith, type ConformanceCase } from './harness.js';
import { jobIn } from './jobs.js';

export const PERSISTENCE_CASE = 'persistence: a second store on the same data sees everything (coordinator restart)';

export const miscCases: ConformanceCase[] = [
  {
    name: 'unknown ids: every method fails with NotFoundError',
    async run({ fixture }) {
      const { store } = await fixture();
      const job = await store.createJob({ spec: '{}' });
      const w = await store.registerWorker({ name: 'w', ttlMs: 60_000 });
      for (const bad of ['job-nope', 'bad:id', '', '../x']) {
        const calls: [string, 'job' | 'worker', () => Promise<unknown>][] = [
          ['getJob', 'job', () => store.getJob(bad)],
          ['transitionJob', 'job', () => store.transitionJob(bad, 'queued', 'running')],
          ['cancelJob', 'job', () => store.cancelJob(bad)],
          ['fenceJob', 'job', () => store.fenceJob(bad)],
          ['updateJobProgress', 'job', () => store.updateJobProgress(bad, { round: 0, effectiveEpochs: 0 })],
          ['recordJobError', 'job', () => store.recordJobError(bad, { code: 'X', message: '' })],
          ['assignWorker(job)', 'job', () => store.assignWorker(w.workerId, bad)],
          ['jobWorkers', 'job', () => store.jobWorkers(bad)],
          ['recordCheckpoint', 'job', () => store.recordCheckpoint(bad, { round: 0, location: '/x' })],
          ['latestCheckpoint', 'job', () => store.latestCheckpoint(bad)],
          ['appendMetric', 'job', () => store.appendMetric(bad, { round: 0, effectiveEpochs: 0, values: {} })],
          ['readMetrics', 'job', () => store.readMetrics(bad)],
          ['appendJobEvent', 'job', () => store.appendJobEvent(bad, { kind: 'x' })],
          ['readJobEvents', 'job', () => store.readJobEvents(bad)],
          ['watchJobEvents', 'job', () => collectAll(store.watchJobEvents(bad))],
          ['heartbeatWorker', 'worker', () => store.heartbeatWorker(bad, 1)],
          ['getWorker', 'worker', () => store.getWorker(bad)],
          ['assignWorker(worker)', 'worker', () => store.assignWorker(bad, job.id)],
          ['releaseWorker', 'worker', () => store.releaseWorker(bad)],
          ['leaveWorker', 'worker', () => store.leaveWorker(bad, 1)],
        ];
        for (const [what, entity, call] of calls) {
          const e = await rejectsWith(call(), NotFoundError, `${what}(${JSON.stringify(bad)})`);
          assert.equal(e.code, 'NOT_FOUND');
          assert.equal(e.entity, entity, what);
        }
      }
      // Nothing was created by the failed calls.
      assert.deepEqual((await store.listJobs()).map((j) => j.id), [job.id]);
      assert.deepEqual((await store.listLiveWorkers()).map((x) => x.id), [w.workerId]);
    },
  },
  {
    name: PERSISTENCE_CASE,
    async run({ fixture }) {
      const fx = await fixture();
      assert.ok(fx.reopen, 'this case needs reopen()');
      const a = fx.store;
      const running = await jobIn(a, 'running');
      const queued = [await a.createJob({ spec: new Uint8Array([1, 2, 3]) }), await a.createJob({ spec: '{"b":1}' })];
      const done = await jobIn(a, 'succeeded');
      await a.updateJobProgress(running.id, { round: 12, effectiveEpochs: 3, metrics: { loss: 0.1 } });
      await a.recordCheckpoint(running.id, { round: 12, location: '/ckpt/12.bin', meta: { sha256: 'abc' } });
      const mids = [];
      for (let r = 0; r < 5; r++) mids.push(await a.appendMetric(running.id, { round: r, effectiveEpochs: r, values: { loss: r } }));
      const lease = await a.registerWorker({ name: 'w', ttlMs: 60_000 });
      await a.assignWorker(lease.workerId, running.id);
      const before = {
        jobs: await a.listJobs(),
        queue: (await a.listJobs({ states: ['queued'] })).map((j) => j.id),
        checkpoint: await a.latestCheckpoint(running.id),
        metrics: await a.readMetrics(running.id),
        events: await a.readJobEvents(running.id),
        workers: await a.jobWorkers(running.id),
      };
      await a.close();
      // The "restarted coordinator".
      const b = await fx.reopen();
      assert.deepEqual(await b.listJobs(), before.jobs);
      assert.deepEqual((await b.listJobs({ states: ['queued'] })).map((j) => j.id), before.queue);
      assert.deepEqual(before.queue, queued.map((j) => j.id));
      assert.equal((await b.getJob(done.id)).state, 'succeeded');
      assert.deepEqual(await b.latestCheckpoint(running.id), before.checkpoint);
      assert.deepEqual(await b.readMetrics(running.id), before.metrics);
      assert.deepEqual((await b.readMetrics(running.id, { after: mids[2] })).map((m) => m.round), [3, 4]);
      assert.deepEqual(await b.readJobEvents(running.id), before.events);
      assert.deepEqual((await b.jobWorkers(running.id)).map((w) => w.id), before.workers.map((w) => w.id));
      // Leases and counters carry on.
      await b.heartbeatWorker(lease.workerId, lease.fencingToken);
      const later = await b.createJob({ spec: '{}' });
      assert.ok(later.seq > Math.max(...before.jobs.map((j) => j.seq)));
      const fenced = await b.fenceJob(running.id);
      assert.ok(fenced.fencingToken > lease.fencingToken && fenced.fencingToken > running.fencingToken);
      assert.deepEqual((await b.listJobs({ states: ['queued'] })).map((j) => j.id), [...before.queue, later.id]);
    },
  },
  {
    name: 'close: later calls fail with StoreClosedError and watches end',
    async run({ fixture }) {
      const { store } = await fixture();
      const job = await store.createJob({ spec: '{}' });
      const watching = collectAll(store.watchJobEvents(job.id));
      await new Promise((r) => setTimeout(r, 50));
      await store.close();
      await watching;
      await rejectsWith(store.getJob(job.id), StoreClosedError);
      await rejectsWith(store.createJob({ spec: '{}' }), StoreClosedError);
      await rejectsWith(store.listLiveWorkers(), StoreClosedError);
      await store.close(); // idempotent
    },
  },
];
