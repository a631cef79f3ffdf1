// The cluster of docker-compose.yml run as local processes: the coordinator's and workers' commands
// and environment are taken from `docker-compose config` and only the host-specific values are
// mapped (service hostnames -> 127.0.0.1, ports -> free ports, volumes -> a temp folder, a fresh
// Redis key prefix). Then the CLI, configured as compose's `cli` service (DEEPRELAX_COORDINATOR /
// DEEPRELAX_TOKEN), drives it: submit a YAML job file, watch, status, jobs, workers, weights,
// cancel, and the one-line errors with non-zero exits.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkHealth } from '@deeprelax/rpc';
import { Harness, REDIS_URL, freePort, redisAvailable, runCli, sleep } from './helpers.js';
import { composeBinary, composeConfig, localArgs } from './compose.js';

let redis = false;
before(async () => {
  redis = await redisAvailable();
});

function mapEnv(env: Record<string, string>, m: { port: number; prefix: string; checkpoints: string }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    let x = v
      .replace('redis://redis:6379', REDIS_URL)
      .replace('coordinator:50051', `127.0.0.1:${m.port}`)
      .replace('0.0.0.0:50051', `127.0.0.1:${m.port}`)
      .replace('/data/checkpoints', m.checkpoints);
    if (k === 'DEEPRELAX_METRICS_PORT') x = '0';
    if (k === 'DEEPRELAX_REDIS_PREFIX') x = m.prefix;
    out[k] = x;
  }
  return out;
}

test('compose commands and environment as local processes, driven by the CLI', { timeout: 150_000 }, async (t) => {
  if (!composeBinary()) return t.skip('docker-compose is not installed');
  if (!redis) return t.skip('no Redis at DEEPRELAX_TEST_REDIS_URL / 127.0.0.1:6379');
  const TOKEN = 'e2e-secret-token';
  const { config } = composeConfig([], { DEEPRELAX_TOKEN: TOKEN, DEEPRELAX_LOG_LEVEL: 'info' });
  assert.ok(config);
  const h = new Harness('compose-local');
  let ok = false;
  try {
    h.port = await freePort();
    const m = { port: h.port, prefix: h.prefix, checkpoints: join(h.dir, 'checkpoints') };
    const coordinatorEnv = mapEnv(config.services.coordinator!.environment!, m);
    assert.equal(coordinatorEnv.DEEPRELAX_TOKEN, TOKEN);
    h.spawn('coordinator', localArgs(config.services.coordinator!.command!), coordinatorEnv);
    h.redisClient(); // so cleanup deletes the prefix
    const deadline = Date.now() + 60_000;
    while ((await checkHealth(h.address, { deadlineMs: 1000 }).catch(() => 'DOWN')) !== 'SERVING') {
      if (Date.now() > deadline) throw new Error(`coordinator not ready\n${h.logs()}`);
      await sleep(200);
    }
    // `docker compose up --scale worker=2`: two replicas of the worker service.
    for (const i of [0, 1]) {
      h.spawn(`worker-${i}`, localArgs(config.services.worker!.command!), { ...mapEnv(config.services.worker!.environment!, m), DEEPRELAX_WORKER_NAME: `compose-worker-${i}` });
    }
    const cliEnv = mapEnv(config.services.cli ? { ...config.services.cli.environment! } : { DEEPRELAX_COORDINATOR: 'coordinator:50051', DEEPRELAX_TOKEN: TOKEN }, m);

    // A missing token: UNAUTHENTICATED, one line, exit 1.
    const noTok = runCli(['jobs'], { DEEPRELAX_COORDINATOR: cliEnv.DEEPRELAX_COORDINATOR! });
    assert.equal(noTok.status, 1, noTok.stderr);
    assert.match(noTok.stderr, /^deeprelax: UNAUTHENTICATED: .*\n$/);

    // An invalid spec: INVALID_ARGUMENT naming the field, exit 2.
    const bad = runCli(['submit', '-m', 'mlp', '-a', 'parle', '--epochs', '-1'], cliEnv);
    assert.equal(bad.status, 2, bad.stdout + bad.stderr);
    assert.match(bad.stderr, /INVALID_ARGUMENT.*spec\.epochs/);

    // Unknown job: NOT_FOUND, exit 1.
    const nf = runCli(['status', 'job-does-not-exist'], cliEnv);
    assert.equal(nf.status, 1);
    assert.match(nf.stderr, /^deeprelax: NOT_FOUND: /);

    // Submit a YAML job file and watch it to the end (plain lines: stdout is not a terminal).
    const jobFile = join(h.dir, 'job.yaml');
    writeFileSync(
      jobFile,
      [
        'name: compose-local',
        'model: mlp',
        'dataset: { name: mnist, train_limit: 2048, val_limit: 500 }',
        'algorithm: parle',
        'epochs: 2',
        'seed: 3',
        'workers: 2',
        'hyper:',
        '  L: 5',
        '  lr: 0.1',
        '  batch_size: 128',
        '',
      ].join('\n'),
    );
    const sub = runCli(['submit', '-f', jobFile, '-q'], cliEnv);
    assert.equal(sub.status, 0, sub.stderr);
    const id = sub.stdout.trim();
    assert.match(id, /\S+/);
    const plotDir = join(h.dir, 'plots');
    const watch = runCli(['watch', id, '--plot', plotDir], cliEnv, 120_000);
    assert.equal(watch.status, 0, `${watch.stdout}\n${watch.stderr}\n${h.logs()}`);
    assert.match(watch.stdout, /state running/);
    assert.match(watch.stdout, /val_error/);
    assert.match(watch.stdout, new RegExp(`job ${id} succeeded: validation error of x \\d+\\.\\d+%`));
    const err = Number(/validation error of x (\d+\.\d+)%/.exec(watch.stdout)![1]);
    assert.ok(err < 30, `validation error ${err}%`);
    assert.ok(statSync(join(plotDir, `${id}-curves.svg`)).size > 1000, 'plot written');

    const status = runCli(['status', id], cliEnv);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /state:\s+succeeded/);
    assert.match(status.stdout, /algorithm:\s+parle/);

    const jobs = runCli(['jobs'], cliEnv);
    assert.equal(jobs.status, 0);
    assert.match(jobs.stdout, new RegExp(`${id}\\s+succeeded\\s+parle\\s+mlp`));

    const workers = runCli(['workers'], cliEnv);
    assert.equal(workers.status, 0, workers.stderr);
    assert.match(workers.stdout, /compose-worker-0/);
    assert.match(workers.stdout, /compose-worker-1/);

    const wfile = join(h.dir, 'x.f32');
    const weights = runCli(['weights', id, '-o', wfile], cliEnv);
    assert.equal(weights.status, 0, weights.stderr);
    assert.equal(statSync(wfile).size, 101_770 * 4);

    // Cancel: a queued job (it needs 3 workers; there are 2) is cancelled; cancelling a finished one fails.
    const q = runCli(['submit', '-m', 'mlp', '-a', 'parle', '-w', '3', '--train-limit', '256', '-q'], cliEnv);
    assert.equal(q.status, 0, q.stderr);
    const c = runCli(['cancel', q.stdout.trim()], cliEnv);
    assert.equal(c.status, 0, c.stderr);
    assert.match(c.stdout, /cancelled/);
    const c2 = runCli(['cancel', id], cliEnv);
    assert.equal(c2.status, 1);
    assert.match(c2.stderr, /FAILED_PRECONDITION/);
    ok = true;
  } finally {
    await h.cleanup(!ok);
  }
});
