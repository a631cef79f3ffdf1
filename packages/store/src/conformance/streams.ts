import assert from 'node:assert/strict';
import { InvalidArgumentError, NotFoundError, PreconditionFailedError } from '../errors.js';
import type { JobEvent, MetricRecord, RunStore } from '../types.js';
import { compareStreamIds } from '../validate.js';
import { ManualClock, rejectsWith, waitUntil, type ConformanceCase } from './harness.js';
import { jobIn } from './jobs.js';

function assertIncreasing(ids: string[]): void {
  for (let i = 1; i < ids.length; i++) {
    assert.ok(compareStreamIds(ids[i - 1]!, ids[i]!) < 0, `ids not increasing at ${i}: ${ids[i - 1]} then ${ids[i]}`);
  }
}

/** Consumes a watch in the background until aborted. */
function collect<T>(it: AsyncIterable<T>): { got: T[]; done: Promise<void> } {
  const got: T[] = [];
  const done = (async () => {
    for await (const x of it) got.push(x);
  })();
  return { got, done };
}

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function appendRounds(store: RunStore, jobId: string, from: number, to: number): Promise<string[]> {
  const out: string[] = [];
  for (let r = from; r < to; r++) out.push(await store.appendMetric(jobId, { round: r, effectiveEpochs: r / 10, values: { loss: 1 / (r + 1) } }));
  return out;
}

