// Acceptance (issue 4, DESIGN.md "Reliability"), with real processes, gRPC and Redis:
//  - a worker killed with SIGKILL mid-job: the job still completes, and a new worker can join it;
//  - the coordinator killed mid-job and started again on the Redis store: the job resumes from its
//    checkpoint, the workers reconnect, it completes, and nothing that was in Redis is lost.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, redisAvailable, sleep, smallJob, valError, waitForEnd, waitForJob } from './helpers.js';

let redis = false;
before(async () => {
  redis = await redisAvailable();
});

// Fast failure detection for tests: 3 s leases, 0.5 s heartbeats, 3 s round deadline.
const FAST = { DEEPRELAX_LEASE_TTL_MS: '3000', DEEPRELAX_HEARTBEAT_INTERVAL_MS: '500', DEEPRELAX_SWEEP_INTERVAL_MS: '250', DEEPRELAX_PROGRESS_INTERVAL_MS: '250' };

test('SIGKILL a worker mid-job: the job completes, and a new worker joins it', { timeout: 150_000 }, async (t) => {
  if (!redis) return t.skip('no Redis at DEEPRELAX_TEST_REDIS_URL / 127.0.0.1:6379');
  const h = new Harness('kill-worker');
  let ok = false;
  try {
    await h.startCoordinator(FAST, true);
    h.startWorker('w0');
    const w1 = h.startWorker('w1');
    const client = h.client();
    const job = await client.submitJob(
      smallJob({ algorithm: 'ALGORITHM_PARLE', epochs: 4, roundDeadlineMs: 3000, hyper: { innerSteps: 10, lr: { constant: 0.05 } } }),
    );
    const total = (await waitForJob(client, job.id, (j) => (j.progress?.round ?? 0) >= 8, 60_000, 'round 8')).progress!.totalRounds;
    w1.proc.kill('SIGKILL');
    await w1.exited;
    const killedAt = (await client.getJob(job.id)).progress!.round;
    t.diagnostic(`killed w1 at round ${killedAt} of ${total}`);
    // The job goes on with w0 alone (the dead replica is dropped at the round deadline / lease expiry).
    await waitForJob(client, job.id, (j) => (j.progress?.round ?? 0) >= Number(killedAt) + 5, 30_000, 'progress after the kill');
    // A new worker joins the running job (max_workers = 2 leaves a slot).
    h.startWorker('w2');
    // Joined: w2 is one of the job's workers and has taken part in a round. (The dead w1 stays
    // listed for a while, so a count of the job's workers says nothing about w2.)
    let w2Id = '';
    const joined = await waitForJob(
      client,
      job.id,
      (j) => w2Id !== '' && j.workers.some((w) => w.workerId === w2Id && w.round > 0),
      40_000,
      'the new worker to join',
      async () => {
        w2Id = (await client.listWorkers(job.id)).find((w) => w.capabilities?.hostname === 'w2')?.workerId ?? '';
      },
    ).catch(async (e: Error) => {
      const ws = await client.listWorkers(job.id);
      throw new Error(`${e.message}; workers: ${JSON.stringify(ws.map((w) => [w.capabilities?.hostname, w.state, w.jobId]))}\n${h.logs()}`);
    });
    const names = (await client.listWorkers(job.id)).map((w) => w.capabilities?.hostname);
    t.diagnostic(`at round ${joined.progress?.round}: job workers ${names.join(', ')}`);
    assert.ok(names.includes('w2'), `w2 is among the job's workers: ${names.join(', ')}`);
    const end = await waitForEnd(client, job.id, 90_000);
    assert.equal(end.state, 'JOB_STATE_SUCCEEDED', `job ended ${end.state} ${end.error?.message ?? ''}\n${h.logs()}`);
    assert.equal(end.progress?.round, end.progress?.totalRounds);
    assert.ok(valError(end) < 0.3, `validation error ${valError(end)}`);
    client.close();
    ok = true;
  } finally {
    await h.cleanup(!ok);
  }
});

