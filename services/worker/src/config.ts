// The worker's configuration: one strict object (WorkerConfig) for startWorker(), and the one place
// that reads the environment (workerConfigFromEnv). Every variable is documented in README.md.
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ENGINE_CHOICES, type EngineChoice } from '@deeprelax/runtime';
import type { ClientTlsConfig } from '@deeprelax/rpc';

export interface BackoffConfig {
  /** First wait after a failed attempt (ms). */
  initialMs: number;
  /** Upper bound of the wait (ms). */
  maxMs: number;
  /** Growth factor per failed attempt. */
  factor: number;
  /** Random spread of each wait, as a fraction (0.2 = ±20 %). */
  jitter: number;
}

export interface WorkerConfig {
  /** Coordinator address, host:port. */
  coordinator: string;
  /** Bearer token (null: none). */
  token: string | null;
  /** TLS towards the coordinator (null: insecure). */
  tls: ClientTlsConfig | null;
  /** Compute engine; 'auto' picks torch when its addon loads, else tfjs. */
  engine: EngineChoice;
  /** torch intra-op threads. */
  threads: number;
  /** torch device. */
  device: 'cpu' | 'cuda' | 'auto';
  /** MiB of freed large CPU blocks the torch engine keeps for reuse (0 = off). */
  cpuCacheMiB: number;
  /** Port of the Prometheus /metrics endpoint (0: any free port; null: no endpoint). */
  metricsPort: number | null;
  /** Interface the metrics endpoint binds to. */
  metricsHost: string;
  /** Name shown in listings and logs (sent as the capabilities' hostname). */
  name: string;
  /** Worker id to propose when registering (rejoin after a restart); null for a new one. */
  workerId: string | null;
  /** Directory for datasets given by name (mnist: null = the bundled files; cifar10 needs one). */
  dataDir: string | null;
  /** Backoff between attempts to reach the coordinator. */
  backoff: BackoffConfig;
  /** Give up after this long without reaching the coordinator (ms; Infinity: never). */
  giveUpAfterMs: number;
  /** Deadline of unary calls (register, heartbeat, leave), ms. */
  callDeadlineMs: number;
  /** Leave the pool and exit after this many jobs (0: run forever). For tests and one-shot clusters. */
  maxJobs: number;
  /** Exit (instead of waiting for work) once idle this long after a job, ms (0: never). */
  exitWhenIdleMs: number;
  logLevel: string;
  /** Pretty logs (null: when stderr is a terminal). */
  logPretty: boolean | null;
  /**
   * Heartbeat from a separate thread (default), so that the lease stays alive while a long inner
   * loop keeps the main thread busy; false: from the main thread, between steps.
   */
  heartbeatThread: boolean;
  /**
   * Parle: send a round's second exchange (x^a, which needs no answer to go on) and start the next
   * inner loop at once, pausing between inner steps so the upload proceeds; the answer (round
   * closed, or stop) is awaited before the next round's first exchange. false (default): wait for
   * it first. Off by default because on the 2-core machines it was measured on it was slower
   * (bench/distributed/overhead.bench.ts: 0.92-0.97x with 1 worker, 0.85x with 2).
   */
  overlapExchange: boolean;
}

export const DEFAULT_BACKOFF: BackoffConfig = { initialMs: 200, maxMs: 5_000, factor: 2, jitter: 0.2 };

/** Defaults for everything but the coordinator address. */
export function defaultWorkerConfig(coordinator: string): WorkerConfig {
  return {
    coordinator,
    token: null,
    tls: null,
    engine: 'auto',
    threads: 1,
    device: 'auto',
    cpuCacheMiB: 512,
    metricsPort: null,
    metricsHost: '0.0.0.0',
    name: `${hostname()}-${process.pid}`,
    workerId: null,
    dataDir: null,
    backoff: { ...DEFAULT_BACKOFF },
    giveUpAfterMs: Infinity,
    callDeadlineMs: 10_000,
    maxJobs: 0,
    exitWhenIdleMs: 0,
    logLevel: 'info',
    logPretty: null,
    heartbeatThread: true,
    overlapExchange: false,
  };
}

const hostPort = z
  .string()
  .trim()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.-]+):\d{1,5}$/, 'must be host:port, e.g. coordinator:50051');
const intIn = (lo: number, hi: number) => z.coerce.number().int().min(lo).max(hi);
const bool = z
  .string()
  .trim()
  .toLowerCase()
  .transform((s, ctx) => {
    if (['1', 'true', 'yes', 'on'].includes(s)) return true;
    if (['0', 'false', 'no', 'off', ''].includes(s)) return false;
    ctx.addIssue({ code: 'custom', message: 'must be true or false' });
    return z.NEVER;
  });