export const streamCases: ConformanceCase[] = [
  {
    name: 'checkpoints: the latest wins; recording returns the one it replaced; an older round is refused',
    async run({ fixture }) {
      const clock = new ManualClock();
      const { store } = await fixture({ clock: clock.now });
      const job = await jobIn(store, 'running');
      assert.equal(await store.latestCheckpoint(job.id), null);
      assert.equal(await store.recordCheckpoint(job.id, { round: 10, location: '/ckpt/10' }), null);
      const t10 = clock.t;
      clock.advance(100);
      const prev = await store.recordCheckpoint(job.id, { round: 20, location: '/ckpt/20', meta: { bytes: 123, optimizer: 'parle' } });
      assert.deepEqual(prev, { jobId: job.id, round: 10, location: '/ckpt/10', meta: {}, recordedAt: t10 });
      const latest = { jobId: job.id, round: 20, location: '/ckpt/20', meta: { bytes: 123, optimizer: 'parle' }, recordedAt: clock.t };
      assert.deepEqual(await store.latestCheckpoint(job.id), latest);
      const e = await rejectsWith(store.recordCheckpoint(job.id, { round: 5, location: '/ckpt/5' }), PreconditionFailedError);
      assert.equal(e.reason, 'stale-checkpoint');
      assert.deepEqual(await store.latestCheckpoint(job.id), latest, 'unchanged by the refused one');
      assert.deepEqual(await store.recordCheckpoint(job.id, { round: 20, location: '/ckpt/20b' }), latest, 'same round replaces');
      assert.equal((await store.latestCheckpoint(job.id))?.location, '/ckpt/20b');
      // Racing writers: the highest round ends up recorded, whatever the order.
      const other = await jobIn(store, 'running');
      const rounds = [7, 3, 19, 11, 2, 23, 5, 17, 13, 1];
      await Promise.allSettled(rounds.map((r) => store.recordCheckpoint(other.id, { round: r, location: `/c/${r}` })));
      assert.equal((await store.latestCheckpoint(other.id))?.round, 23);
      const ev = (await store.readJobEvents(job.id)).filter((x) => x.kind === 'checkpoint.recorded');
      assert.deepEqual(ev.map((x) => x.data), [
        { round: 10, location: '/ckpt/10' },
        { round: 20, location: '/ckpt/20' },
        { round: 20, location: '/ckpt/20b' },
      ]);
    },
  },
  {
    name: 'streams: metrics keep append order; since-id, range and limit reads',
    async run({ fixture }) {
      const clock = new ManualClock();
      const { store } = await fixture({ clock: clock.now });
      const job = await jobIn(store, 'running');
      const ids: string[] = [];
      for (let r = 0; r < 30; r++) {
        clock.advance(r % 3 === 0 ? 1 : 0);
        ids.push(await store.appendMetric(job.id, { round: r, effectiveEpochs: r / 4, workerId: r % 2 ? 'w-1' : null, values: { loss: 1 / (r + 1), err: r === 5 ? NaN : 0.5 } }));
      }
      assertIncreasing(ids);
      const all = await store.readMetrics(job.id);
      assert.deepEqual(all.map((m) => m.id), ids);
      assert.deepEqual(all.map((m) => m.round), [...Array(30).keys()]);
      assert.equal(all[3]!.workerId, 'w-1');
      assert.equal(all[4]!.workerId, null);
      assert.equal(all[4]!.effectiveEpochs, 1);
      assert.equal(all[29]!.at, clock.t);
      assert.ok(Number.isNaN(all[5]!.values.err));
      assert.equal(all[6]!.values.loss, 1 / 7);
      const since = await store.readMetrics(job.id, { after: ids[9] });
      assert.deepEqual(since.map((m) => m.round), [...Array(20).keys()].map((i) => i + 10));
      assert.deepEqual((await store.readMetrics(job.id, { after: ids[9], limit: 5 })).map((m) => m.round), [10, 11, 12, 13, 14]);
      assert.deepEqual((await store.readMetrics(job.id, { after: ids[9], end: ids[12] })).map((m) => m.round), [10, 11, 12]);
      assert.deepEqual(await store.readMetrics(job.id, { after: ids[29] }), []);
      assert.deepEqual((await store.readMetrics(job.id, { after: '0-0', limit: 1 })).map((m) => m.round), [0]);
      await rejectsWith(store.readMetrics(job.id, { after: 'yesterday' }), InvalidArgumentError);
      await rejectsWith(store.readMetrics(job.id, { limit: 0 }), InvalidArgumentError);
      await rejectsWith(store.appendMetric(job.id, { round: 1.5, effectiveEpochs: 0, values: {} }), InvalidArgumentError);
      const other = await jobIn(store, 'queued');
      assert.deepEqual(await store.readMetrics(other.id), [], 'a job with no metrics reads empty');
    },
  },
  {
    name: 'streams: concurrent appends all land with unique, increasing ids',
    async run({ fixture }) {
      const fx = await fixture();
      const other = fx.reopen ? await fx.reopen() : fx.store;
      const job = await jobIn(fx.store, 'running');
      const ids = await Promise.all(
        Array.from({ length: 100 }, (_, r) => (r % 2 ? other : fx.store).appendMetric(job.id, { round: r, effectiveEpochs: 0, values: { r } })),
      );
      assert.equal(new Set(ids).size, 100);
      const all = await fx.store.readMetrics(job.id);
      assert.equal(all.length, 100);
      assertIncreasing(all.map((m) => m.id));
      assert.deepEqual(new Set(all.map((m) => m.round)), new Set(Array.from({ length: 100 }, (_, r) => r)));
    },
  },
  {
    name: 'streams: the event stream logs the job lifecycle in order',
    async run({ fixture }) {
      const { store } = await fixture();
      const job = await store.createJob({ spec: '{}' });
      const run = await store.transitionJob(job.id, 'queued', 'running');
      await store.recordCheckpoint(job.id, { round: 1, location: '/c/1' });
      const noteId = await store.appendJobEvent(job.id, { kind: 'note', data: { text: 'hello', n: [1, 2] } });
      const done = await store.transitionJob(job.id, 'running', 'succeeded');
      const ev = await store.readJobEvents(job.id);
      assertIncreasing(ev.map((e) => e.id));
      assert.deepEqual(
        ev.map((e) => [e.kind, e.data]),
        [
          ['job.created', { state: 'queued', seq: job.seq }],
          ['job.state', { from: 'queued', to: 'running', fencingToken: run.fencingToken }],
          ['checkpoint.recorded', { round: 1, location: '/c/1' }],
          ['note', { text: 'hello', n: [1, 2] }],
          ['job.state', { from: 'running', to: 'succeeded', fencingToken: done.fencingToken }],
        ],
      );
      assert.equal(ev[3]!.id, noteId);
      assert.deepEqual((await store.readJobEvents(job.id, { after: noteId })).map((e) => e.kind), ['job.state']);
      assert.deepEqual((await store.readJobEvents(job.id, { limit: 2 })).map((e) => e.kind), ['job.created', 'job.state']);
      await store.appendJobEvent(job.id, { kind: 'bare' });
      assert.equal((await store.readJobEvents(job.id, { after: noteId })).at(-1)?.data, null);
      await rejectsWith(store.appendJobEvent(job.id, { kind: '' }), InvalidArgumentError);
    },
  },
  {
    name: 'streams: watch replays, follows new entries, and ends on abort',
    async run({ fixture }) {
      const { store } = await fixture();
      const job = await jobIn(store, 'running');
      await appendRounds(store, job.id, 0, 3);
      const ac = new AbortController();
      const m = collect<MetricRecord>(store.watchMetrics(job.id, { signal: ac.signal }));
      await waitUntil(async () => m.got.length >= 3, 3000, 'the replay');
      await appendRounds(store, job.id, 3, 5);
      await waitUntil(async () => m.got.length >= 5, 3000, 'new entries');
      assert.deepEqual(m.got.map((x) => x.round), [0, 1, 2, 3, 4]);
      // Events, starting after the current end: only what comes next.
      const [last] = (await store.readJobEvents(job.id)).slice(-1);
      const e = collect<JobEvent>(store.watchJobEvents(job.id, { after: last!.id, signal: ac.signal }));
      await new Promise((r) => setTimeout(r, 50));
      await store.appendJobEvent(job.id, { kind: 'ping' });
      await store.transitionJob(job.id, 'running', 'cancelled');
      await waitUntil(async () => e.got.length >= 2, 3000, 'the events');
      assert.deepEqual(e.got.map((x) => x.kind), ['ping', 'job.state']);
      ac.abort();
      await within(Promise.all([m.done, e.done]), 3000, 'watches to end on abort');
      assert.equal(m.got.length, 5);
      // A watch on an unknown job fails with NotFoundError when iterated.
      await rejectsWith(collect(store.watchMetrics('job-nope')).done, NotFoundError);
    },
  },
  {
    name: 'streams: length is bounded (trimming keeps at least the newest maxLen entries)',
    async run({ fixture }) {
      const { store } = await fixture({ metricsMaxLen: 50 });
      const job = await jobIn(store, 'running');
      for (let b = 0; b < 5; b++) {
        await Promise.all(Array.from({ length: 100 }, (_, i) => store.appendMetric(job.id, { round: b * 100 + i, effectiveEpochs: 0, values: {} })));
      }
      const all = await store.readMetrics(job.id, { limit: 10_000 });
      assert.ok(all.length >= 50 && all.length < 500, `kept ${all.length} of 500 with maxLen 50`);
      const rounds = all.map((x) => x.round).sort((a, b) => a - b);
      assert.equal(rounds.at(-1), 499);
      assert.equal(rounds[0], 500 - all.length, 'what is kept is the newest suffix');
    },
  },
];
