/**
 * Redis restarted: nothing acknowledged is lost. Starts a private redis-server with AOF on a free
 * port, writes through the store, SIGKILLs the server, checks that calls fail as unavailable while
 * it is down, restarts it on the same AOF directory, and finds everything intact, through the same
 * store instance (it reconnects) and through a fresh one. The child is always killed.
 *
 * `--appendfsync always` makes "acknowledged" mean "on disk"; with the default everysec a SIGKILL
 * is still safe in practice (Redis write()s the AOF before replying), but a host crash could lose
 * up to a second or two, and the test should not depend on that timing.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisRunStore, StoreUnavailableError } from '@deeprelax/store';
import { freshPrefix } from './helpers.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not become ready in 10 s:\n${out}`));
    }, 10_000);
    const onData = (b: Buffer): void => {
      out += b.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}) before it was ready:\n${out}`));
    });
  });
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

test('redis: jobs survive a SIGKILL and an AOF restart', { timeout: 30_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'deeprelax-aof-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const prefix = freshPrefix();
  let child = await startRedis(port, dir);
  const stores: RedisRunStore[] = [];
  t.after(async () => {
    for (const s of stores) await s.close();
    await kill(child);
    rmSync(dir, { recursive: true, force: true });
  });
  const open = async (): Promise<RedisRunStore> => {
    const s = await RedisRunStore.open({ url, prefix, maxRetriesPerRequest: 1, connectTimeoutMs: 1000, commandTimeoutMs: 2000 });
    stores.push(s);
    return s;
  };

  const store = await open();
  const running = await store.createJob({ spec: '{"model":"lenet"}', minWorkers: 2 });
  await store.transitionJob(running.id, 'queued', 'running');
  const queued = await Promise.all([1, 2, 3].map((i) => store.createJob({ spec: new Uint8Array([i, 0, 255]) })));
  const cancelled = await store.createJob({ spec: '{}' });
  await store.cancelJob(cancelled.id, { reason: 'test' });
  const lease = await store.registerWorker({ name: 'w', ttlMs: 600_000 });
  await store.assignWorker(lease.workerId, running.id);
  await store.updateJobProgress(running.id, { round: 40, effectiveEpochs: 2.5, metrics: { loss: 0.3 } });
  await store.recordCheckpoint(running.id, { round: 40, location: '/ckpt/40', meta: { bytes: 4 } });
  for (let r = 0; r < 20; r++) await store.appendMetric(running.id, { round: r, effectiveEpochs: r / 8, values: { loss: 1 / (r + 1) } });
  const snapshot = async (s: RedisRunStore) => ({
    jobs: await s.listJobs(),
    queue: (await s.listJobs({ states: ['queued'] })).map((j) => j.id),
    checkpoint: await s.latestCheckpoint(running.id),
    metrics: await s.readMetrics(running.id),
    events: await s.readJobEvents(running.id),
    workers: (await s.jobWorkers(running.id)).map((w) => w.id),
  });
  const before = await snapshot(store);
  assert.deepEqual(before.queue, queued.map((j) => j.id));
  assert.equal(before.metrics.length, 20);

  await kill(child);
  const t0 = Date.now();
  await assert.rejects(store.getJob(running.id), (e) => e instanceof StoreUnavailableError);
  assert.ok(Date.now() - t0 < 5000, `the failure took ${Date.now() - t0} ms`);

  child = await startRedis(port, dir);
  // The same instance reconnects by itself (its scripts are reloaded on NOSCRIPT).
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await store.getJob(running.id);
      break;
    } catch (e) {
      assert.ok(e instanceof StoreUnavailableError, String(e));
      assert.ok(Date.now() < deadline, 'store did not reconnect within 10 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  assert.deepEqual(await snapshot(store), before);
  const fresh = await open();
  assert.deepEqual(await snapshot(fresh), before);
  assert.equal((await fresh.getJob(cancelled.id)).state, 'cancelled');
  await fresh.heartbeatWorker(lease.workerId, lease.fencingToken);
  // Writes after the restart continue the counters.
  const next = await store.createJob({ spec: '{}' });
  assert.ok(next.seq > Math.max(...before.jobs.map((j) => j.seq)));
  const raw = new Redis(url, { lazyConnect: true });
  await raw.connect();
  try {
    assert.equal(await raw.config('GET', 'appendonly').then((r) => (r as string[])[1]), 'yes');
  } finally {
    raw.disconnect();
  }
});
