// Membership with the coordinator: register (or rejoin with the previous id), the lease and its
// fencing token, heartbeats on a timer, leave. Directives that come back with heartbeats
// (START with an assignment, STOP) are handed to the worker through callbacks.
import { hostname, totalmem, cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  CoordinatorClient,
  REASON_TRAILER,
  grpc,
  type HeartbeatRequest,
  type Assignment__Output,
  type EngineKind,
  type HeartbeatResponse__Output,
  type Lease__Output,
  type WorkerProgress,
  type WorkerState,
} from '@deeprelax/rpc';
import type { Logger } from '@deeprelax/runtime';
import { Backoff, sleep } from './backoff.js';
import type { WorkerConfig } from './config.js';
import { classify, describe } from './errors.js';
import type { WorkerMetrics } from './metrics.js';
import type { FromThread, HeartbeatThreadData, ToThread } from './heartbeat-thread.js';

export const WORKER_VERSION = '0.1.0';

export interface SessionEvents {
  /** A START directive with an assignment (from Register or Heartbeat). */
  onAssignment(a: Assignment__Output): void;
  /** A STOP directive: abandon `jobId` (empty: whatever runs). */
  onStop(jobId: string): void;
  /** The lease is gone (expired, fenced off, unknown worker): register again. */
  onLeaseLost(reason: string): void;
}

export interface HeartbeatState {
  state: WorkerState;
  jobId: string;
  progress: WorkerProgress | null;
}

export class Session {
  readonly client: CoordinatorClient;
  workerId: string | null;
  fencingToken = 0;
  lease: Lease__Output | null = null;
  private registered = false;
  private timer: NodeJS.Timeout | null = null;
  private beating = false;
  private thread: Worker | null = null;
  private threadFailed = false;
  private lastOkMs = Date.now();
  private closed = false;

  constructor(
    private readonly config: WorkerConfig,
    private readonly log: Logger,
    private readonly metrics: WorkerMetrics,
    private readonly events: SessionEvents,
    private readonly heartbeatState: () => HeartbeatState,
    private readonly engines: EngineKind[],
    private readonly device: { device: string; name: string },
  ) {
    this.client = new CoordinatorClient(config.coordinator, { token: config.token, tls: config.tls });
    this.workerId = config.workerId;
  }

  get isRegistered(): boolean {
    return this.registered;
  }

  /**
   * Registers (proposing the previous id when there is one), retrying with exponential backoff
   * while the coordinator is unreachable. Resolves false when `signal` aborts first; throws when
   * the coordinator stays away longer than giveUpAfterMs, or refuses for good (e.g. a bad token).
   */
  async register(signal: AbortSignal): Promise<boolean> {
    const backoff = new Backoff(this.config.backoff);
    const since = Date.now();
    while (!signal.aborted) {
      try {
        const res = await this.client.register(
          {
            workerId: this.workerId ?? '',
            capabilities: {
              engines: this.engines,
              device: this.device.device,
              deviceName: this.device.name,
              threads: this.config.threads,
              memoryBytes: totalmem(),
              hostname: this.config.name || hostname(),
              pid: process.pid,
              version: WORKER_VERSION,
              dtypes: ['DTYPE_FLOAT16', 'DTYPE_BFLOAT16'],
            },
          },
          { deadlineMs: this.config.callDeadlineMs, signal },
        );
        const rejoin = this.workerId !== null && this.workerId === res.workerId;
        this.workerId = res.workerId;
        this.setLease(res.lease);
        this.registered = true;
        this.lastOkMs = Date.now();
        this.metrics.reconnects.inc();
        this.log.info(
          { workerId: res.workerId, fencingToken: this.fencingToken, ttlMs: res.lease?.ttlMs, heartbeatMs: res.lease?.heartbeatIntervalMs, rejoin },
          rejoin ? 'registered again' : 'registered',
        );
        this.startHeartbeats();
        if (res.assignment && res.assignment.jobId) this.events.onAssignment(res.assignment);
        return true;
      } catch (err) {
        if (signal.aborted) return false;
        const { action, error } = classify(err);
        if (action !== 'retry' && action !== 'register') throw error;
        if (action === 'register' && this.workerId !== null) {
          // The coordinator does not accept our previous id: ask for a new one.
          this.log.warn({ err: describe(error) }, 'previous worker id refused; registering as a new worker');
          this.workerId = null;
          continue;
        }
        if (Date.now() - since > this.config.giveUpAfterMs) {
          throw new Error(`coordinator ${this.config.coordinator} unreachable for ${Math.round((Date.now() - since) / 1000)} s: ${describe(error)}`);
        }
        const wait = backoff.next();
        this.metrics.setState('disconnected');
        this.log.warn({ err: describe(error), retryInMs: wait, attempt: backoff.attempts }, 'coordinator unreachable; retrying');
        await sleep(wait, signal);
      }
    }
    return false;
  }

