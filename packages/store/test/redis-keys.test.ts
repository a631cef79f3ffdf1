/**
 * Redis-only checks: every key lives under the prefix in one of the shapes keys.ts documents, and
 * connection failures surface as StoreUnavailableError in bounded time.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { RedisRunStore, RunStoreKeys, StoreUnavailableError } from '@deeprelax/store';
import { REDIS_URL, dropNamespace, freshPrefix, keysUnder } from './helpers.js';

test('redis: every key is under the prefix, in a shape keys.ts documents', async (t) => {
  const prefix = freshPrefix();
  const store = await RedisRunStore.open({ url: REDIS_URL, prefix });
  t.after(async () => {
    await store.close();
    await dropNamespace(prefix);
  });
  const job = await store.createJob({ spec: '{}' });
  await store.transitionJob(job.id, 'queued', 'running');
  const w = await store.registerWorker({ name: 'w', ttlMs: 60_000 });
  await store.assignWorker(w.workerId, job.id);
  await store.recordCheckpoint(job.id, { round: 1, location: '/c' });
  await store.appendMetric(job.id, { round: 1, effectiveEpochs: 0.1, values: { loss: 1 } });
  const k = new RunStoreKeys(prefix);
  assert.deepEqual(
    await keysUnder(prefix),
    [
      k.seq(),
      k.fencing(),
      k.jobsInState('running'),
      k.job(job.id),
      k.jobWorkers(job.id),
      k.jobCheckpoint(job.id),
      k.jobMetrics(job.id),
      k.jobEvents(job.id),
      k.worker(w.workerId),
      k.workerLeases(),
    ].sort(),
  );
  assert.equal(k.jobsInState('queued'), `${prefix}jobs:queued`);
  assert.equal(k.job('j1'), `${prefix}job:j1`);
  assert.equal(k.worker('w1'), `${prefix}worker:w1`);
  // The queued set emptied when the job started; Redis drops empty sets.
});

test('redis: an unreachable server is a StoreUnavailableError, quickly', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const t0 = Date.now();
  await assert.rejects(RedisRunStore.open({ url: `redis://127.0.0.1:${port}`, prefix: freshPrefix(), connectTimeoutMs: 1000 }), (e) => {
    assert.ok(e instanceof StoreUnavailableError, String(e));
    assert.equal(e.code, 'UNAVAILABLE');
    assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    return true;
  });
  assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
});
