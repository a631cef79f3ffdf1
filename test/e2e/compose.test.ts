// docker-compose.yml checked statically (no Docker engine here): `docker-compose config` accepts it
// with every profile, and the services, environment, ports, volumes and GPU reservation are what
// DESIGN.md asks for; every DEEPRELAX_* variable it sets is one the service reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_VARS } from '@deeprelax/coordinator';
import { workerEnvSchema } from '@deeprelax/worker';
import { SERVICE_NODE_FLAGS } from '@deeprelax/runtime';
import { ROOT } from './helpers.js';
import { composeBinary, composeConfig, type ComposeService } from './compose.js';

const bin = composeBinary();
const skip = bin ? false : 'docker-compose is not installed (Debian: apt-get install docker-compose)';

const COORDINATOR_VARS = new Set(Object.values(ENV_VARS));
const WORKER_VARS = new Set(Object.keys(workerEnvSchema.shape));
const CLI_VARS = new Set(['DEEPRELAX_COORDINATOR', 'DEEPRELAX_TOKEN', 'DEEPRELAX_TLS_CA']);

/** Container path of a volume entry ("name:/path:rw" or { target }). */
function target(v: string | { target: string }): string {
  if (typeof v !== 'string') return v.target;
  const parts = v.split(':');
  return parts.length >= 2 ? parts[1]! : parts[0]!;
}

function published(s: ComposeService): number[] {
  return (s.ports ?? []).map((p) => (typeof p === 'string' ? Number(p.split(':').at(-2)) : Number(p.published)));
}

test('docker-compose config accepts the file, with and without profiles', { skip }, () => {
  const plain = composeConfig();
  assert.equal(plain.status, 0, plain.stderr);
  const services = plain.config!.services;
  assert.deepEqual(Object.keys(services).sort(), ['cli', 'coordinator', 'prometheus', 'redis', 'worker', 'worker-gpu']);
  // What `docker compose up` starts by default (no profile): redis, coordinator, workers.
  const always = Object.entries(services).filter(([, v]) => !v.profiles?.length).map(([k]) => k).sort();
  assert.deepEqual(always, ['coordinator', 'redis', 'worker']);
  const all = composeConfig(['gpu', 'monitoring', 'cli']);
  assert.equal(all.status, 0, all.stderr);
});

