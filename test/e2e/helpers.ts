// End-to-end test helpers: real child processes (the services' main modules), real gRPC on
// loopback, real Redis with a fresh key prefix per test, and cleanup that always kills children.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { JobsClient, checkHealth, isTerminalJobState, type JobSpec, type Job__Output } from '@deeprelax/rpc';
import { freePort, serviceArgs } from '../../bench/shared.js';

export { freePort, serviceArgs };

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const REDIS_URL = process.env.DEEPRELAX_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TSX = import.meta.resolve('tsx');

/** argv (after node) of the deeprelax CLI, from its TypeScript sources. */
export function cliArgs(): string[] {
  return ['--conditions=deeprelax-src', '--import', TSX, join(ROOT, 'packages', 'cli', 'src', 'bin.ts')];
}

export interface Child {
  name: string;
  proc: ChildProcess;
  log: string;
  exited: Promise<number | null>;
  alive(): boolean;
}

/** Whether a Redis answers at REDIS_URL (tests that need it skip with a reason otherwise). */
export async function redisAvailable(): Promise<boolean> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  r.on('error', () => {});
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

/** A set of child processes, a temp folder and Redis keys that a test owns and always cleans up. */
export class Harness {
  readonly dir: string;
  readonly children: Child[] = [];
  readonly prefix: string;
  port = 0;
  private seq = 0;
  private redis: Redis | null = null;

  constructor(readonly name: string) {
    this.dir = mkdtempSync(join(tmpdir(), `deeprelax-e2e-${name}-`));
    this.prefix = `deeprelax-e2e:${name}:${process.pid}:${Date.now().toString(36)}:`;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Environment of the coordinator for this harness (what docker-compose.yml sets, adapted). */
  coordinatorEnv(extra: Record<string, string> = {}, redis = false): Record<string, string> {
    return {
      DEEPRELAX_GRPC_ADDR: this.address,
      DEEPRELAX_METRICS_PORT: 'off',
      DEEPRELAX_CHECKPOINT_DIR: join(this.dir, 'checkpoints'),
      DEEPRELAX_LOG_LEVEL: process.env.DEEPRELAX_TEST_LOG ?? 'info',
      DEEPRELAX_LOG_PRETTY: 'false',
      ...(redis ? { DEEPRELAX_REDIS_URL: REDIS_URL, DEEPRELAX_REDIS_PREFIX: this.prefix } : {}),
      ...extra,
    };
  }

  workerEnv(name: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      DEEPRELAX_COORDINATOR: this.address,
      DEEPRELAX_METRICS_PORT: 'off',
      DEEPRELAX_WORKER_NAME: name,
      DEEPRELAX_THREADS: '1',
      DEEPRELAX_LOG_LEVEL: process.env.DEEPRELAX_TEST_LOG ?? 'info',
      DEEPRELAX_LOG_PRETTY: 'false',
      DEEPRELAX_BACKOFF_INITIAL_MS: '100',
      DEEPRELAX_BACKOFF_MAX_MS: '1000',
      ...extra,
    };
  }

