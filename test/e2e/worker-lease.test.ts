// A worker's lease survives a main thread that is busy for longer than the lease's TTL (a long
// synchronous inner loop of a big model on a CPU), because heartbeats come from their own thread;
// with heartbeats on the main thread the same stall loses the lease (the worker then registers
// again). Real coordinator process, 3 s leases (1 s and then 2 s proved too tight for a machine whose two cores
// are shared with other work: a heartbeat thread starved for a second lost the lease).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '@deeprelax/runtime';
import { defaultWorkerConfig, startWorker } from '@deeprelax/worker';
import { Harness, sleep } from './helpers.js';

const log = createLogger({ level: process.env.DEEPRELAX_TEST_LOG ?? 'silent', pretty: false });

const TTL_MS = 3000;

function busy(ms: number): void {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  if (x < 0) throw new Error('unreachable');
}

async function registrations(w: Awaited<ReturnType<typeof startWorker>>): Promise<number> {
  const m = await w.metrics.registry.getSingleMetric('deeprelax_worker_registrations_total')!.get();
  return m.values[0]?.value ?? 0;
}

for (const thread of [true, false]) {
  test(`a main thread busy for 2.5 TTLs ${thread ? 'keeps' : 'loses'} the lease (heartbeats ${thread ? 'from their own thread' : 'inline'})`, { timeout: 60_000 }, async () => {
    const h = new Harness(`lease-${thread}`);
    let ok = false;
    try {
      await h.startCoordinator({ DEEPRELAX_LEASE_TTL_MS: String(TTL_MS), DEEPRELAX_HEARTBEAT_INTERVAL_MS: '200', DEEPRELAX_SWEEP_INTERVAL_MS: '100' });
      const w = await startWorker(
        { ...defaultWorkerConfig(h.address), name: `lease-${thread}`, heartbeatThread: thread, backoff: { initialMs: 50, maxMs: 200, factor: 2, jitter: 0 } },
        { logger: log, processMetrics: false },
      );
      try {
        for (let i = 0; i < 100 && w.state !== 'idle'; i++) await sleep(50);
        assert.equal(w.state, 'idle');
        await sleep(500);
        assert.equal(await registrations(w), 1);
        busy(2.5 * TTL_MS);
        await sleep(1.2 * TTL_MS);
        const n = await registrations(w);
        if (thread) assert.equal(n, 1, 'the lease survived the stall');
        else assert.ok(n >= 2, `the lease was lost and the worker registered again (${n} registrations)`);
        const client = h.client();
        const pool = await client.listWorkers();
        client.close();
        assert.ok(pool.some((x) => x.capabilities?.hostname === `lease-${thread}`), 'the worker is in the pool');
      } finally {
        await w.stop('test done');
      }
      ok = true;
    } finally {
      await h.cleanup(!ok);
    }
  });
}
