// A local cluster: the coordinator and N workers as child processes of this one, started through
// their main modules with the same environment variables docker-compose.yml sets, on the embedded
// in-memory store or a Redis given by URL. Each child's output goes to <logDir>/<name>.log.
//
// Children are started as `node services/<svc>/dist/main.js` when this CLI runs from dist/, and as
// `node --conditions=deeprelax-src --import tsx services/<svc>/src/main.ts` when it runs from its
// TypeScript sources (tests, `tsx`). DEEPRELAX_SERVICE_MODE=dist|src forces one. Either way with
// the services' node flags first (@deeprelax/runtime's serviceNodeFlags).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkHealth } from '@deeprelax/rpc';
import { serviceNodeFlags } from '@deeprelax/runtime';

export type ServiceName = 'coordinator' | 'worker';

/** The repository root (packages/cli/{src,dist}/cluster/ -> ../../../..). */
export function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
}

/** The argv (after node) that runs a service's main module. */
export function serviceArgs(service: ServiceName, mode?: 'src' | 'dist'): string[] {
  const root = repoRoot();
  const m = mode ?? (process.env.DEEPRELAX_SERVICE_MODE as 'src' | 'dist' | undefined) ?? (import.meta.url.endsWith('.ts') ? 'src' : 'dist');
  if (m === 'dist') {
    const main = join(root, 'services', service, 'dist', 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: build first (npm run build)`);
    return [...serviceNodeFlags(), main];
  }
  const main = join(root, 'services', service, 'src', 'main.ts');
  if (!existsSync(main)) throw new Error(`${main} is missing`);
  return [...serviceNodeFlags(), '--conditions=deeprelax-src', '--import', import.meta.resolve('tsx'), main];
}

/** A free TCP port on the loopback interface (bound, read, released). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export interface LocalClusterOptions {
  workers: number;
  /** Redis URL for the run store; null: the coordinator's embedded in-memory store. */
  redisUrl?: string | null;
  redisPrefix?: string;
  host?: string;
  /** gRPC port of the coordinator (0 or absent: a free one). */
  port?: number;
  token?: string | null;
  /** Engine of workers and coordinator ('auto', 'torch', 'tfjs'). */
  engine?: string;
  threads?: number;
  checkpointDir: string;
  logDir: string;
  /** First metrics port (coordinator; workers follow); null: no metrics endpoints; 0: free ports. */
  metricsPort?: number | null;
  logLevel?: string;
  /** More environment for the coordinator / every worker (e.g. DEEPRELAX_LEASE_TTL_MS). */
  coordinatorEnv?: Record<string, string>;
  workerEnv?: Record<string, string>;
  /** How long to wait for the coordinator's health check (ms, default 60000). */
  readyTimeoutMs?: number;
}

export interface ChildInfo {
  name: string;
  process: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The parent's client settings must not leak into the services' own configuration.
  for (const k of Object.keys(env)) if (k.startsWith('DEEPRELAX_') && !(k in extra) && k !== 'DEEPRELAX_SERVICE_MODE' && k !== 'DEEPRELAX_TEST_REDIS_URL') delete env[k];
  return { ...env, ...extra };
}

export class LocalCluster {
  readonly address: string;
  coordinator: ChildInfo | null = null;
  readonly workers: ChildInfo[] = [];
  private workerSeq = 0;
  private exitHook: (() => void) | null = null;

  private constructor(
    readonly options: LocalClusterOptions,
    readonly port: number,
  ) {
    this.address = `${options.host ?? '127.0.0.1'}:${port}`;
  }

  /** Starts the coordinator (and waits until it answers health checks), then the workers. */
  static async start(options: LocalClusterOptions): Promise<LocalCluster> {
    const port = options.port || (await freePort(options.host ?? '127.0.0.1'));
    const c = new LocalCluster(options, port);
    mkdirSync(options.logDir, { recursive: true });
    mkdirSync(options.checkpointDir, { recursive: true });
    c.installExitHook();
    try {
      await c.startCoordinator();
      for (let i = 0; i < options.workers; i++) await c.addWorker();
    } catch (e) {
      await c.stop();
      throw e;
    }
    return c;
  }

  private metricsPortFor(index: number): string {
    const m = this.options.metricsPort;
    if (m === null || m === undefined) return 'off';
    return m === 0 ? '0' : String(m + index);
  }

  /** The environment docker-compose.yml gives the coordinator, for this cluster. */
  coordinatorEnvironment(): Record<string, string> {
    const o = this.options;
    return {
      DEEPRELAX_GRPC_ADDR: `${o.host ?? '127.0.0.1'}:${this.port}`,
      DEEPRELAX_METRICS_PORT: this.metricsPortFor(0),
      DEEPRELAX_CHECKPOINT_DIR: o.checkpointDir,
      DEEPRELAX_ENGINE: o.engine ?? 'auto',
      DEEPRELAX_LOG_LEVEL: o.logLevel ?? 'info',
      DEEPRELAX_LOG_PRETTY: 'false',
      ...(o.redisUrl ? { DEEPRELAX_REDIS_URL: o.redisUrl } : {}),
      ...(o.redisPrefix ? { DEEPRELAX_REDIS_PREFIX: o.redisPrefix } : {}),
      ...(o.token ? { DEEPRELAX_TOKEN: o.token } : {}),
      ...(o.coordinatorEnv ?? {}),
    };
  }

  /** The environment docker-compose.yml gives a worker, for this cluster. */
  workerEnvironment(index: number): Record<string, string> {
    const o = this.options;
    return {
      DEEPRELAX_COORDINATOR: this.address,
      DEEPRELAX_METRICS_PORT: this.metricsPortFor(index + 1),
      DEEPRELAX_ENGINE: o.engine ?? 'auto',
      DEEPRELAX_THREADS: String(o.threads ?? 1),
      DEEPRELAX_WORKER_NAME: `worker-${index}`,
      DEEPRELAX_LOG_LEVEL: o.logLevel ?? 'info',
      DEEPRELAX_LOG_PRETTY: 'false',
      ...(o.token ? { DEEPRELAX_TOKEN: o.token } : {}),
      ...(o.workerEnv ?? {}),
    };
  }

  private spawnChild(name: string, service: ServiceName, env: Record<string, string>): ChildInfo {
    const logFile = join(this.options.logDir, `${name}.log`);
    const fd = openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, serviceArgs(service), {
        cwd: repoRoot(),
        env: childEnv(env),
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    const exited = new Promise<number | null>((res) => {
      child.once('exit', (code, signal) => res(code ?? (signal ? -1 : null)));
      child.once('error', () => res(-1));
    });
    return { name, process: child, logFile, exited };
  }

  /** Starts (or restarts) the coordinator and waits for its health check. */
  async startCoordinator(): Promise<ChildInfo> {
    if (this.coordinator && this.coordinator.process.exitCode === null && this.coordinator.process.signalCode === null) {
      throw new Error('the coordinator is already running');
    }
    const info = this.spawnChild('coordinator', 'coordinator', this.coordinatorEnvironment());
    this.coordinator = info;
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? 60_000);
    let exitCode: number | null | undefined;
    void info.exited.then((c) => (exitCode = c));
    for (;;) {
      if (exitCode !== undefined) throw new Error(`the coordinator exited (${exitCode}) while starting:\n${tail(info.logFile)}`);
      try {
        const s = await checkHealth(this.address, { deadlineMs: 1_000 });
        if (s === 'SERVING') return info;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline) throw new Error(`the coordinator did not become ready at ${this.address}:\n${tail(info.logFile)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Starts one more worker. */
  async addWorker(extraEnv: Record<string, string> = {}): Promise<ChildInfo> {
    const i = this.workerSeq++;
    const info = this.spawnChild(`worker-${i}`, 'worker', { ...this.workerEnvironment(i), ...extraEnv });
    this.workers.push(info);
    return info;
  }

  /** Sends a signal to a worker (SIGKILL: a crash; SIGTERM: a clean leave). */
  kill(info: ChildInfo, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (info.process.exitCode === null && info.process.signalCode === null) info.process.kill(signal);
    return info.exited;
  }

  /** Stops everything: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const all = [...this.workers, ...(this.coordinator ? [this.coordinator] : [])];
    // Workers first (they leave cleanly), then the coordinator.
    await Promise.all(this.workers.map((w) => stopChild(w, graceMs)));
    if (this.coordinator) await stopChild(this.coordinator, graceMs);
    for (const c of all) c.process.removeAllListeners();
    if (this.exitHook) process.off('exit', this.exitHook);
    this.exitHook = null;
  }

  private installExitHook(): void {
    // If this process dies without stop(), do not leave orphans behind.
    this.exitHook = () => {
      for (const c of [...this.workers, ...(this.coordinator ? [this.coordinator] : [])]) {
        if (c.process.exitCode === null && c.process.signalCode === null) {
          try {
            c.process.kill('SIGKILL');
          } catch {
            /* gone */
          }
        }
      }
    };
    process.on('exit', this.exitHook);
  }
}

async function stopChild(c: ChildInfo, graceMs: number): Promise<void> {
  const p = c.process;
  if (p.exitCode !== null || p.signalCode !== null) return;
  p.kill('SIGTERM');
  const t = setTimeout(() => {
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  }, graceMs);
  await c.exited;
  clearTimeout(t);
}

/** The last lines of a log file (for error messages). */
export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