  private setLease(lease: Lease__Output | null): void {
    if (!lease) return;
    this.lease = lease;
    this.fencingToken = lease.fencingToken;
  }

  private intervalMs(): number {
    const l = this.lease;
    const hb = l?.heartbeatIntervalMs || (l?.ttlMs ? Math.floor(l.ttlMs / 3) : 2_000);
    return Math.max(50, hb);
  }

  private deadlineMs(): number {
    return Math.min(this.config.callDeadlineMs, Math.max(1_000, this.lease?.ttlMs ?? 10_000));
  }

  private request(): HeartbeatRequest {
    const s = this.heartbeatState();
    return {
      workerId: this.workerId ?? '',
      fencingToken: this.fencingToken,
      state: s.state,
      jobId: s.jobId,
      ...(s.progress ? { progress: s.progress } : {}),
    };
  }

  /** The heartbeat thread (started once, on the first registration), or null to beat inline. */
  private ensureThread(): Worker | null {
    if (!this.config.heartbeatThread || this.threadFailed) return null;
    if (this.thread) return this.thread;
    try {
      const data: HeartbeatThreadData = { address: this.config.coordinator, token: this.config.token, tls: this.config.tls };
      let t: Worker;
      if (import.meta.url.endsWith('.ts')) {
        // Running from the TypeScript sources (tsx): a worker thread does not inherit tsx's loader
        // hooks, so register them in the thread before importing the thread's module.
        const api = import.meta.resolve('tsx/esm/api');
        const file = new URL('./heartbeat-thread.ts', import.meta.url).href;
        const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(file)}); });`;
        t = new Worker(boot, { eval: true, workerData: data });
      } else {
        t = new Worker(new URL('./heartbeat-thread.js', import.meta.url), { workerData: data });
      }
      t.unref();
      t.on('message', (m: FromThread) => this.onThreadMessage(m));
      t.on('error', (err) => {
        this.log.warn({ err: err.message }, 'heartbeat thread failed; heartbeating from the main thread');
        this.threadFailed = true;
        this.thread = null;
        if (this.registered) this.startHeartbeats();
      });
      this.thread = t;
      return t;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'no heartbeat thread; heartbeating from the main thread');
      this.threadFailed = true;
      return null;
    }
  }

  private startHeartbeats(): void {
    this.stopHeartbeats();
    const t = this.ensureThread();
    if (t) {
      t.postMessage({ type: 'start', request: this.request(), intervalMs: this.intervalMs(), deadlineMs: this.deadlineMs() } satisfies ToThread);
      return;
    }
    const tick = () => {
      this.timer = null;
      void this.beatInline().finally(() => {
        if (!this.closed && this.registered && !this.thread) this.timer = setTimeout(tick, this.intervalMs());
      });
    };
    this.timer = setTimeout(tick, this.intervalMs());
    this.timer.unref?.();
  }

  stopHeartbeats(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.thread?.postMessage({ type: 'stop' } satisfies ToThread);
  }

  /** Tells the heartbeat thread what to report from now on (state, job, progress). */
  stateChanged(): void {
    if (this.registered && this.thread) this.thread.postMessage({ type: 'update', request: this.request(), intervalMs: this.intervalMs() } satisfies ToThread);
  }

  /** One heartbeat now (reports a state change promptly). */
  async beat(): Promise<void> {
    if (!this.registered || !this.workerId) return;
    if (this.thread) {
      this.stateChanged();
      this.thread.postMessage({ type: 'beat' } satisfies ToThread);
      return;
    }
    await this.beatInline();
  }

  private async beatInline(): Promise<void> {
    if (!this.registered || this.beating || !this.workerId) return;
    this.beating = true;
    const sent = this.request();
    try {
      const res: HeartbeatResponse__Output = await this.client.heartbeat(sent, { deadlineMs: this.deadlineMs() });
      this.onResponse(res, sent);
    } catch (err) {
      this.onError(err, Number(sent.fencingToken ?? 0));
    } finally {
      this.beating = false;
    }
  }

  private onThreadMessage(m: FromThread): void {
    if (m.type === 'response') {
      if (m.sentToken !== this.fencingToken) return; // an answer to a heartbeat from before a re-registration
      this.onResponse(m.response as HeartbeatResponse__Output, this.request());
    } else {
      const md = new grpc.Metadata();
      if (m.reason) md.set(REASON_TRAILER, m.reason);
      this.onError({ code: m.code, details: m.message, metadata: md }, m.sentToken);
    }
  }

  private onResponse(res: HeartbeatResponse__Output, sent: HeartbeatRequest): void {
    if (!this.registered) return;
    this.lastOkMs = Date.now();
    this.setLease(res.lease);
    if (res.directive === 'WORKER_DIRECTIVE_START' && res.assignment && res.assignment.jobId) this.events.onAssignment(res.assignment);
    else if (res.directive === 'WORKER_DIRECTIVE_STOP') this.events.onStop(res.assignment?.jobId || sent.jobId || '');
    // A new token (re-registration elsewhere) must reach the thread.
    if (this.thread && res.lease && Number(res.lease.fencingToken) !== Number(sent.fencingToken)) this.stateChanged();
  }

  private onError(err: unknown, sentToken: number): void {
    if (!this.registered || sentToken !== this.fencingToken) return;
    const { action, error } = classify(err);
    if (action === 'register') {
      this.leaseLost(describe(error));
      return;
    }
    const silentMs = Date.now() - this.lastOkMs;
    this.log.warn({ err: describe(error), silentMs }, 'heartbeat failed');
    // Past the lease's TTL the coordinator has surely dropped us: register again.
    if (this.lease?.ttlMs && silentMs > this.lease.ttlMs) this.leaseLost(`no heartbeat for ${silentMs} ms`);
  }

  /** Marks the lease as gone and tells the worker (which registers again). */
  leaseLost(reason: string): void {
    if (!this.registered) return;
    this.registered = false;
    this.stopHeartbeats();
    this.log.warn({ reason }, 'lease lost');
    this.events.onLeaseLost(reason);
  }

  /** Leaves the pool (best effort, short deadline). */
  async leave(reason: string): Promise<void> {
    this.stopHeartbeats();
    if (!this.registered || !this.workerId) return;
    this.registered = false;
    try {
      await this.client.leave({ workerId: this.workerId, fencingToken: this.fencingToken, reason }, { deadlineMs: 3_000 });
      this.log.info({ workerId: this.workerId, reason }, 'left the pool');
    } catch (err) {
      this.log.warn({ err: describe(err) }, 'leave failed (the lease will expire instead)');
    }
  }

  close(): void {
    this.closed = true;
    this.stopHeartbeats();
    this.thread?.postMessage({ type: 'close' } satisfies ToThread);
    this.thread = null;
    this.client.close();
  }
}

/** Human-readable device of this process for the capabilities. */
export function deviceOf(engineDescription: string): { device: string; name: string } {
  const cuda = /cuda/i.test(engineDescription);
  return { device: cuda ? 'cuda' : 'cpu', name: cuda ? engineDescription : (cpus()[0]?.model ?? 'cpu') };
}
