// Checkpoint and restart: a new coordinator instance on the same store (in-memory shared, and the
// real Redis with a fresh prefix) takes over the RUNNING job from its last checkpoint with the
// identical x and round; the worker reconnects (ABORTED for its newer round, PULL, continue) and the
// job completes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { AbortedError } from '@deeprelax/rpc';
import { InMemoryRunStore, RedisRunStore, RunStoreKeys, type RunStore } from '@deeprelax/store';
import { FakeWorker, fetchX, randomVector, smallSpec, startTest, until, type TestCoordinator } from './helpers.js';

const N = 101_770;
const REDIS_URL = process.env.DEEPRELAX_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function scenario(openStore: () => Promise<RunStore>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'drcoord-restart-'));
  const stores: RunStore[] = [];
  const open = async () => {
    const s = await openStore();
    stores.push(s);
    return s;
  };
  let c: TestCoordinator | null = null;
  try {
    c = await startTest({ store: await open(), checkpointDir: dir });
    // EASGD sync, one worker, 3 epochs of nb = 4 rounds; a checkpoint every 2 rounds.
    const job = await c.jobs.submitJob(smallSpec({ algorithm: 'ALGORITHM_EASGD', epochs: 3, checkpointInterval: { rounds: 2 } }, { alpha: 0.5 }));
    let w = await new FakeWorker(c.address).register();
    await w.waitAssignment();
    await w.pull();
    let x2: Buffer | null = null;
    for (let k = 0; k < 3; k++) {
      await w.exchange('EXCHANGE_KIND_SYNC', k, 0, [{ name: 'x', values: randomVector(N, 40 + k) }]);
      if (k === 1) x2 = (await fetchX(c.jobs, job.id)).bytes;
    }
    await until(async () => (await c!.jobs.getJob(job.id)).checkpoint.includes('round-00000002'), 5_000, 'checkpoint of round 2');
    // Crash (no final checkpoint): the job stays RUNNING at its round-2 checkpoint.
    await c.kill();
    c = null;

    c = await startTest({ store: await open(), checkpointDir: dir });
    const j = await c.jobs.getJob(job.id);
    assert.equal(j.state, 'JOB_STATE_RUNNING');
    assert.equal(j.progress?.round, 2);
    const fx = await fetchX(c.jobs, job.id);
    assert.equal(fx.round, 2);
    assert.ok(fx.bytes.equals(x2!), 'x after the restart is bit-identical to the checkpointed x');

    // The worker reconnects with its lease (same id and token): its round 3 is not the open round.
    const id = w.id;
    const token = w.token;
    const assignment = w.assignment;
    w.client.close();
    w = new FakeWorker(c.address);
    Object.assign(w, { id, token, assignment });
    const hb = await w.heartbeat(job.id);
    assert.equal(hb.directive, 'WORKER_DIRECTIVE_UNSPECIFIED', 'still a member of the resumed job');
    await assert.rejects(w.exchange('EXCHANGE_KIND_SYNC', 3, 0, [{ name: 'x', values: randomVector(N, 43) }]), (e: unknown) => {
      assert.ok(e instanceof AbortedError);
      assert.equal(e.reason, 'round-mismatch');
      return true;
    });
    const p = await w.pull();
    assert.equal(p.reply.round, 2);
    assert.ok(Buffer.from(p.byName.get('x')!.buffer).equals(x2!));
    let r;
    for (let k = 2; k < 12; k++) r = await w.exchange('EXCHANGE_KIND_SYNC', k, 0, [{ name: 'x', values: randomVector(N, 50 + k) }]);
    assert.equal(r!.reply.directive, 'WORKER_DIRECTIVE_STOP');
    // Graceful restart in the middle of nothing: the finished job is SUCCEEDED and keeps its weights.
    const done = await until(async () => {
      const s = await c!.jobs.getJob(job.id);
      return s.state === 'JOB_STATE_SUCCEEDED' && s;
    }, 20_000, 'SUCCEEDED');
    const final = await fetchX(c.jobs, job.id);
    assert.equal(final.round, 12);
    await c.stop();
    c = await startTest({ store: await open(), checkpointDir: dir });
    const again = await fetchX(c.jobs, job.id);
    assert.ok(again.bytes.equals(final.bytes), 'final weights served from the checkpoint by a new instance');
    assert.equal((await c.jobs.getJob(job.id)).state, 'JOB_STATE_SUCCEEDED');
    assert.ok(done.latestMetrics.some((m) => m.name === 'val_error'));
    await w.close();
  } finally {
    if (c) await c.stop();
    for (const s of stores) await s.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('checkpoint and restart', () => {
  test('in-memory store shared by two coordinator instances', async () => {
    // The same store object for every instance (a given store is not closed by the coordinator).
    const store = new InMemoryRunStore();
    await scenario(async () => store);
  });

  const prefix = `drtest:{coord-${randomBytes(5).toString('hex')}}:`;
  after(async () => {
    const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await r.connect();
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', new RunStoreKeys(prefix).pattern(), 'COUNT', 1000);
        if (keys.length > 0) await r.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    } catch {
      // Redis unavailable: the test itself reports it.
    } finally {
      r.disconnect();
    }
  });

  test('real Redis: a new coordinator with its own connection resumes the job', async () => {
    await scenario(() => RedisRunStore.open({ url: REDIS_URL, prefix }));
  });
});
