// The coordinator's configuration: one zod schema gives both the parsing of the environment and the
// type. This is the only module that reads process.env (README.md has the table).
import { z } from 'zod';

const bool = z
  .union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no', ''])])
  .transform((v) => v === true || v === '1' || v === 'true' || v === 'yes');

const port = z.coerce.number().int().min(0).max(65535);
const posInt = z.coerce.number().int().positive();

export const ConfigSchema = z
  .object({
    /** Redis URL of the run store; absent: the embedded in-memory store (no persistence). */
    redisUrl: z.string().min(1).nullable().default(null),
    /** Key prefix in Redis. */
    redisPrefix: z.string().min(1).default('deeprelax:'),
    /** gRPC bind host. */
    grpcHost: z.string().min(1).default('0.0.0.0'),
    /** gRPC port (0: any free port). */
    grpcPort: port.default(50051),
    /** Prometheus /metrics port (0: any free port); null disables the endpoint. */
    metricsPort: port.nullable().default(9464),
    metricsHost: z.string().min(1).default('0.0.0.0'),
    /** Where checkpoints are written. */
    checkpointDir: z.string().min(1).default('./checkpoints'),
    /** Bearer token every call must carry (health checks exempt); null: no auth. */
    token: z.string().min(1).nullable().default(null),
    tlsCert: z.string().min(1).nullable().default(null),
    tlsKey: z.string().min(1).nullable().default(null),
    /** Engine for evaluating x. */
    engine: z.enum(['auto', 'torch', 'tfjs']).default('auto'),
    /** Threads of the evaluation engine (torch). */
    engineThreads: posInt.default(1),
    /** MiB of freed large CPU blocks the torch engine keeps for reuse (0 = off). */
    cpuCacheMiB: z.coerce.number().int().min(0).max(1 << 20).default(512),
    /**
     * Run the centre updates and finiteness scans as WebAssembly SIMD kernels over arena memory
     * (~4x faster than the TypeScript loops; same results). Off: ordinary arrays, TypeScript.
     */
    wasmKernels: bool.default(true),
    /** Datasets not bundled (cifar10, relative dataset paths) are looked up here. */
    dataDir: z.string().min(1).nullable().default(null),
    /** Worker lease length and the heartbeat interval the workers are told to keep. */
    leaseTtlMs: posInt.default(15_000),
    heartbeatIntervalMs: posInt.default(3_000),
    /** How often expired leases are swept. */
    sweepIntervalMs: posInt.default(1_000),
    /** At most this often a progress event / store progress update per job. */
    progressIntervalMs: z.coerce.number().int().min(0).default(1_000),
    /** Upper bound of BN-refresh batches before an evaluation (min with one epoch). */
    bnRefreshBatches: posInt.default(50),
    /** Batch size of the evaluation pass. */
    evalBatchSize: posInt.default(500),
    /** Largest chunk accepted from workers, bytes. */
    maxChunkBytes: posInt.default(2 * 1024 * 1024),
    /** Grace period for calls in flight on shutdown. */
    shutdownGraceMs: posInt.default(5_000),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    logPretty: bool.nullable().default(null),
  })
  .superRefine((c, ctx) => {
    if ((c.tlsCert === null) !== (c.tlsKey === null)) {
      ctx.addIssue({ code: 'custom', path: ['tlsCert'], message: 'DEEPRELAX_TLS_CERT and DEEPRELAX_TLS_KEY go together' });
    }
    if (c.heartbeatIntervalMs >= c.leaseTtlMs) {
      ctx.addIssue({ code: 'custom', path: ['heartbeatIntervalMs'], message: 'the heartbeat interval must be shorter than the lease TTL' });
    }
  });

export type CoordinatorConfig = z.output<typeof ConfigSchema>;
export type CoordinatorConfigInput = z.input<typeof ConfigSchema>;

/** Environment variable of each config field. */
export const ENV_VARS: Readonly<Record<keyof CoordinatorConfig, string>> = {
  redisUrl: 'DEEPRELAX_REDIS_URL',
  redisPrefix: 'DEEPRELAX_REDIS_PREFIX',
  grpcHost: 'DEEPRELAX_GRPC_ADDR',
  grpcPort: 'DEEPRELAX_GRPC_PORT',
  metricsPort: 'DEEPRELAX_METRICS_PORT',
  metricsHost: 'DEEPRELAX_METRICS_ADDR',
  checkpointDir: 'DEEPRELAX_CHECKPOINT_DIR',
  token: 'DEEPRELAX_TOKEN',
  tlsCert: 'DEEPRELAX_TLS_CERT',
  tlsKey: 'DEEPRELAX_TLS_KEY',
  engine: 'DEEPRELAX_ENGINE',
  engineThreads: 'DEEPRELAX_ENGINE_THREADS',
  cpuCacheMiB: 'DEEPRELAX_CPU_CACHE_MIB',
  wasmKernels: 'DEEPRELAX_WASM_KERNELS',
  dataDir: 'DEEPRELAX_DATA_DIR',
  leaseTtlMs: 'DEEPRELAX_LEASE_TTL_MS',
  heartbeatIntervalMs: 'DEEPRELAX_HEARTBEAT_INTERVAL_MS',
  sweepIntervalMs: 'DEEPRELAX_SWEEP_INTERVAL_MS',
  progressIntervalMs: 'DEEPRELAX_PROGRESS_INTERVAL_MS',
  bnRefreshBatches: 'DEEPRELAX_BN_REFRESH_BATCHES',
  evalBatchSize: 'DEEPRELAX_EVAL_BATCH_SIZE',
  maxChunkBytes: 'DEEPRELAX_MAX_CHUNK_BYTES',
  shutdownGraceMs: 'DEEPRELAX_SHUTDOWN_GRACE_MS',
  logLevel: 'DEEPRELAX_LOG_LEVEL',
  logPretty: 'DEEPRELAX_LOG_PRETTY',
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function formatIssues(error: z.ZodError, names: (key: string) => string): string {
  return error.issues.map((i) => `${names(String(i.path[0] ?? ''))}: ${i.message}`).join('; ');
}

/** A full config from partial input (tests, embedding); throws ConfigError naming the field. */
export function coordinatorConfig(input: CoordinatorConfigInput = {}): CoordinatorConfig {
  const r = ConfigSchema.safeParse(input);
  if (!r.success) throw new ConfigError(`invalid coordinator config: ${formatIssues(r.error, (k) => k)}`);
  return r.data;
}

/**
 * The config from the environment. Empty variables count as unset. DEEPRELAX_GRPC_ADDR may be
 * "host" or "host:port" (the port then wins over DEEPRELAX_GRPC_PORT's default).
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): CoordinatorConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_VARS)) {
    const v = env[name];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const addr = raw.grpcHost;
  if (typeof addr === 'string') {
    const m = /^(.*):(\d+)$/.exec(addr);
    if (m && !m[1]!.endsWith(':')) {
      raw.grpcHost = m[1]!.replace(/^\[(.*)\]$/, '$1');
      if (raw.grpcPort === undefined) raw.grpcPort = m[2];
    }
  }
  if (raw.metricsPort === 'off' || raw.metricsPort === 'none') raw.metricsPort = null;
  const r = ConfigSchema.safeParse(raw);
  if (!r.success) {
    throw new ConfigError(`invalid environment: ${formatIssues(r.error, (k) => ENV_VARS[k as keyof CoordinatorConfig] ?? k)}`);
  }
  return r.data;
}
