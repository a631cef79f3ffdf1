// Test plumbing: a coordinator on loopback (port 0, in-memory store unless given, tfjs engine,
// silent logs), a fake worker driving CoordinatorClient directly, small job specs, bounded waits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CoordinatorClient,
  JobsClient,
  type Assignment__Output,
  type ExchangeKind,
  type JobSpec,
  type NamedTensor,
  type WorkerProgress,
} from '@deeprelax/rpc';
import { createLogger } from '@deeprelax/runtime';
import { startCoordinator, type CoordinatorHandle, type StartOptions } from '../src/index.js';

export const SILENT = createLogger({ level: process.env.DEEPRELAX_TEST_LOG ?? 'silent', pretty: false });

export interface TestCoordinator extends CoordinatorHandle {
  jobs: JobsClient;
  checkpointDir: string;
  stop(): Promise<void>;
}

export async function startTest(options: StartOptions = {}): Promise<TestCoordinator> {
  const checkpointDir = options.checkpointDir ?? mkdtempSync(join(tmpdir(), 'drcoord-'));
  const h = await startCoordinator({
    grpcHost: '127.0.0.1',
    grpcPort: 0,
    metricsHost: '127.0.0.1',
    metricsPort: 0,
    engine: 'tfjs',
    logger: SILENT,
    progressIntervalMs: 20,
    sweepIntervalMs: 100,
    shutdownGraceMs: 200,
    defaultMetrics: false,
    ...options,
    checkpointDir,
  });
  const jobs = new JobsClient(h.address, { token: options.token ?? null });
  return {
    ...h,
    jobs,
    checkpointDir,
    async stop() {
      jobs.close();
      await h.close();
      if (!options.checkpointDir) rmSync(checkpointDir, { recursive: true, force: true });
    },
  };
}

/** A small MNIST job: mlp on 256 training samples (nb = 4 at batch 64), 200 validation samples. */
export function smallSpec(overrides: Partial<JobSpec> = {}, hyper: NonNullable<JobSpec['hyper']> = {}): JobSpec {
  return {
    name: 'test',
    model: 'mlp',
    dataset: { name: 'mnist', trainLimit: 256, valLimit: 200 },
    algorithm: 'ALGORITHM_PARLE',
    epochs: 1,
    seed: 7,
    minWorkers: 1,
    hyper: { batchSize: 64, innerSteps: 2, ...hyper },
    evalInterval: { rounds: 1_000_000 },
    checkpointInterval: { rounds: 1_000_000 },
    ...overrides,
  };
}

/** Rejects after `ms` unless `p` settles first. */
export function within<T>(p: Promise<T>, ms: number, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    }),
  ]);
}

/** Polls `fn` until it returns a truthy value (bounded). */
export async function until<T>(fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, ms = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The raw bytes of a job's x as FetchWeights streams them. */
export async function fetchX(jobs: JobsClient, jobId: string): Promise<{ x: Float32Array; round: number; bytes: Buffer }> {
  const { header, tensors } = await jobs.fetchWeights({ jobId });
  const x = tensors.find((t) => t.name === 'x')!.values;
  return { x, round: header.round, bytes: Buffer.from(x.buffer, x.byteOffset, x.byteLength) };
}

/** A fake worker: registers, heartbeats on demand, exchanges through CoordinatorClient. */
export class FakeWorker {
  readonly client: CoordinatorClient;
  id = '';
  token = 0;
  assignment: Assignment__Output | null = null;

  constructor(address: string, token: string | null = null) {
    this.client = new CoordinatorClient(address, { token });
  }

  async register(workerId = ''): Promise<this> {
    const r = await this.client.register({ workerId, capabilities: { hostname: 'test', pid: process.pid, threads: 1 } });
    this.id = r.workerId;
    this.token = r.lease!.fencingToken;
    if (r.assignment) this.assignment = r.assignment;
    return this;
  }

  async heartbeat(jobId = this.assignment?.jobId ?? '', progress?: WorkerProgress) {
    const r = await this.client.heartbeat({
      workerId: this.id,
      fencingToken: this.token,
      state: jobId ? 'WORKER_STATE_TRAINING' : 'WORKER_STATE_IDLE',
      jobId,
      ...(progress ? { progress } : {}),
    });
    if (r.directive === 'WORKER_DIRECTIVE_START' && r.assignment) this.assignment = r.assignment;
    return r;
  }

  /** Heartbeats until an assignment arrives. */
  async waitAssignment(ms = 10_000): Promise<Assignment__Output> {
    return until(async () => {
      if (this.assignment) return this.assignment;
      await this.heartbeat('');
      return this.assignment;
    }, ms, `assignment of ${this.id}`);
  }

  get jobId(): string {
    return this.assignment!.jobId;
  }

  exchange(kind: ExchangeKind, round: number, phase: number, tensors: NamedTensor[], jobId = this.jobId, progress?: WorkerProgress) {
    return this.client.exchange(
      { jobId, workerId: this.id, fencingToken: this.token, kind, round, phase, ...(progress ? { progress } : {}) },
      tensors,
    );
  }

  pull(jobId = this.jobId) {
    return this.exchange('EXCHANGE_KIND_PULL', 0, 0, [], jobId);
  }

  /** Leaves the pool (best effort) and closes the channel. */
  async close(): Promise<void> {
    if (this.id) await this.client.leave({ workerId: this.id, fencingToken: this.token, reason: 'test done' }).catch(() => {});
    this.client.close();
  }
}

/** A deterministic pseudo-random vector. */
export function randomVector(n: number, seed: number, scale = 0.1): Float32Array {
  const v = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    v[i] = ((s >>> 0) / 0xffffffff - 0.5) * 2 * scale;
  }
  return v;
}

/** `a + d` elementwise, as float32. */
export function plus(a: Float32Array, d: Float32Array): Float32Array {
  return a.map((v, i) => v + d[i]!);
}
