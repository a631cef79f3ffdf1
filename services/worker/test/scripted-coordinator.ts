// A scripted coordinator for the worker's own tests: real gRPC on loopback, the CoordinatorService
// of PROTOCOL.md for ONE synchronous job (Parle, EASGD or DESGD reductions over the replicas that
// contribute), with knobs to inject the errors the worker must survive. It is not the coordinator
// (services/coordinator); end-to-end tests in test/e2e run the real one.
import { meanOf } from '@deeprelax/core';
import {
  AbortedError,
  FailedPreconditionError,
  InvalidArgumentError,
  TensorNames,
  createRpcServer,
  exchangeHandler,
  unary,
  type Assignment,
  type CoordinatorServiceHandlers,
  type HeartbeatRequest__Output,
  type JobSpec,
  type LeaveRequest__Output,
  type WorkerDirective,
} from '@deeprelax/rpc';

const mean = (vs: Float32Array[]) => meanOf(vs, new Float32Array(vs[0]!.length));

export interface ScriptOptions {
  spec: JobSpec;
  x0: Float32Array;
  totalRounds: number;
  /** Port to listen on (default: a free one). */
  port?: number;
  /** Fail the Nth exchange (1-based, counting all exchanges) with this error. */
  failExchange?: { n: number; error: 'aborted' | 'lease' };
  /** Reject every Parle phase-1 contribution as non-finite (INVALID_ARGUMENT). */
  rejectPhase1?: boolean;
}

export interface Script {
  address: string;
  x: Float32Array;
  round: number;
  heartbeats: HeartbeatRequest__Output[];
  leaves: LeaveRequest__Output[];
  registrations: number;
  exchanges: { kind: string; round: number; phase: number }[];
  done: Promise<void>;
  close(): Promise<void>;
}

export async function startScriptedCoordinator(o: ScriptOptions): Promise<Script> {
  let x = Float32Array.from(o.x0);
  let round = 0;
  let token = 0;
  let ended = false;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const s: Script = {
    address: '',
    get x() {
      return x;
    },
    get round() {
      return round;
    },
    heartbeats: [],
    leaves: [],
    registrations: 0,
    exchanges: [],
    done,
    close: async () => {},
  } as Script;
  const assignment = (): Assignment => ({
    jobId: 'job-1',
    spec: o.spec,
    replica: 0,
    replicas: 1,
    round,
    mode: 'EXCHANGE_MODE_SYNC',
    numParams: x.length,
    numBuffers: 0,
    maxChunkBytes: 2 * 1024 * 1024,
  });
  const stop: WorkerDirective = 'WORKER_DIRECTIVE_STOP';
  const handlers: CoordinatorServiceHandlers = {
    Register: unary(async () => {
      s.registrations++;
      token++;
      return {
        workerId: 'w-1',
        lease: { fencingToken: token, ttlMs: 5_000, heartbeatIntervalMs: 100, expiresUnixMs: Date.now() + 5_000 },
        ...(ended ? {} : { assignment: assignment() }),
      };
    }),
    Heartbeat: unary(async (req: HeartbeatRequest__Output) => {
      s.heartbeats.push(req);
      if (Number(req.fencingToken) !== token) throw new FailedPreconditionError('stale fencing token', { reason: 'stale-fencing' });
      const lease = { fencingToken: token, ttlMs: 5_000, heartbeatIntervalMs: 100, expiresUnixMs: Date.now() + 5_000 };
      if (ended && req.jobId) return { lease, directive: stop };
      if (!ended && req.jobId !== 'job-1') return { lease, directive: 'WORKER_DIRECTIVE_START', assignment: assignment() };
      return { lease, directive: 'WORKER_DIRECTIVE_UNSPECIFIED' };
    }),
    Leave: unary(async (req: LeaveRequest__Output) => {
      s.leaves.push(req);
      return {};
    }),
    Exchange: exchangeHandler(async ({ header: h, byName }) => {
      const n = s.exchanges.push({ kind: h.kind, round: Number(h.round), phase: h.phase });
      if (Number(h.fencingToken) !== token) throw new FailedPreconditionError('stale fencing token', { reason: 'stale-fencing' });
      if (o.failExchange && o.failExchange.n === n) {
        if (o.failExchange.error === 'aborted') throw new AbortedError('stale round', { reason: 'stale-round' });
        token++; // the worker's lease is gone
        throw new FailedPreconditionError('lease expired', { reason: 'lease-expired' });
      }
      if (h.kind === 'EXCHANGE_KIND_PULL') {
        return { reply: { jobId: 'job-1', round, directive: ended ? stop : 'WORKER_DIRECTIVE_UNSPECIFIED' }, tensors: ended ? [] : [{ name: TensorNames.x, values: Float32Array.from(x) }] };
      }
      if (ended) return { reply: { jobId: 'job-1', round, directive: stop } };
      if (Number(h.round) !== round) throw new AbortedError(`round ${h.round} is not the open round ${round}`, { reason: 'stale-round' });
      const alg = o.spec.algorithm;
      const close = () => {
        round++;
        if (round >= o.totalRounds) {
          ended = true;
          finish();
        }
        return ended ? stop : ('WORKER_DIRECTIVE_UNSPECIFIED' as WorkerDirective);
      };
      if (alg === 'ALGORITHM_PARLE') {
        if (h.phase === 0) {
          const z = byName.get(TensorNames.z)!;
          return { reply: { jobId: 'job-1', round, phase: 0, contributors: 1 }, tensors: [{ name: TensorNames.meanZ, values: mean([z]) }] };
        }
        if (o.rejectPhase1) throw new InvalidArgumentError(null, 'x^a has a non-finite value', { reason: 'non-finite' });
        x = Float32Array.from(mean([byName.get(TensorNames.x)!]));
        const directive = close();
        return { reply: { jobId: 'job-1', round, phase: 1, contributors: 1, directive } };
      }
      throw new Error(`scripted coordinator: ${alg} not scripted`);
    }),
  };
  const server = createRpcServer({ reflection: false });
  server.addCoordinatorService(handlers);
  const port = await server.listen(`127.0.0.1:${o.port ?? 0}`);
  s.address = `127.0.0.1:${port}`;
  s.close = async () => {
    await server.close(500);
  };
  return s;
}