  spawn(name: string, args: string[], env: Record<string, string>): Child {
    const log = join(this.dir, `${name}-${this.seq++}.log`);
    const fd = openSync(log, 'a');
    const base: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DEEPRELAX_')) base[k] = v;
    let proc: ChildProcess;
    try {
      proc = spawn(process.execPath, args, { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    const exited = new Promise<number | null>((res) => proc.once('exit', (code, sig) => res(code ?? (sig ? -1 : null))));
    const c: Child = { name, proc, log, exited, alive: () => proc.exitCode === null && proc.signalCode === null };
    this.children.push(c);
    return c;
  }

  /** Starts the coordinator (main.ts) and waits for its health check. */
  /**
   * Starts the coordinator and waits until it reports SERVING. `health` replaces the plaintext
   * health check (e.g. one with TLS credentials).
   */
  async startCoordinator(
    env: Record<string, string> = {},
    redis = false,
    health: () => Promise<string> = () => checkHealth(this.address, { deadlineMs: 1000 }),
  ): Promise<Child> {
    if (!this.port) this.port = await freePort();
    if (redis) this.redisClient(); // so that cleanup() deletes this harness's keys
    const c = this.spawn('coordinator', serviceArgs('coordinator'), this.coordinatorEnv(env, redis));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (!c.alive()) throw new Error(`coordinator exited while starting:\n${tail(c.log)}`);
      try {
        if ((await health()) === 'SERVING') return c;
      } catch {
        /* not yet */
      }
      if (Date.now() > deadline) throw new Error(`coordinator not ready:\n${tail(c.log)}`);
      await sleep(200);
    }
  }

  startWorker(name: string, env: Record<string, string> = {}): Child {
    return this.spawn(name, serviceArgs('worker'), this.workerEnv(name, env));
  }

  client(token?: string): JobsClient {
    return new JobsClient(this.address, token ? { token } : {});
  }

  redisClient(): Redis {
    this.redis ??= new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
    return this.redis;
  }

  /** Every key of this harness's prefix with its type and size (for "nothing lost" checks). */
  async redisSnapshot(): Promise<Map<string, { type: string; size: number }>> {
    const r = this.redisClient();
    const out = new Map<string, { type: string; size: number }>();
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
      cursor = next;
      for (const k of keys) {
        const type = await r.type(k);
        const size =
          type === 'hash' ? await r.hlen(k) : type === 'stream' ? await r.xlen(k) : type === 'zset' ? await r.zcard(k) : type === 'set' ? await r.scard(k) : type === 'list' ? await r.llen(k) : 1;
        out.set(k.slice(this.prefix.length), { type, size });
      }
    } while (cursor !== '0');
    return out;
  }

  /** Kills every child (SIGKILL after a short grace), deletes Redis keys and the temp folder. */
  async cleanup(keepOnFailure = false): Promise<void> {
    await Promise.all(
      this.children.map(async (c) => {
        if (!c.alive()) return;
        c.proc.kill('SIGTERM');
        const t = setTimeout(() => c.alive() && c.proc.kill('SIGKILL'), 3_000);
        await c.exited;
        clearTimeout(t);
      }),
    );
    if (this.redis) {
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length) await this.redis.del(...keys);
      } while (cursor !== '0');
      this.redis.disconnect();
      this.redis = null;
    }
    if (!keepOnFailure && !process.env.DEEPRELAX_TEST_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }

  /** The last lines of every child's log (for assertion messages). */
  logs(lines = 12): string {
    return this.children.map((c) => `--- ${c.name} (${c.log})\n${tail(c.log, lines)}`).join('\n');
  }
}

export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls the job until `pred` holds (or the job ends, or the timeout passes). */
/** Polls the job until `pred` holds; `refresh` (optional) runs before each poll, e.g. to look up ids. */
export async function waitForJob(
  client: JobsClient,
  id: string,
  pred: (j: Job__Output) => boolean,
  timeoutMs: number,
  what: string,
  refresh?: () => Promise<void>,
): Promise<Job__Output> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await refresh?.();
    const j = await client.getJob(id);
    if (pred(j)) return j;
    if (isTerminalJobState(j.state)) throw new Error(`job ${id} ended (${j.state}${j.error?.message ? `: ${j.error.message}` : ''}) before ${what}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (job ${id} at round ${j.progress?.round}, state ${j.state})`);
    await sleep(200);
  }
}

export function waitForEnd(client: JobsClient, id: string, timeoutMs: number): Promise<Job__Output> {
  const deadline = Date.now() + timeoutMs;
  return (async () => {
    for (;;) {
      const j = await client.getJob(id);
      if (isTerminalJobState(j.state)) return j;
      if (Date.now() > deadline) throw new Error(`job ${id} did not end in ${timeoutMs} ms (round ${j.progress?.round}/${j.progress?.totalRounds}, state ${j.state})`);
      await sleep(250);
    }
  })();
}

export function valError(j: Job__Output): number {
  const m = j.latestMetrics.find((s) => s.name === 'val_error' && !s.workerId);
  if (!m) throw new Error(`job ${j.id} has no val_error metric`);
  return m.value;
}

/** A small MNIST job (mlp on a subset) for the end-to-end tests. */
export function smallJob(over: Partial<JobSpec> & { hyper?: JobSpec['hyper'] } = {}): JobSpec {
  const { hyper, dataset, ...rest } = over;
  return {
    name: 'e2e',
    model: 'mlp',
    dataset: { name: 'mnist', trainLimit: 4096, valLimit: 1000, ...(dataset ?? {}) },
    epochs: 2,
    seed: 11,
    minWorkers: 2,
    maxWorkers: 2,
    engine: 'ENGINE_KIND_AUTO',
    ...rest,
    hyper: { batchSize: 128, ...(hyper ?? {}) },
  };
}

/** Runs the deeprelax CLI to completion. */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): { status: number | null; stdout: string; stderr: string } {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DEEPRELAX_')) base[k] = v;
  const r = spawnSync(process.execPath, [...cliArgs(), ...args], { cwd: ROOT, env: { ...base, ...env }, encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export function fileExists(p: string): boolean {
  return existsSync(p);
}