test('services, environment, ports, volumes, scaling and the GPU variant', { skip }, () => {
  const { config } = composeConfig(['gpu', 'monitoring', 'cli'], { DEEPRELAX_TOKEN: 'tok' });
  const s = config!.services;

  // Redis with AOF persistence on a volume, and a health check the coordinator waits for.
  const redisCmd = (s.redis!.command ?? []).join(' ');
  assert.match(redisCmd, /--appendonly yes/);
  assert.match(redisCmd, /--appendfsync (everysec|always)/);
  assert.ok((s.redis!.volumes ?? []).some((v) => target(v) === '/data'), 'redis data on a volume');
  assert.ok(s.redis!.healthcheck, 'redis has a health check');

  // Coordinator: Redis store, gRPC on 50051, metrics on 9464, checkpoints on a volume, token passed through.
  const ce = s.coordinator!.environment!;
  assert.equal(ce.DEEPRELAX_REDIS_URL, 'redis://redis:6379');
  assert.match(ce.DEEPRELAX_GRPC_ADDR!, /:50051$/);
  assert.equal(ce.DEEPRELAX_METRICS_PORT, '9464');
  assert.equal(ce.DEEPRELAX_TOKEN, 'tok');
  assert.deepEqual(published(s.coordinator!).sort(), [50051, 9464].sort());
  assert.ok((s.coordinator!.volumes ?? []).some((v) => target(v) === ce.DEEPRELAX_CHECKPOINT_DIR), 'checkpoints on a volume');
  assert.ok(config!.volumes && 'checkpoints' in config!.volumes && 'redis-data' in config!.volumes, 'named volumes');
  // The services run with the same node flags as in `deeprelax up` (@deeprelax/runtime).
  assert.deepEqual(s.coordinator!.command, ['node', ...SERVICE_NODE_FLAGS, 'services/coordinator/dist/main.js']);
  const dep = s.coordinator!.depends_on as Record<string, { condition?: string }>;
  assert.equal(dep.redis?.condition, 'service_healthy');

  // Workers: scalable (no container_name, no published host ports), pointed at the coordinator.
  for (const name of ['worker', 'worker-gpu']) {
    const w = s[name]!;
    assert.equal(w.container_name, undefined, `${name}: a container_name would prevent --scale`);
    assert.deepEqual(published(w), [], `${name}: published host ports would collide under --scale`);
    assert.equal(w.environment!.DEEPRELAX_COORDINATOR, 'coordinator:50051');
    assert.equal(w.environment!.DEEPRELAX_TOKEN, 'tok');
    assert.deepEqual(w.command, ['node', ...SERVICE_NODE_FLAGS, 'services/worker/dist/main.js']);
  }
  // GPU variant: a profile, NVIDIA device reservation, torch on CUDA, its own Dockerfile.
  const g = s['worker-gpu']!;
  assert.deepEqual(g.profiles, ['gpu']);
  const dev = g.deploy?.resources?.reservations?.devices?.[0];
  assert.equal(dev?.driver, 'nvidia');
  assert.deepEqual(dev?.capabilities, ['gpu']);
  assert.equal(g.environment!.DEEPRELAX_DEVICE, 'cuda');
  assert.equal(g.environment!.DEEPRELAX_ENGINE, 'torch');
  assert.equal(g.build?.dockerfile, 'deploy/Dockerfile.gpu');
  assert.equal(s.worker!.build?.dockerfile, 'deploy/Dockerfile.cpu');

  // Every variable set is one the service reads (no typos that silently do nothing).
  const unknown = (vars: Record<string, string>, known: Set<string>, who: string) =>
    Object.keys(vars).filter((k) => k.startsWith('DEEPRELAX_') && !known.has(k)).map((k) => `${who}: ${k}`);
  const bad = [
    ...unknown(ce, COORDINATOR_VARS, 'coordinator'),
    ...unknown(s.worker!.environment!, WORKER_VARS, 'worker'),
    ...unknown(g.environment!, WORKER_VARS, 'worker-gpu'),
    ...unknown(s.cli!.environment!, CLI_VARS, 'cli'),
  ];
  assert.deepEqual(bad, []);

  // The commands' scripts exist (as sources; `npm run build` produces the dist files).
  for (const svc of ['coordinator', 'worker']) assert.ok(existsSync(join(ROOT, 'services', svc, 'src', 'main.ts')));
  assert.ok(existsSync(join(ROOT, 'packages', 'cli', 'src', 'bin.ts')));
});

test('Dockerfiles and the Prometheus config', () => {
  for (const f of ['Dockerfile.cpu', 'Dockerfile.gpu']) {
    const text = readFileSync(join(ROOT, 'deploy', f), 'utf8');
    assert.match(text, /^FROM /m, f);
    assert.match(text, /npm ci/, `${f} installs with npm ci`);
    assert.match(text, /npm run build\b/, `${f} builds the TypeScript`);
    assert.match(text, /build:native/, `${f} builds the torch addon`);
    assert.ok(
      text.includes(`CMD ${JSON.stringify(['node', ...SERVICE_NODE_FLAGS, 'services/worker/dist/main.js']).replaceAll(',', ', ')}`),
      `${f} runs the worker by default, with the services' node flags`,
    );
    assert.match(text, /USER /, `${f} does not run as root`);
  }
  assert.match(readFileSync(join(ROOT, 'deploy', 'Dockerfile.cpu'), 'utf8'), /libtorch/);
  assert.match(readFileSync(join(ROOT, 'deploy', 'Dockerfile.gpu'), 'utf8'), /cuda/i);
  const prom = readFileSync(join(ROOT, 'deploy', 'prometheus.yml'), 'utf8');
  assert.match(prom, /coordinator:9464/);
  assert.match(prom, /names: \['worker'\]/);
});
