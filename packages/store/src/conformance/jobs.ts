import assert from 'node:assert/strict';
import {
  IllegalTransitionError,
  InvalidArgumentError,
  StaleFencingError,
  TransitionConflictError,
} from '../errors.js';
import { JOB_STATES, JOB_TRANSITIONS, isLegalTransition, type JobState } from '../states.js';
import type { JobRecord, RunStore } from '../types.js';
import { ManualClock, rejectsWith, type ConformanceCase } from './harness.js';

/** Drives a fresh job to `state` along legal edges. */
async function jobIn(store: RunStore, state: JobState): Promise<JobRecord> {
  const j = await store.createJob({ spec: '{}' });
  switch (state) {
    case 'queued':
      return j;
    case 'running':
      return store.transitionJob(j.id, 'queued', 'running');
    case 'cancelled':
      return store.transitionJob(j.id, 'queued', 'cancelled');
    case 'failed':
      return store.transitionJob(j.id, 'queued', 'failed');
    case 'succeeded':
      await store.transitionJob(j.id, 'queued', 'running');
      return store.transitionJob(j.id, 'running', 'succeeded');
  }
}

export const jobCases: ConformanceCase[] = [
  {
    name: 'jobs: create and get; spec bytes round-trip unchanged',
    async run({ fixture }) {
      const clock = new ManualClock();
      const { store } = await fixture({ clock: clock.now });
      const bytes = new Uint8Array([0, 1, 2, 255, 254, 0, 10, 13, 0x80]);
      const a = await store.createJob({ spec: bytes, minWorkers: 2, maxWorkers: 4 });
      assert.equal(a.state, 'queued');
      assert.deepEqual(a.spec, bytes);
      assert.equal(a.minWorkers, 2);
      assert.equal(a.maxWorkers, 4);
      assert.equal(a.createdAt, clock.t);
      assert.equal(a.startedAt, null);
      assert.equal(a.endedAt, null);
      assert.equal(a.progress, null);
      assert.equal(a.latestMetrics, null);
      assert.equal(a.error, null);
      assert.deepEqual(await store.getJob(a.id), a);
      const b = await store.createJob({ spec: '{"model":"mnistfc","ünï":"cödé"}' });
      assert.equal(new TextDecoder().decode((await store.getJob(b.id)).spec), '{"model":"mnistfc","ünï":"cödé"}');
      assert.equal(b.minWorkers, 1);
      assert.equal(b.maxWorkers, null);
      assert.ok(b.seq > a.seq, 'seq increases with submission');
      assert.notEqual(a.id, b.id);
      assert.ok(b.fencingToken !== a.fencingToken);
    },
  },
  {
    name: 'jobs: invalid job input is an InvalidArgumentError',
    async run({ fixture }) {
      const { store } = await fixture();
      await rejectsWith(store.createJob({ spec: 5 as unknown as string }), InvalidArgumentError, 'spec type');
      await rejectsWith(store.createJob({ spec: '{}', minWorkers: 0 }), InvalidArgumentError, 'minWorkers 0');
      await rejectsWith(store.createJob({ spec: new Uint8Array((1 << 20) + 1) }), InvalidArgumentError, 'oversized spec');
      await rejectsWith(store.createJob({ spec: '{}', minWorkers: 3, maxWorkers: 2 }), InvalidArgumentError, 'max < min');
      await rejectsWith(store.transitionJob('job-x', 'queued', 'nope' as JobState), InvalidArgumentError, 'bad state');
      assert.deepEqual(await store.listJobs(), []);
    },
  },
  {
    name: 'jobs: every legal transition in the table succeeds and sets timestamps',
    async run({ fixture }) {
      const clock = new ManualClock();
      const { store } = await fixture({ clock: clock.now });
      for (const from of JOB_STATES) {
        for (const to of JOB_TRANSITIONS[from]) {
          const j = await jobIn(store, from);
          clock.advance(1000);
          const r = await store.transitionJob(j.id, from, to);
          assert.equal(r.state, to, `${from} -> ${to}`);
          assert.ok(r.fencingToken > j.fencingToken, `${from} -> ${to}: token grows`);
          assert.equal(r.updatedAt, clock.t);
          if (to === 'running') assert.equal(r.startedAt, j.startedAt ?? clock.t);
          if (JOB_TRANSITIONS[to].length === 0) assert.equal(r.endedAt, clock.t, `${to} sets endedAt`);
          else assert.equal(r.endedAt, null);
          assert.deepEqual(await store.getJob(j.id), r);
        }
      }
    },
  },
  {
    name: 'jobs: every transition not in the table is an IllegalTransitionError and changes nothing',
    async run({ fixture }) {
      const { store } = await fixture();
      for (const from of JOB_STATES) {
        const j = await jobIn(store, from);
        for (const to of JOB_STATES) {
          if (isLegalTransition(from, to)) continue;
          const e = await rejectsWith(store.transitionJob(j.id, from, to), IllegalTransitionError, `${from} -> ${to}`);
          assert.equal(e.code, 'ILLEGAL_TRANSITION');
          assert.equal(e.from, from);
          assert.equal(e.to, to);
        }
        assert.deepEqual(await store.getJob(j.id), j);
      }
    },
  },
  {
    name: 'jobs: a transition from the wrong state is a TransitionConflictError',
    async run({ fixture }) {
      const { store } = await fixture();
      const j = await jobIn(store, 'running');
      const e = await rejectsWith(store.transitionJob(j.id, 'queued', 'cancelled'), TransitionConflictError);
      assert.equal(e.expected, 'queued');
      assert.equal(e.actual, 'running');
      assert.equal((await store.getJob(j.id)).state, 'running');
    },
  },
  {
    name: 'jobs: of N concurrent compare-and-set transitions exactly one wins',
    async run({ fixture }) {
      const fx = await fixture();
      const other = fx.reopen ? await fx.reopen() : fx.store;
      const N = 16;
      for (let round = 0; round < 3; round++) {
        const j = await fx.store.createJob({ spec: '{}' });
        const results = await Promise.allSettled(
          Array.from({ length: N }, (_, i) => (i % 2 ? other : fx.store).transitionJob(j.id, 'queued', 'running')),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        assert.equal(won.length, 1, 'exactly one winner');
        for (const r of results) {
          if (r.status === 'rejected') assert.ok(r.reason instanceof TransitionConflictError, String(r.reason));
        }
        // Racing different targets from the same state: still one winner.
        const race = await Promise.allSettled([
          fx.store.transitionJob(j.id, 'running', 'succeeded'),
          other.transitionJob(j.id, 'running', 'failed'),
          fx.store.cancelJob(j.id),
          other.transitionJob(j.id, 'running', 'cancelled'),
        ]);
        assert.equal(race.filter((r) => r.status === 'fulfilled').length, 1, JSON.stringify(race.map((r) => r.status)));
        const final = await fx.store.getJob(j.id);
        assert.notEqual(final.state, 'running');
        const events = await fx.store.readJobEvents(j.id);
        assert.equal(events.filter((e) => e.kind === 'job.state').length, 2, 'one state event per winning transition');
      }
    },
  },
  {
    name: 'jobs: the fencing token changes on every transition; a stale one is rejected',
    async run({ fixture }) {
      const { store } = await fixture();
      const q = await store.createJob({ spec: '{}' });
      const r = await store.transitionJob(q.id, 'queued', 'running', { fencingToken: q.fencingToken });
      await rejectsWith(store.transitionJob(q.id, 'running', 'succeeded', { fencingToken: q.fencingToken }), StaleFencingError);
      await rejectsWith(store.updateJobProgress(q.id, { round: 1, effectiveEpochs: 0.1 }, { fencingToken: q.fencingToken }), StaleFencingError);
      await rejectsWith(store.recordCheckpoint(q.id, { round: 1, location: '/x' }, { fencingToken: q.fencingToken }), StaleFencingError);
      await rejectsWith(store.recordJobError(q.id, { code: 'X', message: 'x' }, { fencingToken: q.fencingToken }), StaleFencingError);
      const e = await rejectsWith(store.transitionJob(q.id, 'running', 'succeeded', { fencingToken: r.fencingToken - 1 }), StaleFencingError);
      assert.equal(e.current, r.fencingToken);
      assert.equal(e.entity, 'job');
      // A restarted coordinator takes over: the old holder is fenced out.
      const taken = await store.fenceJob(q.id);
      assert.equal(taken.state, 'running');
      assert.ok(taken.fencingToken > r.fencingToken);
      await rejectsWith(store.updateJobProgress(q.id, { round: 2, effectiveEpochs: 0.2 }, { fencingToken: r.fencingToken }), StaleFencingError);
      await store.updateJobProgress(q.id, { round: 2, effectiveEpochs: 0.2 }, { fencingToken: taken.fencingToken });
      const done = await store.transitionJob(q.id, 'running', 'succeeded', { fencingToken: taken.fencingToken });
      assert.equal(done.state, 'succeeded');
    },
  },
  {
    name: 'jobs: failing with an error records it atomically',
    async run({ fixture }) {
      const clock = new ManualClock();
      const { store } = await fixture({ clock: clock.now });
      const j = await jobIn(store, 'running');
      clock.advance(5);
      const f = await store.transitionJob(j.id, 'running', 'failed', { error: { code: 'NAN_WEIGHTS', message: 'x diverged' } });
      assert.deepEqual(f.error, { code: 'NAN_WEIGHTS', message: 'x diverged', at: clock.t });
      const k = await jobIn(store, 'running');
      const r = await store.recordJobError(k.id, { code: 'WORKER_LOST', message: 'w1 gone' });
      assert.equal(r.state, 'running');
      assert.deepEqual(r.error, { code: 'WORKER_LOST', message: 'w1 gone', at: clock.t });
      const ev = (await store.readJobEvents(k.id)).filter((e) => e.kind === 'job.error');
      assert.deepEqual(ev.map((e) => e.data), [{ code: 'WORKER_LOST', message: 'w1 gone' }]);
    },
  },
  {
    name: 'jobs: cancel is idempotent on a cancelled job and illegal on a finished one',
    async run({ fixture }) {
      const { store } = await fixture();
      const q = await jobIn(store, 'queued');
      const c = await store.cancelJob(q.id, { reason: 'user' });
      assert.equal(c.state, 'cancelled');
      assert.deepEqual(await store.cancelJob(q.id), c, 'second cancel changes nothing');
      const r = await jobIn(store, 'running');
      assert.equal((await store.cancelJob(r.id)).state, 'cancelled');
      for (const s of ['succeeded', 'failed'] as const) {
        const done = await jobIn(store, s);
        const e = await rejectsWith(store.cancelJob(done.id), IllegalTransitionError, s);
        assert.equal(e.from, s);
        assert.equal(e.to, 'cancelled');
      }
      const ev = (await store.readJobEvents(q.id)).filter((e) => e.kind === 'job.state');
      assert.deepEqual(ev.map((e) => e.data), [{ from: 'queued', to: 'cancelled', fencingToken: c.fencingToken, reason: 'user' }]);
    },
  },
  {
    name: 'queue: FIFO by submission; listJobs filters by state in order; a requeued job keeps its place',
    async run({ fixture }) {
      const { store } = await fixture();
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push((await store.createJob({ spec: `{"i":${i}}` })).id);
      assert.deepEqual((await store.listJobs({ states: ['queued'] })).map((j) => j.id), ids);
      assert.equal((await store.nextQueuedJob())?.id, ids[0]);
      await store.transitionJob(ids[0]!, 'queued', 'running');
      await store.transitionJob(ids[2]!, 'queued', 'running');
      await store.cancelJob(ids[3]!);
      assert.deepEqual((await store.listJobs({ states: ['queued'] })).map((j) => j.id), [ids[1], ids[4], ids[5]]);
      assert.equal((await store.nextQueuedJob())?.id, ids[1]);
      assert.deepEqual((await store.listJobs({ states: ['running'] })).map((j) => j.id), [ids[0], ids[2]]);
      assert.deepEqual((await store.listJobs({ states: ['running', 'cancelled'] })).map((j) => j.id), [ids[0], ids[2], ids[3]]);
      assert.deepEqual((await store.listJobs()).map((j) => j.id), ids);
      assert.deepEqual((await store.listJobs({ limit: 2 })).map((j) => j.id), ids.slice(0, 2));
      // Requeue ids[2]: it goes back ahead of later submissions.
      await store.transitionJob(ids[2]!, 'running', 'queued');
      assert.deepEqual((await store.listJobs({ states: ['queued'] })).map((j) => j.id), [ids[1], ids[2], ids[4], ids[5]]);
      assert.deepEqual((await store.listJobs({ states: ['queued'], limit: 2 })).map((j) => j.id), [ids[1], ids[2]]);
      for (const id of [ids[1], ids[2], ids[4], ids[5]]) await store.cancelJob(id!);
      assert.equal(await store.nextQueuedJob(), null);
    },
  },
  {
    name: 'jobs: progress and latest metrics (NaN and Infinity survive)',
    async run({ fixture }) {
      const clock = new ManualClock();
      const { store } = await fixture({ clock: clock.now });
      const j = await jobIn(store, 'running');
      clock.advance(7);
      const p = await store.updateJobProgress(j.id, { round: 3, effectiveEpochs: 1.5, metrics: { loss: 0.25, err: NaN, gnorm: Infinity } });
      assert.deepEqual(p.progress, { round: 3, effectiveEpochs: 1.5, updatedAt: clock.t });
      assert.equal(p.latestMetrics?.loss, 0.25);
      assert.ok(Number.isNaN(p.latestMetrics?.err));
      assert.equal(p.latestMetrics?.gnorm, Infinity);
      const q = await store.updateJobProgress(j.id, { round: 4, effectiveEpochs: 2 });
      assert.equal(q.progress?.round, 4);
      assert.equal(q.latestMetrics?.loss, 0.25, 'metrics kept when not given');
      assert.deepEqual(await store.getJob(j.id), q);
      await rejectsWith(store.updateJobProgress(j.id, { round: -1, effectiveEpochs: 0 }), InvalidArgumentError);
    },
  },
];

export { jobIn };