/** The environment variables the worker reads (README.md has the table). */
export const workerEnvSchema = z.object({
  DEEPRELAX_COORDINATOR: hostPort.default('127.0.0.1:50051'),
  DEEPRELAX_TOKEN: z.string().optional(),
  DEEPRELAX_TOKEN_FILE: z.string().optional(),
  DEEPRELAX_TLS: bool.optional(),
  DEEPRELAX_TLS_CA: z.string().optional(),
  DEEPRELAX_TLS_SERVER_NAME: z.string().optional(),
  DEEPRELAX_ENGINE: z.enum(ENGINE_CHOICES as [EngineChoice, ...EngineChoice[]]).default('auto'),
  DEEPRELAX_THREADS: intIn(1, 1024).default(1),
  DEEPRELAX_DEVICE: z.enum(['cpu', 'cuda', 'auto']).default('auto'),
  // Empty counts as unset (as in the coordinator), not as 0, which would turn the cache off.
  DEEPRELAX_CPU_CACHE_MIB: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), intIn(0, 1 << 20).default(512)),
  DEEPRELAX_METRICS_PORT: z
    .string()
    .trim()
    .transform((s, ctx) => {
      if (s === '' || s === 'off' || s === 'none') return null;
      const n = Number(s);
      if (!Number.isInteger(n) || n < 0 || n > 65535) {
        ctx.addIssue({ code: 'custom', message: 'must be a port number (0: any free port) or "off"' });
        return z.NEVER;
      }
      return n;
    })
    .optional(),
  DEEPRELAX_METRICS_HOST: z.string().trim().min(1).default('0.0.0.0'),
  DEEPRELAX_WORKER_NAME: z.string().trim().min(1).optional(),
  DEEPRELAX_WORKER_ID: z.string().trim().min(1).optional(),
  DEEPRELAX_DATA_DIR: z.string().trim().min(1).optional(),
  DEEPRELAX_BACKOFF_INITIAL_MS: intIn(1, 600_000).default(DEFAULT_BACKOFF.initialMs),
  DEEPRELAX_BACKOFF_MAX_MS: intIn(1, 3_600_000).default(DEFAULT_BACKOFF.maxMs),
  DEEPRELAX_GIVE_UP_AFTER_MS: intIn(0, Number.MAX_SAFE_INTEGER).optional(),
  DEEPRELAX_MAX_JOBS: intIn(0, 1_000_000).default(0),
  DEEPRELAX_EXIT_WHEN_IDLE_MS: intIn(0, Number.MAX_SAFE_INTEGER).default(0),
  DEEPRELAX_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  DEEPRELAX_LOG_PRETTY: bool.optional(),
  DEEPRELAX_HEARTBEAT_THREAD: bool.optional(),
  DEEPRELAX_OVERLAP_EXCHANGE: bool.optional(),
});

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Compiles the environment into a WorkerConfig; a bad variable is a ConfigError naming it. */
export function workerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const picked: Record<string, string> = {};
  for (const k of Object.keys(workerEnvSchema.shape)) {
    const v = env[k];
    if (v !== undefined) picked[k] = v;
  }
  const r = workerEnvSchema.safeParse(picked);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`${name}=${JSON.stringify(picked[name] ?? '')}: ${issue.message}`);
  }
  const e = r.data;
  let token: string | null = e.DEEPRELAX_TOKEN ?? null;
  if (e.DEEPRELAX_TOKEN_FILE) {
    try {
      token = readFileSync(e.DEEPRELAX_TOKEN_FILE, 'utf8').trim();
    } catch (err) {
      throw new ConfigError(`DEEPRELAX_TOKEN_FILE: cannot read ${e.DEEPRELAX_TOKEN_FILE}: ${(err as Error).message}`);
    }
  }
  const tlsOn = e.DEEPRELAX_TLS ?? Boolean(e.DEEPRELAX_TLS_CA);
  const tls: ClientTlsConfig | null = tlsOn
    ? {
        ...(e.DEEPRELAX_TLS_CA ? { caFile: e.DEEPRELAX_TLS_CA } : {}),
        ...(e.DEEPRELAX_TLS_SERVER_NAME ? { serverName: e.DEEPRELAX_TLS_SERVER_NAME } : {}),
      }
    : null;
  if (e.DEEPRELAX_BACKOFF_MAX_MS < e.DEEPRELAX_BACKOFF_INITIAL_MS) {
    throw new ConfigError('DEEPRELAX_BACKOFF_MAX_MS must be >= DEEPRELAX_BACKOFF_INITIAL_MS');
  }
  const base = defaultWorkerConfig(e.DEEPRELAX_COORDINATOR);
  return {
    ...base,
    token: token && token.length > 0 ? token : null,
    tls,
    engine: e.DEEPRELAX_ENGINE,
    threads: e.DEEPRELAX_THREADS,
    device: e.DEEPRELAX_DEVICE,
    cpuCacheMiB: e.DEEPRELAX_CPU_CACHE_MIB,
    metricsPort: e.DEEPRELAX_METRICS_PORT === undefined ? 9464 : e.DEEPRELAX_METRICS_PORT,
    metricsHost: e.DEEPRELAX_METRICS_HOST,
    name: e.DEEPRELAX_WORKER_NAME ?? base.name,
    workerId: e.DEEPRELAX_WORKER_ID ?? null,
    dataDir: e.DEEPRELAX_DATA_DIR ?? null,
    backoff: { ...DEFAULT_BACKOFF, initialMs: e.DEEPRELAX_BACKOFF_INITIAL_MS, maxMs: e.DEEPRELAX_BACKOFF_MAX_MS },
    giveUpAfterMs: e.DEEPRELAX_GIVE_UP_AFTER_MS === undefined || e.DEEPRELAX_GIVE_UP_AFTER_MS === 0 ? Infinity : e.DEEPRELAX_GIVE_UP_AFTER_MS,
    maxJobs: e.DEEPRELAX_MAX_JOBS,
    exitWhenIdleMs: e.DEEPRELAX_EXIT_WHEN_IDLE_MS,
    logLevel: e.DEEPRELAX_LOG_LEVEL,
    logPretty: e.DEEPRELAX_LOG_PRETTY ?? null,
    heartbeatThread: e.DEEPRELAX_HEARTBEAT_THREAD ?? true,
    overlapExchange: e.DEEPRELAX_OVERLAP_EXCHANGE ?? false,
  };
}
