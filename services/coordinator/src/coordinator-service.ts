// The CoordinatorService (workers): register, heartbeat, leave, and the parameter exchange. The
// exchange is verified completely (lease, membership, round, names, sizes, order, checksums,
// finiteness) by @deeprelax/rpc's exchangeHandler and JobRuntime.expect before JobRuntime sees it.
import {
  bytesPerElement,

  exchangeHandler,
  grpc,
  InvalidArgumentError,
  REASON_TRAILER,
  unary,
  type CoordinatorServiceHandlers,
  type ExchangeHeader__Output,
  type ExchangeResult,
  type TensorExpectations,
} from '@deeprelax/rpc';
import type { Coordinator } from './coordinator.js';

function replyBytes(r: ExchangeResult): number {
  const bpe = bytesPerElement(r.dtype ?? 'float32');
  let n = 0;
  for (const t of r.tensors ?? []) n += t.values.length * bpe;
  return n;
}

export function coordinatorServiceHandlers(c: Coordinator): CoordinatorServiceHandlers {
  const m = c.metrics;
  const expect = async (h: ExchangeHeader__Output): Promise<TensorExpectations | void> => {
    if (!h.jobId) throw new InvalidArgumentError('header.job_id', 'required');
    if (!h.workerId) throw new InvalidArgumentError('header.worker_id', 'required');
    await c.checkLease(h.workerId, h.fencingToken);
    const rt = await c.runtimeFor(h.jobId);
    if (!rt) return undefined;
    return rt.expect(h) ?? undefined;
  };

  const exchange = exchangeHandler(
    async ({ header: h, tensors, signal }): Promise<ExchangeResult> => {
      const t0 = performance.now();
      const kind = String(h.kind).replace('EXCHANGE_KIND_', '').toLowerCase();
      const inBytes = h.tensors.reduce((s, t) => s + Number(t.byteLength), 0);
      m.exchangeBytes.inc({ direction: 'in', kind }, inBytes);
      const rt = await c.runtimeFor(h.jobId);
      let outcome = 'ok';
      try {
        let result: ExchangeResult;
        if (!rt) {
          const rec = await c.jobRecord(h.jobId);
          result = {
            reply: { jobId: h.jobId, round: rec.progress?.round ?? 0, phase: 0, contributors: 0, directive: 'WORKER_DIRECTIVE_STOP' },
            tensors: [],
          };
        } else if (h.kind === 'EXCHANGE_KIND_PULL') {
          result = await rt.pull(h.workerId, signal);
        } else {
          const tensor = tensors[0]?.values;
          if (!tensor && rt.state === 'running' && rt.members.has(h.workerId)) {
            throw new InvalidArgumentError('header.tensors', 'a contribution needs one tensor');
          }
          if (h.kind === 'EXCHANGE_KIND_SYNC') result = tensor ? await rt.contribute(h, tensor, signal) : rt.stopReply();
          else if (h.kind === 'EXCHANGE_KIND_ASYNC') result = tensor ? rt.applyAsync(h, tensor) : rt.stopReply();
          else throw new InvalidArgumentError('header.kind', `unknown exchange kind ${String(h.kind)}`);
        }
        if (result.reply.directive === 'WORKER_DIRECTIVE_STOP') outcome = 'stop';
        m.exchangeBytes.inc({ direction: 'out', kind }, replyBytes(result));
        return result;
      } catch (err) {
        outcome = 'rejected';
        throw err;
      } finally {
        m.exchangeSeconds.observe({ kind, algorithm: rt?.plan.algorithm ?? '', outcome }, (performance.now() - t0) / 1000);
      }
    },
    {
      limits: { requireFinite: true, maxChunkBytes: c.config.maxChunkBytes },
      expect,
      // Contributions are reduced (or, async, applied) before the call ends and never kept or
      // sent back: receive them into recycled arrays, from the arena the centre kernels run on.
      pool: c.arena,
    },
  );

  return {
    Register: unary(async (req) => c.register(req)),
    Heartbeat: unary(async (req) => c.heartbeat(req)),
    Leave: unary(async (req) => {
      if (!req.workerId) throw new InvalidArgumentError('worker_id', 'required');
      await c.leave(req.workerId, req.fencingToken, req.reason);
      return {};
    }),
    // Count rejections (x untouched) by reason, whichever layer rejected.
    Exchange: (call) => {
      const emit = call.emit.bind(call);
      (call as { emit: typeof call.emit }).emit = ((event: string | symbol, ...args: unknown[]) => {
        if (event === 'error') {
          const s = args[0] as { code?: number; metadata?: grpc.Metadata } | undefined;
          const reason = s?.metadata?.get(REASON_TRAILER)[0];
          m.exchangesRejected.inc({ reason: typeof reason === 'string' ? reason : grpc.status[s?.code ?? 2] ?? 'unknown' });
        }
        return emit(event, ...args);
      }) as typeof call.emit;
      exchange(call);
    },
  };
}