test('kill the coordinator mid-job and start it again (Redis): resumes from the checkpoint, completes, nothing lost', { timeout: 150_000 }, async (t) => {
  if (!redis) return t.skip('no Redis at DEEPRELAX_TEST_REDIS_URL / 127.0.0.1:6379');
  const h = new Harness('kill-coord');
  let ok = false;
  try {
    const coord = await h.startCoordinator(FAST, true);
    h.startWorker('w0');
    h.startWorker('w1');
    let client = h.client();
    const job = await client.submitJob(
      smallJob({
        algorithm: 'ALGORITHM_PARLE',
        epochs: 4,
        checkpointInterval: { rounds: 8 },
        roundDeadlineMs: 5000,
        hyper: { innerSteps: 8, lr: { constant: 0.05 } },
      }),
    );
    const before = await waitForJob(client, job.id, (j) => Boolean(j.checkpoint) && (j.progress?.round ?? 0) >= 12, 60_000, 'a checkpoint and round 12');
    const snapshot = await h.redisSnapshot();
    t.diagnostic(`killing the coordinator at round ${before.progress?.round} (checkpoint ${before.checkpoint}); ${snapshot.size} Redis keys`);
    coord.proc.kill('SIGKILL');
    await coord.exited;
    client.close();
    await sleep(1500); // the workers notice and back off
    await h.startCoordinator(FAST, true);
    client = h.client();
    const resumed = await client.getJob(job.id);
    t.diagnostic(`after restart: state ${resumed.state}, round ${resumed.progress?.round}`);
    assert.ok(['JOB_STATE_RUNNING', 'JOB_STATE_SUCCEEDED'].includes(resumed.state), `job state after restart: ${resumed.state}`);
    const ckptRound = Number(/round-(\d+)/.exec(before.checkpoint)?.[1] ?? 0);
    assert.ok(Number(resumed.progress?.round) >= ckptRound, `resumed at round ${resumed.progress?.round} >= checkpoint round ${ckptRound}`);
    const end = await waitForEnd(client, job.id, 100_000);
    assert.equal(end.state, 'JOB_STATE_SUCCEEDED', `job ended ${end.state} ${end.error?.message ?? ''}\n${h.logs()}`);
    assert.equal(end.progress?.round, end.progress?.totalRounds);
    assert.ok(valError(end) < 0.3, `validation error ${valError(end)}`);
    // Nothing in Redis was lost: every key is still there, hashes and streams not shorter.
    const after = await h.redisSnapshot();
    const lost: string[] = [];
    for (const [k, v] of snapshot) {
      const a = after.get(k);
      // Membership and the per-state job indexes are meant to change (workers come and go, the
      // job moves from jobs:running to jobs:succeeded); everything else must survive.
      if (k.startsWith('worker:') || k === 'workers:leases' || /^jobs:/.test(k) || /:workers$/.test(k)) continue;
      if (!a) lost.push(`${k} (gone)`);
      else if ((v.type === 'stream' || v.type === 'hash') && a.size < v.size) lost.push(`${k} (${v.type} ${v.size} -> ${a.size})`);
    }
    assert.deepEqual(lost, [], `lost in Redis: ${lost.join(', ')}`);
    assert.ok(after.has(`job:${job.id}`) && after.has(`job:${job.id}:events`) && after.has(`job:${job.id}:metrics`), 'job record and streams present');
    assert.equal((await client.listJobs({ states: ['JOB_STATE_SUCCEEDED'] })).jobs.some((j) => j.id === job.id), true);
    // The workers came back on their own (same processes, registered again).
    assert.ok(h.children.filter((c) => c.name.startsWith('w') && c.alive()).length === 2, 'both worker processes survived the coordinator restart');
    client.close();
    ok = true;
  } finally {
    await h.cleanup(!ok);
  }
});
